"""The seeded values (DOMAIN.md) and the reading API: the value valid on a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy import select

from koepel.platform.money import Money
from koepel.platform.parameters import (
    KNOWN,
    NoValidValue,
    ParameterValue,
    UnknownParameter,
    WrongUnit,
    history,
    known_names,
    label,
    money_on,
    rate_on,
    value_on,
)

SEEDED = [
    # name, day, value
    ("vrijlating.general.percentage", date(2024, 6, 1), 2500),
    ("vrijlating.general.max_monthly", date(2024, 6, 1), 26400),
    ("vrijlating.general.max_monthly", date(2023, 6, 1), 19900),
    ("vrijlating.general.max_monthly", date(2023, 12, 31), 19900),
    ("vrijlating.general.max_monthly", date(2024, 1, 1), 26400),
    ("vrijlating.general.max_monthly", date(2016, 1, 1), 19900),
    ("vrijlating.general.max_months", date(2024, 6, 1), 6),
    ("vrijlating.general.min_age", date(2024, 6, 1), 27),
    ("vrijlating.single_parent.percentage", date(2024, 6, 1), 1250),
    ("vrijlating.single_parent.max_monthly", date(2024, 6, 1), 16473),
    ("vrijlating.single_parent.max_monthly", date(2023, 6, 1), 12420),
    ("vrijlating.single_parent.max_months", date(2024, 6, 1), 30),
    ("vrijlating.medical.percentage", date(2024, 6, 1), 1500),
    ("vrijlating.medical.max_monthly", date(2024, 6, 1), 16707),
    ("vrijlating.medical.max_monthly", date(2023, 6, 1), 12597),
    ("volunteer_allowance.max_monthly", date(2023, 6, 1), 19000),
    ("volunteer_allowance.max_monthly", date(2024, 6, 1), 21000),
    ("volunteer_allowance.max_monthly", date(2025, 6, 1), 21000),
    ("volunteer_allowance.max_yearly", date(2023, 6, 1), 190000),
    ("volunteer_allowance.max_yearly", date(2025, 6, 1), 210000),
    ("volunteer_allowance.max_hourly", date(2023, 6, 1), 500),
    ("volunteer_allowance.max_hourly", date(2024, 6, 1), 550),
    ("volunteer_allowance.max_hourly", date(2024, 12, 31), 550),
    ("volunteer_allowance.max_hourly", date(2025, 1, 1), 560),
    ("volunteer_allowance.hourly_min_age", date(2025, 1, 1), 21),
    ("bijstand_norm.single", date(2025, 1, 1), 134545),
    ("bijstand_norm.couple", date(2025, 1, 1), 192207),
    ("vat.general", date(2019, 1, 1), 2100),
    ("vat.reduced", date(2025, 6, 1), 900),
    ("vat.zero", date(2025, 6, 1), 0),
    ("kor.turnover_limit", date(2020, 1, 1), 2000000),
]


@pytest.mark.parametrize(("name", "day", "expected"), SEEDED, ids=lambda v: str(v))
def test_the_seeded_values_are_those_of_the_domain(db_session, name, day, expected):
    assert value_on(name, day) == expected


def test_money_and_rates_come_in_their_types(db_session):
    assert money_on("vrijlating.general.max_monthly", date(2024, 6, 1)) == Money(26400)
    assert money_on("bijstand_norm.single", date(2025, 3, 1)).format() == "€ 1.345,45"
    assert rate_on("vat.general", date(2025, 3, 1)) == 2100
    assert rate_on("vat.zero", date(2025, 3, 1)) == 0
    assert Money(10000).share(rate_on("vat.reduced", date(2025, 3, 1))) == Money(900)


def test_the_wrong_unit_is_refused(db_session):
    with pytest.raises(WrongUnit):
        money_on("vat.general", date(2025, 3, 1))
    with pytest.raises(WrongUnit):
        rate_on("kor.turnover_limit", date(2025, 3, 1))


def test_a_day_before_any_period_raises_clearly(db_session):
    with pytest.raises(NoValidValue) as caught:
        value_on("vrijlating.general.max_monthly", date(2015, 12, 31))
    message = str(caught.value)
    assert "vrijlating.general.max_monthly" in message and "2015-12-31" in message
    assert "2016-01-01" in message  # where the periods start
    assert caught.value.name == "vrijlating.general.max_monthly"
    with pytest.raises(NoValidValue):
        money_on("volunteer_allowance.max_monthly", date(2022, 12, 31))
    with pytest.raises(NoValidValue):
        value_on("bijstand_norm.single", date(2024, 12, 31))


def test_an_unknown_name_or_a_moment_instead_of_a_day_is_refused(db_session):
    with pytest.raises(UnknownParameter):
        value_on("vat.generl", date(2025, 1, 1))
    with pytest.raises(UnknownParameter):
        history("nothing.here")
    with pytest.raises(TypeError):
        value_on("vat.general", datetime(2025, 1, 1, 12, 0))


def test_every_known_name_is_seeded_in_its_unit_and_every_seeded_name_is_known(app, db_session):
    rows = db_session.scalars(select(ParameterValue)).all()
    seeded = {r.name for r in rows}
    assert seeded == set(KNOWN)
    assert all(r.unit == KNOWN[r.name].unit for r in rows)
    assert all(r.note.strip() for r in rows)
    with app.test_request_context():
        assert all(str(k.label) and str(k.label) != k.name for k in known_names())
        assert label("vat.general") != "vat.general"


def test_the_seeded_periods_of_a_name_follow_each_other_without_overlap(db_session):
    periods = defaultdict(list)
    for name in KNOWN:
        periods[name] = history(name)
    for name, rows in periods.items():
        assert rows == sorted(rows, key=lambda p: p.valid_from), name
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.valid_until == later.valid_from, (name, earlier, later)  # adjacent: no gap, no overlap
        assert rows[-1].valid_until is None, name  # the last one runs until further notice


def test_history_shows_the_old_and_the_new_cap(db_session):
    rows = history("vrijlating.general.max_monthly")
    assert [(p.valid_from, p.valid_until, p.value) for p in rows] == [
        (date(2016, 1, 1), date(2024, 1, 1), 19900),
        (date(2024, 1, 1), None, 26400),
    ]
    assert rows[0].last_day == date(2023, 12, 31)
    assert rows[1].last_day is None


def test_values_are_read_in_any_tenants_context(app, baseline):
    """Later code reads the national values inside a cooperative's or municipality's work."""
    from koepel.platform.tenancy import tenant_context

    with app.app_context():
        with tenant_context(baseline.coop_a.id):
            assert value_on("vrijlating.general.max_monthly", date(2024, 6, 1)) == 26400
        with tenant_context(baseline.municipality.id):
            assert money_on("bijstand_norm.couple", date(2025, 6, 1)) == Money(192207)
