"""The invoice pages: a draft from the form, issuing with the PDF and the mail made in
the job, credit notes, customers, settings, reminders, refusals and isolation."""

from __future__ import annotations

import email
import re
from datetime import date, timedelta
from pathlib import Path

from rq import SimpleWorker
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.jobs import queue
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.invoices import Customer, Invoice
from koepel.tenants.invoices.jobs import document_html
from tests.conftest import queued_mails
from tests.invoices.support import customer, issued


def work(app) -> None:
    """Run what is queued with a real rq worker in this process (the test's transaction)."""
    with app.app_context():
        q = queue()
        SimpleWorker([q], connection=q.connection).work(burst=True)


def url(baseline, path: str = "") -> str:
    return f"/t/{baseline.coop_a.slug}/invoices{path}"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def new_customer(app, baseline, **fields) -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        buyer = customer(**fields)
        db.session.commit()
        return buyer.id


def draft_form(baseline, customer_id: int, extra: dict | None = None) -> dict:
    data = {"member_id": str(baseline.extra["member_a"]), "customer_id": str(customer_id),
            "delivery_date": "02-03-2026", "delivery_end": "", "note": "",
            "lines-0-description": "Fiets gerepareerd", "lines-0-quantity": "1,5", "lines-0-unit_price": "40,00",
            "lines-0-vat_rate": "2100",
            "lines-1-description": "Binnenband", "lines-1-quantity": "2", "lines-1-unit_price": "12,50",
            "lines-1-vat_rate": "900",
            "lines-2-description": "", "lines-2-quantity": "", "lines-2-unit_price": "", "lines-2-vat_rate": "2100"}
    data.update(extra or {})
    return data


def invoice_count(app, baseline) -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return db.session.scalar(select(func.count()).select_from(Invoice))


