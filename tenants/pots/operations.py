"""Spending from the savings pots: a member asks, a coordinator or treasurer decides, the
treasurer pays approved requests out with a SEPA file and marks them paid; a leaving
member's pot is handled as the agreement says, once a person confirms.

Every money movement goes through the ledger with an idempotency key; the database
refuses a pot below zero (also for two approvals at the same moment). Nothing here
commits: the unit of work that called does, once.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms.validators import ValidationError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.onboarding.forms import validate_iban
from koepel.platform.sepa import Transfer, credit_transfer_file
from koepel.platform.tenancy import Tenant, current_tenant_id
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.uploads import MIMETYPES, file_kind, upload_folder
from koepel.tenants.agreements import terms_on
from koepel.tenants.ledger import LedgerAccount, Line, Overdrawn, account, do_post, held
from koepel.tenants.members import ACTIVE_STAGES, Member, member_transitioned

from .models import POT_CATEGORIES, PayoutBatch, PotClosing, PotRequest

register_labels({
    "pots.requested": _l("Spending from a savings pot requested"),
    "pots.approved": _l("Spending from a savings pot approved"),
    "pots.refused": _l("Spending from a savings pot refused"),
    "pots.batch_created": _l("Payout batch (SEPA file) made"),
    "pots.paid": _l("Payout from a savings pot marked paid"),
    "pots.batch_paid": _l("Payout batch marked paid"),
    "pots.closing_recorded": _l("Savings pot of a leaving member recorded"),
    "pots.closing_confirmed": _l("Savings pot of a leaving member settled"),
    "pots.closing_cancelled": _l("Settling the savings pot cancelled (the member returned)"),
})

LEAVING_STAGES = ("outflow", "stopped")
# When the agreement says the pot is spent on the business, the member who left may
# still ask to spend it for this many months.
SPEND_MONTHS = 3
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_KINDS = ("pdf", "png", "jpg")
ATTACHMENT_MIMETYPES = MIMETYPES
DESCRIPTION_MAX = 2000
SUPPLIER_MAX = 70
REASON_MAX = 2000


class PotError(ValueError):
    """A request or decision the pots refuse; the message is for people, `field` for forms."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # a lazy text: translated when shown
        self.field = field


# --- the agreement ----------------------------------------------------------------------------


def agreement_terms(member: Member, on_date: date):
    """The terms of the agreement with the member's benefit municipality valid on
    `on_date` (in the cooperative's context), or None when none applies."""
    municipality_id = getattr(member, "benefit_municipality_id", None)
    if municipality_id is None:
        return None
    return terms_on(municipality_id, on_date)


def allowed_categories(member: Member, on_date: date) -> tuple[str, ...] | None:
    """The purposes the member's agreement allows on `on_date` (None: no agreement applies)."""
    terms = agreement_terms(member, on_date)
    if terms is None:
        return None
    return tuple(c for c in POT_CATEGORIES if c in (terms.pot_categories or ()))


# --- the pot ----------------------------------------------------------------------------------


def pot_account(member_id: int) -> LedgerAccount | None:
    """The member's pot in the ledger, None when nothing was ever paid into it."""
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.kind == "member_pot",
                                                         LedgerAccount.member_id == member_id))


def pot_holds(member_id: int) -> Money:
    pot = pot_account(member_id)
    return held(pot) if pot is not None else Money(0)


def latest_closing(member_id: int) -> PotClosing | None:
    return db.session.scalar(select(PotClosing).where(PotClosing.member_id == member_id)
                             .order_by(PotClosing.id.desc()).limit(1))


def may_request(member: Member, on_date: date) -> bool:
    """A member in the journey may ask; one who left only while the agreement keeps the
    pot open for them (spent on the business, or kept for a period)."""
    if member.stage in ACTIVE_STAGES:
        return True
    if member.stage in LEAVING_STAGES:
        closing = latest_closing(member.id)
        return (closing is not None and closing.status != "cancelled" and closing.open_until is not None
                and on_date <= closing.open_until)
    return False


