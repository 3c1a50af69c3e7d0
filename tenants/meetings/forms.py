from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired

from .models import Meeting
from .rules import (
    AGENDA_MAX,
    LOCATION_MAX,
    MINUTES_MAX,
    TITLE_MAX,
    UNKNOWN_MEMBERS,
    MeetingError,
    to_local,
)

STATUS_PREFIX = "status-"


class MeetingForm(FlaskForm):
    """A meeting as the person types it: a date and times in Amsterdam."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title."))],
                        render_kw={"maxlength": TITLE_MAX})
    day = DateField(_l("Date"), format="%Y-%m-%d", validators=[InputRequired(_l("Enter the date."))])
    start = TimeField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    end = TimeField(_l("Ends at"), validators=[InputRequired(_l("Enter the end time."))])
    location = StringField(_l("Location (optional)"), render_kw={"maxlength": LOCATION_MAX})
    agenda = TextAreaField(_l("Agenda (optional)"), render_kw={"maxlength": AGENDA_MAX, "rows": 6})

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingForm:
        starts, ends = to_local(meeting.starts_at), to_local(meeting.ends_at)
        return cls(title=meeting.title, day=starts.date(), start=starts.time(), end=ends.time(),
                   location=meeting.location, agenda=meeting.agenda)

    def values(self) -> dict:
        return {"title": self.title.data or "", "day": self.day.data, "start": self.start.data, "end": self.end.data,
                "location": self.location.data or "", "agenda": self.agenda.data or ""}


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes"), validators=[InputRequired(_l("Write the minutes."))],
                            render_kw={"maxlength": MINUTES_MAX, "rows": 8})


def parse_attendance(formdata: MultiDict) -> dict[int, str]:
    """member id -> status from the fields `status-<member id>` (an empty value: not
    recorded). A field that names no member by a number refuses the whole form."""
    statuses: dict[int, str] = {}
    for key, value in formdata.items(multi=True):
        if not key.startswith(STATUS_PREFIX) or not value:
            continue
        raw = key[len(STATUS_PREFIX):]
        if not raw.isdigit() or int(raw) in statuses:
            raise MeetingError(UNKNOWN_MEMBERS, "attendance")
        statuses[int(raw)] = value
    return statuses
