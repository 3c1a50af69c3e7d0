"""Online payment of invoices: the cooperative's Stripe account, the payment link of an
invoice, and settling it when Stripe's webhook says it was paid.

Settling posts once however often or at once Stripe reports it: the event id is recorded
in `stripe_events` first (a second delivery of the same event waits for the first and then
finds it), the payment link's row is locked (two different events about the same session
act one after the other and the second finds it paid), and the ledger entry's idempotency
key is the session id besides.

The money is at Stripe until Stripe pays it out to the bank: Dr payment_provider / Cr the
customer's receivable. The payment counts on the invoice (at most what is still due; more
stays as the customer's credit on the receivable, to be refunded) and is split over the
waterfall exactly as a bank payment is (`koepel.tenants.payments.do_split`).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import local_date
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, current_tenant_id, tenant_context
from koepel.tenants.invoices import Invoice, amount_due, do_register_payment
from koepel.tenants.ledger import Line, account, do_post
from koepel.tenants.members import Member
from koepel.tenants.payments import PaymentSplit, do_split, lock_payments, net_of_payment

from . import stripe_api
from .models import ACCOUNT_PATTERN, OnlinePayment, OnlinePaymentSettings, StripeEvent

log = logging.getLogger(__name__)

register_labels({
    "online_payments.account_set": _l("Stripe account for online payment changed"),
    "online_payments.link_created": _l("Online payment link made for an invoice"),
    "online_payments.paid": _l("Invoice paid online"),
})

SETTLING_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
_ACCOUNT = re.compile(ACCOUNT_PATTERN)


class OnlinePaymentError(ValueError):
    """Something the rules refuse; the message is for people, `field` for forms."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


class WebhookRefused(Exception):
    """A signed event that must not be posted (it names no cooperative of ours, or one that
    does not match its account); the message is for Stripe's dashboard and the log."""


# --- the cooperative's Stripe account ------------------------------------------------------------


def online_settings() -> OnlinePaymentSettings | None:
    return db.session.scalar(select(OnlinePaymentSettings))


def connected_account() -> str | None:
    settings = online_settings()
    return settings.stripe_account_id if settings is not None else None


def clean_account_id(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _ACCOUNT.match(value):
        raise OnlinePaymentError(_l("A Stripe account id looks like acct_1AbCdEfGhIjKlMnO."), "stripe_account_id")
    return value


def do_set_account(*, stripe_account_id: str | None, actor_id: int | None) -> OnlinePaymentSettings:
    """Set (or with an empty value remove) the cooperative's connected Stripe account."""
    value = clean_account_id(stripe_account_id)
    db.session.execute(insert(OnlinePaymentSettings).values(
        tenant_id=current_tenant_id(), stripe_account_id=None, updated_by=actor_id, updated_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["tenant_id"]))
    settings = db.session.scalar(select(OnlinePaymentSettings).with_for_update()
                                 .execution_options(populate_existing=True))
    before = settings.stripe_account_id
    settings.stripe_account_id, settings.updated_by, settings.updated_at = value, actor_id, utcnow()
    db.session.flush()
    if before != value:
        record("online_payments.account_set", object_type="online_payment_settings", object_id=settings.id,
               details={"from": before, "to": value}, actor_user_id=actor_id)
    return settings


# --- the payment link ----------------------------------------------------------------------------


def _expired(link: OnlinePayment, now: datetime | None = None) -> bool:
    return link.expires_at is not None and link.expires_at <= (now or utcnow())


def open_link(invoice_id: int) -> OnlinePayment | None:
    return db.session.scalar(select(OnlinePayment).where(OnlinePayment.invoice_id == invoice_id,
                                                         OnlinePayment.status == "open"))


def current_link(invoice: Invoice) -> OnlinePayment | None:
    """The invoice's payment link the customer can use now: open, not expired, for what is
    still due, on the cooperative's present account."""
    link = open_link(invoice.id)
    due = amount_due(invoice)
    if link is None or _expired(link) or link.amount_cents != due.cents or link.stripe_account_id != connected_account():
        return None
    return link


def paid_online(invoice_id: int) -> list[OnlinePayment]:
    return list(db.session.scalars(select(OnlinePayment).where(OnlinePayment.invoice_id == invoice_id,
                                                               OnlinePayment.status == "paid")
                                   .order_by(OnlinePayment.paid_on, OnlinePayment.id)))


def _locked_invoice(invoice_id: int) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update()
                             .execution_options(populate_existing=True))


