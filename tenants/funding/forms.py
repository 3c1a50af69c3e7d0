"""The funding forms: opening a period and the subsidy granted (the municipality),
recording hours and housing costs and withdrawing a record (the cooperative). The form
reads what people type (Dutch amounts "1.234,56", hours "7,5"); whether it can be stored
is the operation's check."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from koepel.platform.http.forms import options
from koepel.platform.money import Money, MoneyError

from .models import DESCRIPTION_MAX, NAME_MAX, NOTES_MAX, REASON_MAX

TOO_LONG = _l("Use at most %(max)d characters.")
_HOURS = re.compile(r"^(?P<units>\d{1,3})(?:[.,](?P<decimals>\d))?$")


def parse_hours(text: str | None) -> Decimal:
    """'7,5' / '7.5' / '16' -> Decimal (at most one decimal)."""
    match = _HOURS.match((text or "").replace(" ", ""))
    if not match:
        raise ValueError(f"not a number of hours: {text!r}")
    return Decimal(f"{match['units']}.{match['decimals'] or '0'}")


def _money(field, required: bool) -> Money | None:
    text = (field.data or "").strip()
    if not text:
        if required:
            raise ValidationError(_l("Enter an amount in euros, like 1.234,56."))
        return None
    try:
        return Money.parse(text)
    except MoneyError:
        raise ValidationError(_l("Enter an amount in euros, like 1.234,56.")) from None


def new_request_key() -> str:
    return secrets.token_urlsafe(24)


class PeriodForm(FlaskForm):
    agreement_id = SelectField(_l("Cooperative"), validate_choice=False,
                               validators=[DataRequired(_l("Choose the agreement (the cooperative) the period is "
                                                           "for."))])
    first_month = MonthField(_l("First month"), validators=[InputRequired(_l("Enter the first month of the period."))])
    last_month = MonthField(_l("Last month"), validators=[InputRequired(_l("Enter the last month of the period."))])
    granted = StringField(_l("Subsidy granted for the period (€, optional)"))
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional(), Length(max=NOTES_MAX, message=TOO_LONG)])

    def set_agreements(self, agreements) -> None:
        self.agreement_id.choices = options([("", _l("Choose a cooperative"))]
                                            + [(str(a.id), a.partner_name) for a in agreements])

    def validate_granted(self, field):
        _money(field, required=False)

    def chosen_agreement(self) -> int | None:
        value = (self.agreement_id.data or "").strip()
        return int(value) if value.isdigit() else None

    def granted_amount(self) -> Money | None:
        return _money(self.granted, required=False)


class GrantedForm(FlaskForm):
    granted = StringField(_l("Subsidy granted for the period (€); empty when not known"))

    def validate_granted(self, field):
        _money(field, required=False)

    def granted_amount(self) -> Money | None:
        return _money(self.granted, required=False)


class HoursForm(FlaskForm):
    request_key = HiddenField()
    on_date = DateField(_l("Date"), format="%Y-%m-%d", validators=[InputRequired(_l("Enter the day the hours were "
                                                                                    "worked."))])
    hours = StringField(_l("Hours"), validators=[DataRequired(_l("Enter the hours, like 2 or 1,5."))])
    description = TextAreaField(_l("What was done (do not name members)"), validators=[
        DataRequired(_l("Say what was done.")), Length(max=DESCRIPTION_MAX, message=TOO_LONG)])
    done_by = StringField(_l("Who did it"), validators=[DataRequired(_l("Say who did the work.")),
                                                         Length(max=NAME_MAX, message=TOO_LONG)])

    def validate_hours(self, field):
        try:
            parse_hours(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a number of hours, like 2 or 1,5 (at most one decimal).")) from None

    def parsed_hours(self) -> Decimal:
        return parse_hours(self.hours.data)


class HousingForm(FlaskForm):
    request_key = HiddenField()
    month = MonthField(_l("Month"), validators=[InputRequired(_l("Enter the month the housing costs are for."))])
    amount = StringField(_l("Amount paid (€)"), validators=[DataRequired(_l("Enter an amount in euros, like "
                                                                            "1.234,56."))])
    description = TextAreaField(_l("What was paid (rent, energy, to whom)"), validators=[
        DataRequired(_l("Say what was paid (rent, energy, to whom).")), Length(max=DESCRIPTION_MAX, message=TOO_LONG)])

    def validate_amount(self, field):
        _money(field, required=True)

    def parsed_amount(self) -> Money:
        return _money(self.amount, required=True)


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why is this record withdrawn? Both sides see the reason."), validators=[
        DataRequired(_l("Say why the record is withdrawn.")), Length(max=REASON_MAX, message=TOO_LONG)])
