"""Setting a value from a date: the old period closes the day before, history is kept,
periods never overlap (the operation computes it, the database guarantees it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, ProgrammingError

from koepel.platform.audit import AuditEvent
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.parameters import (
    ParameterError,
    ParameterValue,
    do_set_parameter,
    history,
    value_on,
)
from koepel.platform.tenancy import tenant_context

CAP = "vrijlating.general.max_monthly"


def periods(name: str) -> list[tuple]:
    return [(p.valid_from, p.valid_until, p.value) for p in history(name)]


def audit_rows(umbrella_id: int) -> list[AuditEvent]:
    with tenant_context(umbrella_id):
        return list(db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "parameters.changed").order_by(AuditEvent.id)))


def test_a_new_value_closes_the_current_period_the_day_before(db_session, baseline):
    today = amsterdam_today()
    start = today + timedelta(days=30)
    with tenant_context(baseline.umbrella.id, baseline.umbrella_admin.id):
        made = do_set_parameter(CAP, start, 27500, "Staatscourant, indexation", actor_id=baseline.umbrella_admin.id)
    assert (made.valid_from, made.valid_until, made.value, made.unit) == (start, None, 27500, "cents")
    assert made.changed_by == baseline.umbrella_admin.id
    assert periods(CAP) == [
        (date(2016, 1, 1), date(2024, 1, 1), 19900),
        (date(2024, 1, 1), start, 26400),
        (start, None, 27500),
    ]
    assert value_on(CAP, start - timedelta(days=1)) == 26400
    assert value_on(CAP, start) == 27500
    assert value_on(CAP, today) == 26400
    [event] = audit_rows(baseline.umbrella.id)
    assert event.tenant_id == baseline.umbrella.id
    assert event.actor_user_id == baseline.umbrella_admin.id
    assert event.object_id == CAP
    assert event.details["value"] == 27500 and event.details["valid_from"] == start.isoformat()
    assert event.details["closed"] == {"valid_from": "2024-01-01", "value": 26400, "valid_until": start.isoformat()}


def test_the_change_is_audited_in_the_umbrella_whoever_calls(db_session, baseline):
    """Called outside the umbrella's context (a CLI, a job), the row still lands in the umbrella's log."""
    start = amsterdam_today() + timedelta(days=10)
    do_set_parameter("vat.reduced", start, 1000, "Belastingplan", actor_id=baseline.umbrella_admin.id)
    [event] = audit_rows(baseline.umbrella.id)
    assert event.object_id == "vat.reduced" and event.details["unit"] == "basis_points"


def test_a_planned_change_is_kept_and_a_change_before_it_ends_where_it_starts(db_session, baseline):
    today = amsterdam_today()
    later, sooner = today + timedelta(days=60), today + timedelta(days=20)
    do_set_parameter(CAP, later, 28000, "planned", actor_id=None)
    do_set_parameter(CAP, sooner, 27000, "sooner", actor_id=None)
    assert periods(CAP)[1:] == [
        (date(2024, 1, 1), sooner, 26400),
        (sooner, later, 27000),
        (later, None, 28000),
    ]


def test_a_value_for_the_day_a_planned_period_starts_replaces_it(db_session, baseline):
    start = amsterdam_today() + timedelta(days=15)
    first = do_set_parameter(CAP, start, 28000, "typo", actor_id=None)
    again = do_set_parameter(CAP, start, 27400, "corrected", actor_id=baseline.umbrella_admin.id)
    assert again.id == first.id
    assert periods(CAP)[-1] == (start, None, 27400)
    assert len(periods(CAP)) == 3
    events = audit_rows(baseline.umbrella.id)
    assert events[-1].details["replaced"] == {"value": 28000, "note": "typo"}


def test_from_today_is_allowed(db_session, baseline):
    today = amsterdam_today()
    do_set_parameter("kor.turnover_limit", today, 2500000, "new limit", actor_id=None)
    assert value_on("kor.turnover_limit", today) == 2500000
    assert value_on("kor.turnover_limit", today - timedelta(days=1)) == 2000000


def test_a_value_that_has_been_in_force_cannot_be_changed_afterwards(db_session, baseline):
    before = periods(CAP)
    with pytest.raises(ParameterError) as caught:
        do_set_parameter(CAP, amsterdam_today() - timedelta(days=1), 30000, "too late", actor_id=None)
    assert caught.value.field == "valid_from"
    with pytest.raises(ParameterError):
        do_set_parameter(CAP, date(2020, 1, 1), 20000, "rewrite history", actor_id=None)
    assert periods(CAP) == before
    assert audit_rows(baseline.umbrella.id) == []


def test_a_past_date_no_period_covers_fills_the_gap_up_to_the_next_period(db_session, baseline):
    made = do_set_parameter("volunteer_allowance.max_monthly", date(2022, 1, 1), 17000, "2022 maximum", actor_id=None)
    assert made.valid_until == date(2023, 1, 1)
    assert value_on("volunteer_allowance.max_monthly", date(2022, 6, 1)) == 17000
    assert value_on("volunteer_allowance.max_monthly", date(2023, 6, 1)) == 19000


@pytest.mark.parametrize(("name", "value", "note", "field"), [
    (CAP, -1, "x", "value"),
    ("vat.general", 10001, "x", "value"),
    (CAP, 26400, "the same value again", "value"),  # already in force then
    (CAP, 27000, "   ", "note"),
    (CAP, 27000, "x" * 501, "note"),
])
def test_bad_input_is_refused_at_its_field_and_changes_nothing(app, db_session, baseline, name, value, note, field):
    before = periods(name)
    with pytest.raises(ParameterError) as caught:
        do_set_parameter(name, amsterdam_today() + timedelta(days=5), value, note, actor_id=None)
    assert caught.value.field == field
    with app.test_request_context():
        assert str(caught.value)  # a message for the person, in their language
    assert periods(name) == before


def test_bad_dates_and_unknown_names_are_refused(db_session, baseline):
    with pytest.raises(ParameterError) as caught:
        do_set_parameter(CAP, amsterdam_today() + timedelta(days=11 * 366), 27000, "far", actor_id=None)
    assert caught.value.field == "valid_from"
    with pytest.raises(ParameterError) as caught:
        do_set_parameter(CAP, date(1999, 12, 31), 27000, "old", actor_id=None)
    assert caught.value.field == "valid_from"
    with pytest.raises(ParameterError):
        do_set_parameter("vat.nonexistent", amsterdam_today(), 1, "x", actor_id=None)


def test_the_database_refuses_overlapping_periods(db_session):
    """The exclusion constraint, as the app role, past the operation."""
    with pytest.raises(IntegrityError, match="ex_parameter_values_no_overlap"):
        with db.session.begin_nested():
            db.session.add(ParameterValue(name=CAP, valid_from=date(2030, 1, 1), valid_until=None, value=1,
                                          unit="cents", note="overlaps the open period"))
            db.session.flush()
    with pytest.raises(IntegrityError, match="ex_parameter_values_no_overlap"):
        with db.session.begin_nested():
            db.session.add(ParameterValue(name=CAP, valid_from=date(2015, 6, 1), valid_until=date(2016, 1, 2), value=1,
                                          unit="cents", note="overlaps the first day of the oldest period"))
            db.session.flush()
    # A period that ends exactly where the next starts does not overlap (end exclusive).
    with db.session.begin_nested():
        db.session.add(ParameterValue(name=CAP, valid_from=date(2015, 6, 1), valid_until=date(2016, 1, 1), value=1,
                                      unit="cents", note="adjacent"))
        db.session.flush()
    assert value_on(CAP, date(2015, 12, 31)) == 1


@pytest.mark.parametrize(("values", "constraint"), [
    ({"valid_from": date(2040, 1, 1), "valid_until": date(2040, 1, 1)}, "period_not_empty"),
    ({"unit": "basis_points", "value": 10001}, "rate_at_most_100_percent"),
    ({"value": -5}, "value_not_negative"),
    ({"unit": "euros"}, "ck_parameter_values_unit"),
    ({"name": "NoDots"}, "name_format"),
])
def test_the_database_checks_each_row(db_session, values, constraint):
    row = {"name": "vat.general", "valid_from": date(2040, 1, 1), "valid_until": date(2041, 1, 1), "value": 100,
           "unit": "cents", "note": "check", **values}
    with pytest.raises(IntegrityError, match=constraint):
        with db.session.begin_nested():
            db.session.add(ParameterValue(**row))
            db.session.flush()


def test_the_app_role_cannot_remove_history(db_session):
    with pytest.raises(ProgrammingError, match="permission denied"):
        with db.session.begin_nested():
            db.session.execute(delete(ParameterValue).where(ParameterValue.name == CAP))
    assert len(history(CAP)) == 2
