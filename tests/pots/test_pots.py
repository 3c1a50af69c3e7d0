"""Spending from the savings pot: asking (only for what the agreement allows), deciding,
paying out with a SEPA file, marking paid, a leaving member's pot, and who sees what."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.ledger import JournalEntry, Line, account, do_post, held
from koepel.tenants.members import Member, do_register_member, do_transition
from koepel.tenants.pots import (
    PotClosing,
    PotError,
    PotRequest,
    do_approve,
    do_confirm_closing,
    do_create_batch,
    do_mark_paid,
    do_refuse,
    do_request,
)
from koepel.tenants.pots import operations as pot_operations
from koepel.tenants.pots.models import PayoutBatch
from tests.pots.baseline import PDF, make_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
IBAN = "NL91ABNA0417164300"


def terms(categories=("tools", "materials", "training"), on_leaving="spend_on_business", keep_months=None,
          partner=None):
    """A small stand-in for the agreements package's Terms."""
    return SimpleNamespace(pot_categories=tuple(categories), pot_on_leaving=on_leaving, keep_months=keep_months,
                           partner_tenant_id=partner)


@pytest.fixture
def agreement(monkeypatch):
    """Set the terms every member's agreement has (None: no agreement)."""
    current = {"terms": terms()}
    monkeypatch.setattr(pot_operations, "agreement_terms", lambda member, on_date: current["terms"])

    def set_terms(value):
        current["terms"] = value

    return set_terms


def fund(member_id: int, cents: int, key: str) -> None:
    do_post(lines=[Line(account("bank"), Money(cents)), Line(account("member_pot", member_id=member_id), Money(-cents))],
            on_date=date(2026, 3, 1), kind="manual", description="earned", idempotency_key=key)


def new_member(name="Pot Member", cents=10000):
    member = do_register_member(name=name, stage="intake", on_date=date(2026, 1, 5), actor_id=None)
    if cents:
        fund(member.id, cents, f"fund-{member.id}")
    return member


def ask(member, **overrides):
    values = dict(amount=Money(2500), category="tools", description="A drill", supplier_name="Gereedschap BV",
                  supplier_iban="NL02 ABNA 0123 4567 89", attachment=PDF, attachment_name="drill.pdf", actor_id=None)
    values.update(overrides)
    return do_request(member, **values)


# --- asking ------------------------------------------------------------------------------------


