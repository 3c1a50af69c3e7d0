"""The coaching forms and the words for kinds and statuses.

The forms only read the input (a date, a number); the rules (not in the future, 0 to
100, a note that is not empty) are the operations', shown at the field they name.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from koepel.platform.http.forms import options

from .models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, UPDATE_NOTE_MAX

KIND_LABELS = {
    "personal": _l("Personal coaching"),
    "business_skills": _l("Business skills"),
    "external": _l("External coach or trainer"),
}
STATUS_LABELS = {
    "open": _l("Open"),
    "achieved": _l("Achieved"),
    "dropped": _l("Dropped"),
}
DATE_FORMAT = "%Y-%m-%d"  # what <input type="date"> sends


def _date(label):
    return DateField(label, validators=[Optional()], format=DATE_FORMAT,
                     invalid_value_message=_l("Enter a valid date."))


class NoteForm(FlaskForm):
    held_on = _date(_l("Date of the conversation"))
    kind = SelectField(_l("Kind of coaching"), choices=options(KIND_LABELS.items()), validate_choice=False)
    body = TextAreaField(_l("What was discussed and agreed"), render_kw={"rows": 6, "maxlength": NOTE_MAX})
    next_appointment_on = _date(_l("Next appointment (optional)"))


class GoalForm(FlaskForm):
    title = StringField(_l("Goal"), render_kw={"maxlength": TITLE_MAX})
    description = TextAreaField(_l("Explanation (optional)"), render_kw={"rows": 3, "maxlength": DESCRIPTION_MAX})
    target_on = _date(_l("Target date (optional)"))


class GoalUpdateForm(FlaskForm):
    progress = IntegerField(_l("Progress (%)"), validators=[Optional()],
                            invalid_value_message=_l("Enter a whole number from 0 to 100."),
                            render_kw={"min": 0, "max": 100, "step": 5, "inputmode": "numeric"})
    status = SelectField(_l("Status"), choices=options(STATUS_LABELS.items()), validate_choice=False)
    note = TextAreaField(_l("Note (optional; say why when the goal is dropped)"),
                         render_kw={"rows": 3, "maxlength": UPDATE_NOTE_MAX})
