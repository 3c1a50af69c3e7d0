"""The file's vocabulary and the line checks, and the import below the HTTP layer."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.exports import csv_safe
from koepel.platform.tenancy import tenant_context
from koepel.tenants.member_transfer import do_run_import, do_start_import
from koepel.tenants.member_transfer.columns import (
    LANGUAGE_WORDS,
    REFERRAL_WORDS,
    header_key,
    looks_like_bsn,
)
from koepel.tenants.member_transfer.files import FileRefused, read_sheet
from koepel.tenants.member_transfer.lines import check_header, check_line, parse_date
from koepel.tenants.members import LANGUAGES, REFERRAL_SOURCES, Member

from .helpers import DUTCH, csv_bytes, line

TODAY = date(2026, 11, 23)


def test_every_code_of_the_members_package_has_its_dutch_names():
    assert set(LANGUAGE_WORDS) == set(LANGUAGES)
    assert set(REFERRAL_WORDS) == set(REFERRAL_SOURCES)


@pytest.mark.parametrize("header", ["BSN", "bsn", "Bsn-nummer", "burgerservicenummer", "Burger Service Nummer",
                                    "sofinummer", "citizen_service_number", "client bsn"])
def test_columns_that_look_like_a_citizen_service_number(header):
    assert looks_like_bsn(header)
    _columns, problems = check_header(["naam", header])
    assert [p.code for p in problems] == ["bsn_column"]


@pytest.mark.parametrize("header,key", [("Naam", "name"), ("E-mail", "email"), ("e-mailadres", "email"),
                                        ("Fase sinds", "stage_since"), ("FASE_SINDS", "stage_since"),
                                        ("Date of birth", "date_of_birth"), ("\ufeffnaam", "name"),
                                        ("Handelsnaam", "trade_name"), ("verwijzer", "referral_source")])
def test_headers_in_dutch_or_english_whatever_their_spelling(header, key):
    assert header_key(header) == key


def test_a_header_with_unknown_twice_named_or_missing_columns():
    assert [p.code for p in check_header(["naam", "naam ", "schoenmaat"])[1]] == ["duplicate_column", "unknown_column"]
    assert [(p.code, p.params) for p in check_header(["e-mail"])[1]] == [("missing_column", {"column": "naam"})]
    columns, problems = check_header(["Name", "", "E-mail"])
    assert problems == [] and columns.index == {"name": 0, "email": 2} and columns.written["email"] == "E-mail"


@pytest.mark.parametrize("text,expected", [("01-02-1980", date(1980, 2, 1)), ("1-2-1980", date(1980, 2, 1)),
                                           ("01/02/1980", date(1980, 2, 1)), ("01.02.1980", date(1980, 2, 1)),
                                           ("1980-02-01", date(1980, 2, 1)), ("", None),
                                           (date(1980, 2, 1), date(1980, 2, 1))])
def test_dates_day_first_or_year_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["1980/02/01", "02-01-80", "31-02-1980", "morgen", "1980-13-01"])
def test_dates_that_are_not_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_a_good_line_becomes_a_member_with_defaults():
    columns, _ = check_header(DUTCH)
    member, problems = check_line(2, line(name="  Sara   Smit ", email=" sara@example.org ", stage="Verwezen",
                                          language="Oekraïens", referral_source="Sociale dienst",
                                          coach="Coach@Example.org", trade_name="Sara's Soep"),
                                  columns, coaches={"coach@example.org": 7}, today=TODAY)
    assert problems == []
    assert (member.name, member.email, member.stage, member.language, member.referral_source) == (
        "Sara Smit", "sara@example.org", "referred", "uk", "social_services")
    assert (member.coach_user_id, member.stage_since, member.business["trade_name"]) == (7, None, "Sara's Soep")
    plain, _ = check_line(3, ["Tom"], columns, coaches={}, today=TODAY)
    assert (plain.language, plain.referral_source, plain.stage, plain.business) == (
        "nl", "municipality", "intake", None)


def test_a_long_value_is_reported_shortened():
    columns, _ = check_header(DUTCH)
    _member, problems = check_line(4, line(name="x" * 300), columns, coaches={}, today=TODAY)
    assert [(p.code, p.params, len(p.value)) for p in problems] == [("too_long", {"max": 200}, 101)]


def test_exported_formula_escaping_is_undone_on_reading():
    sheet = read_sheet(csv_bytes([[csv_safe("=1+1"), csv_safe("+31 6 1234"), "'quoted"]],
                                 header=["naam", "telefoon", "gemeente"]), "csv")
    assert sheet.lines == [(2, ["=1+1", "+31 6 1234", "'quoted"])]


def test_csv_line_numbers_count_physical_lines_and_skip_blank_ones():
    data = b'naam;omschrijving\r\n"Anna";"twee\r\nregels"\r\n\r\n;\r\nBram;x\r\n'
    sheet = read_sheet(data, "csv")
    assert [number for number, _cells in sheet.lines] == [2, 6]


def test_xlsx_line_numbers_are_the_sheets_row_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["naam"])
    sheet.append(["Anna"])
    sheet.append([None])
    sheet["A5"] = "Bram"
    out = io.BytesIO()
    workbook.save(out)
    assert [number for number, _cells in read_sheet(out.getvalue(), "xlsx").lines] == [2, 5]


def test_a_file_with_too_many_lines_is_refused():
    data = b"naam\n" + b"x\n" * 20_001
    with pytest.raises(FileRefused) as refused:
        read_sheet(data, "csv")
    assert refused.value.code == "too_many_lines"


# --- the import below the HTTP layer ---------------------------------------------------------


def _start(baseline, rows) -> int:
    return do_start_import(file_name="leden.csv", data=csv_bytes(rows), actor_id=baseline.coordinator_a.id).id


def test_progress_goes_through_both_passes_in_steps_of_a_hundred(app, baseline):
    steps = []
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        import_id = _start(baseline, [line(name=f"Stap {i}") for i in range(250)])
        imported = do_run_import(import_id, progress=lambda done, total, message: steps.append((done, total, message)))
        assert imported.created_count == 250
    assert steps == [
        (0, 500, "checking"), (100, 500, "checking"), (200, 500, "checking"), (250, 500, "checking"),
        (350, 500, "creating"), (450, 500, "creating"), (500, 500, "done"),
    ]


def test_a_refused_import_reports_progress_of_the_check_only(app, baseline):
    steps = []
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        rows = [line(name=f"Stap {i}") for i in range(150)] + [line(name="Fout", email="fout")]
        imported = do_run_import(_start(baseline, rows), progress=lambda *step: steps.append(step))
        assert imported.status == "rejected"
    assert steps == [(0, 302, "checking"), (100, 302, "checking")]


def test_running_an_import_twice_changes_nothing_the_second_time(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        import_id = _start(baseline, [line(name="Twee Keer")])
        assert do_run_import(import_id).created_count == 1
        again = do_run_import(import_id)
        assert (again.status, again.created_count) == ("imported", 1)
        assert db.session.scalar(select(func.count()).select_from(Member).where(Member.name == "Twee Keer")) == 1


def test_a_refusal_by_the_members_package_undoes_every_member_of_the_file(app, baseline, monkeypatch):
    """Should do_register_member refuse a line the checks let through, nothing is kept."""
    from koepel.tenants.member_transfer import operations
    from koepel.tenants.members import MemberError

    real = operations.do_register_member

    def refuse_the_second(**kwargs):
        if kwargs["name"] == "Tweede":
            raise MemberError("Refused for the test.", "email")
        return real(**kwargs)

    monkeypatch.setattr(operations, "do_register_member", refuse_the_second)
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        imported = do_run_import(_start(baseline, [line(name="Eerste"), line(name="Tweede"), line(name="Derde")]))
        assert (imported.status, imported.error_count, imported.created_count) == ("rejected", 1, 0)
        assert imported.errors == [{"line": 3, "column": "e-mail", "value": "", "code": "member_refused",
                                    "params": {"message": "Refused for the test."}}]
        names = db.session.scalars(select(Member.name).where(Member.name.in_(["Eerste", "Tweede", "Derde"]))).all()
        assert names == []
