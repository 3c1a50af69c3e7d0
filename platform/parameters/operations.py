"""Changing parameters: a new value from a date.

`do_set_parameter(name, valid_from, value, note, actor_id)`:
- the period in force on `valid_from` is closed: it now ends the day before
  (`valid_until = valid_from`, exclusive), and the new period runs from `valid_from`
  to where the closed one ended (until further notice, or until a change already
  planned for later, which is kept);
- a period that starts on `valid_from` itself (a planned change) gets the new value;
- on a day no period covers (before the first one, or in a gap), the new period runs
  to the start of the next period (or until further notice);
- a value that has already been in force is history: `valid_from` may lie in the past
  only where no period covers it yet. Otherwise it must be today or later (Amsterdam).

Changes of one name are serialised with a transaction-level advisory lock, so two
administrators saving at once both see the other's period; the exclusion constraint on
the table is the guarantee that periods never overlap.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.tenancy import Tenant, current_scope, tenant_context

from .catalog import KNOWN
from .models import ParameterValue

register_labels({
    "parameters.changed": _l("Value of a parameter set from a date"),
})

EARLIEST = date(2000, 1, 1)
FURTHEST_AHEAD = timedelta(days=10 * 366)
NOTE_MAX = 500
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('koepel.parameters:' || :name, 0))")


class ParameterError(ValueError):
    """A value that cannot be set; `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # a lazy text: translated when shown
        self.field = field


def _umbrella_id() -> int:
    umbrella_id = db.session.scalar(select(Tenant.id).where(Tenant.kind == "umbrella"))
    if umbrella_id is None:
        raise ParameterError(_l("There is no umbrella organisation to record the change in."))
    return umbrella_id


def _validate(name: str, valid_from: date, value: int, note: str, today: date) -> str:
    entry = KNOWN.get(name)
    if entry is None:
        raise ParameterError(_l("This parameter does not exist."))
    if isinstance(valid_from, datetime) or not isinstance(valid_from, date):
        raise ParameterError(_l("Enter a date as dd-mm-yyyy."), "valid_from")
    if valid_from < EARLIEST:
        raise ParameterError(_l("Choose a date from 01-01-2000."), "valid_from")
    if valid_from > today + FURTHEST_AHEAD:
        raise ParameterError(_l("Choose a date at most ten years ahead."), "valid_from")
    if not isinstance(value, int) or isinstance(value, bool):
        raise ParameterError(_l("Enter a number."), "value")
    if value < 0:
        raise ParameterError(_l("The value cannot be negative."), "value")
    if entry.unit == "basis_points" and value > 10_000:
        raise ParameterError(_l("A percentage is at most 100%."), "value")
    note = (note or "").strip()
    if not note:
        raise ParameterError(_l("Say where the value comes from (the source) or why it changes."), "note")
    if len(note) > NOTE_MAX:
        raise ParameterError(_l("Use at most %(max)d characters.", max=NOTE_MAX), "note")
    return note


def do_set_parameter(name: str, valid_from: date, value: int, note: str, actor_id: int | None,
                     *, today: date | None = None) -> ParameterValue:
    """Set `name` to `value` from `valid_from` (see the module's docstring); returns the
    period that now starts on `valid_from`. Flushes, never commits."""
    today = today or amsterdam_today()
    note = _validate(name, valid_from, value, note, today)
    unit = KNOWN[name].unit
    umbrella_id = _umbrella_id()

    db.session.execute(_LOCK, {"name": name})
    # Read after the lock, past the identity map: another change may just have committed.
    periods = list(db.session.scalars(
        select(ParameterValue).where(ParameterValue.name == name).order_by(ParameterValue.valid_from)
        .execution_options(populate_existing=True)
    ))
    covering = next((p for p in periods if p.covers(valid_from)), None)
    if covering is not None and valid_from < today:
        raise ParameterError(
            _l("A value that has already been in force cannot be changed afterwards: choose today or a later date."),
            "valid_from",
        )
    if covering is not None and covering.value == value and (covering.valid_from != valid_from or covering.note == note):
        raise ParameterError(_l("This value already applies on that date."), "value")

    now = utcnow()
    details: dict = {"name": name, "valid_from": valid_from.isoformat(), "value": value, "unit": unit, "note": note}
    if covering is not None and covering.valid_from == valid_from:
        details["replaced"] = {"value": covering.value, "note": covering.note}
        covering.value, covering.note, covering.changed_by, covering.changed_at = value, note, actor_id, now
        period = covering
    else:
        if covering is not None:
            until = covering.valid_until
            details["closed"] = {"valid_from": covering.valid_from.isoformat(), "value": covering.value,
                                 "valid_until": valid_from.isoformat()}
            covering.valid_until, covering.changed_by, covering.changed_at = valid_from, actor_id, now
            db.session.flush()  # shorten the old period before the new one is inserted
        else:
            until = next((p.valid_from for p in periods if p.valid_from > valid_from), None)
        period = ParameterValue(name=name, valid_from=valid_from, valid_until=until, value=value, unit=unit,
                                note=note, changed_by=actor_id, changed_at=now)
        db.session.add(period)
    db.session.flush()
    details["valid_until"] = period.valid_until.isoformat() if period.valid_until else None

    scope = current_scope()
    if scope.tenant_id == umbrella_id:
        _record(name, details, actor_id)
    else:  # the change belongs to the umbrella's audit log, whoever calls
        with tenant_context(umbrella_id, scope.user_id):
            _record(name, details, actor_id)
    return period


def _record(name: str, details: dict, actor_id: int | None) -> None:
    record("parameters.changed", object_type="parameter", object_id=name, details=details, actor_user_id=actor_id)
