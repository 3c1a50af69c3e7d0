"""Reading parameters: the value valid on a day (for the code that computes with them) and
the read models of the administration pages.

A period is half-open, `[valid_from, valid_until)`: `valid_until` is the first day the
value no longer applies (None: until further notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.money import Money

from .catalog import GROUP_LABELS, GROUPS, KNOWN, Known, known_names
from .models import ParameterValue


class UnknownParameter(LookupError):
    """A name that is not in the catalog (koepel.platform.parameters.catalog)."""

    def __init__(self, name: str):
        super().__init__(f"unknown parameter {name!r}")
        self.name = name


class NoValidValue(LookupError):
    """No period of the parameter covers the day asked for."""

    def __init__(self, name: str, on_date: date, periods: list[tuple[date, date | None]]):
        known = ", ".join(f"{start.isoformat()} to {until.isoformat() if until else 'open'}" for start, until in periods)
        super().__init__(
            f"no value of parameter {name!r} is valid on {on_date.isoformat()} "
            f"(periods, end exclusive: {known or 'none'})"
        )
        self.name = name
        self.on_date = on_date


class WrongUnit(TypeError):
    """money_on for a parameter that is not an amount, rate_on for one that is not a rate."""


@dataclass(frozen=True)
class Period:
    id: int
    name: str
    valid_from: date
    valid_until: date | None  # exclusive
    value: int
    unit: str
    note: str
    changed_by: int | None
    changed_by_name: str | None
    changed_at: datetime

    @property
    def last_day(self) -> date | None:
        """The last day the value applies (inclusive), None when open-ended."""
        return None if self.valid_until is None else self.valid_until - timedelta(days=1)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def _entry(name: str) -> Known:
    entry = KNOWN.get(name)
    if entry is None:
        raise UnknownParameter(name)
    return entry


def _check_day(on_date: date) -> None:
    if isinstance(on_date, datetime) or not isinstance(on_date, date):
        raise TypeError(f"a parameter is valid on a day: pass a date, not {type(on_date).__name__}")


def value_on(name: str, on_date: date) -> int:
    """The value of `name` valid on `on_date`, as an integer in the name's unit.

    Raises UnknownParameter for a name not in the catalog and NoValidValue when no
    period covers the day (e.g. a day before the first period)."""
    _entry(name)
    _check_day(on_date)
    value = db.session.scalar(
        select(ParameterValue.value).where(
            ParameterValue.name == name,
            ParameterValue.valid_from <= on_date,
            or_(ParameterValue.valid_until.is_(None), ParameterValue.valid_until > on_date),
        )
    )
    if value is None:
        periods = db.session.execute(
            select(ParameterValue.valid_from, ParameterValue.valid_until)
            .where(ParameterValue.name == name).order_by(ParameterValue.valid_from)
        ).all()
        raise NoValidValue(name, on_date, [tuple(p) for p in periods])
    return value


def money_on(name: str, on_date: date) -> Money:
    """An amount (a parameter in cents) valid on `on_date`."""
    if _entry(name).unit != "cents":
        raise WrongUnit(f"parameter {name!r} is in {_entry(name).unit}, not an amount in cents")
    return Money(value_on(name, on_date))


def rate_on(name: str, on_date: date) -> int:
    """A percentage in basis points (2100 = 21%) valid on `on_date`."""
    if _entry(name).unit != "basis_points":
        raise WrongUnit(f"parameter {name!r} is in {_entry(name).unit}, not a rate in basis points")
    return value_on(name, on_date)


def _periods(*conditions) -> list[Period]:
    rows = db.session.execute(
        select(ParameterValue, User.name)
        .outerjoin(User, User.id == ParameterValue.changed_by)
        .where(*conditions)
        .order_by(ParameterValue.name, ParameterValue.valid_from)
    ).all()
    return [
        Period(id=p.id, name=p.name, valid_from=p.valid_from, valid_until=p.valid_until, value=p.value, unit=p.unit,
               note=p.note, changed_by=p.changed_by, changed_by_name=person, changed_at=p.changed_at)
        for p, person in rows
    ]


def history(name: str) -> list[Period]:
    """Every period of `name`, oldest first."""
    _entry(name)
    return _periods(ParameterValue.name == name)


@dataclass(frozen=True)
class OverviewRow:
    entry: Known
    current: Period | None  # the period that covers today
    upcoming: Period | None  # the first period that starts after today


@dataclass(frozen=True)
class OverviewGroup:
    key: str
    label: object
    rows: list[OverviewRow]


def overview(today: date) -> list[OverviewGroup]:
    """Every known parameter by group, with its value today and its next change."""
    by_name: dict[str, list[Period]] = {}
    for period in _periods():
        by_name.setdefault(period.name, []).append(period)
    groups = []
    for key in GROUPS:
        rows = []
        for entry in known_names():
            if entry.group != key:
                continue
            periods = by_name.get(entry.name, [])
            current = next((p for p in periods if p.covers(today)), None)
            upcoming = next((p for p in periods if p.valid_from > today), None)
            rows.append(OverviewRow(entry, current, upcoming))
        groups.append(OverviewGroup(key, GROUP_LABELS[key], rows))
    return groups


def format_value(value: int, unit: str) -> str:
    """A value as people read it: € 264,00 · 12,5% · 6 months · 27 years."""
    from flask_babel import format_decimal, ngettext

    if unit == "cents":
        return Money(value).format()
    if unit == "basis_points":
        return format_decimal(Decimal(value) / 100, format="#,##0.##") + "%"
    if unit == "months":
        return ngettext("%(num)d month", "%(num)d months", value)
    if unit == "years":
        return ngettext("%(num)d year", "%(num)d years", value)
    return format_decimal(value, format="#,##0")
