"""Form validation of the member pages (Flask-WTF forms: CSRF, messages per field).

The forms check the shape of the input (required, lengths, dates that parse, choices
from this cooperative); the operations decide what the journey allows and say why not.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from koepel.platform.dates import amsterdam_today
from koepel.platform.http.forms import options

from .journey import (
    OUTCOME_LABELS,
    OUTCOMES_BY_STAGE,
    STAGE_LABELS,
    STAGES,
    START_STAGES,
    allowed_next,
)
from .models import HOUSEHOLDS, LANGUAGES, REFERRAL_SOURCES

LANGUAGE_LABELS = {
    "nl": _l("Dutch"), "en": _l("English"), "ar": _l("Arabic"), "tr": _l("Turkish"), "pl": _l("Polish"),
    "ti": _l("Tigrinya"), "uk": _l("Ukrainian"), "other": _l("Another language"),
}
HOUSEHOLD_LABELS = {"single": _l("Single"), "couple": _l("Couple")}
REFERRAL_LABELS = {
    "municipality": _l("Referred by the municipality"),
    "work_organisation": _l("Referred by a work organisation"),
    "social_services": _l("Referred by social services or a welfare organisation"),
    "self": _l("Came of their own accord"),
    "other": _l("Other"),
}
# Journey dates before this are typing mistakes (social cooperatives are younger).
EARLIEST_STEP = date(2000, 1, 1)
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
NONE = "none"  # the explicit "nobody" of a select that must be answered

_BAD_DATE = _l("Enter a date as dd-mm-yyyy.")
_TOO_LONG = _l("Use at most %(max)d characters.")


def day_field(label, *, required: bool = True, **kwargs) -> DateField:
    validators = [InputRequired(_l("Enter the date."))] if required else [Optional()]
    return DateField(label, validators=validators, format=DATE_FORMATS, invalid_value_message=_BAD_DATE, **kwargs)


def _not_too_early(field) -> None:
    if field.data is not None and field.data < EARLIEST_STEP:
        raise ValidationError(_l("Enter a date after %(date)s.", date=EARLIEST_STEP.strftime("%d-%m-%Y")))


class MemberForm(FlaskForm):
    """The person and the business, as registered and edited. No citizen service number, ever."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200, message=_TOO_LONG)])
    email = EmailField(_l("Email address"), validators=[
        Optional(), Email(_l("Enter a valid email address.")), Length(max=254, message=_TOO_LONG)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=40, message=_TOO_LONG)])
    date_of_birth = day_field(_l("Date of birth (optional)"), required=False)
    municipality = StringField(_l("Municipality of residence"), validators=[
        Optional(), Length(max=100, message=_TOO_LONG)])
    benefit_municipality_id = SelectField(_l("Municipality that pays the benefit (its agreement applies)"),
                                          validate_choice=False)
    # Only for the estimated saving on benefits (the bijstand norm of a single person or a couple).
    household = SelectField(_l("Household (for the estimated saving on benefits)"),
                            choices=options([("", _l("Unknown"))] + [(h, HOUSEHOLD_LABELS[h]) for h in HOUSEHOLDS]),
                            default="", invalid_choice_message=_l("Choose a household type from the list."))
    language = SelectField(_l("Language"), choices=options((c, LANGUAGE_LABELS[c]) for c in LANGUAGES),
                           default="nl", invalid_choice_message=_l("Choose a language from the list."))
    referral_source = SelectField(_l("How they came to the cooperative"),
                                  choices=options((c, REFERRAL_LABELS[c]) for c in REFERRAL_SOURCES),
                                  default="municipality",
                                  invalid_choice_message=_l("Choose how this person came to the cooperative."))
    trade_name = StringField(_l("Trade name"), validators=[Optional(), Length(max=200, message=_TOO_LONG)])
    activity = StringField(_l("Activity"), validators=[Optional(), Length(max=200, message=_TOO_LONG)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000, message=_TOO_LONG)])

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.benefit_municipality_id.choices = options(
            [("", _l("Not known yet"))] + [(str(tenant_id), name) for tenant_id, name in municipalities])

    def validate_date_of_birth(self, field):
        if field.data is not None and not date(1900, 1, 1) <= field.data <= amsterdam_today():
            raise ValidationError(_l("Enter a date of birth in the past."))

    def member_fields(self) -> dict:
        return {
            "name": self.name.data or "",
            "email": self.email.data or "",
            "phone": self.phone.data or "",
            "date_of_birth": self.date_of_birth.data,
            "municipality": self.municipality.data or "",
            "household": self.household.data or None,
            "language": self.language.data,
            "referral_source": self.referral_source.data,
            "benefit_municipality_id": int(self.benefit_municipality_id.data) if self.benefit_municipality_id.data
            and self.benefit_municipality_id.data.isdigit() else None,
        }

    def business_fields(self) -> dict:
        return {
            "trade_name": self.trade_name.data or "",
            "activity": self.activity.data or "",
            "description": self.description.data or "",
        }


