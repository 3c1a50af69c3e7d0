"""Closing a month and the settlement with each municipality (DOMAIN.md "The municipality").

`do_close_month` (the cooperative) closes the books of a calendar month and sends each
municipality its settlement: per member whose benefit it pays, what was earned (net of
VAT), how the agreement split it, what counts as income for the benefit and the income
disregard that may apply. The month's window in the books is every entry dated after the
last closed month up to the month's end: what was paid in a month closed already was
dated on the first open day (`do_post`), so it lands here, marked late with its month.

The municipality processes the settlement (`do_process`) and claims what it is owed
(`do_claim`, with its invoice reference and account); the cooperative pays the claim with
a SEPA file (`do_pay`) and the bank statement settles it (`do_settle`, called by the
payment matching): Dr what is owed to the municipality / Cr bank. Every step writes both
copies in one transaction (`across_border`), the cooperative's first.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from wtforms.validators import ValidationError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.onboarding.forms import validate_iban
from koepel.platform.parameters import NoValidValue, label, money_on, rate_on, value_on
from koepel.platform.sepa import Transfer, credit_transfer_file
from koepel.platform.tenancy import Tenant, current_tenant_id
from koepel.platform.tenancy.border import across_border, on_both_sides
from koepel.platform.tenancy.models import TenantProfile
from koepel.tenants.agreements import Agreement, AgreementVersion, terms_on
from koepel.tenants.ledger import (
    ClosedMonth,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Line,
    account,
    do_close_period,
    do_post,
    first_open_day,
    lock_period,
)
from koepel.tenants.members import ACTIVE_STAGES, Member
from koepel.tenants.payments.models import PaymentSplit
from koepel.tenants.payments.operations import lock_payments
from koepel.tenants.referrals.models import IncomingReferral, Referral

from .models import SHARE_COLUMNS, Settlement, SettlementLine

register_labels({
    "settlements.month_closed": _l("Month closed"),
    "settlements.received": _l("Monthly settlement received"),
    "settlements.processed": _l("Monthly settlement processed"),
    "settlements.processed_by_partner": _l("Monthly settlement processed by the municipality"),
    "settlements.claimed": _l("Amount owed claimed"),
    "settlements.claim_received": _l("Claim received from the municipality"),
    "settlements.paying": _l("Payment to the municipality made ready"),
    "settlements.paying_by_partner": _l("Payment made ready by the cooperative"),
    "settlements.settled": _l("Amount owed paid"),
    "settlements.settled_by_partner": _l("Payment received from the cooperative"),
})

END_STAGES_KEPT = ("outflow", "stopped")
CLAIM_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /\-.]{0,34}$")


class SettlementError(ValueError):
    """A step the settlement refuses; the message is for people, `field` for forms."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the month -----------------------------------------------------------------------------------


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def last_closed_month() -> date | None:
    return db.session.scalar(select(func.max(ClosedMonth.month)))


def next_month_to_close(today: date | None = None) -> date | None:
    """The month the cooperative can close now: the one after the last closed month (the
    month before the current one when none is closed yet), once it has ended."""
    today = today or amsterdam_today()
    current = today.replace(day=1)
    last = last_closed_month()
    candidate = add_months(last, 1) if last is not None else add_months(current, -1)
    return candidate if candidate < current else None


# --- what a member earned, and the disregard -----------------------------------------------------


@dataclass
class MemberMonth:
    member_id: int
    name: str
    earned: int = 0
    late: int = 0
    late_months: set = field(default_factory=set)
    cooperative: int = 0
    training: int = 0
    municipality: int = 0
    pot: int = 0  # before the flat amount
    flat_fee: int = 0


@dataclass(frozen=True)
class Disregard:
    general: int
    general_month: int | None
    general_note: str | None
    single_parent: int
    medical: int


