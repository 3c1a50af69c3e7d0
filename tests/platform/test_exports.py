"""CSV for spreadsheets: Dutch separators, a BOM, and no cell a spreadsheet would run."""

from datetime import date

from koepel.platform.exports import csv_bytes, csv_safe


def test_would_be_formulas_are_quoted_and_the_rest_left_alone():
    assert [csv_safe(v) for v in ("=1+1", "+31 6", "-5", "@SUM", "plain", None, date(2026, 3, 9), 12)] == [
        "'=1+1", "'+31 6", "'-5", "'@SUM", "plain", "", "09-03-2026", "12"]


def test_the_file_opens_in_a_dutch_spreadsheet():
    data = csv_bytes(["naam", "bedrag"], [["Kees", "12,50"], ["=cmd", None]])
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig") == "naam;bedrag\r\nKees;12,50\r\n'=cmd;\r\n"
