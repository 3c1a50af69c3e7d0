"""The parameters pages in the umbrella's administration: staff read, administrators set
a new value, bad input shows the form again and changes nothing, other tenants see 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from koepel.platform.dates import amsterdam_today
from koepel.platform.parameters import history, value_on
from tests.conftest import person_with_role

CAP = "vrijlating.general.max_monthly"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


@pytest.fixture
def urls(baseline):
    base = f"/t/{baseline.umbrella.slug}/admin/parameters"
    return {"index": f"{base}/", "cap": f"{base}/{CAP}", "vat": f"{base}/vat.general", "base": base}


@pytest.fixture
def staff(app, baseline):
    with app.app_context():
        return person_with_role(baseline.umbrella.id, "umbrella_staff", "parameters-staff@test.example.org")


def periods(app, name: str) -> list[tuple]:
    with app.app_context():
        return [(p.valid_from, p.valid_until, p.value, p.note) for p in history(name)]


def test_staff_read_the_grouped_list_with_todays_values(as_user, staff, urls):
    page = english(as_user(staff)).get(urls["index"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for heading in ("Income disregard", "Volunteer allowance", "Social assistance norms", "VAT rates",
                    "Small-business scheme"):
        assert heading in html
    assert 'id="parameter-vrijlating-general-max_monthly"' in html
    row = html.split('id="parameter-vrijlating-general-max_monthly"')[1].split("</tr>")[0]
    assert "€ 264,00" in row and "01-01-2024" in row
    assert f'href="{urls["cap"]}"' in row
    vat = html.split('id="parameter-vat-general"')[1].split("</tr>")[0]
    assert "21%" in vat
    months = html.split('id="parameter-vrijlating-single_parent-max_months"')[1].split("</tr>")[0]
    assert "30 months" in months


def test_the_list_is_dutch_first(as_user, staff, urls):
    html = as_user(staff).get(urls["index"]).get_data(as_text=True)
    assert "€ 264,00" in html
    assert "12,5%" in html  # a Dutch decimal comma


def test_staff_read_the_history_but_get_no_form_and_may_not_post(as_user, staff, urls):
    client = english(as_user(staff))
    html = client.get(urls["cap"]).get_data(as_text=True)
    assert "€ 199,00" in html and "€ 264,00" in html
    assert "31-12-2023" in html  # the old cap's last day (the stored end is exclusive)
    assert "until further notice" in html
    assert 'name="valid_from"' not in html
    response = client.post(urls["cap"], data={"valid_from": "2099-01-01", "value": "300", "note": "x"})
    assert response.status_code == 403


def test_an_administrator_sets_a_new_value_from_a_date(app, as_user, baseline, urls):
    client = english(as_user(baseline.umbrella_admin))
    assert 'name="valid_from"' in client.get(urls["cap"]).get_data(as_text=True)
    start = amsterdam_today() + timedelta(days=40)
    response = client.post(urls["cap"], data={"valid_from": start.strftime("%d-%m-%Y"), "value": "275,50",
                                              "note": "Staatscourant 2027"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/parameters/{CAP}")
    page = client.get(urls["cap"]).get_data(as_text=True)
    assert "€ 275,50" in page and start.strftime("%d-%m-%Y") in page and "planned" in page
    assert "Staatscourant 2027" in page
    assert periods(app, CAP)[-2:] == [
        (date(2024, 1, 1), start, 26400, periods(app, CAP)[-2][3]),
        (start, None, 27550, "Staatscourant 2027"),
    ]
    with app.app_context():
        assert value_on(CAP, start) == 27550


def test_a_percentage_is_typed_in_percent(app, as_user, baseline, urls):
    client = as_user(baseline.umbrella_admin)
    start = amsterdam_today() + timedelta(days=3)
    response = client.post(urls["vat"], data={"valid_from": start.isoformat(), "value": "21,5", "note": "Belastingplan"})
    assert response.status_code == 302
    with app.app_context():
        assert value_on("vat.general", start) == 2150


@pytest.mark.parametrize(("data", "message"), [
    ({"valid_from": "", "value": "300", "note": "x"}, "Enter the date."),
    ({"valid_from": "31-02-2030", "value": "300", "note": "x"}, "Enter a date as dd-mm-yyyy."),
    ({"valid_from": "01-01-2099", "value": "drie", "note": "x"}, "Enter an amount in euros"),
    ({"valid_from": "01-01-2099", "value": "-3", "note": "x"}, "The value cannot be negative."),
    ({"valid_from": "01-01-2099", "value": "300", "note": ""}, "Say where the value comes from"),
    ({"valid_from": "01-01-2030", "value": "264", "note": "same"}, "This value already applies on that date."),
    ({"valid_from": "01-01-2024", "value": "300", "note": "x"}, "cannot be changed afterwards"),
    ({}, "Enter the value."),
])
def test_bad_input_shows_the_form_again_and_changes_nothing(app, as_user, baseline, urls, data, message):
    before = periods(app, CAP)
    client = english(as_user(baseline.umbrella_admin))
    response = client.post(urls["cap"], data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="field-error"' in html
    assert periods(app, CAP) == before


def test_a_bad_percentage_is_refused(app, as_user, baseline, urls):
    client = english(as_user(baseline.umbrella_admin))
    for value, message in (("101", "at most 100%"), ("12,345", "at most two decimals")):
        response = client.post(urls["vat"], data={"valid_from": "01-01-2099", "value": value, "note": "x"})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert [p.value for p in history("vat.general")] == [2100]


def test_an_unknown_parameter_is_not_found(as_user, baseline, urls):
    client = as_user(baseline.umbrella_admin)
    assert client.get(f"{urls['base']}/vat.nothing").status_code == 404
    assert client.post(f"{urls['base']}/vat.nothing", data={"valid_from": "01-01-2099", "value": "1",
                                                           "note": "x"}).status_code == 404


def test_other_tenants_get_404(as_user, baseline, urls):
    """Not under the umbrella's slug (no role there), nor under their own (no such pages)."""
    for person, slug in ((baseline.coordinator_a, baseline.coop_a.slug),
                         (baseline.official_b, baseline.municipality_b.slug)):
        client = as_user(person)
        assert client.get(urls["index"]).status_code == 404
        assert client.get(urls["cap"]).status_code == 404
        assert client.post(urls["cap"], data={"valid_from": "01-01-2099", "value": "1", "note": "x"}).status_code == 404
        assert client.get(f"/t/{slug}/admin/parameters/").status_code == 404
        assert client.get(f"/t/{slug}/admin/parameters/{CAP}").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, urls):
    response = client.get(urls["index"])
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