def _share(amount: int, basis_points: int, cap: int) -> int:
    return min(amount * basis_points // 10_000, cap)


def _parameter(reader, name: str, day: date):
    try:
        return reader(name, day)
    except NoValidValue:
        raise SettlementError(_l("The parameter \u201c%(name)s\u201d has no value on %(day)s; the umbrella "
                                 "organisation can add it.", name=label(name), day=day.strftime("%d-%m-%Y"))) from None


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _general_months_before(member_id: int, municipality_id: int, month: date) -> int:
    """How many months right before `month` this member had the general disregard."""
    rows = db.session.execute(
        select(Settlement.month, SettlementLine.disregard_general_cents)
        .join(Settlement, and_(Settlement.tenant_id == SettlementLine.tenant_id,
                               Settlement.id == SettlementLine.settlement_id))
        .where(SettlementLine.member_id == member_id, Settlement.partner_tenant_id == municipality_id,
               Settlement.month < month)
        .order_by(Settlement.month.desc()).limit(24)).all()
    count, expected = 0, add_months(month, -1)
    for row_month, cents in rows:
        if row_month != expected or cents <= 0:
            break
        count, expected = count + 1, add_months(expected, -1)
    return count


def disregard(*, income: int, born: date | None, member_id: int, municipality_id: int, month: date) -> Disregard:
    """The income disregard (Participatiewet art. 31 lid 2 n) that may apply to `income`,
    by the parameters valid on the month's last day. The general one needs the age and
    counts its consecutive months; whether the single-parent and medical ones apply only
    the municipality knows, so their amounts are what they would come to."""
    day = month_end(month)
    single_parent = _share(income, _parameter(rate_on, "vrijlating.single_parent.percentage", day),
                           _parameter(money_on, "vrijlating.single_parent.max_monthly", day).cents)
    medical = _share(income, _parameter(rate_on, "vrijlating.medical.percentage", day),
                     _parameter(money_on, "vrijlating.medical.max_monthly", day).cents)
    if income <= 0:
        return Disregard(0, None, "no_income", 0, 0)
    general = _share(income, _parameter(rate_on, "vrijlating.general.percentage", day),
                     _parameter(money_on, "vrijlating.general.max_monthly", day).cents)
    note = None
    if born is None:
        note = "age_unknown"
    elif _age_on(born, day) < _parameter(value_on, "vrijlating.general.min_age", day):
        return Disregard(0, None, "under_age", single_parent, medical)
    month_number = _general_months_before(member_id, municipality_id, month) + 1
    if month_number > _parameter(value_on, "vrijlating.general.max_months", day):
        return Disregard(0, None, "period_over", single_parent, medical)
    return Disregard(general, month_number, note, single_parent, medical)


def _income(basis: str, line: MemberMonth) -> int:
    return {"none": 0, "pot": line.pot - line.flat_fee, "net": line.earned}[basis]


# --- closing ------------------------------------------------------------------------------------


def _window(query, column, start: date | None, end: date):
    query = query.where(column <= end)
    return query.where(column >= start) if start is not None else query


def _splits_in_window(start: date | None, end: date):
    query = (select(PaymentSplit, Member.name)
             .join(JournalEntry, and_(JournalEntry.tenant_id == PaymentSplit.tenant_id,
                                      JournalEntry.id == PaymentSplit.entry_id))
             .join(Member, and_(Member.tenant_id == PaymentSplit.tenant_id, Member.id == PaymentSplit.member_id))
             .where(PaymentSplit.status == "split").order_by(PaymentSplit.paid_on, PaymentSplit.id))
    return db.session.execute(_window(query, JournalEntry.on_date, start, end)).all()


def _owed_movements(start: date | None, end: date) -> dict[tuple[int, str], int]:
    """Per (municipality, entry kind): what was credited to what is owed to it in the window."""
    query = (select(LedgerAccount.partner_tenant_id, JournalEntry.kind, func.sum(JournalLine.amount_cents))
             .join(JournalLine, and_(JournalLine.tenant_id == LedgerAccount.tenant_id,
                                     JournalLine.account_id == LedgerAccount.id))
             .join(JournalEntry, and_(JournalEntry.tenant_id == JournalLine.tenant_id,
                                      JournalEntry.id == JournalLine.entry_id))
             .where(LedgerAccount.kind == "municipality_owed")
             .group_by(LedgerAccount.partner_tenant_id, JournalEntry.kind))
    return {(partner, kind): -int(cents) for partner, kind, cents in db.session.execute(
        _window(query, JournalEntry.on_date, start, end))}


def _members_living_in(municipality_id: int, month: date) -> list[tuple[int, str]]:
    """Members whose benefit the municipality pays, taking part in the month (also those
    who left during it)."""
    return list(db.session.execute(select(Member.id, Member.name).where(
        Member.benefit_municipality_id == municipality_id,
        or_(Member.stage.in_(ACTIVE_STAGES),
            and_(Member.stage.in_(END_STAGES_KEPT), Member.stage_since >= month)))).all())


def _partners_with_agreement(end: date) -> dict[int, tuple[int, str]]:
    """Municipality id -> (agreement id, name) for every agreement in force by `end`."""
    rows = db.session.execute(
        select(Agreement.partner_tenant_id, Agreement.id, Agreement.partner_name)
        .join(AgreementVersion, and_(AgreementVersion.tenant_id == Agreement.tenant_id,
                                     AgreementVersion.agreement_id == Agreement.id))
        .where(Agreement.side == "cooperative", AgreementVersion.status == "accepted",
               AgreementVersion.valid_from <= end).distinct()).all()
    return {partner: (agreement_id, name) for partner, agreement_id, name in rows}


def _charge_flat_fee(line: MemberMonth, amount: Money, month: date, actor_id: int | None) -> None:
    """The cooperative's flat amount per member per month, from what the member's pot
    received this month (never more, so a month without earnings costs nothing, and never
    more than the pot holds)."""
    pot = account("member_pot", member_id=line.member_id)
    db.session.refresh(pot, ["balance_cents"])
    fee = min(amount.cents, line.pot, max(0, -pot.balance_cents))
    if fee <= 0:
        return
    do_post(lines=[Line(pot, Money(fee)), Line(account("cooperative"), Money(-fee))],
            on_date=month_end(month), kind="flat_fee", description=f"Afdracht {month:%m-%Y}",
            idempotency_key=f"flat_fee:{line.member_id}:{month:%Y-%m}", source=("member", line.member_id),
            actor_id=actor_id)
    line.flat_fee = fee


@dataclass
class ClosePlan:
    municipality_id: int
    name: str
    agreement_id: int | None
    lines: dict[int, MemberMonth]
    returned_pots: int


def plan_month(month: date, start: date | None) -> list[ClosePlan]:
    end = month_end(month)
    partners = _partners_with_agreement(end)
    by_municipality: dict[int, dict[int, MemberMonth]] = defaultdict(dict)
    for split, name in _splits_in_window(start, end):
        lines = by_municipality[split.municipality_id]
        line = lines.setdefault(split.member_id, MemberMonth(split.member_id, name))
        line.earned += split.net_cents
        line.cooperative += split.cooperative_cents
        line.training += split.training_cents
        line.municipality += split.municipality_cents
        line.pot += split.pot_cents
        if split.paid_on < month:
            line.late += split.net_cents
            line.late_months.add(split.paid_on.strftime("%Y-%m"))
    movements = _owed_movements(start, end)
    municipality_ids = set(partners) | set(by_municipality) | {m for m, _kind in movements}
    names = dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(municipality_ids))).all())
    plans = []
    for municipality_id in sorted(municipality_ids):
        lines = by_municipality[municipality_id]
        if municipality_id in partners:  # with an agreement: every member it pays, also without earnings
            for member_id, name in _members_living_in(municipality_id, month):
                lines.setdefault(member_id, MemberMonth(member_id, name))
        shares = sum(line.municipality for line in lines.values())
        returned = movements.get((municipality_id, "pot_return"), 0)
        from_splits = movements.get((municipality_id, "split"), 0)
        if from_splits != shares:  # the books and the splits tell one story, or nothing is sent
            raise RuntimeError(f"municipality {municipality_id}: splits say {shares}, the books {from_splits}")
        agreement_id, name = partners.get(municipality_id, (None, names.get(municipality_id, "")))
        plans.append(ClosePlan(municipality_id, name, agreement_id, lines, returned))
    return plans