def do_create_link(invoice: Invoice, *, success_url: str, cancel_url: str, actor_id: int | None) -> OnlinePayment:
    """The invoice's payment link for what is still due: the present one when it still
    fits, else a new Checkout Session at Stripe (replacing one for another amount, or an
    expired one). Two clicks at once get the same link: the invoice's row is locked, and
    Stripe answers the same idempotency key with the same session. Raises
    OnlinePaymentError, or stripe.StripeError when Stripe cannot make it now."""
    if not stripe_api.enabled():
        raise OnlinePaymentError(_l("Online payment is not available on this platform."))
    account_id = connected_account()
    if account_id is None:
        raise OnlinePaymentError(_l("Set the cooperative's Stripe account first (online payment settings)."))
    invoice = _locked_invoice(invoice.id)
    due = amount_due(invoice)
    if invoice.kind != "invoice" or due.cents <= 0:
        raise OnlinePaymentError(_l("Only an issued invoice with an amount still due can be paid online."))
    present = db.session.scalar(select(OnlinePayment).where(OnlinePayment.invoice_id == invoice.id,
                                                            OnlinePayment.status == "open").with_for_update())
    if present is not None:
        if not _expired(present) and present.amount_cents == due.cents and present.stripe_account_id == account_id:
            return present
        present.status = "expired" if _expired(present) else "superseded"
        db.session.flush()
    # The same invoice, amount and attempt is the same Checkout Session at Stripe.
    attempt = db.session.scalar(select(func.count()).select_from(OnlinePayment).where(
        OnlinePayment.invoice_id == invoice.id, OnlinePayment.amount_cents == due.cents))
    key = f"koepel-invoice-{invoice.tenant_id}-{invoice.id}-{due.cents}-{attempt}"
    customer = (invoice.parties or {}).get("customer") or {}
    session = stripe_api.create_checkout_session(
        account=account_id, idempotency_key=key, amount_cents=due.cents,
        description=f"Factuur {invoice.number}",
        metadata={"tenant_id": str(invoice.tenant_id), "invoice_id": str(invoice.id),
                  "invoice_number": invoice.number},
        customer_email=customer.get("email") or None, success_url=success_url, cancel_url=cancel_url)
    if session.amount_cents != due.cents:
        raise OnlinePaymentError(_l("Stripe answered with another amount; no payment link was made."))
    link = OnlinePayment(invoice_id=invoice.id, status="open", amount_cents=due.cents, stripe_account_id=account_id,
                         session_id=session.id, url=session.url, idempotency_key=key, expires_at=session.expires_at,
                         created_by=actor_id, registered_cents=0, payment_intent_id="")
    db.session.add(link)
    db.session.flush()
    record("online_payments.link_created", object_type="invoice", object_id=invoice.id,
           details={"number": invoice.number, "amount_cents": due.cents, "session_id": session.id},
           actor_user_id=actor_id)
    return link


# --- the webhook ---------------------------------------------------------------------------------


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def handle_event(event: dict) -> str:
    """Act on a verified Stripe event: a paid Checkout Session posts its payment in its
    cooperative; other events are ignored. Returns what was done (for the answer to
    Stripe); raises WebhookRefused for an event that must not be posted (the caller rolls
    back and answers 400, so Stripe shows it and tries again later)."""
    kind = _text(event.get("type"))
    if kind not in SETTLING_EVENTS:
        return "ignored"
    event_id, account_id = _text(event.get("id")), _text(event.get("account"))
    session = (event.get("data") or {}).get("object")
    if not event_id.startswith("evt_") or not isinstance(session, dict) or not _text(session.get("id")):
        raise WebhookRefused("not a Checkout Session event")
    metadata = session.get("metadata") if isinstance(session.get("metadata"), dict) else {}
    tenant_text = _text(metadata.get("tenant_id"))
    if not account_id:
        raise WebhookRefused("not an event of a connected account")
    if not tenant_text.isdigit():
        raise WebhookRefused("the session names no cooperative")
    tenant = db.session.get(Tenant, int(tenant_text))
    if tenant is None or tenant.kind != "cooperative":
        raise WebhookRefused("the session names no cooperative")
    with tenant_context(tenant.id):
        # The account the event came from must be the one this cooperative set: never
        # post into a cooperative on the word of another's account.
        if connected_account() != account_id:
            raise WebhookRefused("the account is not this cooperative's")
        return _settle_event(event_id, kind, account_id, session, metadata, _created_on(event))


