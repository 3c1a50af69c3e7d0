"""Importing bank statements, matching their lines, posting payments and splitting them
over the waterfall (DOMAIN.md "The money (the waterfall)").

Everything that reads or changes this tenant's bank lines runs under one transaction-level
advisory lock per tenant (`lock_payments`): two imports of the same file at once, or an
import and a match by hand, follow each other, so a line is posted once. Every posting has
an idempotency key besides (`bank_line:<id>`, `split:<id>`).

The net of a payment (what is split) is the member's turnover without VAT that it carries:
pro rata, amount x invoice net / invoice total, rounded half up to the cent; the payment
that makes the invoice paid gets the invoice's net minus what earlier payments carried, so
an invoice's payments together carry exactly its net. The rest of the amount is the VAT,
which stays owed to the tax office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import current_tenant_id
from koepel.tenants.agreements import terms_on
from koepel.tenants.invoices import (
    OPEN_STATUSES,
    Invoice,
    amount_due,
    do_register_payment,
    invoice_by_number,
)
from koepel.tenants.ledger import Line, account, do_post
from koepel.tenants.members import Member
from koepel.tenants.pots import PayoutBatch, PotRequest, do_mark_paid

from .models import BankLine, BankStatement, PaymentSplit
from .parsers import ParsedStatement, StatementError, line_keys, parse, sha256

register_labels({
    "payments.imported": _l("Bank statement imported"),
    "payments.matched": _l("Bank line matched to an invoice"),
    "payments.payout_matched": _l("Bank line matched to a payout"),
    "payments.ignored": _l("Bank line marked as not a customer payment"),
    "payments.split": _l("Payment split over the waterfall"),
})

# pg_advisory_xact_lock(class, tenant): one import or match at a time per tenant.
LOCK_CLASS = 0x504159
INVOICE_NUMBER = re.compile(r"(?<!\d)(\d{4}-\d{4})(?!\d)")
# A payout shows up on the statement on its execution date or a few days later.
PAYOUT_DAYS = 5


class PaymentError(ValueError):
    """A match the rules refuse; the message is for people, `field` for forms."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ImportResult:
    statement: BankStatement | None
    already_imported: bool = False
    lines_read: int = 0
    new_lines: int = 0
    known_lines: int = 0
    matched: int = 0


def lock_payments(tenant_id: int | None = None) -> None:
    """Wait for any other import or match of this tenant to commit or roll back."""
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"), {"cls": LOCK_CLASS, "key": tenant_id % 2**31})


# --- importing ---------------------------------------------------------------------------------


def read_statement(data: bytes) -> ParsedStatement:
    """The parsed file, or StatementError with the report of what is wrong (nothing stored)."""
    return parse(data)


def do_import(*, file_name: str, data: bytes, actor_id: int | None) -> ImportResult:
    """Read a CAMT.053 or MT940 file whole, then store its new lines and match and post
    them. A file that cannot be read raises StatementError before anything is stored; the
    same file again is "already imported"; a file overlapping an earlier one adds only
    the lines not known yet."""
    parsed = read_statement(data)  # raises before anything is touched
    digest = sha256(data)
    lock_payments()
    existing = db.session.scalar(select(BankStatement).where(BankStatement.sha256 == digest))
    if existing is not None:
        return ImportResult(existing, already_imported=True, lines_read=len(parsed.lines))
    statement = BankStatement(file_name=(file_name or "statement")[:200], sha256=digest, format=parsed.format,
                              account_iban=parsed.account_iban, period_start=parsed.period_start,
                              period_end=parsed.period_end, report={}, created_by=actor_id)
    if statement.period_start and statement.period_end and statement.period_end < statement.period_start:
        statement.period_end = statement.period_start
    db.session.add(statement)
    db.session.flush()
    keys = line_keys(parsed.account_iban, parsed.lines)
    known = set(db.session.scalars(select(BankLine.line_key).where(BankLine.line_key.in_(keys))))
    result = ImportResult(statement, lines_read=len(parsed.lines))
    new_lines = []
    for parsed_line, key in zip(parsed.lines, keys, strict=True):
        if key in known:
            result.known_lines += 1
            continue
        known.add(key)
        line = BankLine(statement_id=statement.id, booking_date=parsed_line.booking_date,
                        amount_cents=parsed_line.amount_cents, counterparty_name=parsed_line.counterparty_name,
                        counterparty_iban=parsed_line.counterparty_iban, remittance=parsed_line.remittance,
                        end_to_end_id=parsed_line.end_to_end_id, bank_reference=parsed_line.bank_reference,
                        message_id=parsed_line.message_id, line_key=key, status="unmatched", ignore_reason="")
        db.session.add(line)
        new_lines.append(line)
    db.session.flush()
    result.new_lines = len(new_lines)
    for line in new_lines:
        if auto_match(line, actor_id=actor_id):
            result.matched += 1
    statement.report = {"lines_read": result.lines_read, "new_lines": result.new_lines,
                        "known_lines": result.known_lines, "matched": result.matched}
    db.session.flush()
    record("payments.imported", object_type="bank_statement", object_id=statement.id,
           details={"file_name": statement.file_name, "format": statement.format, **statement.report},
           actor_user_id=actor_id)
    return result