def _settlement_columns(plan: ClosePlan, month: date, rows: list[dict]) -> dict:
    owed = sum(r["municipality_cents"] for r in rows) + plan.returned_pots
    return {
        "month": month, "agreement_id": plan.agreement_id, "members_count": len(rows),
        **{column: sum(r[column] for r in rows) for column in SHARE_COLUMNS},
        "returned_pots_cents": plan.returned_pots, "owed_cents": owed, "status": "sent",
        "owed_status": "owed" if owed else "nothing_owed",
    }


def settlement_rows(plan: ClosePlan, month: date, basis: str, born: dict[int, date | None]) -> list[dict]:
    rows = []
    for line in sorted(plan.lines.values(), key=lambda m: (m.name.lower(), m.member_id)):
        income = _income(basis, line)
        allowance = disregard(income=income, born=born.get(line.member_id), member_id=line.member_id,
                              municipality_id=plan.municipality_id, month=month)
        rows.append({
            "member_id": line.member_id, "member_name": line.name, "earned_cents": line.earned,
            "late_cents": line.late, "late_months": ", ".join(sorted(line.late_months, reverse=True)),
            "cooperative_cents": line.cooperative, "flat_fee_cents": line.flat_fee, "training_cents": line.training,
            "municipality_cents": line.municipality, "pot_cents": line.pot - line.flat_fee, "income_basis": basis,
            "income_cents": income, "disregard_general_cents": allowance.general,
            "general_month": allowance.general_month, "general_note": allowance.general_note,
            "disregard_single_parent_cents": allowance.single_parent, "disregard_medical_cents": allowance.medical,
        })
    return rows


