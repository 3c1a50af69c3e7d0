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
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, func, select, text

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import current_tenant_id
from koepel.tenants.agreements import terms_on
from koepel.tenants.invoices import (
    OPEN_STATUSES,
    Invoice,
    amount_due,
    apply_payment,
    invoice_by_number,
    lock_invoices,
)
from koepel.tenants.ledger import Line, Posting, account, do_post, do_post_many
from koepel.tenants.members import Member
from koepel.tenants.pots import PayoutBatch, PotRequest, do_mark_paid

from .models import BankLine, BankStatement, PaymentSplit
from .parsers import ParsedStatement, StatementError, line_keys, parse, sha256

register_labels({
    "payments.imported": _l("Bank statement imported"),
    "payments.matched": _l("Bank line matched to an invoice"),
    "payments.payout_matched": _l("Bank line matched to a payout"),
    "payments.settlement_matched": _l("Bank line matched to a payment to a municipality"),
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
    # Lines that name the invoice they pay are posted together; the rest one by one.
    pairs, rest = _match_by_number([line for line in new_lines if line.amount_cents > 0])
    _pay_invoices(pairs, actor_id)
    result.matched += len(pairs)
    for line in new_lines:
        if (line.amount_cents <= 0 or line in rest) and auto_match(line, actor_id=actor_id):
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
    if _pay_settlement(line, actor_id):
        return True
    payout = payout_for(line)
    if payout is None or _already_matched(payout):
        return False
    _pay_out(line, payout, actor_id)
    return True


def _pay_settlement(line: BankLine, actor_id: int | None) -> bool:
    """An outgoing line that pays a municipality's claim (named by its end-to-end id)."""
    # Imported here: the settlements read this package's splits.
    from koepel.tenants.settlements import do_settle, settlement_paid_by

    settlement = settlement_paid_by(line.end_to_end_id, line.amount_cents)
    if settlement is None:
        return False
    settled = do_settle(settlement, on_date=line.booking_date, source=("bank_line", line.id), actor_id=actor_id)
    line.status, line.settlement_id, line.entry_id = "matched", settled.id, settled.paid_entry_id
    line.matched_by, line.matched_at = actor_id, utcnow()
    db.session.flush()
    record("payments.settlement_matched", object_type="bank_line", object_id=line.id,
           details={"amount_cents": line.amount_cents, "settlement_id": settled.id}, actor_user_id=actor_id)
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


def net_of_payment(invoice: Invoice, amount: int, carried_before: int | None = None) -> int:
    """The invoice's net turnover this payment carries (call after registering it);
    `carried_before`: what the invoice's earlier payments carried, when known."""
    if invoice.total_cents <= 0:
        return 0
    if invoice.amount_paid_cents >= invoice.total_cents:
        if carried_before is None:
            carried_before = int(db.session.scalar(select(func.coalesce(func.sum(PaymentSplit.net_cents), 0))
                                                   .where(PaymentSplit.invoice_id == invoice.id)))
        net = invoice.net_cents - carried_before
    else:
        net = _half_up(amount * invoice.net_cents, invoice.total_cents)
    return max(0, min(amount, net))


def _match_by_number(lines: list[BankLine]) -> tuple[list[tuple[BankLine, Invoice]], list[BankLine]]:
    """Incoming lines that name an open invoice with at least their amount still due (in
    the order of the statement, each line lowering what is due): (line, invoice) pairs,
    and the lines left for `auto_match`. The invoices are locked, in id order."""
    numbers = {line.id: list(dict.fromkeys(INVOICE_NUMBER.findall(" ".join((line.remittance, line.end_to_end_id)))))
               for line in lines}
    wanted = {number for found in numbers.values() for number in found}
    invoices = {invoice.number: invoice for invoice in db.session.scalars(
        select(Invoice).where(Invoice.number.in_(wanted)).order_by(Invoice.id).with_for_update())} if wanted else {}
    due = {invoice.id: amount_due(invoice).cents for invoice in invoices.values() if _open_invoice(invoice)}
    pairs, rest = [], []
    for line in lines:
        invoice = next((invoices[n] for n in numbers[line.id]
                        if n in invoices and 0 < line.amount_cents <= due.get(invoices[n].id, 0)), None)
        if invoice is None:
            rest.append(line)
            continue
        due[invoice.id] -= line.amount_cents
        pairs.append((line, invoice))
    return pairs, rest


def _pay_invoice(line: BankLine, invoice: Invoice, actor_id: int | None) -> None:
    _pay_invoices([(line, invoice)], actor_id)


def _pay_invoices(pairs: list[tuple[BankLine, Invoice]], actor_id: int | None) -> None:
    """Post what each line pays (Dr bank / Cr the customer's receivable), register it on
    its invoice and split it: a few statements for a whole bank statement. The caller
    holds the payments lock and has checked each line against what its invoice owes."""
    if not pairs:
        return
    invoices = lock_invoices({invoice.id for _line, invoice in pairs})
    carried = dict.fromkeys(invoices, 0) | {invoice_id: int(cents) for invoice_id, cents in db.session.execute(
        select(PaymentSplit.invoice_id, func.sum(PaymentSplit.net_cents))
        .where(PaymentSplit.invoice_id.in_(list(invoices))).group_by(PaymentSplit.invoice_id))}
    members = {m.id: m for m in db.session.scalars(
        select(Member).where(Member.id.in_({i.member_id for i in invoices.values()})))}
    split_ids = iter(_new_ids(PaymentSplit, len(pairs)))
    bank, now = account("bank"), utcnow()
    postings, splits = [], []
    with db.session.no_autoflush:  # one flush at the end, with every row in its final state
        for line, asked in pairs:
            invoice, amount = invoices[asked.id], Money(line.amount_cents)
            apply_payment(invoice, amount, on_date=line.booking_date, actor_id=actor_id)
            net = net_of_payment(invoice, line.amount_cents, carried[invoice.id])
            carried[invoice.id] += net
            line.status, line.invoice_id, line.matched_by, line.matched_at = "matched", invoice.id, actor_id, now
            postings.append(Posting(
                lines=[Line(bank, amount), Line(account("receivable", customer_id=invoice.customer_id), -amount)],
                on_date=line.booking_date, kind="payment", description=f"Betaling factuur {invoice.number}",
                idempotency_key=f"bank_line:{line.id}", source=("bank_line", line.id), actor_id=actor_id))
            splits.append(PaymentSplit(
                id=next(split_ids), bank_line_id=line.id, invoice_id=invoice.id, member_id=invoice.member_id,
                municipality_id=members[invoice.member_id].benefit_municipality_id, paid_on=line.booking_date,
                status="waiting", received_cents=line.amount_cents, net_cents=net,
                vat_cents=line.amount_cents - net, earned_before_cents=0, cooperative_cents=0, training_cents=0,
                municipality_cents=0, pot_cents=0, rule={}, entry_id=None))
        split_postings = _split_many(splits, members, actor_id)
        entry_ids = do_post_many(postings + [posting for _split, posting in split_postings])
    for (line, _asked), entry_id in zip(pairs, entry_ids, strict=False):
        line.entry_id = entry_id
        record("payments.matched", object_type="bank_line", object_id=line.id,
               details={"invoice": invoices[line.invoice_id].number, "amount_cents": line.amount_cents,
                        "entry_id": entry_id}, actor_user_id=actor_id, flush=False)
    for (split, _posting), entry_id in zip(split_postings, entry_ids[len(postings):], strict=True):
        split.entry_id = entry_id
    db.session.add_all(splits)
    for split in splits:
        if split.status == "split":
            _record_split(split, actor_id, flush=False)
    db.session.flush()


def _new_ids(model, count: int) -> list[int]:
    """`count` ids of `model`'s table, taken from its identity sequence ahead of the insert."""
    return list(db.session.scalars(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": model.__tablename__, "count": count}))


def earned_before(split: PaymentSplit) -> Money:
    """The member's net turnover already split in the calendar month of this payment."""
    first = split.paid_on.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    cents = db.session.scalar(select(func.coalesce(func.sum(PaymentSplit.net_cents), 0)).where(
        PaymentSplit.member_id == split.member_id, PaymentSplit.status == "split", PaymentSplit.id != split.id,
        PaymentSplit.paid_on >= first, PaymentSplit.paid_on < following))
    return Money(int(cents))


def _earned_in_months(splits: list[PaymentSplit]) -> dict[tuple[int, date], int]:
    """(member, first day of month) -> net turnover already split, for the members and
    months of `splits` (which are not split yet)."""
    months = {split.paid_on.replace(day=1) for split in splits}
    month = func.date_trunc("month", PaymentSplit.paid_on).cast(Date)
    rows = db.session.execute(
        select(PaymentSplit.member_id, month, func.sum(PaymentSplit.net_cents))
        .where(PaymentSplit.member_id.in_({split.member_id for split in splits}), PaymentSplit.status == "split",
               PaymentSplit.paid_on >= min(months), PaymentSplit.paid_on < add_months(max(months), 1))
        .group_by(PaymentSplit.member_id, month)).all()
    return {(member_id, first): int(cents) for member_id, first, cents in rows}


def _apply_split(split: PaymentSplit, terms, municipality_id: int, before: Money,
                 actor_id: int | None) -> Posting | None:
    """Fill in the split's shares by `terms`; the entry that books them (None for a
    payment that carries no turnover)."""
    shares = terms.split(Money(split.net_cents), before)
    split.municipality_id = municipality_id
    split.earned_before_cents = before.cents
    split.cooperative_cents, split.training_cents = shares.cooperative.cents, shares.training_pot.cents
    split.municipality_cents, split.pot_cents = shares.municipality.cents, shares.pot.cents
    split.version_id, split.split_at, split.status = terms.version_id, utcnow(), "split"
    split.rule = {
        "agreement_id": terms.agreement_id, "version_number": terms.version_number,
        "valid_from": terms.valid_from.isoformat() if terms.valid_from else None,
        "cooperative_share_kind": terms.cooperative_share_kind, "cooperative_share_bp": terms.cooperative_share_bp,
        "training_pot_bp": terms.training_pot_bp, "municipality_share_bp": terms.municipality_share_bp,
        "municipality_threshold_cents": terms.municipality_threshold.cents,
    }
    if split.net_cents <= 0:
        return None
    credits = [(account("cooperative"), shares.cooperative), (account("training_pot"), shares.training_pot),
               (account("municipality_owed", partner_tenant_id=municipality_id), shares.municipality),
               (account("member_pot", member_id=split.member_id), shares.pot)]
    online = split.bank_line_id is None
    return Posting(lines=[Line(account("earnings"), Money(split.net_cents)),
                          *(Line(acc, -amount) for acc, amount in credits if amount.cents)],
                   on_date=split.paid_on, kind="split",
                   description=f"Verdeling betaling {'online #' if online else '#'}"
                               f"{split.online_payment_id if online else split.bank_line_id}",
                   idempotency_key=f"split:online:{split.online_payment_id}" if online else f"split:{split.bank_line_id}",
                   source=("payment_split", split.id), actor_id=actor_id)


def _record_split(split: PaymentSplit, actor_id: int | None, *, flush: bool) -> None:
    record("payments.split", object_type="payment_split", object_id=split.id,
           details={"bank_line_id": split.bank_line_id, "online_payment_id": split.online_payment_id,
                    "net_cents": split.net_cents, "version_id": split.version_id,
                    "cooperative_cents": split.cooperative_cents, "training_cents": split.training_cents,
                    "municipality_cents": split.municipality_cents, "pot_cents": split.pot_cents},
           actor_user_id=actor_id, flush=flush)


def _split_many(splits: list[PaymentSplit], members: dict[int, Member],
                actor_id: int | None) -> list[tuple[PaymentSplit, Posting]]:
    """`do_split` for new splits of one unit of work at once, in their order (each sees
    the turnover of the ones before it in its month): the entries to post for them."""
    earned = _earned_in_months(splits)
    terms_by = {}
    postings = []
    for split in splits:
        municipality_id = members[split.member_id].benefit_municipality_id
        if municipality_id and (municipality_id, split.paid_on) not in terms_by:
            terms_by[(municipality_id, split.paid_on)] = terms_on(municipality_id, split.paid_on)
        terms = terms_by.get((municipality_id, split.paid_on)) if municipality_id else None
        if terms is None:
            continue  # waits for an agreement
        month = (split.member_id, split.paid_on.replace(day=1))
        posting = _apply_split(split, terms, municipality_id, Money(earned.get(month, 0)), actor_id)
        earned[month] = earned.get(month, 0) + split.net_cents
        if posting is not None:
            postings.append((split, posting))
    return postings


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
    posting = _apply_split(split, terms, municipality_id, earned_before(split), actor_id)
    if posting is not None:
        split.entry_id = do_post(lines=posting.lines, on_date=posting.on_date, kind=posting.kind,
                                 description=posting.description, idempotency_key=posting.idempotency_key,
                                 source=posting.source, actor_id=actor_id).id
    db.session.flush()
    _record_split(split, actor_id, flush=True)
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