# --- the invoice attached to a request --------------------------------------------------------


def attachment_kind(data: bytes) -> str | None:
    """"pdf", "png" or "jpg" when the bytes start like one, else None (never by its name)."""
    return file_kind(data, ATTACHMENT_KINDS)


def attachment_folder(tenant_id: int | None = None) -> Path:
    tenant_id = current_tenant_id() if tenant_id is None else tenant_id
    return upload_folder(tenant_id, "pot_invoices")


def attachment_path(file_name: str | None) -> Path | None:
    """The stored invoice of the current tenant, or None when there is none."""
    if not file_name:
        return None
    folder = attachment_folder().resolve()
    path = (folder / file_name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def store_attachment(data: bytes) -> tuple[str, str]:
    """Check and store an invoice: (file name under the tenant's folder, kind)."""
    if not data:
        raise PotError(_l("Attach the invoice (PDF, PNG or JPEG)."), "invoice")
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise PotError(_l("The invoice may be at most 5 MB."), "invoice")
    kind = attachment_kind(data)
    if kind is None:
        raise PotError(_l("Attach the invoice as a PDF, PNG or JPEG file."), "invoice")
    folder = attachment_folder()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}.{kind}"
    (folder / file_name).write_bytes(data)
    return file_name, kind


# --- asking -----------------------------------------------------------------------------------


def do_request(
    member: Member,
    *,
    amount: Money,
    category: str,
    description: str,
    supplier_name: str,
    supplier_iban: str,
    attachment: bytes,
    attachment_name: str = "",
    on_date: date | None = None,
    actor_id: int | None,
) -> PotRequest:
    """The member asks to spend `amount` from their pot on `category`; or PotError."""
    on_date = on_date or amsterdam_today()
    description = (description or "").strip()
    supplier_name = " ".join((supplier_name or "").split())
    if not may_request(member, on_date):
        raise PotError(_l("You cannot ask to spend from the savings pot now: you are not in the cooperative's "
                          "journey, or the time to spend your pot after leaving is over."))
    allowed = allowed_categories(member, on_date)
    if allowed is None:
        raise PotError(_l("No agreement with your municipality applies yet, so nothing can be spent from the pot. "
                          "Ask the coordinator."), "category")
    if category not in allowed:
        raise PotError(_l("The agreement with your municipality does not allow spending the pot on this."), "category")
    if not isinstance(amount, Money) or amount.cents <= 0:
        raise PotError(_l("Enter an amount above zero."), "amount")
    holds = pot_holds(member.id)
    if amount > holds:
        raise PotError(_l("Your savings pot holds %(held)s; ask for at most that.", held=holds.format()), "amount")
    if not description:
        raise PotError(_l("Say what you want to buy and why."), "description")
    if len(description) > DESCRIPTION_MAX:
        raise PotError(_l("Keep the description under 2000 characters."), "description")
    if not supplier_name:
        raise PotError(_l("Enter the supplier's name."), "supplier_name")
    if len(supplier_name) > SUPPLIER_MAX:
        raise PotError(_l("Keep the supplier's name under 70 characters."), "supplier_name")
    try:
        iban = validate_iban(supplier_iban)
    except ValidationError as error:
        raise PotError(_l("This is not a valid IBAN. Check the number on the invoice."), "supplier_iban") from error
    file_name, kind = store_attachment(attachment)
    shown_name = secure_filename(attachment_name or "")[:200] or f"invoice.{kind}"
    pot_request = PotRequest(member_id=member.id, amount_cents=amount.cents, category=category,
                             description=description, supplier_name=supplier_name, supplier_iban=iban,
                             attachment_file=file_name, attachment_name=shown_name, attachment_type=kind,
                             requested_on=on_date, requested_by=actor_id, status="requested")
    db.session.add(pot_request)
    db.session.flush()
    record("pots.requested", object_type="pot_request", object_id=pot_request.id,
           details={"member_id": member.id, "amount_cents": amount.cents, "category": category}, actor_user_id=actor_id)
    return pot_request