def _referral_keys(member_ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(select(IncomingReferral.member_id, IncomingReferral.link_key).where(
        IncomingReferral.member_id.in_(member_ids), IncomingReferral.status == "accepted")).all())


def send_settlement(plan: ClosePlan, month: date, rows: list[dict], cooperative_name: str,
                    actor_id: int | None) -> Settlement:
    columns = _settlement_columns(plan, month, rows)
    link_key = secrets.token_hex(16)
    own = Settlement(link_key=link_key, side="cooperative", partner_tenant_id=plan.municipality_id,
                     partner_name=plan.name, closed_by=actor_id, **columns)
    db.session.add(own)
    db.session.flush()
    own_lines = [SettlementLine(settlement_id=own.id, **row) for row in rows]
    db.session.add_all(own_lines)
    db.session.flush()
    settlement_id, line_ids = own.id, [line.id for line in own_lines]
    referral_keys = _referral_keys([row["member_id"] for row in rows])
    cooperative_id = current_tenant_id()
    with across_border(plan.municipality_id, reason="monthly settlement sent"):
        references = dict(db.session.execute(select(Referral.link_key, Referral.client_reference).where(
            Referral.link_key.in_(list(referral_keys.values()))))) if referral_keys else {}
        copy = Settlement(id=settlement_id, link_key=link_key, side="municipality", partner_tenant_id=cooperative_id,
                          partner_name=cooperative_name, closed_by=actor_id, **columns)
        db.session.add(copy)
        db.session.flush()
        db.session.add_all(SettlementLine(id=line_id, settlement_id=settlement_id,
                                          client_reference=references.get(referral_keys.get(row["member_id"])),
                                          **row) for line_id, row in zip(line_ids, rows, strict=True))
        record("settlements.received", object_type="settlement", object_id=settlement_id,
               details={"month": month.isoformat(), "members": len(rows), "owed_cents": columns["owed_cents"]},
               actor_user_id=actor_id)
    return db.session.get(Settlement, (cooperative_id, settlement_id))


def do_close_month(month: date, *, actor_id: int | None, today: date | None = None) -> ClosedMonth:
    """Close `month` (any day of it) for the current cooperative: charge flat amounts per
    member, send every municipality its settlement and close the month in the books. The
    same close asked twice, or at once, closes once; the second is refused."""
    month = month.replace(day=1)
    today = today or amsterdam_today()
    lock_payments()  # the payments' lock first, as a payment takes them (no deadlock)
    lock_period(exclusive=True)
    last = last_closed_month()
    if last is not None and month <= last:
        raise SettlementError(_l("%(month)s is closed already.", month=month.strftime("%m-%Y")), "month")
    if month >= today.replace(day=1):
        raise SettlementError(_l("A month can be closed once it has ended."), "month")
    if last is not None and month != add_months(last, 1):
        raise SettlementError(_l("Close the months in order: %(month)s is next.",
                                 month=add_months(last, 1).strftime("%m-%Y")), "month")
    start = first_open_day()
    plans = plan_month(month, start)
    born = dict(db.session.execute(select(Member.id, Member.date_of_birth)).all())
    cooperative = db.session.get(Tenant, current_tenant_id())
    settlements = []
    for plan in plans:
        terms = terms_on(plan.municipality_id, month_end(month))
        if terms is not None and terms.cooperative_share_kind == "flat_per_member" and terms.cooperative_flat:
            for line in plan.lines.values():
                _charge_flat_fee(line, terms.cooperative_flat, month, actor_id)
        basis = terms.income_for_benefit if terms is not None else "none"
        rows = settlement_rows(plan, month, basis, born)
        settlements.append(send_settlement(plan, month, rows, cooperative.name, actor_id))
    closed = do_close_period(month, actor_id=actor_id)
    record("settlements.month_closed", object_type="closed_month", object_id=closed.id,
           details={"month": month.isoformat(), "settlements": [s.id for s in settlements],
                    "late_cents": sum(s.late_cents for s in settlements)}, actor_user_id=actor_id)
    return closed