def test_a_member_asks_for_an_allowed_purpose(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        asked = ask(member)
        assert (asked.status, asked.amount_cents, asked.supplier_iban) == ("requested", 2500, "NL02ABNA0123456789")
        assert pot_operations.attachment_path(asked.attachment_file).read_bytes() == PDF


def test_a_purpose_the_agreement_does_not_allow_is_refused(db_session, baseline, agreement):
    agreement(terms(categories=("training",)))
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        with pytest.raises(PotError) as refused:
            ask(member, category="tools")
        assert refused.value.field == "category"
        assert db.session.scalar(select(func.count()).select_from(PotRequest)
                                 .where(PotRequest.member_id == member.id)) == 0


def test_without_an_agreement_nothing_can_be_asked(db_session, baseline, agreement):
    agreement(None)
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        with pytest.raises(PotError) as refused:
            ask(member)
        assert refused.value.field == "category"


@pytest.mark.parametrize("data", [b"GIF89a not an invoice", b"MZ\x90\x00 an exe", b""])
def test_an_attachment_that_is_not_pdf_png_or_jpeg_is_refused(db_session, baseline, agreement, data):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        with pytest.raises(PotError) as refused:
            ask(member, attachment=data, attachment_name="invoice.pdf")
        assert refused.value.field == "invoice"


def test_a_too_large_attachment_is_refused_and_png_is_accepted(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        with pytest.raises(PotError) as refused:
            ask(member, attachment=PDF + b"0" * (5 * 1024 * 1024))
        assert refused.value.field == "invoice"
        assert ask(member, attachment=PNG).attachment_type == "png"


def test_bad_iban_and_more_than_the_pot_holds_are_refused(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=1000)
        with pytest.raises(PotError) as bad_iban:
            ask(member, amount=Money(500), supplier_iban="NL00ABNA0000000000")
        assert bad_iban.value.field == "supplier_iban"
        with pytest.raises(PotError) as too_much:
            ask(member, amount=Money(1001))
        assert too_much.value.field == "amount"


# --- deciding ----------------------------------------------------------------------------------


def test_approving_moves_the_amount_out_of_the_pot(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=10000)
        asked = ask(member, amount=Money(2500))
        do_approve(asked, actor_id=baseline.coordinator_a.id)
        assert asked.status == "approved" and asked.decided_by == baseline.coordinator_a.id
        assert held(account("member_pot", member_id=member.id)) == Money(7500)
        assert held(account("payouts_due")) >= Money(2500)
        entry = db.session.get(JournalEntry, (baseline.coop_a.id, asked.approval_entry_id))
        assert entry.idempotency_key == f"pot_request:{asked.id}:approved"
        with pytest.raises(PotError):
            do_approve(asked, actor_id=None)  # decided once


def test_approving_more_than_the_pot_holds_leaves_the_request_waiting(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=3000)
        first, second = ask(member, amount=Money(2000)), ask(member, amount=Money(2000))
        do_approve(first, actor_id=None)
        with pytest.raises(PotError):
            do_approve(second, actor_id=None)
        db.session.refresh(second)
        assert second.status == "requested" and second.approval_entry_id is None
        assert held(account("member_pot", member_id=member.id)) == Money(1000)


def test_refusing_needs_a_reason(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        asked = ask(member)
        with pytest.raises(PotError) as no_reason:
            do_refuse(asked, reason="  ", actor_id=None)
        assert no_reason.value.field == "reason" and asked.status == "requested"
        do_refuse(asked, reason="Not for the business", actor_id=None)
        assert (asked.status, asked.refusal_reason) == ("refused", "Not for the business")
        assert held(account("member_pot", member_id=member.id)) == Money(10000)


# --- paying out --------------------------------------------------------------------------------


def approved(member, cents, iban="NL02ABNA0123456789"):
    asked = ask(member, amount=Money(cents), supplier_iban=iban)
    return do_approve(asked, actor_id=None)


def test_the_sepa_file_holds_the_approved_requests(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=10000)
        first, second = approved(member, 1250), approved(member, 3000, iban="DE89370400440532013000")
        batch = do_create_batch(execution_date=date.today() + timedelta(days=1), request_ids=[first.id, second.id],
                                actor_id=None)
        root = ET.fromstring(batch.sepa_xml.encode())
        header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
        assert header.find("p:NbOfTxs", NS).text == "2"
        assert header.find("p:CtrlSum", NS).text == "42.50"
        assert header.find("p:MsgId", NS).text == batch.message_id
        info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
        assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == IBAN
        assert info.find("p:ReqdExctnDt", NS).text == (date.today() + timedelta(days=1)).isoformat()
        creditors = sorted((tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text, tx.find("p:Amt/p:InstdAmt", NS).text)
                           for tx in info.findall("p:CdtTrfTxInf", NS))
        assert creditors == [("DE89370400440532013000", "30.00"), ("NL02ABNA0123456789", "12.50")]
        assert (batch.transaction_count, batch.total_cents) == (2, 4250)
        assert {first.batch_id, second.batch_id} == {batch.id}


def test_a_request_goes_into_one_batch_only(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        paid_out = approved(member, 1000)
        do_create_batch(execution_date=date.today(), request_ids=[paid_out.id], actor_id=None)
        with pytest.raises(PotError):
            do_create_batch(execution_date=date.today(), request_ids=[paid_out.id], actor_id=None)
        waiting = ask(member)  # not approved: never in a batch
        with pytest.raises(PotError):
            do_create_batch(execution_date=date.today(), request_ids=[waiting.id], actor_id=None)


def test_marking_paid_twice_posts_once(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        first, second = approved(member, 1000), approved(member, 2000)
        batch = do_create_batch(execution_date=date.today(), request_ids=[first.id, second.id], actor_id=None)
        bank_before = held(account("bank"))
        do_mark_paid(batch, date.today(), None)
        do_mark_paid(batch, date.today(), None)
        do_mark_paid(first, date.today(), None)
        assert held(account("bank")) - bank_before == Money(3000)  # the bank account lost 30,00 once
        assert batch.status == "paid" and {first.status, second.status} == {"paid"}
        paid_entries = db.session.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.idempotency_key.in_([f"pot_request:{first.id}:paid", f"pot_request:{second.id}:paid"])))
        assert paid_entries == 2


def test_paying_each_request_of_a_batch_marks_the_batch_paid(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        first, second = approved(member, 1000), approved(member, 2000)
        batch = do_create_batch(execution_date=date.today(), request_ids=None, actor_id=None)
        do_mark_paid(first, date.today(), None)
        assert batch.status == "created"
        do_mark_paid(second, date.today(), None)
        db.session.refresh(batch)
        assert batch.status == "paid"
        with pytest.raises(PotError):
            do_mark_paid(ask(member), date.today(), None)  # not approved


# --- a member who leaves -----------------------------------------------------------------------


def leave(member, to="stopped", on=date(2026, 3, 10)):
    outcome = "moved" if to == "stopped" else "regular_job"
    if to == "outflow":
        for stage in ("business_plan", "trial", "member"):
            do_transition(member, stage, on_date=on, actor_id=None, today=on)
    do_transition(member, to, on_date=on, outcome=outcome, reason="Leaving", actor_id=None, today=on)
    return db.session.scalar(select(PotClosing).where(PotClosing.member_id == member.id))


def test_leaving_with_return_moves_the_pot_to_the_municipality_when_confirmed(db_session, baseline, agreement):
    agreement(terms(on_leaving="return", partner=baseline.municipality.id))
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=8000)
        member.benefit_municipality_id = baseline.municipality.id
        closing = leave(member)
        assert (closing.rule, closing.status, closing.held_cents) == ("return", "pending", 8000)
        owed = account("municipality_owed", partner_tenant_id=baseline.municipality.id)
        assert held(owed) == Money(0)  # nothing moves before a person confirms
        do_confirm_closing(closing, actor_id=baseline.coordinator_a.id)
        assert held(account("member_pot", member_id=member.id)) == Money(0)
        assert held(owed) == Money(8000)
        assert (closing.status, closing.returned_cents, closing.confirmed_by) == ("confirmed", 8000,
                                                                                   baseline.coordinator_a.id)
        with pytest.raises(PotError):
            do_confirm_closing(closing, actor_id=None)  # once
        with pytest.raises(PotError):
            ask(member, amount=Money(100))  # a pot to be returned is not spent


def test_leaving_with_keep_for_period_keeps_it_open_until_a_date(db_session, baseline, agreement):
    agreement(terms(on_leaving="keep_for_period", keep_months=6))
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=5000)
        closing = leave(member, on=date(2026, 3, 10))
        assert (closing.rule, closing.keep_months, closing.open_until) == ("keep_for_period", 6, date(2026, 9, 10))
        assert ask(member, amount=Money(100), on_date=date(2026, 9, 10)).status == "requested"
        with pytest.raises(PotError):
            ask(member, amount=Money(100), on_date=date(2026, 9, 11))
        do_confirm_closing(closing, actor_id=None)
        assert held(account("member_pot", member_id=member.id)) == Money(5000)  # kept, not moved


def test_leaving_with_spend_on_business_leaves_three_months(db_session, baseline, agreement):
    agreement(terms(on_leaving="spend_on_business"))
    with tenant_context(baseline.coop_a.id):
        member = new_member(cents=5000)
        closing = leave(member, to="outflow", on=date(2026, 3, 10))
        assert (closing.rule, closing.open_until) == ("spend_on_business", date(2026, 6, 10))


def test_leaving_with_an_empty_pot_records_nothing_and_returning_cancels(db_session, baseline, agreement):
    with tenant_context(baseline.coop_a.id):
        empty = new_member(name="Empty Pot", cents=0)
        assert leave(empty) is None
        member = new_member(cents=100)
        closing = leave(member)
        do_transition(member, "intake", on_date=date(2026, 3, 11), actor_id=None, today=date(2026, 3, 11))
        db.session.refresh(closing)
        assert closing.status == "cancelled"


# --- the pages ---------------------------------------------------------------------------------


def own_member_of(baseline):
    return db.session.scalar(select(Member).where(Member.user_id == baseline.member_a.id))


def test_the_member_sees_only_their_own_pot(app, baseline, as_user):
    client = as_user(baseline.member_a)
    base = f"/t/{baseline.coop_a.slug}/pots"
    page = client.get(f"{base}/mine")
    assert page.status_code == 200
    assert "€ 125,00" in page.get_data(as_text=True) or "request-" in page.get_data(as_text=True)
    own = baseline.extra["pot_request_a"]
    assert client.get(f"{base}/mine/invoice?request={own}").data == PDF
    with app.app_context(), tenant_context(baseline.coop_a.id):
        other = new_member(name="Someone Else").id
        theirs = make_request(other).id
        db.session.commit()
    assert client.get(f"{base}/mine/invoice?request={theirs}").status_code == 404
    assert client.get(f"{base}/members/{other}").status_code == 403  # staff pages are not theirs
    assert client.get(f"{base}/requests/{own}").status_code == 403


def test_a_coach_and_support_do_not_download_invoices(app, baseline, as_user):
    base = f"/t/{baseline.coop_a.slug}/pots"
    assert as_user(baseline.coach_ab).get(f"{base}/requests/{baseline.extra['pot_request_a']}/invoice").status_code == 403
    coordinator = as_user(baseline.coordinator_a)
    response = coordinator.get(f"{base}/requests/{baseline.extra['pot_request_a']}/invoice")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"


def test_the_request_form_asks_only_allowed_purposes(app, baseline, as_user, agreement):
    agreement(terms(categories=("training",)))
    client = as_user(baseline.member_a)
    url = f"/t/{baseline.coop_a.slug}/pots/mine/requests/new"
    form = client.get(url).get_data(as_text=True)
    assert 'value="training"' in form and 'value="tools"' not in form
    data = {"amount": "12,50", "category": "tools", "description": "Saw", "supplier_name": "Shop",
            "supplier_iban": "NL02ABNA0123456789", "invoice": (io.BytesIO(PDF), "saw.pdf")}
    refused = client.post(url, data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    data.update(category="training", invoice=(io.BytesIO(b"GIF89a"), "saw.pdf"))
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 400
    data.update(invoice=(io.BytesIO(PDF), "course.pdf"))
    sent = client.post(url, data=data, content_type="multipart/form-data")
    assert sent.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = own_member_of(baseline)
        latest = db.session.scalar(select(PotRequest).where(PotRequest.member_id == member.id)
                                   .order_by(PotRequest.id.desc()).limit(1))
        assert (latest.amount_cents, latest.category, latest.attachment_name) == (1250, "training", "course.pdf")


def test_approve_and_refuse_through_the_pages(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    base = f"/t/{baseline.coop_a.slug}/pots"
    request_id = baseline.extra["pot_request_a"]
    assert coordinator.post(f"{base}/requests/{request_id}/refuse", data={"reason": ""}).status_code == 400
    assert coordinator.post(f"{base}/requests/{request_id}/approve").status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.get(PotRequest, (baseline.coop_a.id, request_id)).status == "approved"
    again = coordinator.post(f"{base}/requests/{request_id}/refuse", data={"reason": "No"})
    assert again.status_code == 409
    assert coordinator.get(f"{base}/").status_code == 200
    assert coordinator.get(f"{base}/members/{baseline.extra['member_a']}").status_code == 200


def test_overdrawn_approval_shows_a_message(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        big = make_request(baseline.extra["member_a"], amount_cents=999_999).id
        db.session.commit()
    response = as_user(baseline.coordinator_a).post(f"/t/{baseline.coop_a.slug}/pots/requests/{big}/approve")
    assert response.status_code == 409 and 'id="approve-error"' in response.get_data(as_text=True)


def test_batches_through_the_pages(app, baseline, as_user):
    treasurer_client = as_user(baseline.coordinator_a)
    base = f"/t/{baseline.coop_a.slug}/pots/batches"
    batch_id = baseline.extra["payout_batch_a"]
    download = treasurer_client.get(f"{base}/{batch_id}/sepa.xml")
    assert download.status_code == 200 and b"CstmrCdtTrfInitn" in download.data
    assert treasurer_client.post(base, data={"execution_date": date.today().isoformat()}).status_code == 400
    assert treasurer_client.post(f"{base}/{batch_id}/paid", data={"paid_on": date.today().isoformat()}).status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.get(PayoutBatch, (baseline.coop_a.id, batch_id)).status == "paid"
    assert treasurer_client.get(base).status_code == 200


def test_a_leaving_members_pot_is_shown_and_confirmed_on_the_pot_page(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        closing = db.session.get(PotClosing, (baseline.coop_a.id, baseline.extra["pot_closing_a"]))
        member_id = closing.member_id
    client = as_user(baseline.coordinator_a)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/t/{baseline.coop_a.slug}/pots/members/{member_id}").get_data(as_text=True)
    assert f'id="closing-{baseline.extra["pot_closing_a"]}"' in page and "No agreement applies" in page
    confirmed = client.post(f"/t/{baseline.coop_a.slug}/pots/closings/{baseline.extra['pot_closing_a']}/confirm",
                            data={"note": "Settled by hand"})
    assert confirmed.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        closing = db.session.get(PotClosing, (baseline.coop_a.id, baseline.extra["pot_closing_a"]))
        assert (closing.status, closing.note, closing.confirmed_by) == ("confirmed", "Settled by hand",
                                                                         baseline.coordinator_a.id)
    again = client.post(f"/t/{baseline.coop_a.slug}/pots/closings/{baseline.extra['pot_closing_a']}/confirm")
    assert again.status_code == 409
    shown = client.get(f"/t/{baseline.coop_a.slug}/pots/requests/{baseline.extra['pot_request_a']}")
    assert shown.status_code == 200 and "Gereedschap BV" in shown.get_data(as_text=True)


def test_the_real_agreement_decides_the_purposes(db_session, baseline):
    """Baseline: cooperative A and the municipality agreed on tools, materials and training,
    the pot spent on the business after leaving (tests/agreements/baseline.py)."""
    with tenant_context(baseline.coop_a.id):
        member = new_member()
        with pytest.raises(PotError) as no_municipality:
            ask(member)
        assert no_municipality.value.field == "category"
        member.benefit_municipality_id = baseline.municipality.id
        db.session.flush()
        assert ask(member, category="tools").status == "requested"
        with pytest.raises(PotError) as not_allowed:
            ask(member, category="equipment")
        assert not_allowed.value.field == "category"
        closing = leave(member, on=date.today())
        assert closing.rule == "spend_on_business"
