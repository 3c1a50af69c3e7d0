"""Dates as the Netherlands sees them. The servers run in UTC and store UTC; a day, a
month and "today" are Amsterdam's (a member's trial does not end an hour early)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam_today() -> date:
    return datetime.now(AMSTERDAM).date()


def local_date(moment: datetime) -> date:
    """The Amsterdam date of a UTC moment."""
    return moment.astimezone(AMSTERDAM).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of an Amsterdam day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
