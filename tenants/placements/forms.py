"""The forms of the placement pages: they check the shape of the input (dates that parse,
a whole number of hours); the operations decide what is allowed and say why not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from koepel.platform.http.forms import options

from .models import Employer, Participant, Placement
from .rules import (
    END_REASON_LABELS,
    END_REASONS,
    GUIDE_MAX,
    KIND_LABELS,
    KINDS,
    NAME_MAX,
    NOTE_MAX,
    PLAN_MAX,
    STATUS_LABELS,
    STATUSES,
)

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
_BAD_DATE = _l("Enter a date as dd-mm-yyyy.")


def _day(label, *, required: bool) -> DateField:
    validators = [InputRequired(_l("Enter the date."))] if required else [Optional()]
    return DateField(label, validators=validators, format=DATE_FORMATS, invalid_value_message=_BAD_DATE)


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class ParticipantForm(FlaskForm):
    """A participant: a name and, optionally, a date of birth and the municipality that
    pays the benefit. No citizen service number, ever."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name."))],
                       render_kw={"maxlength": NAME_MAX})
    date_of_birth = _day(_l("Date of birth (optional)"), required=False)
    benefit_municipality_id = SelectField(_l("Municipality that pays the benefit (optional)"), validate_choice=False)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.benefit_municipality_id.choices = options(
            [("", _l("Not known"))] + [(str(tenant_id), name) for tenant_id, name in municipalities])

    @classmethod
    def of(cls, participant: Participant, **kwargs) -> ParticipantForm:
        return cls(formdata=None, name=participant.name, date_of_birth=participant.date_of_birth,
                   benefit_municipality_id=str(participant.benefit_municipality_id or ""), **kwargs)

    def values(self) -> dict:
        return {"name": self.name.data or "", "date_of_birth": self.date_of_birth.data,
                "benefit_municipality_id": _id(self.benefit_municipality_id.data)}


class EmployerForm(FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[InputRequired(_l("Enter the name."))],
                       render_kw={"maxlength": NAME_MAX})
    kvk_number = StringField(_l("KvK number (optional)"), render_kw={"inputmode": "numeric", "maxlength": 12})
    contact_user_id = SelectField(_l("Account that sees this employer's placements (optional)"),
                                  validate_choice=False)

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_user_id.choices = options(
            [("", _l("Nobody"))] + [(str(user_id), name) for user_id, name in accounts])

    @classmethod
    def of(cls, employer: Employer, **kwargs) -> EmployerForm:
        return cls(formdata=None, name=employer.name, kvk_number=employer.kvk_number or "",
                   contact_user_id=str(employer.contact_user_id or ""), **kwargs)

    def values(self) -> dict:
        return {"name": self.name.data or "", "kvk_number": self.kvk_number.data or "",
                "contact_user_id": _id(self.contact_user_id.data)}


class PlacementForm(FlaskForm):
    participant_id = SelectField(_l("Participant"), validate_choice=False)
    employer_id = SelectField(_l("Employer"), validate_choice=False)
    kind = SelectField(_l("Kind of placement"), choices=options((k, KIND_LABELS[k]) for k in KINDS),
                       validate_choice=False)
    start_date = _day(_l("Start date"), required=True)
    hours_per_week = IntegerField(_l("Hours per week"), validators=[InputRequired(_l("Enter the hours per week."))],
                                  render_kw={"min": 1, "max": 40, "inputmode": "numeric"})
    guide = StringField(_l("Who guides (optional)"), render_kw={"maxlength": GUIDE_MAX})
    guidance_plan = TextAreaField(_l("Guidance plan: what is planned (optional)"),
                                  render_kw={"maxlength": PLAN_MAX, "rows": 6})

    def __init__(self, *args, participants=(), employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participant_id.choices = options(
            [("", _l("Choose a participant"))] + [(str(pid), name) for pid, name in participants])
        self.employer_id.choices = options(
            [("", _l("Choose an employer"))] + [(str(eid), name) for eid, name in employers])

    @classmethod
    def of(cls, placement: Placement, **kwargs) -> PlacementForm:
        return cls(formdata=None, participant_id=str(placement.participant_id), employer_id=str(placement.employer_id),
                   kind=placement.kind, start_date=placement.start_date, hours_per_week=placement.hours_per_week,
                   guide=placement.guide, guidance_plan=placement.guidance_plan, **kwargs)

    def values(self) -> dict:
        return {"participant_id": _id(self.participant_id.data), "employer_id": _id(self.employer_id.data),
                "kind": self.kind.data, "start_date": self.start_date.data,
                "hours_per_week": self.hours_per_week.data, "guide": self.guide.data or "",
                "guidance_plan": self.guidance_plan.data or ""}


class EndForm(FlaskForm):
    end_date = _day(_l("End date"), required=True)
    reason = SelectField(_l("Why it ended"), validate_choice=False,
                         choices=options([("", _l("Choose a reason"))] + [(r, END_REASON_LABELS[r]) for r in END_REASONS]))
    note = TextAreaField(_l("Explanation (required for another reason)"), render_kw={"maxlength": NOTE_MAX, "rows": 3})

    def values(self) -> dict:
        return {"end_date": self.end_date.data, "reason": self.reason.data or None, "note": self.note.data or ""}


def status_filter(value: str | None) -> str | None:
    """The list's status filter: active, ended, or None for all (anything else: all)."""
    return value if value in STATUSES else None


STATUS_CHOICES = [(s, STATUS_LABELS[s]) for s in STATUSES]