def coach_choices(coaches, *, none_value: str, none_label) -> list:
    return options([(none_value, none_label)] + [(str(user_id), name) for user_id, name in coaches])


class NewMemberForm(MemberForm):
    stage = SelectField(_l("Starting stage"), choices=options((s, STAGE_LABELS[s]) for s in START_STAGES),
                        default="intake", invalid_choice_message=_l("A journey starts with a referral or an intake."))
    on_date = day_field(_l("Date of that stage"), default=amsterdam_today)
    coach_user_id = SelectField(_l("Coach"), invalid_choice_message=_l("Choose a coach of this cooperative."))

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coach_user_id.choices = coach_choices(coaches, none_value="", none_label=_l("No coach yet"))

    def validate_on_date(self, field):
        _not_too_early(field)

    def coach_id(self) -> int | None:
        return int(self.coach_user_id.data) if self.coach_user_id.data else None


class EditMemberForm(MemberForm):
    photo = FileField(_l("Photo of the business (PNG or JPEG, at most 2 MB)"))


class TransitionForm(FlaskForm):
    """The next step. The stage and the outcome are checked by the journey's rules, which
    say why a step is not allowed (the page offers only the allowed ones)."""

    to_stage = SelectField(_l("Next stage"), validate_choice=False,
                           validators=[InputRequired(_l("Choose the next stage."))])
    on_date = day_field(_l("Date"), default=amsterdam_today)
    outcome = SelectField(_l("Outcome (for outflow or stopping)"), validate_choice=False)
    reason = TextAreaField(_l("Explanation (required when the journey stops)"))

    def __init__(self, *args, stage: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = allowed_next(stage)
        self.to_stage.choices = options((s, STAGE_LABELS[s]) for s in targets)
        outcomes = [("", _l("No outcome"))]
        for target in targets:
            for code in OUTCOMES_BY_STAGE.get(target, ()):
                outcomes.append((code, _l("%(stage)s: %(outcome)s", stage=STAGE_LABELS[target],
                                          outcome=OUTCOME_LABELS[code])))
        self.outcome.choices = options(outcomes)

    def validate_on_date(self, field):
        _not_too_early(field)

    def validate_to_stage(self, field):
        if field.data and field.data not in STAGES:
            raise ValidationError(_l("This stage does not exist."))


class TrialEndForm(FlaskForm):
    trial_ends_on = day_field(_l("End of the trial period"))


class AssignForm(FlaskForm):
    """The coach and the portal account; both are answered ("nobody" is a choice), so an
    empty post changes nothing."""

    coach_user_id = SelectField(_l("Coach"), validators=[InputRequired(_l("Choose a coach or “No coach”."))],
                                invalid_choice_message=_l("Choose a coach of this cooperative."))
    user_id = SelectField(_l("Portal account"),
                          validators=[InputRequired(_l("Choose an account or “No portal account”."))],
                          invalid_choice_message=_l("Choose an account of this cooperative with the role member or "
                                                    "candidate."))

    def __init__(self, *args, coaches=(), accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coach_user_id.choices = coach_choices(coaches, none_value=NONE, none_label=_l("No coach"))
        self.user_id.choices = coach_choices(accounts, none_value=NONE, none_label=_l("No portal account"))

    @staticmethod
    def chosen(field) -> int | None:
        return None if field.data in (None, "", NONE) else int(field.data)


class SettingsForm(FlaskForm):
    trial_months = IntegerField(_l("Length of the trial period (months)"), validators=[
        InputRequired(_l("Enter the number of months.")),
        NumberRange(min=1, max=12, message=_l("A trial period lasts 1 to 12 months."))],
        invalid_value_message=_l("Enter a whole number."))
    trial_warning_days = IntegerField(_l("Flag a trial's end this many days ahead"), validators=[
        InputRequired(_l("Enter the number of days.")),
        NumberRange(min=1, max=90, message=_l("Flag a trial's end 1 to 90 days ahead."))],
        invalid_value_message=_l("Enter a whole number."))


class MemberFilterForm(FlaskForm):
    """The members list's filter (GET, changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    stage = SelectField(_l("Stage"), validators=[Optional()],
                        choices=options([("", _l("All stages"))] + [(s, STAGE_LABELS[s]) for s in STAGES]),
                        invalid_choice_message=_l("Choose a stage from the list."))
    q = StringField(_l("Search by name"), validators=[Optional(), Length(max=100, message=_TOO_LONG)])
