"""Measuring a member on the participation ladder."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.tenants.members import Member

from .models import Measurement
from .rungs import NOTE_MAX, RUNGS

# Older dates are typing mistakes (0026 for 2026), not measurements.
EARLIEST = date(2000, 1, 1)

register_labels({
    "ladder.measured": _l("Member measured on the participation ladder"),
})


class LadderError(ValueError):
    """A measurement that cannot be stored; `field` names the form field to show it at."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.field = field


def do_measure(
    member: Member,
    *,
    rung: int | None,
    measured_on: date | None,
    note: str = "",
    actor_id: int | None,
    today: date | None = None,
) -> Measurement:
    """Record the member's rung on `measured_on`, or raise LadderError and store nothing.

    Measurements are never edited: a mistake is corrected by measuring again."""
    today = today or amsterdam_today()
    if rung not in RUNGS:
        raise LadderError(_l("Choose a rung from 1 to 6."), "rung")
    if measured_on is None:
        raise LadderError(_l("Enter the date of the measurement."), "measured_on")
    if measured_on > today:
        raise LadderError(_l("The date cannot be in the future."), "measured_on")
    if measured_on < EARLIEST:
        raise LadderError(_l("Enter a date from the year 2000 on."), "measured_on")
    # Browsers send line breaks as two characters but count them as one.
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise LadderError(_l("Keep the note to at most %(max)s characters (now %(count)s).",
                             max=NOTE_MAX, count=len(note)), "note")
    measurement = Measurement(member_id=member.id, rung=rung, measured_on=measured_on,
                              measured_by_user_id=actor_id, note=note)
    db.session.add(measurement)
    db.session.flush()
    # The rung and the date, not the note: the audit log is no copy of the file.
    record("ladder.measured", object_type="member", object_id=member.id,
           details={"measurement_id": measurement.id, "rung": rung, "measured_on": measured_on.isoformat()},
           actor_user_id=actor_id)
    return measurement
