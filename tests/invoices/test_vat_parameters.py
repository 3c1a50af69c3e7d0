"""The VAT rates and the KOR limit come from the platform parameters, for the invoice's
date (its issue date, today for a draft); a rate stored on a line stays what it was."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.parameters import do_set_parameter
from koepel.platform.tenancy import tenant_context
from koepel.tenants.invoices import (
    Invoice,
    InvoiceError,
    do_credit,
    do_issue,
    do_update_draft,
    kor_limit_on,
    turnover,
    vat_rates_on,
)
from koepel.tenants.invoices.queries import document, kor_warning
from tests.invoices.support import customer, draft, issued, line
from tests.invoices.test_pages import draft_form, english, new_customer, url

NEW_YEAR = date(2027, 1, 1)  # the general rate becomes 22% from here (a future period)
OLD_YEAR_END = NEW_YEAR - timedelta(days=1)


@pytest.fixture
def coop_a(db_session, baseline):
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        yield baseline.extra["member_a"]


def set_parameter(name: str, valid_from: date, value: int) -> None:
    do_set_parameter(name, valid_from, value, "test: a changed rule", None)


def message(refused) -> str:
    """A refusal's (lazy) message, as shown in English."""
    with current_app.test_request_context(), force_locale("en"):
        return str(refused.value)


def invoice_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Invoice))


def test_a_future_general_rate_changes_the_choices_of_invoices_dated_in_its_period_only(coop_a):
    set_parameter("vat.general", NEW_YEAR, 2200)
    assert vat_rates_on(OLD_YEAR_END) == (2100, 900, 0)
    assert vat_rates_on(NEW_YEAR) == (2200, 900, 0)
    buyer = customer()

    # A draft dated before the change: 21% as before, 22% refused (and nothing stored).
    before = draft(coop_a, buyer.id, [line(rate=2100)], today=OLD_YEAR_END)
    assert [line_.vat_rate_bp for line_ in before.lines] == [2100]
    db.session.commit()  # the test's transaction keeps it; a refusal rolls back to here
    count = invoice_count()
    with pytest.raises(InvoiceError) as refused:
        draft(coop_a, buyer.id, [line(rate=2200)], today=OLD_YEAR_END)
    assert refused.value.field == "lines-0-vat_rate"
    assert message(refused) == "Choose a VAT rate that applies on 31-12-2026: 21%, 9%, 0%."
    db.session.rollback()
    assert invoice_count() == count

    # A draft dated in the new period: 22% with its VAT, 21% refused.
    after = draft(coop_a, buyer.id, [line(price=10000, rate=2200)], today=NEW_YEAR)
    assert (after.net_cents, after.vat_cents, after.total_cents) == (10000, 2200, 12200)
    db.session.commit()
    with pytest.raises(InvoiceError) as refused:
        do_update_draft(after, member_id=coop_a, customer_id=buyer.id, delivery_date=NEW_YEAR,
                        lines=[line(rate=2100)], actor_id=None, today=NEW_YEAR)
    assert refused.value.field == "lines-0-vat_rate"
    assert message(refused) == "Choose a VAT rate that applies on 01-01-2027: 22%, 9%, 0%."
    db.session.rollback()
    after = db.session.get(Invoice, (after.tenant_id, after.id))
    assert [line_.vat_rate_bp for line_ in after.lines] == [2200]  # unchanged by the refusal

    # Issued in the new year, the 22% draft is an invoice at 22%.
    invoice = do_issue(after, today=NEW_YEAR, actor_id=None)
    assert invoice.number == "2027-0001" and invoice.vat_cents == 2200


def test_a_draft_with_a_rate_that_no_longer_applies_is_not_issued(coop_a):
    set_parameter("vat.general", NEW_YEAR, 2200)
    old = draft(coop_a, customer().id, [line(rate=2100)], today=OLD_YEAR_END)
    db.session.commit()
    with pytest.raises(InvoiceError) as refused:
        do_issue(old, today=NEW_YEAR, actor_id=None)
    assert message(refused).startswith("Line 1 has a VAT rate of 21%, which does not apply on 01-01-2027")
    db.session.rollback()
    old = db.session.get(Invoice, (old.tenant_id, old.id))
    assert old.status == "draft" and old.number is None and old.lines[0].vat_rate_bp == 2100


def test_an_issued_invoice_keeps_its_rates_when_a_parameter_changes(coop_a):
    invoice = issued(coop_a, customer().id, [line(price=10000, rate=2100), line(price=5000, rate=900)])
    frozen = (invoice.net_cents, invoice.vat_cents, invoice.total_cents)
    assert frozen == (15000, 2550, 17550)
    set_parameter("vat.general", NEW_YEAR, 2200)
    set_parameter("vat.reduced", NEW_YEAR, 1000)
    db.session.expire_all()
    invoice = db.session.get(Invoice, (invoice.tenant_id, invoice.id))
    assert [line_.vat_rate_bp for line_ in invoice.lines] == [2100, 900]
    assert (invoice.net_cents, invoice.vat_cents, invoice.total_cents) == frozen
    assert [(r.rate_bp, r.vat.cents) for r in document(invoice).totals.rates] == [(2100, 2100), (900, 450)]
    # Its credit note, made in the new year, mirrors the rates it was invoiced at.
    note = do_credit(invoice, reason="wrong customer", today=NEW_YEAR, actor_id=None)
    assert [line_.vat_rate_bp for line_ in note.lines] == [2100, 900]
    assert (note.net_cents, note.vat_cents, note.total_cents) == tuple(-cents for cents in frozen)


