"""Audit log pages: filters, pages, CSV export of the filtered view, and the federation's
log for umbrella staff, read only with a stated reason."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlalchemy import select

from koepel.platform.audit import AuditEvent, record
from koepel.platform.db import db, utcnow
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import tenant_context
from tests.platform.test_jobs import work


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


@pytest.fixture
def history(app, baseline):
    """60 rows by member A (30 days ago) and one by coordinator A (today) in tenant A."""
    with app.app_context():
        with tenant_context(baseline.coop_a.id, baseline.member_a.id):
            db.session.add_all(
                AuditEvent(action="test.clicked", actor_user_id=baseline.member_a.id, details={"i": i},
                           occurred_at=utcnow() - timedelta(days=30))
                for i in range(60)
            )
            db.session.flush()
        with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
            record("test.approved")
        with tenant_context(baseline.coop_b.id, baseline.coordinator_b.id):
            record("test.secret_of_b")
        db.session.commit()


def test_filters_by_person_action_and_dates_with_pages(app, baseline, as_user, history):
    client = english(as_user(baseline.coordinator_a))
    base = f"/t/{baseline.coop_a.slug}/audit/"
    by_person = client.get(f"{base}?person={baseline.member_a.id}").get_data(as_text=True)
    assert "60 actions found" in by_person and "Page 1 of 2" in by_person
    page2 = client.get(f"{base}?person={baseline.member_a.id}&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2 and page2.count("<td>test.clicked") == 10
    by_action = client.get(f"{base}?action=test.approved").get_data(as_text=True)
    assert "1 action found" in by_action
    today = utcnow().date()
    recent = client.get(f"{base}?action=test.clicked&date_from={today - timedelta(days=1)}").get_data(as_text=True)
    assert "0 actions found" in recent
    old = client.get(f"{base}?action=test.clicked&date_from={today - timedelta(days=31)}&date_to={today - timedelta(days=29)}")
    assert "60 actions found" in old.get_data(as_text=True)
    assert "test.secret_of_b" not in client.get(base).get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "person=999999", "person=abc", "action=no.such.action", "date_from=gisteren", "page=0", "page=x",
    "date_from=2026-02-01&date_to=2026-01-01",
])
def test_unknown_filters_give_a_message_not_a_500(baseline, as_user, query):
    response = english(as_user(baseline.coordinator_a)).get(f"/t/{baseline.coop_a.slug}/audit/?{query}")
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_the_csv_export_follows_the_filters(app, baseline, as_user, history):
    client = as_user(baseline.coordinator_a)
    response = client.post(f"/t/{baseline.coop_a.slug}/audit/export", data={"person": str(baseline.coordinator_a.id)})
    assert response.status_code == 302
    work(app)
    download = client.get(response.headers["Location"] + "/download")
    rows = list(csv.DictReader(download.get_data(as_text=True).splitlines()))
    assert rows and {r["actor"] for r in rows} == {baseline.coordinator_a.email}
    assert "test.clicked" not in {r["action"] for r in rows}
    bad = client.post(f"/t/{baseline.coop_a.slug}/audit/export", data={"date_from": "morgen"})
    assert bad.status_code == 400


def test_the_federation_log_needs_a_reason_and_records_it(app, baseline, as_user):
    """(The umbrella role reads on its own connection: in the test's rolled-back
    transaction it sees the committed baseline, not rows written by the test.)"""
    client = english(as_user(baseline.umbrella_admin))
    base = f"/t/{baseline.umbrella.slug}/admin/audit"
    assert client.get(base).status_code == 200  # the form only
    no_reason = client.get(f"{base}?tenant={baseline.coop_b.id}")
    assert no_reason.status_code == 400 and "Give the reason" in no_reason.get_data(as_text=True)
    page = client.get(f"{base}?reason=Onderzoek+melding+42&tenant={baseline.coop_b.id}&action=tenant.created")
    rows = page.get_data(as_text=True).split("<tbody>")[-1]
    assert page.status_code == 200 and "1 action found" in page.get_data(as_text=True)
    assert "<td>Coöperatie B</td>" in rows and "Coöperatie A" not in rows
    everyone = client.get(f"{base}?reason=Onderzoek+melding+42&action=tenant.created").get_data(as_text=True)
    assert "7 actions found" in everyone  # the seven baseline tenants
    by_person = client.get(f"{base}?reason=Onderzoek+melding+42&person={baseline.umbrella_admin.email}").get_data(as_text=True)
    assert "Federation audit log: Onderzoek melding 42" in by_person
    assert client.get(f"{base}?reason=Onderzoek&tenant=abc").status_code == 400
    # The looking itself is on record, in the umbrella's log and in B's.
    from koepel.platform.tenancy import umbrella_scope

    with app.app_context(), umbrella_scope("test: check the record") as session:
        reasons = {(e.tenant_id, e.details.get("reason")) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "umbrella.scope_opened"))}
    assert (baseline.umbrella.id, "Federation audit log: Onderzoek melding 42") in reasons
    assert (baseline.coop_b.id, "Federation audit log: Onderzoek melding 42") in reasons


def test_the_federation_export_runs_through_the_umbrella_scope(app, baseline, as_user):
    client = as_user(baseline.umbrella_admin)
    base = f"/t/{baseline.umbrella.slug}/admin/audit/export"
    assert client.post(base, data={"action": "tenant.created"}).status_code == 400  # no reason
    response = client.post(base, data={"action": "tenant.created", "reason": "Jaarverslag"})
    assert response.status_code == 302
    work(app)
    with app.app_context(), tenant_context(baseline.umbrella.id):
        run = db.session.scalar(select(JobRun).where(JobRun.kind == "audit.export_federation_csv"))
        assert run.status == "finished", run.error
    rows = list(csv.DictReader(client.get(response.headers["Location"] + "/download").get_data(as_text=True).splitlines()))
    assert {r["action"] for r in rows} == {"tenant.created"}
    assert {"Coöperatie A", "Coöperatie B", "Gemeente M"} <= {r["organisation"] for r in rows}


def test_coordinators_of_other_kinds_and_members_cannot_read_the_log(baseline, as_user):
    assert as_user(baseline.member_a).get(f"/t/{baseline.coop_a.slug}/audit/").status_code == 403
    assert as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/admin/audit").status_code == 404


def test_the_export_never_hands_a_spreadsheet_a_formula(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        record("test.clicked", object_type="note", object_id='=HYPERLINK("http://evil.example")')
        db.session.commit()
    client = as_user(baseline.coordinator_a)
    response = client.post(f"/t/{baseline.coop_a.slug}/audit/export", data={})
    work(app)
    rows = list(csv.DictReader(client.get(response.headers["Location"] + "/download").get_data(as_text=True).splitlines()))
    cells = {cell for row in rows for cell in row.values()}
    assert "'=HYPERLINK(\"http://evil.example\")" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
