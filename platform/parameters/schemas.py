"""The form that sets a new value: the value is typed as people write it (€ for amounts,
% for rates) and parsed here into the name's integer unit (`form.parsed_value`)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from koepel.platform.money import Money, MoneyError

from .operations import NOTE_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
_PERCENT = re.compile(r"^(?P<units>\d{1,3})(?:[.,](?P<fraction>\d{1,2}))?%?$")
_WHOLE = re.compile(r"^\d{1,9}$")

VALUE_LABELS = {
    "cents": _l("Value (in €)"),
    "basis_points": _l("Value (in %)"),
    "months": _l("Value (in months)"),
    "years": _l("Value (in years)"),
    "count": _l("Value (a whole number)"),
}
VALUE_HINTS = {
    "cents": _l("An amount in euros, e.g. 264,00."),
    "basis_points": _l("A percentage with at most two decimals, e.g. 12,5."),
}


def parse_value(text: str, unit: str) -> int:
    """Typed text → the integer stored for `unit`; ValueError with a readable message."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if unit == "cents":
        try:
            amount = Money.parse(cleaned)
        except MoneyError:
            raise ValueError(_l("Enter an amount in euros, e.g. 264,00.")) from None
        if amount.cents < 0:
            raise ValueError(_l("The value cannot be negative."))
        return amount.cents
    if unit == "basis_points":
        if cleaned.startswith("-"):
            raise ValueError(_l("The value cannot be negative."))
        match = _PERCENT.match(cleaned)
        if not match:
            raise ValueError(_l("Enter a percentage with at most two decimals, e.g. 12,5."))
        basis_points = int(match["units"]) * 100 + int((match["fraction"] or "0").ljust(2, "0"))
        if basis_points > 10_000:
            raise ValueError(_l("A percentage is at most 100%."))
        return basis_points
    if cleaned.startswith("-"):
        raise ValueError(_l("The value cannot be negative."))
    if not _WHOLE.match(cleaned):
        raise ValueError(_l("Enter a whole number."))
    return int(cleaned)


class ParameterForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Enter the date."))], format=DATE_FORMATS,
                           invalid_value_message=_l("Enter a date as dd-mm-yyyy."))
    value = StringField(_l("Value"), validators=[InputRequired(_l("Enter the value.")), Length(max=30)])
    note = TextAreaField(_l("Source or reason"), validators=[
        InputRequired(_l("Say where the value comes from (the source) or why it changes.")),
        Length(max=NOTE_MAX, message=_l("Use at most %(max)d characters."))])

    def __init__(self, unit: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.parsed_value: int | None = None
        self.value.label.text = VALUE_LABELS[unit]
        self.value.description = VALUE_HINTS.get(unit, "")

    def validate_value(self, field) -> None:
        try:
            self.parsed_value = parse_value(field.data, self.unit)
        except ValueError as error:
            raise ValidationError(str(error)) from None