def test_without_any_vat_rate_on_the_day_a_draft_is_refused_with_a_reason(coop_a):
    # No period covers a day before the first one (2019): nothing can be invoiced then.
    with pytest.raises(InvoiceError) as refused:
        draft(coop_a, customer().id, today=date(2018, 12, 31))
    assert message(refused).startswith("No VAT rates are known for 31-12-2018")
    db.session.rollback()


def test_the_kor_limit_is_the_parameter_of_the_day(coop_a):
    today = amsterdam_today()
    assert kor_limit_on(today) == Money(2_000_000)
    set_parameter("kor.turnover_limit", NEW_YEAR, 2_500_000)
    assert kor_limit_on(OLD_YEAR_END) == Money(2_000_000) and kor_limit_on(NEW_YEAR) == Money(2_500_000)
    # The warning follows the limit of the day asked for.
    issued(coop_a, customer().id, [line(price=2_100_000, rate=2100)], on=NEW_YEAR)
    assert turnover(NEW_YEAR.year) == Money(2_100_000)
    assert not kor_warning(NEW_YEAR)
    set_parameter("kor.turnover_limit", date(2027, 7, 1), 2_000_000)
    assert kor_warning(date(2027, 7, 1)) and not kor_warning(date(2027, 6, 30))


# --- the pages ---------------------------------------------------------------------------


def rate_options(page: str, row: int) -> list[str]:
    select_ = re.search(rf'<select[^>]*name="lines-{row}-vat_rate"[^>]*>(.*?)</select>', page, re.S)
    assert select_, f"no VAT select for row {row}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_.group(1))


def set_from_today(app, baseline, name: str, value: int) -> None:
    with app.app_context(), tenant_context(baseline.umbrella.id):
        do_set_parameter(name, amsterdam_today(), value, "test: a changed rule", None)
        db.session.commit()


def test_the_form_offers_the_rates_of_today_and_an_issued_invoice_keeps_its_own(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    customer_id = new_customer(app, baseline)
    assert rate_options(client.get(url(baseline, "/new")).get_data(as_text=True), 0) == ["21%", "9%", "0%"]
    with app.app_context(), tenant_context(baseline.coop_a.id):
        old_issued = issued(baseline.extra["member_a"], customer_id, [line(price=10000, rate=2100)]).id
        old_draft = draft(baseline.extra["member_a"], customer_id, [line(price=10000, rate=2100)]).id
        db.session.commit()

    set_from_today(app, baseline, "vat.general", 2200)
    assert rate_options(client.get(url(baseline, "/new")).get_data(as_text=True), 0) == ["22%", "9%", "0%"]
    # A new draft at 22%.
    response = client.post(url(baseline, "/new"), data=draft_form(baseline, customer_id, {"lines-0-vat_rate": "2200",
                                                                                    "lines-2-vat_rate": "2200"}))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "22%" in page and "€ 13,20" in page  # 1,5 x 40,00 = 60,00 at 22%
    # The issued invoice is what it was.
    page = client.get(url(baseline, f"/{old_issued}")).get_data(as_text=True)
    assert "€ 21,00" in page and "22%" not in page
    # The old draft shows its 21% as no longer valid, and saving it is refused with the reason.
    today = amsterdam_today().strftime("%d-%m-%Y")
    page = client.get(url(baseline, f"/{old_draft}/edit")).get_data(as_text=True)
    assert rate_options(page, 0) == ["22%", "9%", "0%", f"21% (does not apply on {today})"]
    assert re.search(r'<option selected value="2100">|<option value="2100" selected>', page)
    response = client.post(url(baseline, f"/{old_draft}/edit"), data=draft_form(baseline, customer_id))
    assert response.status_code == 400
    assert f"Choose a VAT rate that applies on {today}: 22%, 9%, 0%." in response.get_data(as_text=True)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        kept = db.session.get(Invoice, (baseline.coop_a.id, old_draft))
        assert [(line_.vat_rate_bp, line_.unit_price_cents) for line_ in kept.lines] == [(2100, 10000)]


def test_the_settings_page_warns_by_the_kor_limit_parameter(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    year = amsterdam_today().year
    with app.app_context(), tenant_context(baseline.coop_a.id):
        earned = turnover(year)
    assert earned > Money(0), "the baseline has turnover this year"
    page = client.get(url(baseline, "/settings")).get_data(as_text=True)
    assert "kor-warning" not in page and "€ 20.000,00" in page
    lower = earned.cents - 1
    set_from_today(app, baseline, "kor.turnover_limit", lower)
    page = client.get(url(baseline, "/settings")).get_data(as_text=True)
    assert 'id="kor-warning"' in page and Money(lower).format() in page and "€ 20.000,00" not in page