def _created_on(event: dict) -> date:
    created = event.get("created")
    moment = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else utcnow()
    return local_date(moment)


def _settle_event(event_id: str, kind: str, account_id: str, session: dict, metadata: dict, on_date: date) -> str:
    lock_payments()  # first, as a bank import does: the same order of locks everywhere
    link = db.session.scalar(select(OnlinePayment).where(OnlinePayment.session_id == session["id"])
                             .with_for_update().execution_options(populate_existing=True))
    if link is None or str(link.invoice_id) != _text(metadata.get("invoice_id")) \
            or link.stripe_account_id != account_id:
        raise WebhookRefused("no payment link of this cooperative has this session")
    if session.get("amount_total") != link.amount_cents or _text(session.get("currency")).lower() != "eur":
        raise WebhookRefused("the session's amount is not the payment link's")
    if link.status == "paid":
        outcome = "already_paid"
    elif session.get("payment_status") != "paid":
        outcome = "not_paid"  # iDEAL or a card may complete later: async_payment_succeeded
    else:
        outcome = "posted"
    # Recorded before acting: the same event at once waits here for the first to commit.
    inserted = db.session.execute(insert(StripeEvent).values(
        event_id=event_id, type=kind, account=account_id, cooperative_id=link.tenant_id, session_id=link.session_id,
        outcome=outcome, received_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["event_id"]).returning(StripeEvent.event_id)).first()
    if inserted is None:
        return "already received"
    if outcome == "posted":
        _settle(link, on_date=on_date, event_id=event_id, payment_intent_id=_text(session.get("payment_intent")))
    return outcome


def _settle(link: OnlinePayment, *, on_date: date, event_id: str, payment_intent_id: str) -> None:
    invoice = _locked_invoice(link.invoice_id)
    amount = Money(link.amount_cents)
    entry = do_post(lines=[Line(account("payment_provider"), amount),
                           Line(account("receivable", customer_id=invoice.customer_id), -amount)],
                    on_date=on_date, kind="payment", description=f"Online betaling factuur {invoice.number}",
                    idempotency_key=f"stripe_session:{link.session_id}", source=("online_payment", link.id))
    # What still counts on the invoice; a bank payment may have come in since the link was made.
    registered = min(amount.cents, amount_due(invoice).cents)
    if registered > 0:
        do_register_payment(invoice, Money(registered), on_date=on_date, actor_id=None)
    link.status, link.paid_on, link.registered_cents = "paid", on_date, registered
    link.event_id, link.entry_id, link.payment_intent_id = event_id, entry.id, payment_intent_id[:255]
    db.session.flush()
    record("online_payments.paid", object_type="invoice", object_id=invoice.id,
           details={"number": invoice.number, "amount_cents": amount.cents, "registered_cents": registered,
                    "session_id": link.session_id, "event_id": event_id, "entry_id": entry.id})
    if registered <= 0:
        log.warning("online payment %s of invoice %s came in after it was paid: %s cents are the customer's credit",
                    link.session_id, invoice.number, amount.cents)
        return
    if registered < amount.cents:
        log.warning("online payment %s of invoice %s: %s cents more than was due stay the customer's credit",
                    link.session_id, invoice.number, amount.cents - registered)
    member = db.session.get(Member, (invoice.tenant_id, invoice.member_id))
    net = net_of_payment(invoice, registered)
    split = PaymentSplit(online_payment_id=link.id, invoice_id=invoice.id, member_id=invoice.member_id,
                         municipality_id=member.benefit_municipality_id, paid_on=on_date, status="waiting",
                         received_cents=registered, net_cents=net, vat_cents=registered - net, earned_before_cents=0,
                         cooperative_cents=0, training_cents=0, municipality_cents=0, pot_cents=0, rule={})
    db.session.add(split)
    db.session.flush()
    do_split(split, actor_id=None)


__all__ = [
    "OnlinePaymentError", "WebhookRefused", "clean_account_id", "connected_account", "current_link",
    "do_create_link", "do_set_account", "handle_event", "online_settings", "open_link", "paid_online",
]
