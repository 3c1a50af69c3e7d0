"""The settlement pages of both sides, as their people use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.settlements import Settlement, do_close_month
from tests.conftest import person_with_role, sign_in
from tests.settlements.support import earn, make_world

LAST_MONTH = (amsterdam_today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def world(app):
    """Made in an app context of its own: requests must not share one (nor its `g`)."""
    with app.app_context():
        made = make_world(members={"Anna": date(1980, 5, 1)})
        earn(made, "Anna", LAST_MONTH.replace(day=10), 900_00)
        db.session.commit()
    return made


def signed_in(app, tenant_id, role, tag):
    with app.app_context():
        person = person_with_role(tenant_id, role, f"{tag}-{role}-{tenant_id}@test.example.org")
    client = app.test_client()
    sign_in(client, person)
    client.post("/language", data={"lang": "en"})
    return client


def settlement_id(app, world) -> int | None:
    with app.app_context(), tenant_context(world.cooperative_id):
        return db.session.scalar(select(Settlement.id))


def test_the_cooperative_previews_and_closes_last_month_once(app, world):
    client = signed_in(app, world.cooperative_id, "treasurer", "close")
    base = f"/t/{world.cooperative_slug}/settlements"
    page = client.get(base + "/")
    assert page.status_code == 200
    assert 'id="close-preview"' in page.text and "€ 900,00" in page.text and "€ 100,00" in page.text
    month = LAST_MONTH.isoformat()
    response = client.post(base + "/close", data={"month": month})
    assert response.status_code == 302
    assert client.post(base + "/close", data={"month": month}).status_code == 409  # the second click
    assert client.post(base + "/close", data={"month": "not-a-month"}).status_code == 400
    with app.app_context(), tenant_context(world.cooperative_id):
        assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1
    listed = client.get(base + "/")
    assert f'id="settlement-{settlement_id(app, world)}"' in listed.text and 'data-owed-status="owed"' in listed.text


def test_the_municipality_processes_and_claims_and_the_cooperative_pays(app, world):
    with app.app_context(), tenant_context(world.cooperative_id):
        do_close_month(LAST_MONTH, actor_id=None)
        db.session.commit()
    number = settlement_id(app, world)
    town = f"/t/{world.municipality_slug}/settlements/{number}"
    manager = signed_in(app, world.municipality_id, "client_manager", "steps")
    page = manager.get(town)
    assert page.status_code == 200 and 'id="line-' in page.text and "Anna" in page.text
    assert manager.post(town + "/claim", data={"reference": "F-1", "iban": "NL02ABNA0123456789"}).status_code == 403
    assert manager.post(town + "/process").status_code == 302
    finance = signed_in(app, world.municipality_id, "finance", "steps")
    bad = finance.post(town + "/claim", data={"reference": "F-1", "iban": "NL00"})
    assert bad.status_code == 400 and "not a valid IBAN" in bad.text
    assert finance.post(town + "/claim", data={"reference": "F-2026-12", "iban": "NL02ABNA0123456789"}).status_code == 302
    csv = finance.get(town + "/lines.csv")
    assert csv.status_code == 200 and "Anna" in csv.text and "900,00" in csv.text
    treasurer = signed_in(app, world.cooperative_id, "treasurer", "steps")
    own = f"/t/{world.cooperative_slug}/settlements/{number}"
    assert treasurer.get(own + "/sepa.xml").status_code == 404  # not made yet
    assert treasurer.post(own + "/pay", data={"execution_date": "2000-01-01"}).status_code == 400
    assert treasurer.post(own + "/pay", data={"execution_date": amsterdam_today().isoformat()}).status_code == 302
    sepa = treasurer.get(own + "/sepa.xml")
    assert sepa.status_code == 200 and f"SETTLE-{world.cooperative_id}-{number}" in sepa.text
    with app.app_context(), tenant_context(world.municipality_id):
        theirs = db.session.get(Settlement, (world.municipality_id, number))
        assert (theirs.status, theirs.owed_status, theirs.claim_reference) == ("processed", "paying", "F-2026-12")
    # A municipality has no close or pay; a cooperative neither processes nor claims.
    assert manager.post(f"/t/{world.municipality_slug}/settlements/close", data={}).status_code == 404
    assert treasurer.post(own + "/process").status_code == 404
