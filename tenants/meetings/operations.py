"""Planning meetings, recording who came, and writing the minutes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.db import db, utcnow

from .models import Attendance, Meeting
from .rules import (
    AGENDA_MAX,
    ATTENDANCE_STATUSES,
    FIRST_YEAR,
    LAST_YEAR,
    LOCATION_MAX,
    MINUTES_MAX,
    TITLE_MAX,
    UNKNOWN_MEMBERS,
    MeetingError,
    local_to_utc,
)

register_labels({
    "meetings.planned": _l("Meeting planned"),
    "meetings.changed": _l("Meeting changed"),
    "meetings.attendance_recorded": _l("Attendance at a meeting recorded"),
    "meetings.minutes_written": _l("Minutes of a meeting written"),
})

MEETING_FIELDS = ("title", "starts_at", "ends_at", "location", "agenda")


def _text(value: str | None) -> str:
    # Browsers send line breaks as two characters but count them as one.
    return (value or "").replace("\r\n", "\n").strip()


def _meeting_values(*, title: str, day: date | None, start: time | None, end: time | None, location: str,
                    agenda: str) -> dict:
    """Checked values of a meeting from the form's Amsterdam date and times."""
    title, location, agenda = _text(title), _text(location), _text(agenda)
    if not title:
        raise MeetingError(_l("Enter a title."), "title")
    if len(title) > TITLE_MAX:
        raise MeetingError(_l("Use at most %(max)s characters.", max=TITLE_MAX), "title")
    if day is None:
        raise MeetingError(_l("Enter the date."), "day")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise MeetingError(_l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR), "day")
    if start is None:
        raise MeetingError(_l("Enter the start time."), "start")
    if end is None:
        raise MeetingError(_l("Enter the end time."), "end")
    if end <= start:
        raise MeetingError(_l("The meeting must end after it starts (on the same day)."), "end")
    if len(location) > LOCATION_MAX:
        raise MeetingError(_l("Use at most %(max)s characters.", max=LOCATION_MAX), "location")
    if len(agenda) > AGENDA_MAX:
        raise MeetingError(_l("Keep the agenda to at most %(max)s characters (now %(count)s).",
                              max=AGENDA_MAX, count=len(agenda)), "agenda")
    return {"title": title, "starts_at": local_to_utc(day, start, "start"), "ends_at": local_to_utc(day, end, "end"),
            "location": location, "agenda": agenda}


def do_plan_meeting(*, title: str, day: date | None, start: time | None, end: time | None, location: str = "",
                    agenda: str = "", actor_id: int | None) -> Meeting:
    """A new meeting; `day`, `start` and `end` are Amsterdam wall-clock values."""
    values = _meeting_values(title=title, day=day, start=start, end=end, location=location, agenda=agenda)
    meeting = Meeting(**values, created_by_user_id=actor_id)
    db.session.add(meeting)
    db.session.flush()
    record("meetings.planned", object_type="meeting", object_id=meeting.id,
           details={"title": meeting.title, "starts_at": meeting.starts_at.isoformat()}, actor_user_id=actor_id)
    return meeting


def has_attendance(meeting: Meeting) -> bool:
    return db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting.id).limit(1)) is not None


def do_update_meeting(meeting: Meeting, *, title: str, day: date | None, start: time | None, end: time | None,
                      location: str = "", agenda: str = "", actor_id: int | None,
                      now: datetime | None = None) -> Meeting:
    """Change a meeting. One whose attendance was recorded took place: it cannot move to
    the future."""
    values = _meeting_values(title=title, day=day, start=start, end=end, location=location, agenda=agenda)
    if values["starts_at"] > (now or utcnow()) and has_attendance(meeting):
        raise MeetingError(_l("Attendance was recorded for this meeting: it cannot move to the future."), "day")
    changed = sorted(k for k in MEETING_FIELDS if getattr(meeting, k) != values[k])
    if changed:
        for key in changed:
            setattr(meeting, key, values[key])
        db.session.flush()
        record("meetings.changed", object_type="meeting", object_id=meeting.id, details={"fields": changed},
               actor_user_id=actor_id)
    return meeting


def _started(meeting: Meeting, now: datetime | None, message, field: str) -> None:
    if meeting.starts_at > (now or utcnow()):
        raise MeetingError(message, field)


def do_record_attendance(meeting: Meeting, statuses: dict[int, str], *, eligible: Iterable[int],
                         actor_id: int | None, now: datetime | None = None) -> dict[str, int]:
    """Record member id -> status for a meeting that has started: all lines or none.

    `eligible` are the member ids the form may name (the roster the person was shown);
    any other id, a member of another cooperative included, refuses the whole form.
    Returns how many were recorded per status. The meeting's row is locked first, so two
    people saving the same list at once save one after the other."""
    db.session.refresh(meeting, with_for_update=True)
    _started(meeting, now, _l("Attendance can be recorded once the meeting has started."), "attendance")
    if not statuses:
        raise MeetingError(_l("Choose present, absent or excused for at least one member."), "attendance")
    eligible = set(eligible)
    unknown = sorted(set(statuses) - eligible)
    if unknown:
        raise MeetingError(UNKNOWN_MEMBERS, "attendance")
    if any(status not in ATTENDANCE_STATUSES for status in statuses.values()):
        raise MeetingError(_l("Choose present, absent or excused. Nothing was saved."), "attendance")
    existing = {a.member_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.member_id.in_(list(statuses)))
    )}
    changed = 0
    for member_id, status in sorted(statuses.items()):
        row = existing.get(member_id)
        if row is None:
            db.session.add(Attendance(meeting_id=meeting.id, member_id=member_id, status=status,
                                      recorded_by_user_id=actor_id))
            changed += 1
        elif row.status != status:
            row.status, row.recorded_by_user_id, row.recorded_at = status, actor_id, utcnow()
            changed += 1
    db.session.flush()
    counts = dict(Counter(statuses.values()))
    if changed:
        record("meetings.attendance_recorded", object_type="meeting", object_id=meeting.id,
               details={"counts": counts, "changed": changed}, actor_user_id=actor_id)
    return counts


def do_write_minutes(meeting: Meeting, minutes: str, *, actor_id: int | None, now: datetime | None = None) -> Meeting:
    """Write (or rewrite) the short minutes of a meeting that has started."""
    _started(meeting, now, _l("Minutes can be written once the meeting has started."), "minutes")
    minutes = _text(minutes)
    if not minutes:
        raise MeetingError(_l("Write the minutes."), "minutes")
    if len(minutes) > MINUTES_MAX:
        raise MeetingError(_l("Keep the minutes to at most %(max)s characters (now %(count)s).",
                              max=MINUTES_MAX, count=len(minutes)), "minutes")
    if minutes != meeting.minutes:
        first = not meeting.minutes
        meeting.minutes, meeting.minutes_by_user_id, meeting.minutes_at = minutes, actor_id, utcnow()
        db.session.flush()
        record("meetings.minutes_written", object_type="meeting", object_id=meeting.id,
               details={"first": first, "length": len(minutes)}, actor_user_id=actor_id)
    return meeting
