"""The budget of a subsidy period, from the agreement's versions. No database here.

An agreement funds `coordination_hours_per_month` hours and `housing_contribution` a
month. The budget of a month is what the version in force funds for it; when a version
starts during a month (not on its first day), the month is shared pro rata per day:
each version counts for the days of the month it is in force, and a day before any
version counts for nothing. The month's hours are rounded half up to one decimal, its
amount half up to the cent; the period's budget is the sum of its months, so the table
per month adds up to the total exactly.

Example: 16 hours and € 250 a month until 15 March, 20 hours and € 310 from 16 March:
March has 31 days, 15 at the old terms and 16 at the new, so it funds
(16 × 15 + 20 × 16) / 31 = 18.06… → 18.1 hours and (250 × 15 + 310 × 16) / 31 = € 280.97.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from koepel.platform.dates import add_months

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Funded:
    """What one agreement version funds a month, from `valid_from`."""

    valid_from: date
    hours: Decimal
    housing_cents: int


@dataclass(frozen=True)
class MonthBudget:
    month: date  # its first day
    hours: Decimal
    housing_cents: int
    # Whether the month is shared between versions (or partly before the first).
    pro_rata: bool


def months(first_day: date, last_day: date) -> list[date]:
    """The first days of the months from `first_day`'s to `last_day`'s."""
    found, month = [], first_day.replace(day=1)
    while month <= last_day:
        found.append(month)
        month = add_months(month, 1)
    return found


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (both not negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


def month_budget(month: date, versions: list[Funded]) -> MonthBudget:
    """The budget of one calendar month (`month` any day of it) under `versions`."""
    month = month.replace(day=1)
    length = calendar.monthrange(month.year, month.month)[1]
    end = month + timedelta(days=length)  # the day after the month
    ordered = sorted(versions, key=lambda v: v.valid_from)
    tenths = cents = covered = segments = 0
    for index, version in enumerate(ordered):
        until = ordered[index + 1].valid_from if index + 1 < len(ordered) else end
        days = (min(until, end) - max(version.valid_from, month)).days
        if days <= 0:
            continue
        covered, segments = covered + days, segments + 1
        tenths += int(version.hours / TENTH) * days
        cents += version.housing_cents * days
    shared = segments > 1 or 0 < covered < length
    return MonthBudget(month=month, hours=Decimal(_round_half_up(tenths, length)) * TENTH,
                       housing_cents=_round_half_up(cents, length), pro_rata=shared)


def period_budget(first_day: date, last_day: date, versions: list[Funded]) -> list[MonthBudget]:
    """The budget per month of a period."""
    return [month_budget(month, versions) for month in months(first_day, last_day)]


def format_hours(hours: Decimal | None, signed: bool = False) -> str:
    """Decimal('7.5') -> '7,5', Decimal('16.0') -> '16' (the Dutch way, in both languages);
    `signed` puts + before a positive figure."""
    if hours is None:
        return ""
    text = f"{abs(hours).quantize(TENTH)}"
    text = text[:-2] if text.endswith(".0") else text.replace(".", ",")
    sign = "−" if hours < 0 else ("+" if signed and hours > 0 else "")
    return sign + text