# --- after the close: processed, claimed, paid ---------------------------------------------------


def _both_copies(settlement: Settlement, change, *, reason: str, own_action: str, partner_action: str,
                 actor_id: int | None, **details) -> Settlement:
    """Apply `change(copy)` to this tenant's copy and the partner's, the cooperative's first
    (one lock order for both sides), and note it in both audit logs."""
    own_tenant, settlement_id = current_tenant_id(), settlement.id
    partner, link_key, own_side = settlement.partner_tenant_id, settlement.link_key, settlement.side

    def step(is_own: bool) -> None:
        copy = db.session.scalar(select(Settlement).where(Settlement.link_key == link_key).with_for_update()
                                 .execution_options(populate_existing=True))
        change(copy)
        db.session.flush()
        record(own_action if is_own else partner_action, object_type="settlement", object_id=copy.id,
               details={"month": copy.month.isoformat(), **details}, actor_user_id=actor_id)

    on_both_sides(own_first=own_side == "cooperative", partner_tenant_id=partner, reason=reason, step=step)
    return db.session.get(Settlement, (own_tenant, settlement_id), populate_existing=True)


def _locked(settlement: Settlement) -> Settlement:
    return db.session.scalar(select(Settlement).where(Settlement.id == settlement.id).with_for_update()
                             .execution_options(populate_existing=True))


def do_process(settlement: Settlement, *, actor_id: int | None) -> Settlement:
    """The municipality has processed the settlement in its benefit administration."""
    if settlement.side != "municipality":
        raise SettlementError(_l("Only the municipality marks a settlement processed."))
    if _locked(settlement).status == "processed":
        return settlement

    def change(copy: Settlement) -> None:
        copy.status, copy.processed_at, copy.processed_by = "processed", utcnow(), actor_id

    return _both_copies(settlement, change, reason="monthly settlement processed", own_action="settlements.processed",
                        partner_action="settlements.processed_by_partner", actor_id=actor_id)


def check_claim(reference: str, iban: str) -> tuple[str, str]:
    reference = (reference or "").strip()
    if not CLAIM_REFERENCE.match(reference):
        raise SettlementError(_l("Enter your invoice number: letters, digits, spaces, '-', '/' or '.', at most "
                                 "35 characters."), "reference")
    try:
        iban = validate_iban(iban)
    except ValidationError as error:
        raise SettlementError(str(error), "iban") from None
    return reference, iban


def do_claim(settlement: Settlement, *, reference: str, iban: str, actor_id: int | None) -> Settlement:
    """The municipality claims what it is owed: its invoice number and the account to pay."""
    if settlement.side != "municipality":
        raise SettlementError(_l("Only the municipality claims what it is owed."))
    reference, iban = check_claim(reference, iban)
    current = _locked(settlement)
    if current.owed_status == "nothing_owed":
        raise SettlementError(_l("Nothing is owed for this month."))
    if current.owed_status != "owed":
        if current.claim_reference == reference and current.claim_iban == iban:
            return current  # the same claim again
        raise SettlementError(_l("This amount has been claimed already."))

    def change(copy: Settlement) -> None:
        copy.owed_status, copy.claim_reference, copy.claim_iban = "invoiced", reference, iban
        copy.claimed_at, copy.claimed_by = utcnow(), actor_id

    return _both_copies(settlement, change, reason="claim for the monthly settlement", own_action="settlements.claimed",
                        partner_action="settlements.claim_received", actor_id=actor_id, reference=reference,
                        amount_cents=current.owed_cents)


