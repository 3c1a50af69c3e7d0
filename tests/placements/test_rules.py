"""Retention at its boundaries: when a placement reaches the 6- and 12-month marks and
when it counts as lasted (pure rules, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from koepel.tenants.placements import lasted, reached, retention, retention_by_start_year
from koepel.tenants.placements.rules import mark_date


@dataclass
class P:
    start_date: date
    end_date: date | None = None
    end_reason: str | None = None


@pytest.mark.parametrize(("start", "months", "mark"), [
    (date(2025, 1, 15), 6, date(2025, 7, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),  # February has no 31st: its last day
    (date(2023, 8, 31), 6, date(2024, 2, 29)),  # ... in a leap year the 29th
    (date(2025, 3, 1), 12, date(2026, 3, 1)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
])
def test_the_mark_is_the_same_day_months_later(start, months, mark):
    assert mark_date(start, months) == mark


def test_a_placement_reaches_the_mark_on_the_day_itself_not_the_day_before():
    p = P(date(2025, 1, 15))
    assert not reached(p, 6, date(2025, 7, 14))
    assert reached(p, 6, date(2025, 7, 15))
    assert not reached(p, 12, date(2026, 1, 14))
    assert reached(p, 12, date(2026, 1, 15))


@pytest.mark.parametrize(("end_date", "reason", "expected"), [
    (None, None, True),  # still running
    (date(2025, 7, 15), "dropped_out", True),  # ended on the mark: it ran until then
    (date(2025, 7, 14), "dropped_out", False),  # the day before: it did not
    (date(2025, 7, 14), "contract_ended", False),
    (date(2025, 3, 1), "permanent_job", True),  # moved on to a permanent job: kept working
    (date(2025, 12, 1), "health", True),  # ended after the mark
])
def test_what_counts_as_lasted_six_months(end_date, reason, expected):
    assert lasted(P(date(2025, 1, 15), end_date, reason), 6) is expected


def test_retention_counts_only_placements_that_reached_the_mark():
    on = date(2026, 1, 15)
    placements = [
        P(date(2025, 1, 15)),  # reached 6 and 12, lasted both
        P(date(2025, 1, 16)),  # reached 6, one day short of 12
        P(date(2025, 1, 15), date(2025, 10, 1), "dropped_out"),  # lasted 6, not 12
        P(date(2025, 7, 15), date(2025, 7, 20), "health"),  # reached 6 exactly, did not last
        P(date(2025, 7, 16)),  # one day short of 6: not counted at all
        P(date(2024, 6, 1), date(2024, 9, 1), "permanent_job"),  # moved on: lasted 6 and 12
    ]
    result = retention(placements, on)
    assert (result[6].reached, result[6].lasted) == (5, 4)
    assert (result[12].reached, result[12].lasted) == (3, 2)
    assert result[6].share == pytest.approx(0.8)


def test_retention_of_nothing_has_no_share():
    result = retention([], date(2026, 1, 1))
    assert result[6].reached == result[6].lasted == 0
    assert result[6].share is None


def test_retention_by_start_year():
    on = date(2026, 6, 30)
    by_year = retention_by_start_year([
        P(date(2024, 3, 1), date(2024, 5, 1), "dropped_out"),
        P(date(2024, 11, 1)),
        P(date(2025, 12, 31)),  # its 6-month mark is 30 June 2026: reached today
        P(date(2026, 2, 1)),
    ], on)
    assert list(by_year) == [2024, 2025, 2026]
    assert (by_year[2024][6].reached, by_year[2024][6].lasted) == (2, 1)
    assert (by_year[2024][12].reached, by_year[2024][12].lasted) == (2, 1)
    assert (by_year[2025][6].reached, by_year[2025][6].lasted, by_year[2025][12].reached) == (1, 1, 0)
    assert by_year[2026][6].reached == 0
