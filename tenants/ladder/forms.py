from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired

from koepel.platform.http.forms import options

from .rungs import NOTE_MAX, RUNG_LABELS, RUNGS


def _rung(value) -> int | None:
    """The posted rung as a number; anything else is None (the operation says why)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MeasureForm(FlaskForm):
    # Choices are not checked here: the operation refuses a rung outside 1..6 with its message.
    rung = SelectField(_l("Rung"), coerce=_rung, validate_choice=False)
    measured_on = DateField(_l("Date of the measurement"), format="%Y-%m-%d",
                            validators=[InputRequired(_l("Enter the date of the measurement."))])
    note = TextAreaField(_l("Note (optional)"), render_kw={"maxlength": NOTE_MAX, "rows": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rung.choices = options([("", _l("Choose a rung"))]
                                    + [(r, f"{r} · {RUNG_LABELS[r]}") for r in RUNGS])