# --- matching ----------------------------------------------------------------------------------


def _open_invoice(invoice: Invoice | None) -> bool:
    return invoice is not None and invoice.kind == "invoice" and invoice.status in OPEN_STATUSES


def invoice_for(line: BankLine) -> Invoice | None:
    """The invoice an incoming line pays: the one whose number ("2026-0001") the text names
    (and which still has at least this amount due), else the only open invoice with exactly
    this amount due."""
    texts = " ".join((line.remittance, line.end_to_end_id))
    for number in dict.fromkeys(INVOICE_NUMBER.findall(texts)):
        invoice = invoice_by_number(number)
        if _open_invoice(invoice) and 0 < line.amount_cents <= amount_due(invoice).cents:
            return invoice
    candidates = list(db.session.scalars(
        select(Invoice).where(Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES),
                              Invoice.total_cents - Invoice.amount_paid_cents == line.amount_cents).limit(2)))
    return candidates[0] if len(candidates) == 1 else None


def payout_for(line: BankLine) -> PayoutBatch | PotRequest | None:
    """The payout an outgoing line is: a batch by its SEPA message id, a single request by
    its end-to-end id, else the only unpaid batch of exactly this total executed in the
    days before the booking date."""
    texts = [t for t in (line.message_id, line.end_to_end_id, line.bank_reference) if t]
    if texts:
        batch = db.session.scalar(select(PayoutBatch).where(PayoutBatch.message_id.in_(texts)))
        if batch is None and line.remittance:
            batch = next((b for b in db.session.scalars(select(PayoutBatch).where(PayoutBatch.status == "created"))
                          if b.message_id in line.remittance), None)
        if batch is not None:
            return batch
    match = re.fullmatch(r"POT-(\d+)-(\d+)", line.end_to_end_id or "")
    if match and int(match[1]) == current_tenant_id():
        found = db.session.scalar(select(PotRequest).where(PotRequest.id == int(match[2])))
        if found is not None and -line.amount_cents == found.amount_cents:
            return found
    candidates = list(db.session.scalars(select(PayoutBatch).where(
        PayoutBatch.status == "created", PayoutBatch.total_cents == -line.amount_cents,
        PayoutBatch.execution_date.between(line.booking_date - timedelta(days=PAYOUT_DAYS), line.booking_date),
    ).limit(2)))
    return candidates[0] if len(candidates) == 1 else None


def auto_match(line: BankLine, *, actor_id: int | None) -> bool:
    """Match a new line when it can be told for sure what it is; post it. False leaves it
    for a person."""
    if line.amount_cents > 0:
        invoice = invoice_for(line)
        if invoice is None:
            return False
        _pay_invoice(line, invoice, actor_id)
        return True
    payout = payout_for(line)
    if payout is None or _already_matched(payout):
        return False
    _pay_out(line, payout, actor_id)
    return True


def _already_matched(payout: PayoutBatch | PotRequest) -> bool:
    column = BankLine.batch_id if isinstance(payout, PayoutBatch) else BankLine.pot_request_id
    return db.session.scalar(select(func.count()).select_from(BankLine).where(column == payout.id)) > 0


def _locked_line(line: BankLine) -> BankLine:
    lock_payments(line.tenant_id)
    db.session.refresh(line, with_for_update=True)
    return line


