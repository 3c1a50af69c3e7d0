"""The payments pages: upload with its report, matching by hand, the waterfall."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.invoices import Invoice
from koepel.tenants.members import do_register_member
from koepel.tenants.payments import BankLine, BankStatement, PaymentSplit
from tests.invoices.support import customer, issued
from tests.payments.support import Entry, camt053, mt940

TODAY = amsterdam_today()


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def url(baseline, path: str = "/") -> str:
    return f"/t/{baseline.coop_a.slug}/payments{path}"


def upload(client, baseline, data: bytes, name: str = "statement.xml"):
    return client.post(url(baseline, "/upload"), data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_index_shows_statements_and_lines_to_match(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Import a bank statement" in html and "BASE-A.xml" in html and "Onbekende storting" in html
    assert "BASE-B.xml" not in html


def test_uploading_a_statement_imports_and_matches_it(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = do_register_member(name="Upload Member", stage="intake", actor_id=None,
                                    benefit_municipality_id=baseline.municipality.id)
        invoice = issued(member.id, customer("Upload Klant").id, on=TODAY)
        number, invoice_id = invoice.number, invoice.id
        db.session.commit()
    client = english(as_user(baseline.coordinator_a))
    data = mt940("54,45", "UP1", f"Factuur {number}")
    response = upload(client, baseline, data, "upload.sta")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 new lines" in shown and "1 matched" in shown
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(Invoice.status).where(Invoice.id == invoice_id)) == "paid"
    again = upload(client, baseline, data, "upload.sta")
    assert again.status_code == 302
    assert "imported before" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_malformed_upload_shows_the_report_and_stores_nothing(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        before = db.session.scalar(select(func.count()).select_from(BankStatement))
    response = upload(client, baseline, mt940("12x00", "BAD", "kapot"), "bad.sta")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nothing has been stored" in html and "Line 5: the transaction (:61:)" in html
    response = upload(client, baseline, b"not,a,bank,file\n", "bad.csv")
    assert response.status_code == 400 and "not a CAMT.053 (XML) or MT940" in response.get_data(as_text=True)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(func.count()).select_from(BankStatement)) == before


def test_an_upload_without_a_file_is_refused(app, baseline, as_user):
    response = as_user(baseline.coordinator_a).post(url(baseline, "/upload"), data={})
    assert response.status_code == 400


def test_matching_by_hand_on_the_line_page(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = do_register_member(name="Hand Member", stage="intake", actor_id=None,
                                    benefit_municipality_id=baseline.municipality.id)
        invoice = issued(member.id, customer("Hand Klant").id, on=TODAY)
        invoice_id = invoice.id
        from tests.payments.support import import_file

        result = import_file(camt053([Entry(5445, TODAY, "zonder nummer", ref="HAND-1"),
                                      Entry(5445, TODAY, "ook zonder", ref="HAND-2")], statement_id="HAND"))
        first, second = db.session.scalars(select(BankLine.id).where(BankLine.statement_id == result.statement.id)
                                           .order_by(BankLine.id))
        db.session.commit()
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline, f"/lines/{first}"))
    assert page.status_code == 200 and "Match to an invoice" in page.get_data(as_text=True)
    assert client.post(url(baseline, f"/lines/{first}/match"), data={}).status_code == 400
    response = client.post(url(baseline, f"/lines/{first}/match"), data={"invoice_id": str(invoice_id)})
    assert response.status_code == 302
    # The same invoice for the second line: it is paid now, so refused at the field.
    refused = client.post(url(baseline, f"/lines/{second}/match"), data={"invoice_id": str(invoice_id)})
    assert refused.status_code == 400 and "not paid yet" in refused.get_data(as_text=True)
    assert client.post(url(baseline, f"/lines/{second}/ignore"), data={"reason": " "}).status_code == 400
    assert client.post(url(baseline, f"/lines/{second}/ignore"),
                       data={"reason": "Dubbel betaald, terugstorten"}).status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(BankLine.status).where(BankLine.id == first)) == "matched"
        assert db.session.scalar(select(BankLine.status).where(BankLine.id == second)) == "ignored"
        assert db.session.scalar(select(PaymentSplit.status).where(PaymentSplit.bank_line_id == first)) == "split"


def test_the_waterfall_page_shows_every_share_and_its_rule(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline, f"/splits/{baseline.extra['payment_split_a']}"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Cooperative", "Training pot", "Municipality", "savings pot", "10%", "5%", "25%",
                 "version 1 of the agreement", "<svg"):
        assert text in html, text


def test_waiting_payment_is_split_with_the_button(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = do_register_member(name="Late Agreement", stage="intake", actor_id=None)
        invoice = issued(member.id, customer("Late Klant").id, on=TODAY)
        member_id = member.id
        from tests.payments.support import import_file

        import_file(camt053([Entry(5445, TODAY, f"Factuur {invoice.number}", ref="LATE-1")], statement_id="LATE"))
        split_id = db.session.scalar(select(PaymentSplit.id).where(PaymentSplit.invoice_id == invoice.id))
        db.session.commit()
    client = english(as_user(baseline.coordinator_a))
    assert "Late Agreement" in client.get(url(baseline)).get_data(as_text=True)
    client.post(url(baseline, f"/splits/{split_id}/split"))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(PaymentSplit.status).where(PaymentSplit.id == split_id)) == "waiting"
        from koepel.tenants.members import Member, do_update_member

        do_update_member(db.session.get(Member, (baseline.coop_a.id, member_id)),
                         benefit_municipality_id=baseline.municipality.id, actor_id=None)
        db.session.commit()
    assert client.post(url(baseline, f"/splits/{split_id}/split")).status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(PaymentSplit.status).where(PaymentSplit.id == split_id)) == "split"


def test_a_member_sees_no_payments(app, baseline, as_user):
    client = as_user(baseline.member_a)
    assert client.get(url(baseline)).status_code == 403
    assert client.get(url(baseline, f"/splits/{baseline.extra['payment_split_a']}")).status_code == 403