# --- deciding ---------------------------------------------------------------------------------


def _lock(row):
    db.session.refresh(row, with_for_update=True)
    return row


def do_approve(pot_request: PotRequest, *, actor_id: int | None, on_date: date | None = None) -> PotRequest:
    """Approve: the amount leaves the pot for the payouts due (Dr member_pot / Cr
    payouts_due). When the pot does not hold enough, PotError and the request stays as
    it was."""
    _lock(pot_request)
    if pot_request.status != "requested":
        raise PotError(_l("This request has already been decided."))
    amount = Money(pot_request.amount_cents)
    try:
        entry = do_post(
            lines=[Line(account("member_pot", member_id=pot_request.member_id), amount),
                   Line(account("payouts_due"), -amount)],
            on_date=on_date or amsterdam_today(), kind="payout",
            description=f"Savings pot: {pot_request.category}, {pot_request.supplier_name}",
            idempotency_key=f"pot_request:{pot_request.id}:approved", source=("pot_request", pot_request.id),
            actor_id=actor_id)
    except Overdrawn:
        raise PotError(_l("The savings pot holds %(held)s, not enough for this request of %(amount)s. "
                          "The request has not been approved.", held=pot_holds(pot_request.member_id).format(),
                          amount=amount.format())) from None
    pot_request.status, pot_request.approval_entry_id = "approved", entry.id
    pot_request.decided_by, pot_request.decided_at = actor_id, utcnow()
    db.session.flush()
    record("pots.approved", object_type="pot_request", object_id=pot_request.id,
           details={"member_id": pot_request.member_id, "amount_cents": amount.cents, "entry_id": entry.id},
           actor_user_id=actor_id)
    return pot_request


def do_refuse(pot_request: PotRequest, *, reason: str, actor_id: int | None) -> PotRequest:
    reason = (reason or "").strip()
    if not reason:
        raise PotError(_l("Say why the request is refused."), "reason")
    if len(reason) > REASON_MAX:
        raise PotError(_l("Keep the reason under 2000 characters."), "reason")
    _lock(pot_request)
    if pot_request.status != "requested":
        raise PotError(_l("This request has already been decided."))
    pot_request.status, pot_request.refusal_reason = "refused", reason
    pot_request.decided_by, pot_request.decided_at = actor_id, utcnow()
    db.session.flush()
    record("pots.refused", object_type="pot_request", object_id=pot_request.id,
           details={"member_id": pot_request.member_id, "reason": reason}, actor_user_id=actor_id)
    return pot_request


# --- paying out -------------------------------------------------------------------------------


def sepa_file(*, debtor_name: str, debtor_iban: str, message_id: str, execution_date: date,
              requests: list[PotRequest]) -> str:
    """A pain.001.001.03 credit transfer of `requests` (validated against the schema)."""
    return credit_transfer_file(
        debtor_name=debtor_name, debtor_iban=debtor_iban, message_id=message_id, execution_date=execution_date,
        transfers=[Transfer(name=r.supplier_name, iban=r.supplier_iban, amount_cents=r.amount_cents,
                            description=r.description, end_to_end_id=f"POT-{r.tenant_id}-{r.id}") for r in requests])


