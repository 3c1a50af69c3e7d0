"""Exports of members and their journeys: content, escaping, audit, who may."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.members import do_register_member, do_transition
from tests.conftest import person_with_role

from .helpers import english

INJECTION = "=HYPERLINK(\"http://evil.example\",\"klik\")"


def export(client, slug, what, fmt):
    response = client.get(f"/t/{slug}/members/files/export/{what}.{fmt}")
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Disposition"].startswith(f"attachment; filename={what}-")
    assert response.headers["Cache-Control"] == "no-store"
    return response


def csv_rows(response) -> list[dict]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_cells(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [[cell for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def risky_member(app, baseline):
    """A member of A whose name and phone would run as formulas in a spreadsheet."""
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        member = do_register_member(name=INJECTION, phone="+31 6 12345678", municipality="@Delft", stage="referred",
                                    on_date=date(2026, 3, 1), date_of_birth=date(1980, 5, 4),
                                    coach_user_id=baseline.coach_ab.id, actor_id=baseline.coordinator_a.id,
                                    business={"trade_name": "-Min Bedrijf", "activity": "x", "description": ""})
        do_transition(member, "intake", on_date=date(2026, 3, 8), reason="Geheime toelichting",
                      actor_id=baseline.coordinator_a.id)
        db.session.commit()
        return member.id


def test_the_members_csv_holds_the_tenants_members_in_the_import_columns(app, baseline, as_user, risky_member):
    rows = csv_rows(export(as_user(baseline.coordinator_a), baseline.coop_a.slug, "members", "csv"))
    by_id = {row["id"]: row for row in rows}
    assert str(baseline.extra["member_a"]) in by_id
    assert str(baseline.extra["member_b"]) not in by_id
    assert all("member-b@" not in (row["e-mail"] or "") for row in rows)
    a = by_id[str(baseline.extra["member_a"])]
    assert (a["naam"], a["e-mail"], a["gemeente"], a["coach"], a["handelsnaam"]) == (
        "Baseline Member A", "member-a@test.example.org", "Delft", baseline.coach_ab.email, "Fietsen A")
    assert a["fase_sinds"] == "12-01-2026" and a["taal"] == "nl" and a["verwijzer"] == "municipality"
    assert list(rows[0])[:10] == ["id", "naam", "e-mail", "telefoon", "geboortedatum", "gemeente", "taal", "verwijzer",
                                  "fase", "fase_sinds"]


def test_csv_cells_that_would_be_formulas_are_prefixed(app, baseline, as_user, risky_member):
    rows = csv_rows(export(as_user(baseline.coordinator_a), baseline.coop_a.slug, "members", "csv"))
    risky = next(row for row in rows if row["id"] == str(risky_member))
    assert risky["naam"] == "'" + INJECTION
    assert risky["telefoon"] == "'+31 6 12345678"
    assert risky["gemeente"] == "'@Delft"
    assert risky["handelsnaam"] == "'-Min Bedrijf"
    assert risky["geboortedatum"] == "04-05-1980"


def test_xlsx_cells_that_would_be_formulas_are_text(app, baseline, as_user, risky_member):
    cells = xlsx_cells(export(as_user(baseline.coordinator_a), baseline.coop_a.slug, "members", "xlsx"))
    header = [c.value for c in cells[0]]
    risky = next(row for row in cells[1:] if row[0].value == risky_member)
    name = risky[header.index("naam")]
    assert (name.value, name.data_type) == (INJECTION, "s")
    assert risky[header.index("telefoon")].data_type == "s"
    born = risky[header.index("geboortedatum")]
    assert born.value.date() == date(1980, 5, 4) and born.number_format == "DD-MM-YYYY"


def test_the_xlsx_has_no_formula_at_all(app, baseline, as_user, risky_member):
    import zipfile

    response = export(as_user(baseline.coordinator_a), baseline.coop_a.slug, "members", "xlsx")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and all(b"<f>" not in xml and b"<f " not in xml for xml in sheets)
    assert any(b"=HYPERLINK" in xml for xml in sheets)


def test_the_timelines_hold_every_step_but_no_explanations(app, baseline, as_user, risky_member):
    client = english(as_user(baseline.coordinator_a))
    response = export(client, baseline.coop_a.slug, "timelines", "csv")
    text = response.data.decode("utf-8")
    rows = csv_rows(response)
    assert list(rows[0]) == ["member_id", "member", "date", "from", "to", "outcome", "by"]
    mine = [r for r in rows if r["member_id"] == str(risky_member)]
    assert [(r["date"], r["from"], r["to"]) for r in mine] == [("01-03-2026", "", "Referred"),
                                                              ("08-03-2026", "Referred", "Intake")]
    assert mine[0]["member"] == "'" + INJECTION and mine[1]["by"] == "Coordinator A"
    baseline_a = [r for r in rows if r["member_id"] == str(baseline.extra["member_a"])]
    assert [r["to"] for r in baseline_a] == ["Referred", "Intake"]
    assert not [r for r in rows if r["member_id"] == str(baseline.extra["member_b"]) and r["member"].endswith("B")]
    assert "Geheime toelichting" not in text and "First talk went well" not in text


def test_the_timelines_as_xlsx(app, baseline, as_user, risky_member):
    cells = xlsx_cells(export(as_user(baseline.coordinator_a), baseline.coop_a.slug, "timelines", "xlsx"))
    assert [c.value for c in cells[0]] == ["lid_id", "lid", "datum", "van", "naar", "uitkomst", "door"]
    mine = [row for row in cells[1:] if row[0].value == risky_member]
    assert [row[2].value.date() for row in mine] == [date(2026, 3, 1), date(2026, 3, 8)]


def test_every_export_is_in_the_audit_log(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    export(client, baseline.coop_a.slug, "members", "xlsx")
    export(client, baseline.coop_a.slug, "timelines", "csv")
    with app.app_context(), tenant_context(baseline.coop_a.id):
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "members.exported")
                                    .order_by(AuditEvent.id)).all()
    assert [(e.actor_user_id, e.details["what"], e.details["format"]) for e in events] == [
        (baseline.coordinator_a.id, "members", "xlsx"), (baseline.coordinator_a.id, "timelines", "csv")]
    assert events[0].details["rows"] >= 1


def test_exports_are_for_coordinators_only(app, baseline, as_user):
    """A coach sees only their own members elsewhere; exports of the whole cooperative are
    not theirs to make (members.export), nor the treasurer's or a member's."""
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "treasurer-export@test.example.org")
    for person in (baseline.coach_ab, baseline.member_a, treasurer):
        client = as_user(person)
        for what in ("members", "timelines"):
            assert client.get(f"/t/{baseline.coop_a.slug}/members/files/export/{what}.csv").status_code == 403
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "members.exported")) is None


def test_a_coordinator_of_b_exports_only_bs_members(app, baseline, as_user):
    rows = csv_rows(export(as_user(baseline.coordinator_b), baseline.coop_b.slug, "members", "csv"))
    assert [row["naam"] for row in rows if row["naam"].startswith("Baseline")] == ["Baseline Member B"]