def do_match_invoice(line: BankLine, invoice: Invoice | None, *, actor_id: int | None) -> BankLine:
    """By hand: this incoming line pays that invoice (posted and split as any other)."""
    line = _locked_line(line)
    if line.status != "unmatched":
        raise PaymentError(_l("This bank line has been dealt with already."), "invoice_id")
    if line.amount_cents <= 0:
        raise PaymentError(_l("Only money coming in pays an invoice."), "invoice_id")
    if not _open_invoice(invoice):
        raise PaymentError(_l("Choose an issued invoice that is not paid yet."), "invoice_id")
    due = amount_due(invoice)
    if line.amount_cents > due.cents:
        raise PaymentError(_l("The amount is more than the %(due)s still due on this invoice.", due=due.format()),
                           "invoice_id")
    _pay_invoice(line, invoice, actor_id)
    return line


def do_match_payout(line: BankLine, batch: PayoutBatch | None, *, actor_id: int | None) -> BankLine:
    """By hand: this outgoing line is that payout batch (its requests are marked paid)."""
    line = _locked_line(line)
    if line.status != "unmatched":
        raise PaymentError(_l("This bank line has been dealt with already."), "batch_id")
    if line.amount_cents >= 0 or batch is None or -line.amount_cents != batch.total_cents:
        raise PaymentError(_l("Choose a payout batch with exactly this amount."), "batch_id")
    if _already_matched(batch):
        raise PaymentError(_l("Another bank line is matched to this payout batch already."), "batch_id")
    _pay_out(line, batch, actor_id)
    return line


def do_ignore(line: BankLine, *, reason: str, actor_id: int | None) -> BankLine:
    """By hand: this line is not a customer payment (or a payout); nothing is posted."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_l("Say what this bank line is."), "reason")
    line = _locked_line(line)
    if line.status != "unmatched":
        raise PaymentError(_l("This bank line has been dealt with already."), "reason")
    line.status, line.ignore_reason = "ignored", reason[:1000]
    line.matched_by, line.matched_at = actor_id, utcnow()
    db.session.flush()
    record("payments.ignored", object_type="bank_line", object_id=line.id,
           details={"amount_cents": line.amount_cents, "reason": line.ignore_reason}, actor_user_id=actor_id)
    return line


# --- posting -----------------------------------------------------------------------------------


def _pay_out(line: BankLine, payout: PayoutBatch | PotRequest, actor_id: int | None) -> None:
    if isinstance(payout, PayoutBatch):
        line.batch_id = payout.id
    else:
        line.pot_request_id = payout.id
    line.status, line.matched_by, line.matched_at = "matched", actor_id, utcnow()
    db.session.flush()
    do_mark_paid(payout, line.booking_date, actor_id)
    record("payments.payout_matched", object_type="bank_line", object_id=line.id,
           details={"amount_cents": line.amount_cents, "batch_id": line.batch_id,
                    "pot_request_id": line.pot_request_id}, actor_user_id=actor_id)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def net_of_payment(invoice: Invoice, amount: int) -> int:
    """The invoice's net turnover this payment carries (call after registering it)."""
    if invoice.total_cents <= 0:
        return 0
    if invoice.amount_paid_cents >= invoice.total_cents:
        before = db.session.scalar(select(func.coalesce(func.sum(PaymentSplit.net_cents), 0))
                                   .where(PaymentSplit.invoice_id == invoice.id))
        net = invoice.net_cents - before
    else:
        net = _half_up(amount * invoice.net_cents, invoice.total_cents)
    return max(0, min(amount, net))


def _pay_invoice(line: BankLine, invoice: Invoice, actor_id: int | None) -> None:
    amount = Money(line.amount_cents)
    entry = do_post(lines=[Line(account("bank"), amount),
                           Line(account("receivable", customer_id=invoice.customer_id), -amount)],
                    on_date=line.booking_date, kind="payment", description=f"Betaling factuur {invoice.number}",
                    idempotency_key=f"bank_line:{line.id}", source=("bank_line", line.id), actor_id=actor_id)
    do_register_payment(invoice, amount, on_date=line.booking_date, actor_id=actor_id)
    line.status, line.invoice_id, line.entry_id = "matched", invoice.id, entry.id
    line.matched_by, line.matched_at = actor_id, utcnow()
    db.session.flush()
    net = net_of_payment(invoice, line.amount_cents)
    member = db.session.get(Member, (invoice.tenant_id, invoice.member_id))
    split = PaymentSplit(bank_line_id=line.id, invoice_id=invoice.id, member_id=invoice.member_id,
                         municipality_id=member.benefit_municipality_id, paid_on=line.booking_date, status="waiting",
                         received_cents=line.amount_cents, net_cents=net, vat_cents=line.amount_cents - net,
                         earned_before_cents=0, cooperative_cents=0, training_cents=0, municipality_cents=0,
                         pot_cents=0, rule={})
    db.session.add(split)
    db.session.flush()
    record("payments.matched", object_type="bank_line", object_id=line.id,
           details={"invoice": invoice.number, "amount_cents": line.amount_cents, "entry_id": entry.id},
           actor_user_id=actor_id)
    do_split(split, actor_id=actor_id)