def test_draft_issue_pdf_and_mail(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    customer_id = new_customer(app, baseline)
    response = client.post(url(baseline, "/new"), data=draft_form(baseline, customer_id))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    invoice_url = response.headers["Location"]
    page = client.get(invoice_url).get_data(as_text=True)
    assert "Fiets gerepareerd" in page and "€ 85,00" in page  # 60,00 + 25,00, and 12,60 + 2,25 VAT
    assert "€ 99,85" in page
    response = client.post(invoice_url + "/issue")
    assert response.status_code == 302
    invoice_id = int(invoice_url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context(), tenant_context(baseline.coop_a.id):
        invoice = db.session.get(Invoice, (baseline.coop_a.id, invoice_id))
        number, total = invoice.number, invoice.total_cents
        assert invoice.status == "sent" and invoice.pdf_file is None and total == 9985
    assert client.get(invoice_url + "/pdf").status_code == 302  # not rendered yet: back to the page
    work(app)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        invoice = db.session.get(Invoice, (baseline.coop_a.id, invoice_id))
        assert invoice.pdf_file and invoice.mailed_at is not None
        html = document_html(invoice)
    # the HTML that went into the PDF holds every element DOMAIN.md requires
    for text in (number, "12345671", "NL004495445B01", "Coöperatie A", "Markt 1", "Bakkerij De Korenbloem",
                 "02-03-2026", "Fiets gerepareerd", "1,5", "21%", "9%", "€ 60,00", "€ 12,60", "€ 2,25", "€ 99,85"):
        assert text in html, text
    download = client.get(invoice_url + "/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    # the mail to the customer carries the PDF
    mail_folder = Path(app.config["INSTANCE_PATH"]) / "mail"
    messages = [email.message_from_bytes(p.read_bytes()) for p in sorted(mail_folder.glob("*.eml"))]
    mine = [m for m in messages if m["To"] == "boekhouding@korenbloem.example.org" and number in m["Subject"]]
    assert mine, [m["Subject"] for m in messages]
    attachments = [part for part in mine[-1].walk() if part.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert attachments[0].get_filename() == f"factuur-{number}.pdf"


def test_kor_invoice_says_it_is_exempt(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    response = client.post(url(baseline, "/settings"), data={"kor": "y", "payment_term_days": "14",
                                                            "reminder_after_days": "7"})
    assert response.status_code == 302
    customer_id = new_customer(app, baseline)
    response = client.post(url(baseline, "/new"), data=draft_form(baseline, customer_id))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "VAT exempt (KOR)" in page and "€ 85,00" in page and "€ 12,60" not in page


def test_settings_show_turnover_and_warn_past_the_kor_limit(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    assert "kor-warning" not in client.get(url(baseline, "/settings")).get_data(as_text=True)
    customer_id = new_customer(app, baseline)
    year = date.today().year
    with app.app_context(), tenant_context(baseline.coop_a.id):
        from koepel.tenants.invoices import turnover
        from tests.invoices.support import line

        before = turnover(year)
        issued(baseline.extra["member_a"], customer_id, [line(price=2_000_001)], on=date(year, 1, 10))
        db.session.commit()
    page = client.get(url(baseline, "/settings")).get_data(as_text=True)
    expected = (before + Money(2_000_001)).format()
    assert 'id="kor-warning"' in page and f'<strong id="turnover">{expected}</strong>' in page


def test_bad_input_shows_the_form_again_and_stores_nothing(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    customer_id = new_customer(app, baseline)
    before = invoice_count(app, baseline)
    for extra, message in [
        ({"lines-0-description": ""}, "Describe what was delivered."),
        ({"lines-0-quantity": "0"}, "The quantity must be more than 0."),
        ({"lines-0-quantity": "veel"}, "Enter a quantity"),
        ({"lines-0-vat_rate": "1900"}, "Not a valid choice"),
        ({"delivery_date": "32-01-2026"}, "Not a valid date"),
        ({"customer_id": "999999"}, "Not a valid choice"),
    ]:
        response = client.post(url(baseline, "/new"), data=draft_form(baseline, customer_id, extra))
        assert response.status_code == 400, extra
        assert message in response.get_data(as_text=True), extra
    assert invoice_count(app, baseline) == before


def test_an_issued_invoice_cannot_be_edited_and_is_credited(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    invoice_id = baseline.extra["invoice_a"]
    edit = client.post(url(baseline, f"/{invoice_id}/edit"), data={"note": "changed"})
    assert edit.status_code == 302
    assert client.post(url(baseline, f"/{invoice_id}/issue")).status_code == 400
    refused = client.post(url(baseline, f"/{invoice_id}/credit"), data={"reason": ""})
    assert refused.status_code == 400 and "Say why the invoice is credited." in refused.get_data(as_text=True)
    response = client.post(url(baseline, f"/{invoice_id}/credit"), data={"reason": "Wrong customer"})
    assert response.status_code == 302
    note_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Credit note" in note_page and "-€ 54,45" in note_page  # the baseline's 45,00 + 21%
    again = client.post(url(baseline, f"/{invoice_id}/credit"), data={"reason": "again"})
    assert again.status_code == 400 and "already been credited" in again.get_data(as_text=True)


def test_a_draft_is_deleted_only_when_confirmed(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    customer_id = new_customer(app, baseline)
    invoice_url = client.post(url(baseline, "/new"), data=draft_form(baseline, customer_id)).headers["Location"]
    before = invoice_count(app, baseline)
    assert client.post(invoice_url + "/delete").status_code == 400
    assert invoice_count(app, baseline) == before
    assert client.post(invoice_url + "/delete", data={"confirm": "y"}).status_code == 302
    assert invoice_count(app, baseline) == before - 1


def test_customers_pages_validate_the_btw_id(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    data = {"name": "Garage Van Dam", "is_business": "y", "street": "Laan 3", "postal_code": "2612ab", "city": "Delft",
            "country": "nl", "email": "", "kvk_number": "", "vat_number": "NL123456789B02"}
    refused = client.post(url(baseline, "/customers/new"), data=data)
    assert refused.status_code == 400 and "not a valid Dutch VAT number" in refused.get_data(as_text=True)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(Customer).where(Customer.name == "Garage Van Dam")) is None
    assert client.post(url(baseline, "/customers/new"), data={**data, "vat_number": "NL004495445B01"}).status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        saved = db.session.scalar(select(Customer).where(Customer.name == "Garage Van Dam"))
        assert (saved.postal_code, saved.country, saved.vat_number) == ("2612 AB", "NL", "NL004495445B01")
    assert "Garage Van Dam" in client.get(url(baseline, "/customers/")).get_data(as_text=True)


def test_reminders_for_overdue_invoices(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    today = date.today()
    with app.app_context(), tenant_context(baseline.coop_a.id):
        with_mail = issued(baseline.extra["member_a"], customer(email="late@payer.example.org").id,
                           on=today - timedelta(days=40))  # due 10 days ago
        recent = issued(baseline.extra["member_a"], customer("Recent", email="recent@payer.example.org").id,
                        on=today - timedelta(days=33))  # due 3 days ago: overdue, no reminder yet
        no_mail = issued(baseline.extra["member_a"], customer("Zonder Mail", email="").id,
                         on=today - timedelta(days=40))
        ids = with_mail.id, recent.id, no_mail.id
        numbers = with_mail.number, recent.number, no_mail.number
        db.session.commit()
    page = client.get(url(baseline, "/reminders")).get_data(as_text=True)
    assert all(f"overdue-{i}" in page for i in ids)
    listing = client.get(url(baseline, "/?status=overdue")).get_data(as_text=True)
    assert all(n in listing for n in numbers)
    response = client.post(url(baseline, "/reminders"))
    assert response.status_code == 302
    reminders = [m for m in queued_mails(app) if "Reminder" in m["subject"] or "Herinnering" in m["subject"]]
    assert [m["to"] for m in reminders if numbers[0] in m["subject"]] == ["late@payer.example.org"]
    assert not [m for m in reminders if numbers[1] in m["subject"]]
    with app.app_context(), tenant_context(baseline.coop_a.id):
        reminded = db.session.get(Invoice, (baseline.coop_a.id, ids[0]))
        assert reminded.reminder_count == 1 and reminded.last_reminded_at is not None
        assert db.session.get(Invoice, (baseline.coop_a.id, ids[2])).reminder_count == 0
    assert "Zonder Mail" in page
    # sent again at once: nothing new (reminded in the last 7 days)
    client.post(url(baseline, "/reminders"))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.get(Invoice, (baseline.coop_a.id, ids[0])).reminder_count == 1


def test_another_cooperatives_invoice_and_customer_are_404(baseline, as_user):
    client = as_user(baseline.coordinator_b)
    for path in (f"/{baseline.extra['invoice_a']}", f"/{baseline.extra['invoice_a']}/pdf",
                 f"/customers/{baseline.extra['customer_a']}/edit"):
        assert client.get(f"/t/{baseline.coop_b.slug}/invoices{path}").status_code == 404, path
    assert client.post(f"/t/{baseline.coop_b.slug}/invoices/{baseline.extra['invoice_a']}/credit",
                       data={"reason": "x"}).status_code == 404
    own = client.get(f"/t/{baseline.coop_b.slug}/invoices/{baseline.extra['invoice_b']}")
    assert own.status_code == 200 and "Baseline Customer B" in own.get_data(as_text=True)


def test_coaches_and_members_have_no_invoice_pages(baseline, as_user):
    assert as_user(baseline.member_a).get(url(baseline, "/")).status_code == 403
    assert re.search(r"40[34]", str(as_user(baseline.coach_ab).get(url(baseline, "/")).status_code))

