"""The same Stripe event delivered at once, and two events about one session at once, each
delivery a real request on its own connection with real commits (in a cooperative of its
own, removed afterwards): the payment is posted, registered and split once."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.invoices import Invoice
from koepel.tenants.ledger import JournalEntry, books_total, mismatched_balances
from koepel.tenants.members import do_register_member
from koepel.tenants.online_payments import (
    OnlinePayment,
    StripeEvent,
    do_create_link,
    do_set_account,
)
from koepel.tenants.payments import PaymentSplit
from tests.conftest import purge_tenant, run_at_once
from tests.invoices.support import customer, issued

from .fake_stripe import session_event, signed
from .support import count, switch_on

THREADS = 6
ACCOUNT = "acct_1KoepelRace01"


@pytest.fixture
def scratch(_session_app, baseline, admin_dsn, monkeypatch):
    """A committed cooperative with an issued invoice and its payment link: (tenant id,
    invoice id, invoice number, session id, amount)."""
    switch_on(_session_app, monkeypatch)
    with _session_app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug=f"stripe-race-{uuid.uuid4().hex[:10]}",
                                  name="Stripe Race", status="active")
        tenant_id = tenant.id
        try:
            with tenant_context(tenant_id):
                db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number="87654322",
                                             vat_number="NL004495445B01", iban="NL91ABNA0417164300",
                                             street="Markt 3", postal_code="2611 GW", city="Delft",
                                             municipality_ids=[], other_municipalities=[]))
                do_set_account(stripe_account_id=ACCOUNT, actor_id=None)
                member = do_register_member(name="Racer", stage="intake", actor_id=None,
                                            benefit_municipality_id=baseline.municipality.id)
                invoice = issued(member.id, customer("Race Customer").id, on=amsterdam_today())
                link = do_create_link(invoice, success_url="https://x.example.org/paid",
                                      cancel_url="https://x.example.org/cancelled", actor_id=None)
                values = (tenant_id, invoice.id, invoice.number, link.session_id, link.amount_cents)
            db.session.commit()
        finally:
            db.session.remove()
    yield values
    purge_tenant(admin_dsn, tenant_id)


def _deliver_at_once(app, events: list[dict]) -> list[tuple[int, str]]:
    """Each event posted to the webhook by its own thread, released together, outside any tenant."""
    answers, lock = [], threading.Lock()
    deliveries = [signed(event) for event in events]

    def work(index):
        body, headers = deliveries[index]
        response = app.test_client().post("/stripe/webhook", data=body, headers=headers)
        with lock:
            answers.append((response.status_code, (response.get_json() or {}).get("outcome", "")))

    outcomes = run_at_once(app, None, work, threads=len(events), done="done", refusals={})
    assert outcomes == ["done"] * len(events)
    return answers


def _posted_once(app, tenant_id, invoice_id, session_id):
    with app.app_context(), tenant_context(tenant_id):
        assert count(JournalEntry, JournalEntry.idempotency_key == f"stripe_session:{session_id}") == 1
        link = db.session.scalar(select(OnlinePayment).where(OnlinePayment.session_id == session_id))
        assert link.status == "paid"
        assert count(PaymentSplit, PaymentSplit.online_payment_id == link.id) == 1
        invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        assert (invoice.status, invoice.amount_paid_cents) == ("paid", invoice.total_cents)
        assert books_total().cents == 0 and mismatched_balances() == []
        db.session.remove()


def test_the_same_event_delivered_at_once_posts_once(_session_app, scratch):
    tenant_id, invoice_id, number, session_id, amount = scratch
    event = session_event(session_id, account=ACCOUNT, tenant_id=tenant_id, invoice_id=invoice_id,
                          amount_cents=amount, invoice_number=number)
    answers = _deliver_at_once(_session_app, [event] * THREADS)
    assert sorted(answers) == [(200, "already received")] * (THREADS - 1) + [(200, "posted")]
    _posted_once(_session_app, tenant_id, invoice_id, session_id)
    with _session_app.app_context():
        assert count(StripeEvent, StripeEvent.event_id == event["id"]) == 1
        db.session.remove()


def test_two_events_about_one_session_at_once_post_once(_session_app, scratch):
    tenant_id, invoice_id, number, session_id, amount = scratch
    events = [session_event(session_id, account=ACCOUNT, tenant_id=tenant_id, invoice_id=invoice_id,
                            amount_cents=amount, invoice_number=number, event_type=kind)
              for kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded")]
    answers = _deliver_at_once(_session_app, events)
    assert sorted(answers) == [(200, "already_paid"), (200, "posted")]
    _posted_once(_session_app, tenant_id, invoice_id, session_id)
