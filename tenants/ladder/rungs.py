"""The participation ladder (participatieladder) and when it is measured again: pure rules,
no database (DOMAIN.md "Outcomes and peer comparison")."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from koepel.platform.dates import add_months, amsterdam_today

RUNGS = (1, 2, 3, 4, 5, 6)
RUNG_LABELS = {
    1: _l("Socially isolated"),
    2: _l("Social contacts outside the home (weekly)"),
    3: _l("Organised activities (weekly)"),
    4: _l("Unpaid work (volunteering, internship)"),
    5: _l("Paid work with support (subsidy or top-up benefit)"),
    6: _l("Paid work without support (self-employed counts)"),
}
NOTE_MAX = 500
# Measured at the intake and at least twice a year: again six months after the last
# measurement, listed as due from 30 days before.
REMEASURE_MONTHS = 6
DUE_AHEAD_DAYS = 30


def next_due(last_measured_on: date | None, intake_on: date | None) -> tuple[date, bool]:
    """(the date the next measurement is due, whether it is the first since the intake).

    Never measured, or not since the (latest) intake: due on the intake's date. Otherwise
    six months after the last measurement."""
    if last_measured_on is None or (intake_on is not None and last_measured_on < intake_on):
        return (intake_on or last_measured_on or amsterdam_today()), True
    return add_months(last_measured_on, REMEASURE_MONTHS), False


def is_listed(due_on: date, today: date) -> bool:
    """Due now, overdue, or due within the next DUE_AHEAD_DAYS days."""
    return due_on <= today + timedelta(days=DUE_AHEAD_DAYS)


def is_overdue(due_on: date, today: date) -> bool:
    return due_on < today
