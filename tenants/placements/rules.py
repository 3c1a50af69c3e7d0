"""What a placement is allowed to be, and retention: which placements lasted 6 and 12 months.

Retention (decided here, used by every page and by the municipality's outcomes): a
placement *reached* the N-month mark when its start date plus N months is on or before
the day of counting. It *lasted* when it was still running on that mark (no end date, or
an end date on or after the mark) — or when it ended, before the mark, because the
participant moved on to a permanent job elsewhere: that person kept working, which is
what retention is meant to show; it is a success, not a drop-out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from flask_babel import lazy_gettext as _l

from koepel.platform.dates import add_months

KINDS = ("participation", "jobs_agreement", "sheltered", "regular")
KIND_LABELS = {
    "participation": _l("Participation place"),
    "jobs_agreement": _l("Job under the jobs agreement (banenafspraak)"),
    "sheltered": _l("Sheltered work (beschut werk)"),
    "regular": _l("Regular job with guidance"),
}
END_REASONS = ("permanent_job", "contract_ended", "dropped_out", "health", "moved", "other")
END_REASON_LABELS = {
    "permanent_job": _l("Permanent job elsewhere"),
    "contract_ended": _l("Contract ended"),
    "dropped_out": _l("Dropped out"),
    "health": _l("Health"),
    "moved": _l("Moved away"),
    "other": _l("Other reason"),
}
STATUSES = ("active", "ended")
STATUS_LABELS = {"active": _l("Active"), "ended": _l("Ended")}
# An end with this reason before the mark still counts as lasted (see the module's note).
MOVED_ON = "permanent_job"
MARKS = (6, 12)

HOURS_MIN, HOURS_MAX = 1, 40
NAME_MAX = 200
GUIDE_MAX = 200
PLAN_MAX = 4000
NOTE_MAX = 1000
# Dates outside these years are typing mistakes.
FIRST_YEAR, LAST_YEAR = 1990, 2100


class PlacementError(ValueError):
    """A placement, participant or employer that cannot be stored; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.field = field


class Dated(Protocol):
    start_date: date
    end_date: date | None
    end_reason: str | None


def status_of(placement: Dated) -> str:
    return "active" if placement.end_date is None else "ended"


def mark_date(start: date, months: int) -> date:
    """The day a placement that started on `start` has run `months` months (31 August + 6
    months is the last day of February)."""
    return add_months(start, months)


def reached(placement: Dated, months: int, on_date: date) -> bool:
    return mark_date(placement.start_date, months) <= on_date


def lasted(placement: Dated, months: int) -> bool:
    """Whether the placement was still running on its mark, or moved on to a permanent job
    before it. Only meaningful for a placement that reached the mark."""
    if placement.end_date is None or placement.end_date >= mark_date(placement.start_date, months):
        return True
    return placement.end_reason == MOVED_ON


@dataclass(frozen=True)
class Retention:
    months: int
    reached: int  # started at least `months` months before the day of counting
    lasted: int  # of those, still running at the mark (or moved on to a permanent job)

    @property
    def share(self) -> float | None:
        return self.lasted / self.reached if self.reached else None


def retention(placements: Iterable[Dated], on_date: date) -> dict[int, Retention]:
    """For 6 and 12 months: how many placements reached the mark by `on_date` and how
    many of those lasted."""
    placements = list(placements)
    result = {}
    for months in MARKS:
        due = [p for p in placements if reached(p, months, on_date)]
        result[months] = Retention(months, len(due), sum(1 for p in due if lasted(p, months)))
    return result


def retention_by_start_year(placements: Iterable[Dated], on_date: date) -> dict[int, dict[int, Retention]]:
    """`retention` per calendar year of the start date, the first year first."""
    years: dict[int, list[Dated]] = {}
    for placement in placements:
        years.setdefault(placement.start_date.year, []).append(placement)
    return {year: retention(years[year], on_date) for year in sorted(years)}
