"""The funding pages for each side and role: the periods, budget against actual, opening
a period, recording and withdrawing, the exports; bad input and another tenant's objects."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.tenants.funding import FundingPeriod, FundingRecord
from tests.conftest import person_with_role
from tests.funding.conftest import english, in_tenant


def url(slug, suffix=""):
    return f"/t/{slug}/funding/{suffix}"


def period_url(slug, period_id, suffix=""):
    return url(slug, f"periods/{period_id}{suffix}")


def count(app, tenant_id, model):
    with in_tenant(app, tenant_id) as session:
        return session.scalar(select(func.count()).select_from(model))


def request_key(html):
    return re.search(r'name="request_key" type="hidden" value="([^"]+)"', html)[1]


def test_both_sides_see_the_period_with_budget_against_actual(app, baseline, coordinator_a, advisor):
    period_id = baseline.extra["funding_period_am"]
    for client, slug in ((coordinator_a, baseline.coop_a.slug), (advisor, baseline.municipality.slug)):
        index = client.get(url(slug))
        assert index.status_code == 200
        assert f'id="period-{period_id}"' in index.get_data(as_text=True)
        page = client.get(period_url(slug, period_id))
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Intake meetings and the weekly member meeting" in html
        assert 'id="month-total"' in html and "<svg" in html
        # The baseline's 2,5 hours, this month.
        month = amsterdam_today().strftime("%Y-%m")
        row = re.search(rf'<tr id="month-{month}">.*?</tr>', html, re.S)[0]
        assert '<td class="hours-recorded">2,5</td>' in row
    coop_page = coordinator_a.get(period_url(baseline.coop_a.slug, period_id)).get_data(as_text=True)
    municipality_page = advisor.get(period_url(baseline.municipality.slug, period_id)).get_data(as_text=True)
    assert "Record coordination hours" in coop_page and "Record coordination hours" not in municipality_page
    assert "Save the subsidy granted" in municipality_page and "Save the subsidy granted" not in coop_page


def test_the_municipality_opens_a_period_and_bad_input_changes_nothing(app, baseline, advisor):
    slug, m = baseline.municipality.slug, baseline.municipality.id
    assert advisor.get(url(slug, "periods/new")).status_code == 200
    before = count(app, m, FundingPeriod)
    year = amsterdam_today().year + 1
    agreement = str(baseline.extra["agreement_am"])
    for data, message in [
        ({"agreement_id": "", "first_month": f"{year}-01", "last_month": f"{year}-12"}, "Choose the agreement"),
        ({"agreement_id": agreement, "first_month": "januari", "last_month": f"{year}-12"}, "Not a valid"),
        ({"agreement_id": agreement, "first_month": f"{year}-06", "last_month": f"{year}-01"},
         "The last month comes on or after the first."),
        ({"agreement_id": agreement, "first_month": f"{year}-01", "last_month": f"{year}-12", "granted": "veel"},
         "Enter an amount in euros"),
        ({"agreement_id": str(baseline.extra["agreement_bn"]), "first_month": f"{year}-01",
          "last_month": f"{year}-12"}, "Choose the agreement"),
    ]:
        response = advisor.post(url(slug, "periods/new"), data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert count(app, m, FundingPeriod) == before
    response = advisor.post(url(slug, "periods/new"), data={
        "agreement_id": agreement, "first_month": f"{year}-01", "last_month": f"{year}-12", "granted": "45.000,00"})
    assert response.status_code == 302
    period_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with in_tenant(app, baseline.coop_a.id) as session:
        copy = session.scalar(select(FundingPeriod).where(FundingPeriod.id == period_id))
        assert (copy.granted_cents, copy.side) == (45_000_00, "cooperative")
    response = advisor.post(period_url(slug, period_id, "/granted"), data={"granted": "abc"})
    assert response.status_code == 400
    response = advisor.post(period_url(slug, period_id, "/granted"), data={"granted": "40.000,50"})
    assert response.status_code == 302
    with in_tenant(app, baseline.coop_a.id) as session:
        assert session.scalar(select(FundingPeriod.granted_cents).where(FundingPeriod.id == period_id)) == 40_000_50


def test_the_cooperative_records_and_withdraws_and_the_municipality_sees_it(app, baseline, coordinator_a, advisor):
    slug, period_id = baseline.coop_a.slug, baseline.extra["funding_period_am"]
    a, m = baseline.coop_a.id, baseline.municipality.id
    today = amsterdam_today()
    page = coordinator_a.get(period_url(slug, period_id)).get_data(as_text=True)
    keys = re.findall(r'name="request_key" type="hidden" value="([^"]+)"', page)
    assert len(keys) == 2 and keys[0] != keys[1]
    before = count(app, a, FundingRecord)
    for data, message in [
        ({"on_date": today.isoformat(), "hours": "twee", "description": "x", "done_by": "y"}, "Enter a number of hours"),
        ({"on_date": f"{today.year - 1}-12-31", "hours": "2", "description": "x", "done_by": "y"},
         "Choose a date within the period"),
        ({"on_date": today.isoformat(), "hours": "2", "description": "", "done_by": "y"}, "Say what was done."),
    ]:
        response = coordinator_a.post(period_url(slug, period_id, "/hours"), data={**data, "request_key": keys[0]})
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert count(app, a, FundingRecord) == before
    data = {"on_date": today.isoformat(), "hours": "1,5", "description": "Coaching in bookkeeping",
            "done_by": "J. Jansen", "request_key": keys[0]}
    assert coordinator_a.post(period_url(slug, period_id, "/hours"), data=data).status_code == 302
    assert coordinator_a.post(period_url(slug, period_id, "/hours"), data=data).status_code == 302  # sent twice
    response = coordinator_a.post(period_url(slug, period_id, "/housing"), data={
        "month": today.strftime("%Y-%m"), "amount": "612,40", "description": "Rent of the meeting room",
        "request_key": keys[1]})
    assert response.status_code == 302
    assert count(app, a, FundingRecord) == count(app, m, FundingRecord) == before + 2
    with in_tenant(app, m) as session:
        housing_id = session.scalar(select(FundingRecord.id).where(FundingRecord.kind == "housing"))
    withdraw = period_url(slug, period_id, f"/records/{housing_id}/withdraw")
    assert coordinator_a.post(withdraw, data={"reason": ""}).status_code == 400
    assert coordinator_a.post(withdraw, data={"reason": "Paid by the landlord's discount"}).status_code == 302
    html = advisor.get(period_url(baseline.municipality.slug, period_id)).get_data(as_text=True)
    assert "Coaching in bookkeeping" in html and "J. Jansen" in html
    assert "Paid by the landlord&#39;s discount" in html
    assert re.search(rf'<tr id="record-{housing_id}" data-withdrawn="true">', html)
    month = re.search(rf'<tr id="month-{today:%Y-%m}">.*?</tr>', html, re.S)[0]
    assert '<td class="hours-recorded">4</td>' in month  # 2,5 + 1,5; recorded once
    assert '<td class="housing-paid">€ 0,00</td>' in month  # withdrawn: no longer counts


def test_over_and_under_budget_are_shown(app, baseline, coordinator_a):
    html = coordinator_a.get(period_url(baseline.coop_a.slug, baseline.extra["funding_period_am"])) \
        .get_data(as_text=True)
    total = re.search(r'<tr id="month-total">.*?</tr>', html, re.S)[0]
    # 2,5 hours recorded against a year's budget: under; nothing paid for housing: under.
    assert total.count('data-sign="under"') == 2 and "under budget" in total


def test_the_exports_can_be_read_on_both_sides(app, baseline, coordinator_a, advisor):
    period_id = baseline.extra["funding_period_am"]
    for client, slug in ((coordinator_a, baseline.coop_a.slug), (advisor, baseline.municipality.slug)):
        response = client.get(period_url(slug, period_id, "/verantwoording.xlsx"))
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        workbook = load_workbook(io.BytesIO(response.data))
        assert workbook.sheetnames == ["Summary", "Per month", "Hours", "Housing"]
        summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
        assert summary["Municipality"] == "Gemeente M" and summary["Cooperative"] == "Coöperatie A"
        assert float(summary["Coordination hours recorded"]) == 2.5
        hours = list(workbook["Hours"].iter_rows(values_only=True))
        assert hours[1][2] == "Intake meetings and the weekly member meeting" and float(hours[1][1]) == 2.5
        per_month = list(workbook["Per month"].iter_rows(values_only=True))
        assert len(per_month) == 1 + 12 + 1 and per_month[-1][0] == "Total"
        text = client.get(period_url(slug, period_id, "/verantwoording.csv")).data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0][:3] == ["Month", "Hours budgeted", "Hours recorded"]
        assert len(rows) == 14 and rows[-1][0] == "Total" and rows[-1][2] == "2,5"


def test_roles(app, baseline, as_user):
    m, a = baseline.municipality.id, baseline.coop_a.id
    period_id = baseline.extra["funding_period_am"]
    with app.app_context():
        coach = person_with_role(a, "coach", "funding-coach@test.example.org")
        treasurer = person_with_role(a, "treasurer", "funding-treasurer@test.example.org")
        finance = person_with_role(m, "finance", "funding-finance@test.example.org")
    client_manager = english(as_user(baseline.client_manager))
    assert client_manager.get(url(baseline.municipality.slug)).status_code == 403
    assert english(as_user(coach)).get(period_url(baseline.coop_a.slug, period_id)).status_code == 403
    treasurer_client = english(as_user(treasurer))
    assert "Record coordination hours" in treasurer_client.get(period_url(baseline.coop_a.slug, period_id)) \
        .get_data(as_text=True)
    assert english(as_user(finance)).get(url(baseline.municipality.slug, "periods/new")).status_code == 200


def test_another_tenants_period_and_record_are_not_found(app, baseline, as_user, official_b, advisor):
    period_am, record_am = baseline.extra["funding_period_am"], baseline.extra["funding_record_am"]
    coordinator_b = english(as_user(baseline.coordinator_b))
    slug_b = baseline.coop_b.slug
    for path in ("", "/verantwoording.xlsx", "/verantwoording.csv"):
        assert coordinator_b.get(period_url(slug_b, period_am, path)).status_code == 404
        assert official_b.get(period_url(baseline.municipality_b.slug, period_am, path)).status_code == 404
    assert coordinator_b.post(period_url(slug_b, period_am, "/hours"), data={}).status_code == 404
    assert coordinator_b.post(period_url(slug_b, period_am, f"/records/{record_am}/withdraw"),
                              data={"reason": "x"}).status_code == 404
    assert official_b.post(period_url(baseline.municipality_b.slug, period_am, "/granted"),
                           data={"granted": "1"}).status_code == 404
    # B's record under A's own period: not A's record.
    coordinator_a = english(as_user(baseline.coordinator_a))
    assert coordinator_a.post(period_url(baseline.coop_a.slug, period_am,
                                         f"/records/{baseline.extra['funding_record_bn']}/withdraw"),
                              data={"reason": "x"}).status_code == 404
    # A cooperative's step does not exist in a municipality, nor the other way round.
    assert advisor.post(period_url(baseline.municipality.slug, period_am, "/hours"), data={}).status_code == 404
    assert coordinator_a.get(url(baseline.coop_a.slug, "periods/new")).status_code == 404
    with in_tenant(app, baseline.coop_b.id) as session:
        assert session.scalar(select(FundingRecord).where(FundingRecord.withdrawn_at.is_not(None))) is None