def do_create_batch(*, execution_date: date, request_ids: list[int] | None = None,
                    actor_id: int | None) -> PayoutBatch:
    """Collect approved, unpaid requests not yet in a batch (those of `request_ids`, or
    all) into one SEPA file. The requests are locked: two batches made at once never
    share one."""
    if execution_date < amsterdam_today():
        raise PotError(_l("The execution date cannot be in the past."), "execution_date")
    profile = db.session.scalar(select(TenantProfile))
    if profile is None or not profile.iban:
        raise PotError(_l("The cooperative's IBAN is unknown; it is needed to pay from its account."))
    query = (select(PotRequest).where(PotRequest.status == "approved", PotRequest.batch_id.is_(None))
             .order_by(PotRequest.id).with_for_update())
    if request_ids is not None:
        query = query.where(PotRequest.id.in_(request_ids))
    requests = list(db.session.scalars(query))
    if not requests or (request_ids is not None and len(requests) != len(set(request_ids))):
        raise PotError(_l("Choose approved requests that are not in a payout batch yet."), "request_ids")
    tenant = db.session.get(Tenant, current_tenant_id())
    message_id = f"KOEPEL-{tenant.id}-{secrets.token_hex(8)}"
    total = sum(r.amount_cents for r in requests)
    xml = sepa_file(debtor_name=tenant.name, debtor_iban=profile.iban, message_id=message_id,
                    execution_date=execution_date, requests=requests)
    batch = PayoutBatch(execution_date=execution_date, status="created", message_id=message_id,
                        transaction_count=len(requests), total_cents=total, debtor_iban=profile.iban, sepa_xml=xml,
                        created_by=actor_id)
    db.session.add(batch)
    db.session.flush()
    for pot_request in requests:
        pot_request.batch_id = batch.id
    db.session.flush()
    record("pots.batch_created", object_type="payout_batch", object_id=batch.id,
           details={"requests": [r.id for r in requests], "total_cents": total,
                    "execution_date": execution_date.isoformat()}, actor_user_id=actor_id)
    return batch


def _pay(pot_request: PotRequest, on_date: date, actor_id: int | None) -> None:
    amount = Money(pot_request.amount_cents)
    entry = do_post(lines=[Line(account("payouts_due"), amount), Line(account("bank"), -amount)],
                    on_date=on_date, kind="payout", description=f"Paid: savings pot, {pot_request.supplier_name}",
                    idempotency_key=f"pot_request:{pot_request.id}:paid", source=("pot_request", pot_request.id),
                    actor_id=actor_id)
    pot_request.status, pot_request.paid_on, pot_request.paid_entry_id = "paid", on_date, entry.id
    db.session.flush()
    record("pots.paid", object_type="pot_request", object_id=pot_request.id,
           details={"amount_cents": amount.cents, "entry_id": entry.id, "on_date": on_date.isoformat()},
           actor_user_id=actor_id)


def _close_batch_when_paid(batch: PayoutBatch, on_date: date, actor_id: int | None) -> None:
    unpaid = db.session.scalar(select(PotRequest.id).where(PotRequest.batch_id == batch.id,
                                                           PotRequest.status != "paid").limit(1))
    if unpaid is None and batch.status != "paid":
        batch.status, batch.paid_on, batch.paid_by = "paid", on_date, actor_id
        db.session.flush()
        record("pots.batch_paid", object_type="payout_batch", object_id=batch.id,
               details={"on_date": on_date.isoformat()}, actor_user_id=actor_id)


def do_mark_paid(request_or_batch: PotRequest | PayoutBatch, on_date: date, actor_id: int | None):
    """The bank has paid this request (or every request of this batch): Dr payouts_due /
    Cr bank per request. Marking what is paid already again changes nothing."""
    if isinstance(request_or_batch, PayoutBatch):
        batch = _lock(request_or_batch)
        if batch.status == "paid":
            return batch
        for pot_request in db.session.scalars(select(PotRequest).where(PotRequest.batch_id == batch.id)
                                              .order_by(PotRequest.id).with_for_update()):
            if pot_request.status == "approved":
                _pay(pot_request, on_date, actor_id)
        _close_batch_when_paid(batch, on_date, actor_id)
        return batch
    pot_request = _lock(request_or_batch)
    if pot_request.status == "paid":
        return pot_request
    if pot_request.status != "approved":
        raise PotError(_l("Only an approved request can be paid."))
    _pay(pot_request, on_date, actor_id)
    if pot_request.batch_id is not None:
        batch = _lock(db.session.get(PayoutBatch, (pot_request.tenant_id, pot_request.batch_id)))
        _close_batch_when_paid(batch, on_date, actor_id)
    return pot_request


