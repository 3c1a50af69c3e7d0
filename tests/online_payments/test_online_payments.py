"""Online payment through Stripe: the cooperative's account, the payment link of an
invoice (made at Stripe on the connected account), and the signed webhook that posts the
payment once, splits it, and refuses what is not signed or not the cooperative's."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from koepel.platform.audit.models import AuditEvent
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.invoices import Invoice
from koepel.tenants.ledger import (
    JournalEntry,
    account,
    balance,
    books_total,
    entry_lines,
    mismatched_balances,
)
from koepel.tenants.members import do_register_member
from koepel.tenants.online_payments import (
    OnlinePayment,
    StripeEvent,
    connected_account,
    do_create_link,
)
from koepel.tenants.payments import PaymentSplit
from tests.invoices.support import customer, issued
from tests.online_payments.baseline import ACCOUNTS
from tests.payments.support import Entry, camt053, import_file

from .fake_stripe import WEBHOOK_SECRET, session_event, signature, signed
from .support import count, split_of, switch_on

TODAY = amsterdam_today()
ACCOUNT_A = ACCOUNTS["a"]


@pytest.fixture
def stripe_on(app, monkeypatch):
    return switch_on(app, monkeypatch)


@dataclass(frozen=True)
class Ref:
    """An invoice by its plain values (pages are requested outside any app context)."""

    id: int
    number: str
    customer_id: int
    member_id: int
    tenant_id: int


@pytest.fixture
def in_a(app, baseline):
    """`with in_a():` an app context acting for cooperative A."""

    @contextmanager
    def scope():
        with app.app_context(), tenant_context(baseline.coop_a.id):
            yield

    return scope


@pytest.fixture
def invoice_a(in_a, baseline) -> Ref:
    """In cooperative A: an issued invoice (45,00 + 21% = 54,45) of a member whose benefit
    municipality is M (the baseline agreement: cooperative 10%, training 5%, the rest to the pot)."""
    with in_a():
        member = do_register_member(name="Online Member", stage="intake", actor_id=None,
                                    benefit_municipality_id=baseline.municipality.id)
        invoice = issued(member.id, customer("Online Klant", email="klant@example.org").id, on=TODAY)
        ref = Ref(invoice.id, invoice.number, invoice.customer_id, invoice.member_id, invoice.tenant_id)
        db.session.commit()
    return ref


def _invoice(ref: Ref) -> Invoice:
    return db.session.scalar(select(Invoice).where(Invoice.id == ref.id).execution_options(populate_existing=True))


def _reload(link: OnlinePayment) -> OnlinePayment:
    return db.session.scalar(select(OnlinePayment).where(OnlinePayment.id == link.id)
                             .execution_options(populate_existing=True))


def _link(ref: Ref) -> OnlinePayment:
    return do_create_link(_invoice(ref), success_url="https://koepel.example.org/stripe/paid",
                          cancel_url="https://koepel.example.org/stripe/cancelled", actor_id=None)


def _deliver(client, event: dict, secret: str = WEBHOOK_SECRET):
    body, headers = signed(event, secret)
    return client.post("/stripe/webhook", data=body, headers=headers)


def _paid_event(link: LinkRef, ref: Ref, **overrides) -> dict:
    values = dict(account=link.account, tenant_id=ref.tenant_id, invoice_id=ref.id, amount_cents=link.amount_cents,
                  invoice_number=ref.number)
    values.update(overrides)
    return session_event(link.session_id, **values)


@dataclass(frozen=True)
class LinkRef:
    id: int
    session_id: str
    amount_cents: int
    account: str
    invoice_id: int


def _ref(link: OnlinePayment) -> LinkRef:
    return LinkRef(link.id, link.session_id, link.amount_cents, link.stripe_account_id, link.invoice_id)


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def _page(client, baseline, invoice_id) -> str:
    response = client.get(f"/t/{baseline.coop_a.slug}/invoices/{invoice_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the cooperative's Stripe account ------------------------------------------------------------


def test_the_account_is_set_on_the_settings_page_and_a_malformed_one_changes_nothing(app, baseline, as_user, in_a):
    client = english(as_user(baseline.coordinator_a))
    url = f"/t/{baseline.coop_a.slug}/online-payments/settings"
    page = client.get(url)
    assert page.status_code == 200 and ACCOUNT_A in page.get_data(as_text=True)

    bad = client.post(url, data={"stripe_account_id": "sk_live_secret"})
    assert bad.status_code == 400
    assert "A Stripe account id looks like acct_1AbCdEfGhIjKlMnO." in bad.get_data(as_text=True)
    with in_a():
        assert connected_account() == ACCOUNT_A
        audited = count(AuditEvent, AuditEvent.action == "online_payments.account_set")

    good = client.post(url, data={"stripe_account_id": "  acct_1NewAccount42 "})
    assert good.status_code == 302
    with in_a():
        assert connected_account() == "acct_1NewAccount42"
        assert count(AuditEvent, AuditEvent.action == "online_payments.account_set") == audited + 1
    with app.app_context(), tenant_context(baseline.coop_b.id):
        assert connected_account() == ACCOUNTS["b"]  # the other cooperative's is untouched


def test_a_coach_may_not_change_the_account(baseline, as_user):
    response = as_user(baseline.coach_ab).post(f"/t/{baseline.coop_a.slug}/online-payments/settings",
                                               data={"stripe_account_id": "acct_1Hijacked0001"})
    assert response.status_code == 403


# --- the payment link ----------------------------------------------------------------------------


def _link_url(baseline, ref: Ref) -> str:
    return f"/t/{baseline.coop_a.slug}/online-payments/invoices/{ref.id}/link"


def _links(ref: Ref) -> list[OnlinePayment]:
    return list(db.session.scalars(select(OnlinePayment).where(OnlinePayment.invoice_id == ref.id)
                                   .order_by(OnlinePayment.id)))


def test_with_online_payment_off_the_invoice_page_offers_no_link(app, baseline, as_user, in_a, invoice_a,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "")
    client = as_user(baseline.coordinator_a)
    assert 'id="online-payment"' not in _page(client, baseline, invoice_a.id)
    assert client.post(_link_url(baseline, invoice_a)).status_code == 302
    with in_a():
        assert _links(invoice_a) == []


def test_the_button_makes_a_checkout_session_on_the_cooperatives_account(baseline, as_user, in_a, invoice_a,
                                                                         stripe_on):
    client = as_user(baseline.coordinator_a)
    url = _link_url(baseline, invoice_a)
    assert f'action="{url}"' in _page(client, baseline, invoice_a.id)  # the button
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second click: the same link

    calls = stripe_on.checkout_calls()
    assert len(calls) == 1
    call = calls[0]
    assert call.headers["Stripe-Account"] == ACCOUNT_A
    assert call.headers["Idempotency-Key"] == f"koepel-invoice-{baseline.coop_a.id}-{invoice_a.id}-5445-0"
    assert call.headers["Authorization"] == "Bearer sk_test_koepel_offline"
    params = call.params
    assert params["mode"] == "payment"
    assert (params["payment_method_types[0]"], params["payment_method_types[1]"]) == ("ideal", "card")
    assert "payment_method_types[2]" not in params
    assert params["line_items[0][price_data][unit_amount]"] == "5445"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["line_items[0][quantity]"] == "1"
    assert params["metadata[tenant_id]"] == str(baseline.coop_a.id)
    assert params["metadata[invoice_id]"] == str(invoice_a.id)
    assert params["metadata[invoice_number]"] == invoice_a.number
    assert params["customer_email"] == "klant@example.org"
    assert params["success_url"].endswith("/stripe/paid") and params["cancel_url"].endswith("/stripe/cancelled")

    with in_a():
        links = _links(invoice_a)
        assert [(x.status, x.amount_cents, x.stripe_account_id) for x in links] == [("open", 5445, ACCOUNT_A)]
        session_url = links[0].url
    assert f'id="payment-link" href="{session_url}"' in _page(client, baseline, invoice_a.id)


def test_a_new_link_replaces_the_old_one_when_the_amount_due_changed(baseline, in_a, invoice_a, stripe_on):
    with in_a():
        first = _link(invoice_a)
        import_file(camt053([Entry(2000, TODAY, f"Factuur {invoice_a.number} deel", ref="PART-1")]))
        assert _invoice(invoice_a).status == "partly_paid"
        second = _link(invoice_a)
        assert second.id != first.id and second.amount_cents == 5445 - 2000
        assert [(x.status, x.amount_cents) for x in _links(invoice_a)] == [("superseded", 5445), ("open", 3445)]
    keys = [c.headers["Idempotency-Key"] for c in stripe_on.checkout_calls()]
    assert keys == [f"koepel-invoice-{baseline.coop_a.id}-{invoice_a.id}-5445-0",
                    f"koepel-invoice-{baseline.coop_a.id}-{invoice_a.id}-3445-0"]
    assert stripe_on.checkout_calls()[1].params["line_items[0][price_data][unit_amount]"] == "3445"


def test_an_expired_link_is_replaced_with_a_new_attempt(baseline, in_a, invoice_a, stripe_on):
    with in_a():
        first = _link(invoice_a)
        first.expires_at = first.created_at - timedelta(minutes=1)
        db.session.flush()
        second = _link(invoice_a)
        assert [(x.status, x.amount_cents) for x in _links(invoice_a)] == [("expired", 5445), ("open", 5445)]
        assert second.session_id != first.session_id
    assert stripe_on.checkout_calls()[1].headers["Idempotency-Key"].endswith("-5445-1")


def test_no_link_without_an_account_or_for_a_paid_invoice(baseline, as_user, in_a, invoice_a, stripe_on):
    client = as_user(baseline.coordinator_a)
    url = _link_url(baseline, invoice_a)
    settings = f"/t/{baseline.coop_a.slug}/online-payments/settings"
    assert client.post(settings, data={"stripe_account_id": ""}).status_code == 302
    assert f'action="{url}"' not in _page(client, baseline, invoice_a.id)  # no button without an account
    assert client.post(url).status_code == 302
    with in_a():
        import_file(camt053([Entry(5445, TODAY, f"Factuur {invoice_a.number}", ref="FULL-1")]))
        db.session.commit()
    assert client.post(settings, data={"stripe_account_id": ACCOUNT_A}).status_code == 302
    assert f'action="{url}"' not in _page(client, baseline, invoice_a.id)  # paid: nothing to pay online
    assert client.post(url).status_code == 302
    assert stripe_on.checkout_calls() == []
    with in_a():
        assert _links(invoice_a) == []


def test_when_stripe_refuses_the_person_is_told_and_nothing_is_stored(baseline, as_user, in_a, invoice_a,
                                                                     stripe_on):
    stripe_on.fail_with = (402, {"error": {"type": "invalid_request_error", "message": "Account not enabled"}})
    client = english(as_user(baseline.coordinator_a))
    response = client.post(_link_url(baseline, invoice_a), follow_redirects=True)
    assert response.status_code == 200
    assert "Stripe could not make the payment link just now." in response.get_data(as_text=True)
    assert len(stripe_on.checkout_calls()) == 1  # a refusal (402) is not retried
    with in_a():
        assert _links(invoice_a) == []


def test_another_cooperatives_invoice_is_a_404(baseline, as_user, stripe_on):
    response = as_user(baseline.coordinator_b).post(
        f"/t/{baseline.coop_b.slug}/online-payments/invoices/{baseline.extra['online_invoice_a']}/link")
    assert response.status_code == 404
    assert stripe_on.checkout_calls() == []


# --- the webhook ---------------------------------------------------------------------------------


@pytest.fixture
def link_a(in_a, invoice_a, stripe_on) -> LinkRef:
    with in_a():
        link = _ref(_link(invoice_a))
        db.session.commit()
    return link


def _posted(link: LinkRef) -> int:
    return count(JournalEntry, JournalEntry.idempotency_key == f"stripe_session:{link.session_id}")


def test_a_signed_paid_event_posts_registers_and_splits_once(client, baseline, as_user, in_a, invoice_a, link_a):
    with in_a():
        provider_before = balance(account("payment_provider")).cents
    event = _paid_event(link_a, invoice_a)
    response = _deliver(client, event)
    assert response.status_code == 200 and response.get_json()["outcome"] == "posted"
    again = _deliver(client, event)  # Stripe delivers again
    assert again.status_code == 200 and again.get_json()["outcome"] == "already received"

    with in_a():
        assert _posted(link_a) == 1
        entry = db.session.scalar(select(JournalEntry).where(
            JournalEntry.idempotency_key == f"stripe_session:{link_a.session_id}"))
        lines = {(acc.kind, acc.customer_id): amount.cents for acc, amount in entry_lines(entry.id)}
        assert lines == {("payment_provider", None): 5445, ("receivable", invoice_a.customer_id): -5445}
        assert balance(account("payment_provider")).cents - provider_before == 5445
        assert balance(account("receivable", customer_id=invoice_a.customer_id)).cents == 0
        invoice = _invoice(invoice_a)
        assert (invoice.status, invoice.amount_paid_cents, invoice.paid_on) == ("paid", 5445, TODAY)
        link = db.session.get(OnlinePayment, (invoice_a.tenant_id, link_a.id))
        assert (link.status, link.registered_cents, link.event_id, link.paid_on) == ("paid", 5445, event["id"], TODAY)
        assert link.entry_id == entry.id
        split = split_of(link)
        assert (split.status, split.received_cents, split.net_cents, split.vat_cents) == ("split", 5445, 4500, 945)
        assert (split.cooperative_cents, split.training_cents, split.municipality_cents, split.pot_cents) == (
            450, 225, 0, 3825)
        assert split.bank_line_id is None and split.paid_on == TODAY
        assert -balance(account("member_pot", member_id=invoice_a.member_id)).cents == 3825
        assert count(JournalEntry, JournalEntry.idempotency_key == f"split:online:{link.id}") == 1
        assert books_total() == Money(0) and mismatched_balances() == []
    with in_a():
        assert count(StripeEvent, StripeEvent.session_id == link_a.session_id) == 1
    page = _page(as_user(baseline.coordinator_a), baseline, invoice_a.id)
    assert 'class="paid-online"' in page and 'id="payment-link"' not in page


def test_the_same_session_settled_by_two_events_posts_once(client, in_a, invoice_a, link_a):
    completed = _paid_event(link_a, invoice_a)
    succeeded = _paid_event(link_a, invoice_a, event_type="checkout.session.async_payment_succeeded")
    assert _deliver(client, completed).get_json()["outcome"] == "posted"
    assert _deliver(client, succeeded).get_json()["outcome"] == "already_paid"
    with in_a():
        assert _posted(link_a) == 1
        link = db.session.get(OnlinePayment, (invoice_a.tenant_id, link_a.id))
        assert link.status == "paid" and link.event_id == completed["id"]
        assert split_of(link) is not None
        assert _invoice(invoice_a).amount_paid_cents == 5445


def test_ideal_paid_later_posts_only_when_the_payment_succeeded(client, in_a, invoice_a, link_a):
    pending = _paid_event(link_a, invoice_a, payment_status="unpaid")
    assert _deliver(client, pending).get_json()["outcome"] == "not_paid"
    with in_a():
        assert _posted(link_a) == 0
        assert _invoice(invoice_a).status == "sent"
    succeeded = _paid_event(link_a, invoice_a, event_type="checkout.session.async_payment_succeeded")
    assert _deliver(client, succeeded).get_json()["outcome"] == "posted"
    with in_a():
        assert _posted(link_a) == 1
        assert _invoice(invoice_a).status == "paid"


def _nothing_posted(in_a, link: LinkRef):
    with in_a():
        assert _posted(link) == 0
        assert db.session.scalar(select(OnlinePayment.status).where(OnlinePayment.id == link.id)) == "open"
        assert db.session.scalar(select(Invoice.amount_paid_cents).where(Invoice.id == link.invoice_id)) == 0
        assert count(StripeEvent, StripeEvent.session_id == link.session_id) == 0


def test_a_wrong_signature_is_refused_and_posts_nothing(client, in_a, invoice_a, link_a):
    response = _deliver(client, _paid_event(link_a, invoice_a), secret="whsec_someone_else")
    assert response.status_code == 400 and response.get_json() == {"error": "bad signature"}
    body, _headers = signed(_paid_event(link_a, invoice_a))
    assert client.post("/stripe/webhook", data=body).status_code == 400  # no signature at all
    old = client.post("/stripe/webhook", data=body,  # signed, but long ago (a replayed capture)
                      headers={"Stripe-Signature": signature(body, timestamp=1_600_000_000)})
    assert old.status_code == 400 and old.get_json() == {"error": "bad signature"}
    _nothing_posted(in_a, link_a)


def test_a_tampered_or_malformed_payload_is_refused_and_posts_nothing(client, in_a, invoice_a, link_a):
    body, headers = signed(_paid_event(link_a, invoice_a, amount_cents=1))
    tampered = body.replace(b'"amount_total": 1,', b'"amount_total": 5445,')
    assert tampered != body
    response = client.post("/stripe/webhook", data=tampered, headers=headers)
    assert response.status_code == 400 and response.get_json() == {"error": "bad signature"}
    for garbage in (b"not json at all", b"[1, 2]"):
        response = client.post("/stripe/webhook", data=garbage, headers={"Stripe-Signature": signature(garbage)})
        assert response.status_code == 400 and response.get_json() == {"error": "bad payload"}
    no_session = session_event(link_a.session_id, account=link_a.account, tenant_id=invoice_a.tenant_id,
                               invoice_id=invoice_a.id, amount_cents=5445)
    no_session["data"] = {"object": "nothing"}
    assert _deliver(client, no_session).status_code == 400
    _nothing_posted(in_a, link_a)


@pytest.mark.parametrize("case", ["unknown_account", "other_cooperatives_account", "tenant_mismatch",
                                  "no_such_tenant", "not_a_cooperative", "unknown_session", "other_amount",
                                  "other_currency", "other_invoice"])
def test_an_event_that_is_not_the_cooperatives_posts_nothing(client, app, baseline, in_a, invoice_a, link_a, case):
    overrides = {
        "unknown_account": {"account": "acct_1SomebodyElse9"},
        "other_cooperatives_account": {"account": ACCOUNTS["b"]},
        "tenant_mismatch": {"tenant_id": baseline.coop_b.id},  # A's account, B named in the metadata
        "no_such_tenant": {"tenant_id": 987_654_321},
        "not_a_cooperative": {"tenant_id": baseline.municipality.id},
        "other_amount": {"amount_cents": 5444},
        "other_currency": {"currency": "usd"},
        "other_invoice": {"invoice_id": baseline.extra["online_invoice_a"]},
    }.get(case, {})
    event = _paid_event(link_a, invoice_a, **overrides)
    if case == "unknown_session":
        event["data"]["object"]["id"] = "cs_test_never_made_here"
    response = _deliver(client, event)
    assert response.status_code == 400, response.get_data(as_text=True)
    _nothing_posted(in_a, link_a)
    with app.app_context(), tenant_context(baseline.coop_b.id):
        assert count(JournalEntry, JournalEntry.idempotency_key.like("stripe_session:%")) == 0


def test_other_event_types_are_acknowledged_and_ignored(client, in_a, invoice_a, link_a):
    response = _deliver(client, _paid_event(link_a, invoice_a, event_type="payment_intent.succeeded"))
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
    _nothing_posted(in_a, link_a)


def test_without_a_webhook_secret_the_endpoint_does_not_exist(app, client, in_a, invoice_a, link_a, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", "")
    assert _deliver(client, _paid_event(link_a, invoice_a)).status_code == 404
    _nothing_posted(in_a, link_a)


def test_a_payment_for_a_partly_paid_invoice_pays_the_rest(client, in_a, invoice_a, stripe_on):
    with in_a():
        import_file(camt053([Entry(1445, TODAY, f"Factuur {invoice_a.number}", ref="PART-2")]))
        link = _ref(_link(invoice_a))
        db.session.commit()
    assert link.amount_cents == 4000
    assert _deliver(client, _paid_event(link, invoice_a)).get_json()["outcome"] == "posted"
    with in_a():
        invoice = _invoice(invoice_a)
        assert (invoice.status, invoice.amount_paid_cents) == ("paid", 5445)
        split = split_of(db.session.get(OnlinePayment, (invoice_a.tenant_id, link.id)))
        assert split.received_cents == 4000
        # The payment that makes the invoice paid carries the rest of its net: together exactly 45,00.
        # The bank's 14,45 carried 14,45 x 45,00 / 54,45 = 11,94 of the net; this one the rest.
        nets = sorted(db.session.scalars(select(PaymentSplit.net_cents).where(PaymentSplit.invoice_id == invoice_a.id)))
        assert nets == [1194, 3306] and split.net_cents == 3306
        assert books_total() == Money(0) and mismatched_balances() == []


def test_money_that_arrives_after_the_bank_paid_stays_the_customers_credit(client, in_a, invoice_a, link_a):
    with in_a():
        import_file(camt053([Entry(3000, TODAY, f"Factuur {invoice_a.number}", ref="PART-3")]))
        db.session.commit()
    # The customer still pays the link made for the full 54,45.
    assert _deliver(client, _paid_event(link_a, invoice_a)).get_json()["outcome"] == "posted"
    with in_a():
        invoice = _invoice(invoice_a)
        assert (invoice.status, invoice.amount_paid_cents) == ("paid", 5445)
        link = db.session.get(OnlinePayment, (invoice_a.tenant_id, link_a.id))
        assert (link.status, link.registered_cents, link.amount_cents) == ("paid", 2445, 5445)
        assert split_of(link).received_cents == 2445
        # 30,00 more than was due: a credit on the customer's receivable, to be refunded.
        assert balance(account("receivable", customer_id=invoice.customer_id)).cents == -3000
        assert books_total() == Money(0) and mismatched_balances() == []


def test_the_pages_a_customer_returns_to_need_no_account(client):
    assert client.get("/stripe/paid").status_code == 200
    assert client.get("/stripe/cancelled").status_code == 200


def test_the_fake_answers_an_idempotency_key_with_the_same_session(stripe_on):
    """The fake behaves as Stripe does on the point the link's idempotency rests on."""
    import stripe

    client = stripe.StripeClient("sk_test_koepel_offline", http_client=stripe_on)
    params = {"mode": "payment", "line_items": [{"quantity": 1, "price_data": {
        "currency": "eur", "unit_amount": 100, "product_data": {"name": "x"}}}]}
    first = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "k1"})
    second = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "k1"})
    third = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "k2"})
    assert first.id == second.id != third.id
    assert first.amount_total == 100
