"""What a meeting is allowed to be, and its clock: input in Amsterdam time, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l

from koepel.platform.dates import AMSTERDAM

ATTENDANCE_STATUSES = ("present", "absent", "excused")
STATUS_LABELS = {
    "present": _l("Present"),
    "absent": _l("Absent"),
    "excused": _l("Excused"),
}
TITLE_MAX = 200
LOCATION_MAX = 200
AGENDA_MAX = 4000
MINUTES_MAX = 4000
# Dates outside these years are typing mistakes.
FIRST_YEAR, LAST_YEAR = 2000, 2100


UNKNOWN_MEMBERS = _l("The form names members who are not on this meeting's list. Nothing was saved.")


class MeetingError(ValueError):
    """A meeting, attendance or minutes that cannot be stored; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.field = field



def local_to_utc(day: date, at: time, field: str) -> datetime:
    """An Amsterdam wall-clock time as a UTC instant; a time the clocks skip (the last
    Sunday of March, 02:00-03:00) is refused rather than silently moved."""
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=AMSTERDAM)
    instant = local.astimezone(UTC)
    if instant.astimezone(AMSTERDAM).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise MeetingError(_l("This time does not exist on that day: the clocks go forward."), field)
    return instant


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(AMSTERDAM)