def end_to_end_id(settlement: Settlement) -> str:
    return f"SETTLE-{settlement.tenant_id}-{settlement.id}"


def do_pay(settlement: Settlement, *, execution_date: date, actor_id: int | None) -> Settlement:
    """The cooperative pays a claim: a SEPA file for the bank; settled when the bank
    statement shows it. Asked again, the same file is kept."""
    if settlement.side != "cooperative":
        raise SettlementError(_l("Only the cooperative pays what it owes."))
    if execution_date < amsterdam_today():
        raise SettlementError(_l("The execution date cannot be in the past."), "execution_date")
    current = _locked(settlement)
    if current.owed_status in ("paying", "settled"):
        return current
    if current.owed_status != "invoiced":
        raise SettlementError(_l("Pay once the municipality has claimed the amount."))
    profile = db.session.scalar(select(TenantProfile))
    if profile is None or not profile.iban:
        raise SettlementError(_l("The cooperative's IBAN is unknown; it is needed to pay from its account."))
    cooperative = db.session.get(Tenant, current_tenant_id())
    transfer_id = end_to_end_id(current)
    xml = credit_transfer_file(
        debtor_name=cooperative.name, debtor_iban=profile.iban, message_id=f"{transfer_id}-{secrets.token_hex(4)}",
        execution_date=execution_date,
        transfers=[Transfer(name=current.partner_name[:70], iban=current.claim_iban, amount_cents=current.owed_cents,
                            description=f"{current.claim_reference} {current.month:%m-%Y}",
                            end_to_end_id=transfer_id)])

    def change(copy: Settlement) -> None:
        copy.owed_status, copy.end_to_end_id = "paying", transfer_id
        if copy.side == "cooperative":
            copy.payment_file = xml

    return _both_copies(settlement, change, reason="payment of the monthly settlement", own_action="settlements.paying",
                        partner_action="settlements.paying_by_partner", actor_id=actor_id,
                        amount_cents=current.owed_cents)


def settlement_paid_by(end_to_end: str | None, amount_cents: int) -> Settlement | None:
    """In a cooperative: the settlement an outgoing bank line pays (by its end-to-end id)."""
    match = re.fullmatch(r"SETTLE-(\d+)-(\d+)", end_to_end or "")
    if not match or int(match[1]) != current_tenant_id():
        return None
    found = db.session.scalar(select(Settlement).where(Settlement.id == int(match[2]),
                                                       Settlement.side == "cooperative"))
    if found is None or found.owed_status != "paying" or found.owed_cents != -amount_cents:
        return None
    return found


def do_settle(settlement: Settlement, *, on_date: date, source: tuple[str, int], actor_id: int | None) -> Settlement:
    """The bank paid the claim: Dr what is owed to the municipality / Cr bank, and both
    copies settled. Settling again changes nothing."""
    current = _locked(settlement)
    if current.owed_status == "settled":
        return current
    if current.owed_status != "paying":
        raise SettlementError(_l("This settlement is not being paid."))
    amount = Money(current.owed_cents)
    entry = do_post(lines=[Line(account("municipality_owed", partner_tenant_id=current.partner_tenant_id), amount),
                           Line(account("bank"), -amount)],
                    on_date=on_date, kind="municipality_payment",
                    description=f"Betaling afrekening {current.month:%m-%Y} {current.partner_name}"[:300],
                    idempotency_key=f"settlement:{current.id}:paid", source=("settlement", current.id),
                    actor_id=actor_id)
    entry_id = entry.id

    def change(copy: Settlement) -> None:
        copy.owed_status, copy.settled_on = "settled", on_date
        if copy.side == "cooperative":
            copy.paid_entry_id = entry_id

    return _both_copies(settlement, change, reason="monthly settlement paid", own_action="settlements.settled",
                        partner_action="settlements.settled_by_partner", actor_id=actor_id,
                        amount_cents=current.owed_cents, source=list(source))


__all__ = [
    "Disregard", "SettlementError", "check_claim", "disregard", "do_claim", "do_close_month", "do_pay", "do_process",
    "do_settle", "end_to_end_id", "last_closed_month", "month_end", "next_month_to_close", "settlement_paid_by",
]