def earned_before(split: PaymentSplit) -> Money:
    """The member's net turnover already split in the calendar month of this payment."""
    first = split.paid_on.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    cents = db.session.scalar(select(func.coalesce(func.sum(PaymentSplit.net_cents), 0)).where(
        PaymentSplit.member_id == split.member_id, PaymentSplit.status == "split", PaymentSplit.id != split.id,
        PaymentSplit.paid_on >= first, PaymentSplit.paid_on < following))
    return Money(int(cents))


def do_split(split: PaymentSplit, *, actor_id: int | None) -> bool:
    """Split a payment by the agreement version in force on its date: one entry, Dr
    earnings / Cr the cooperative, the training pot, the municipality and the member's pot.
    Without an agreement the net stays in earnings and the split waits (False); calling
    again once there is one splits it; a split payment is never split again."""
    lock_payments(split.tenant_id)
    db.session.refresh(split, with_for_update=True)
    if split.status == "split":
        return True
    member = db.session.get(Member, (split.tenant_id, split.member_id))
    municipality_id = member.benefit_municipality_id
    terms = terms_on(municipality_id, split.paid_on) if municipality_id else None
    if terms is None:
        split.municipality_id = municipality_id
        db.session.flush()
        return False
    before = earned_before(split)
    shares = terms.split(Money(split.net_cents), before)
    credits = [(account("cooperative"), shares.cooperative), (account("training_pot"), shares.training_pot),
               (account("municipality_owed", partner_tenant_id=municipality_id), shares.municipality),
               (account("member_pot", member_id=split.member_id), shares.pot)]
    entry = None
    if split.net_cents > 0:
        entry = do_post(lines=[Line(account("earnings"), Money(split.net_cents)),
                               *(Line(acc, -amount) for acc, amount in credits if amount.cents)],
                        on_date=split.paid_on, kind="split", description=f"Verdeling betaling #{split.bank_line_id}",
                        idempotency_key=f"split:{split.bank_line_id}", source=("payment_split", split.id),
                        actor_id=actor_id)
    split.municipality_id = municipality_id
    split.earned_before_cents = before.cents
    split.cooperative_cents, split.training_cents = shares.cooperative.cents, shares.training_pot.cents
    split.municipality_cents, split.pot_cents = shares.municipality.cents, shares.pot.cents
    split.version_id, split.entry_id, split.split_at, split.status = terms.version_id, entry and entry.id, utcnow(), "split"
    split.rule = {
        "agreement_id": terms.agreement_id, "version_number": terms.version_number,
        "valid_from": terms.valid_from.isoformat() if terms.valid_from else None,
        "cooperative_share_kind": terms.cooperative_share_kind, "cooperative_share_bp": terms.cooperative_share_bp,
        "training_pot_bp": terms.training_pot_bp, "municipality_share_bp": terms.municipality_share_bp,
        "municipality_threshold_cents": terms.municipality_threshold.cents,
    }
    db.session.flush()
    record("payments.split", object_type="payment_split", object_id=split.id,
           details={"bank_line_id": split.bank_line_id, "net_cents": split.net_cents, "version_id": terms.version_id,
                    "cooperative_cents": split.cooperative_cents, "training_cents": split.training_cents,
                    "municipality_cents": split.municipality_cents, "pot_cents": split.pot_cents},
           actor_user_id=actor_id)
    return True


def do_split_waiting(*, actor_id: int | None) -> int:
    """Split every waiting payment that now has an agreement (in date order): how many."""
    lock_payments()
    done = 0
    for split in list(db.session.scalars(select(PaymentSplit).where(PaymentSplit.status == "waiting")
                                         .order_by(PaymentSplit.paid_on, PaymentSplit.id))):
        done += do_split(split, actor_id=actor_id)
    return done


__all__ = [
    "ImportResult", "PaymentError", "StatementError", "auto_match", "do_ignore", "do_import", "do_match_invoice",
    "do_match_payout", "do_split", "do_split_waiting", "earned_before", "invoice_for", "lock_payments",
    "net_of_payment", "payout_for",
]
