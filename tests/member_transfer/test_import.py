"""Importing members from CSV and XLSX: upload, the job, the result page."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from rq.job import Job
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.db import db
from koepel.platform.jobs import JobRun, queue
from koepel.platform.tenancy import tenant_context
from koepel.tenants.member_transfer import MemberImport
from koepel.tenants.members import Business, JourneyTransition, Member
from tests.conftest import person_with_role

from .helpers import (
    DUTCH,
    csv_bytes,
    english,
    get_import,
    import_id_of,
    line,
    member_count,
    report_rows,
    stored_files,
    upload,
    work,
)

TODAY = date.today().strftime("%d-%m-%Y")


def members_named(app, tenant_id, *names):
    with app.app_context(), tenant_context(tenant_id):
        found = db.session.scalars(select(Member).where(Member.name.in_(names)).order_by(Member.name)).all()
        for member in found:
            db.session.expunge(member)
        return {m.name: m for m in found}


def import_file(app, client, slug, data, name="leden.csv"):
    """Upload, run the job, return (import id, result page)."""
    import_id = import_id_of(upload(client, slug, data, name))
    work(app)
    page = client.get(f"/t/{slug}/members/files/imports/{import_id}")
    assert page.status_code == 200
    return import_id, page.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_downloaded_template_imports_cleanly(app, baseline, as_user, fmt):
    client = english(as_user(baseline.coordinator_a))
    template = client.get(f"/t/{baseline.coop_a.slug}/members/files/template.{fmt}")
    assert template.status_code == 200
    assert template.headers["Content-Disposition"].startswith("attachment")
    before = member_count(app, baseline.coop_a.id)
    import_id, page = import_file(app, client, baseline.coop_a.slug, template.data, f"members.{fmt}")
    item = get_import(app, baseline.coop_a.id, import_id)
    assert (item.status, item.line_count, item.created_count, item.present_count, item.error_count) == (
        "imported", 1, 1, 0, 0)
    assert member_count(app, baseline.coop_a.id) == before + 1
    assert "Imported" in page and '<dd class="count-created">1</dd>' in page
    member = members_named(app, baseline.coop_a.id, "Fatima el Amrani")["Fatima el Amrani"]
    assert (member.stage, member.stage_since, member.date_of_birth) == ("intake", date.today(), date(1985, 3, 14))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        business = db.session.scalar(select(Business).where(Business.member_id == member.id))
        assert business.trade_name == "Fatima's Naaiatelier"


def test_the_csv_template_has_the_dutch_columns_and_one_example(as_user, baseline):
    text = as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/members/files/template.csv").data
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == DUTCH
    assert len(lines) == 2 and lines[1].startswith("Fatima el Amrani;")


@pytest.mark.parametrize("delimiter,bom", [(";", False), (",", False), (";", True), (",", True)])
def test_csv_with_semicolons_or_commas_with_or_without_bom(app, baseline, as_user, delimiter, bom):
    data = csv_bytes([
        line(name="Anna de Vries", email="anna@example.org", phone="06 1111 2222", date_of_birth="01-02-1980",
             municipality="Delft", language="Arabisch", referral_source="werkorganisatie", stage="verwezen",
             stage_since="2026-01-15", trade_name="Anna's Fietsen", activity="Fietsen repareren"),
        line(name="Bram Bakker", date_of_birth="1975-12-31", stage="intake", referral_source="self", language="en"),
    ], delimiter=delimiter, bom=bom)
    client = as_user(baseline.coordinator_a)
    import_id, _page = import_file(app, client, baseline.coop_a.slug, data)
    assert get_import(app, baseline.coop_a.id, import_id).created_count == 2
    found = members_named(app, baseline.coop_a.id, "Anna de Vries", "Bram Bakker")
    anna, bram = found["Anna de Vries"], found["Bram Bakker"]
    assert (anna.email, anna.phone, anna.date_of_birth, anna.municipality) == (
        "anna@example.org", "06 1111 2222", date(1980, 2, 1), "Delft")
    assert (anna.language, anna.referral_source, anna.stage, anna.stage_since) == (
        "ar", "work_organisation", "referred", date(2026, 1, 15))
    assert (bram.date_of_birth, bram.language, bram.referral_source, bram.stage) == (
        date(1975, 12, 31), "en", "self", "intake")
    with app.app_context(), tenant_context(baseline.coop_a.id):
        step = db.session.scalar(select(JourneyTransition).where(JourneyTransition.member_id == anna.id))
        assert (step.from_stage, step.to_stage, step.on_date, step.actor_user_id) == (
            None, "referred", date(2026, 1, 15), baseline.coordinator_a.id)


def test_english_headers_are_accepted(app, baseline, as_user):
    header = ["Name", "Email", "Phone", "Date of birth", "Municipality", "Language", "Referral source", "Stage",
              "Stage since", "Coach", "Trade name", "Activity", "Description"]
    data = csv_bytes([line(name="Carla Jansen", email="carla@example.org", stage="referred")], header=header)
    import_id, _page = import_file(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, data)
    assert get_import(app, baseline.coop_a.id, import_id).created_count == 1
    assert members_named(app, baseline.coop_a.id, "Carla Jansen")["Carla Jansen"].stage == "referred"


def test_an_xlsx_with_date_cells_and_numbers_imports(app, baseline, as_user):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(DUTCH)
    sheet.append(["Dirk Visser", "dirk@example.org", 612345678, date(1990, 6, 30), "Rijswijk", "nl", "gemeente",
                  "intake", date(2026, 2, 1), baseline.coach_ab.email.upper(), "", "", ""])
    sheet.append([None] * 13)  # an empty line is left out
    sheet.append(["Eva Smit", None, None, "07-08-1988", None, None, None, None, None, None, "Eva's Kapsalon", "Kappen",
                  None])
    out = io.BytesIO()
    workbook.save(out)
    import_id, _page = import_file(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, out.getvalue(),
                                   "leden.xlsx")
    assert get_import(app, baseline.coop_a.id, import_id).created_count == 2
    found = members_named(app, baseline.coop_a.id, "Dirk Visser", "Eva Smit")
    dirk, eva = found["Dirk Visser"], found["Eva Smit"]
    assert (dirk.phone, dirk.date_of_birth, dirk.stage_since, dirk.coach_user_id) == (
        "612345678", date(1990, 6, 30), date(2026, 2, 1), baseline.coach_ab.id)
    assert (eva.date_of_birth, eva.stage, eva.stage_since, eva.referral_source, eva.language) == (
        date(1988, 8, 7), "intake", date.today(), "municipality", "nl")


def test_three_bad_lines_among_good_ones_create_nothing_and_are_each_reported(app, baseline, as_user):
    data = csv_bytes([
        line(name="Goed Een", email="goed1@example.org"),                       # line 2
        line(name="Fout Mail", email="not-an-address"),                         # line 3
        line(name="Goed Twee", email="goed2@example.org"),                      # line 4
        line(name="", email="naamloos@example.org"),                            # line 5
        line(name="Goed Drie", date_of_birth="12-05-1970"),                     # line 6
        line(name="Fout Datum", date_of_birth="31-02-1980"),                    # line 7
        line(name="Goed Vier", stage="intake"),                                 # line 8
    ])
    client = english(as_user(baseline.coordinator_a))
    before = member_count(app, baseline.coop_a.id)
    import_id, page = import_file(app, client, baseline.coop_a.slug, data)
    assert member_count(app, baseline.coop_a.id) == before
    assert not members_named(app, baseline.coop_a.id, "Goed Een", "Goed Twee", "Goed Drie", "Goed Vier")
    item = get_import(app, baseline.coop_a.id, import_id)
    assert (item.status, item.line_count, item.created_count, item.error_count) == ("rejected", 7, 0, 3)
    assert report_rows(page) == [
        ["3", "e-mail", "not-an-address", "Enter a valid email address."],
        ["5", "naam", "", "Enter the name."],
        ["7", "geboortedatum", "31-02-1980", "Write the date as dd-mm-yyyy or yyyy-mm-dd."],
    ]
    assert "3 lines have errors" in page


def test_every_problem_of_a_line_is_reported_in_the_readers_language(app, baseline, as_user):
    data = csv_bytes([line(name="Veel Fout", email="x@", language="klingon", referral_source="radio", stage="member",
                           stage_since="01-01-2999", coach="nobody@example.org", activity="Zonder handelsnaam")])
    import_id, page = import_file(app, english(as_user(baseline.coordinator_a)), baseline.coop_a.slug, data)
    reasons = {row[1]: row[3] for row in report_rows(page)}
    assert reasons == {
        "e-mail": "Enter a valid email address.",
        "taal": "Unknown language: use nl, en, ar, tr, pl, ti, uk or other.",
        "verwijzer": "Unknown referral source: use municipality, work_organisation, social_services, self or other.",
        "fase": "A journey starts with a referral or an intake: use referred or intake.",
        "fase_sinds": "The date cannot be in the future.",
        "coach": "No coach of this cooperative has this email address.",
        "handelsnaam": "A business needs a trade name.",
    }
    assert get_import(app, baseline.coop_a.id, import_id).error_count == 1


def test_the_same_file_twice_creates_no_duplicates(app, baseline, as_user):
    data = csv_bytes([
        line(name="Hans Hofman", email="Hans@Example.org"),
        line(name="Ilse Ideler", date_of_birth="03-03-1983"),
        line(name="Jan Zonder Datum"),
    ])
    client = as_user(baseline.coordinator_a)
    before = member_count(app, baseline.coop_a.id)
    first, _page = import_file(app, client, baseline.coop_a.slug, data)
    second, page = import_file(app, client, baseline.coop_a.slug, data)
    assert member_count(app, baseline.coop_a.id) == before + 3
    one, two = get_import(app, baseline.coop_a.id, first), get_import(app, baseline.coop_a.id, second)
    assert (one.status, one.created_count, one.present_count) == ("imported", 3, 0)
    assert (two.status, two.created_count, two.present_count) == ("imported", 0, 3)
    assert one.sha256 == two.sha256
    assert '<dd class="count-present">3</dd>' in page


def test_a_line_matches_an_existing_member_by_email_case_insensitively_or_by_name_and_birth(app, baseline, as_user):
    data = csv_bytes([
        line(name="Someone Else", email="MEMBER-A@test.example.org"),  # baseline member A's address
        line(name="baseline  member a"),  # A has no date of birth: name alone, without email, matches
        line(name="New Person", email="new@example.org"),
    ])
    import_id, _page = import_file(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, data)
    item = get_import(app, baseline.coop_a.id, import_id)
    assert (item.created_count, item.present_count) == (1, 2)


def test_two_lines_of_the_same_person_are_a_bad_line(app, baseline, as_user):
    data = csv_bytes([
        line(name="Karin Kok", email="karin@example.org"),
        line(name="Karin K.", email="KARIN@example.org"),
        line(name="Lars Lam", date_of_birth="01-01-1990"),
        line(name="lars  lam", date_of_birth="1990-01-01"),
    ])
    client = english(as_user(baseline.coordinator_a))
    import_id, page = import_file(app, client, baseline.coop_a.slug, data)
    assert report_rows(page) == [
        ["3", "e-mail", "KARIN@example.org", "The same person as on line 2."],
        ["5", "naam", "lars lam", "The same person as on line 4."],
    ]
    assert get_import(app, baseline.coop_a.id, import_id).created_count == 0


def test_a_file_with_a_bsn_column_is_refused_whole_and_never_stored(app, baseline, as_user):
    for header in ("BSN", "Burgerservicenummer", "bsn_nummer"):
        data = csv_bytes([["Mia Mol", "123456782"]], header=["naam", header])
        response = upload(english(as_user(baseline.coordinator_a)), baseline.coop_a.slug, data)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "looks like a citizen service number" in page and header in page
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(MemberImport).where(MemberImport.file_name == "leden.csv")) is None
    assert stored_files(app, baseline.coop_a.id) == []


@pytest.mark.parametrize("name,data,expected", [
    ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This is not a CSV or XLSX file."),
    ("leden.xlsx", b"naam;e-mail\nA;b\n", "This is not a CSV or XLSX file."),
    ("leden.csv", b"PK\x03\x04" + b"\x00" * 40, "This is not a CSV or XLSX file."),
    ("leden.xlsx", b"PK\x03\x04" + b"\x00" * 40, "The Excel file cannot be read."),
    ("leden.csv", "naam\nRené\n".encode("latin-1"), "The CSV file is not in UTF-8."),
    ("leden.csv", b"", "The file is empty."),
    ("leden.csv", b"\r\n;;\r\n", "The file is empty: it needs a first line with the column names."),
    ("leden.csv", b"naam;schoenmaat\nA;42\n", "Unknown column \u201cschoenmaat\u201d."),
    ("leden.csv", b"e-mail\na@example.org\n", "The column \u201cnaam\u201d is missing."),
])
def test_a_file_that_cannot_be_imported_is_refused_at_upload_with_a_message(app, baseline, as_user, name, data,
                                                                            expected):
    client = english(as_user(baseline.coordinator_a))
    response = upload(client, baseline.coop_a.slug, data, name)
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True).replace("&#34;", '"')
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(MemberImport).where(MemberImport.file_name == name)) is None


def test_a_form_without_a_file_asks_for_one(baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    response = client.post(f"/t/{baseline.coop_a.slug}/members/files/imports", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)


def test_a_file_over_ten_megabytes_is_refused(app, baseline, as_user):
    data = csv_bytes([line(name="Groot")]) + b"x" * (10 * 1024 * 1024)
    response = upload(english(as_user(baseline.coordinator_a)), baseline.coop_a.slug, data)
    assert response.status_code == 400
    assert "larger than 10 MB" in response.get_data(as_text=True)


def test_the_upload_is_kept_until_the_job_read_it_then_removed(app, baseline, as_user):
    data = csv_bytes([line(name="Nina Noord")])
    import_id = import_id_of(upload(as_user(baseline.coordinator_a), baseline.coop_a.slug, data))
    files = stored_files(app, baseline.coop_a.id)
    assert len(files) == 1 and files[0].read_bytes() == data and files[0].name.startswith(f"{import_id}-")
    work(app)
    assert stored_files(app, baseline.coop_a.id) == []
    assert get_import(app, baseline.coop_a.id, import_id).stored_name is None


def test_the_page_shows_progress_while_the_job_waits(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    import_id = import_id_of(upload(client, baseline.coop_a.slug, csv_bytes([line(name="Olga Oost")])))
    page = client.get(f"/t/{baseline.coop_a.slug}/members/files/imports/{import_id}").get_data(as_text=True)
    assert "<progress" in page and "Queued" in page and "job.js" in page
    item = get_import(app, baseline.coop_a.id, import_id)
    assert f"/jobs/{item.job_run_id}/status" in page


def test_the_job_reports_progress_and_records_its_result(app, baseline, as_user):
    rows = [line(name=f"Voortgang {i:03d}") for i in range(250)]
    client = as_user(baseline.coordinator_a)
    import_id = import_id_of(upload(client, baseline.coop_a.slug, csv_bytes(rows)))
    work(app)
    item = get_import(app, baseline.coop_a.id, import_id)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        run = db.session.get(JobRun, (baseline.coop_a.id, item.job_run_id))
        meta = Job.fetch(run.rq_job_id, connection=queue().connection).get_meta()
        assert run.status == "finished"
        assert run.result == {"import_id": import_id, "status": "imported", "created": 250, "present": 0,
                              "bad_lines": 0}
    # Two passes over the 250 lines: checking, then creating (test_lines.py has each step).
    assert {k: meta["progress"][k] for k in ("done", "total", "percent")} == {"done": 500, "total": 500,
                                                                              "percent": 100}
    status = client.get(f"/t/{baseline.coop_a.slug}/jobs/{item.job_run_id}/status").json
    assert status["status"] == "finished" and status["progress"]["percent"] == 100


def test_each_member_and_the_import_are_in_the_audit_log(app, baseline, as_user):
    data = csv_bytes([line(name="Piet Plas"), line(name="Quinta Quist")])
    import_id, _page = import_file(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, data)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_user_id == baseline.coordinator_a.id)
                                    .order_by(AuditEvent.id)).all()
        actions = [e.action for e in events if e.action.startswith("members.")]
        assert actions == ["members.import_uploaded", "members.registered", "members.registered", "members.imported"]
        assert events[-1].object_id == str(import_id)
        assert events[-1].details == {"lines": 2, "created": 2, "present": 0}


def test_only_importers_reach_the_import_pages(app, baseline, as_user):
    slug = baseline.coop_a.slug
    coach = as_user(baseline.coach_ab)
    assert coach.get(f"/t/{slug}/members/files/").status_code == 403
    assert coach.get(f"/t/{slug}/members/files/template.csv").status_code == 403
    assert upload(coach, slug, csv_bytes([line(name="Stiekem")])).status_code == 403
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "treasurer-transfer@test.example.org")
    assert as_user(treasurer).get(f"/t/{slug}/members/files/imports/{baseline.extra['member_import_a']}"
                                  ).status_code == 403


def test_unknown_formats_answer_404(as_user, baseline):
    client = as_user(baseline.coordinator_a)
    for path in ("template.ods", "template.CSV", "export/members.pdf", "export/notes.csv", "export/coaching.xlsx"):
        assert client.get(f"/t/{baseline.coop_a.slug}/members/files/{path}").status_code == 404, path


def test_the_index_lists_recent_imports(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    import_file(app, client, baseline.coop_a.slug, csv_bytes([line(name="Rik Rood")]), "mijn-leden.csv")
    page = client.get(f"/t/{baseline.coop_a.slug}/members/files/").get_data(as_text=True)
    assert "mijn-leden.csv" in page and "baseline-a.csv" in page and "baseline-b.csv" not in page
    assert 'enctype="multipart/form-data"' in page and "template.xlsx" in page and "export/members.csv" in page


def test_a_crashed_import_job_shows_as_failed_and_created_nothing(app, baseline, as_user, monkeypatch):
    from koepel.tenants.member_transfer import jobs, operations

    def crash(*args, **kwargs):
        operations.do_run_import(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(jobs, "do_run_import", crash)
    client = english(as_user(baseline.coordinator_a))
    before = member_count(app, baseline.coop_a.id)
    import_id = import_id_of(upload(client, baseline.coop_a.slug, csv_bytes([line(name="Zoë Zandvoort")])))
    work(app)
    assert member_count(app, baseline.coop_a.id) == before
    assert get_import(app, baseline.coop_a.id, import_id).status == "queued"
    page = client.get(f"/t/{baseline.coop_a.slug}/members/files/imports/{import_id}").get_data(as_text=True)
    assert "The import stopped because of an error" in page and "Failed" in page
    index = client.get(f"/t/{baseline.coop_a.slug}/members/files/").get_data(as_text=True)
    assert "<td>Failed</td>" in index