# --- a member who leaves ----------------------------------------------------------------------


def record_closing(member: Member, transition, actor_id: int | None) -> PotClosing | None:
    """When a member leaves with money in the pot: what the agreement rules for it, pending
    until a person confirms. None when the pot is empty."""
    holds = pot_holds(member.id)
    if holds.cents <= 0:
        return None
    left_on = transition.on_date
    terms = agreement_terms(member, left_on)
    rule = terms.pot_on_leaving if terms is not None else "no_agreement"
    keep_months = open_until = partner = None
    if rule == "spend_on_business":
        open_until = add_months(left_on, SPEND_MONTHS)
    elif rule == "keep_for_period":
        keep_months = terms.keep_months or 1
        open_until = add_months(left_on, keep_months)
    elif rule == "return":
        partner = getattr(member, "benefit_municipality_id", None) or terms.partner_tenant_id
    closing = PotClosing(member_id=member.id, transition_id=transition.id, left_on=left_on, rule=rule,
                         partner_tenant_id=partner, keep_months=keep_months, open_until=open_until,
                         held_cents=holds.cents, status="pending", note="")
    db.session.add(closing)
    db.session.flush()
    record("pots.closing_recorded", object_type="pot_closing", object_id=closing.id,
           details={"member_id": member.id, "rule": rule, "held_cents": holds.cents,
                    "open_until": open_until.isoformat() if open_until else None}, actor_user_id=actor_id)
    return closing


def do_confirm_closing(closing: PotClosing, *, actor_id: int | None, note: str = "",
                       on_date: date | None = None) -> PotClosing:
    """A person confirms what happens to the pot. For `return`, what the pot holds now
    moves to what is owed to the municipality (Dr member_pot / Cr municipality_owed)."""
    _lock(closing)
    if closing.status != "pending":
        raise PotError(_l("This has already been settled."))
    note = (note or "").strip()[:REASON_MAX]
    if closing.rule == "return":
        amount = pot_holds(closing.member_id)
        if amount.cents > 0:
            try:
                entry = do_post(
                    lines=[Line(account("member_pot", member_id=closing.member_id), amount),
                           Line(account("municipality_owed", partner_tenant_id=closing.partner_tenant_id), -amount)],
                    on_date=on_date or amsterdam_today(), kind="pot_return",
                    description="Savings pot returned to the municipality (member left)",
                    idempotency_key=f"pot_closing:{closing.id}:returned", source=("pot_closing", closing.id),
                    actor_id=actor_id)
            except Overdrawn:
                raise PotError(_l("The pot changed meanwhile; try again.")) from None
            closing.entry_id = entry.id
        closing.returned_cents = amount.cents
    closing.status, closing.confirmed_by, closing.confirmed_at, closing.note = "confirmed", actor_id, utcnow(), note
    db.session.flush()
    record("pots.closing_confirmed", object_type="pot_closing", object_id=closing.id,
           details={"member_id": closing.member_id, "rule": closing.rule, "returned_cents": closing.returned_cents},
           actor_user_id=actor_id)
    return closing


@member_transitioned.connect
def _member_transitioned(_sender, member: Member, transition, actor_id: int | None = None, **_kwargs) -> None:
    if transition.to_stage in LEAVING_STAGES:
        record_closing(member, transition, actor_id)
    elif transition.from_stage in LEAVING_STAGES:
        # Back in the journey: the pot is the member's again.
        for closing in db.session.scalars(select(PotClosing).where(PotClosing.member_id == member.id,
                                                                   PotClosing.status == "pending")):
            closing.status = "cancelled"
            record("pots.closing_cancelled", object_type="pot_closing", object_id=closing.id,
                   details={"member_id": member.id}, actor_user_id=actor_id)
        db.session.flush()
