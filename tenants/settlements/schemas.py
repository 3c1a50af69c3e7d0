"""The forms of the settlement pages (Flask-WTF, CSRF) and the labels they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired

STATUS_LABELS = {"sent": _l("Awaiting processing"), "processed": _l("Processed")}
OWED_LABELS = {
    "nothing_owed": _l("Nothing owed"),
    "owed": _l("Owed, not claimed yet"),
    "invoiced": _l("Claimed by the municipality"),
    "paying": _l("Payment sent to the bank"),
    "settled": _l("Paid"),
}
INCOME_LABELS = {
    "none": _l("Nothing counts as income: the savings pot is not paid out"),
    "pot": _l("What went to the savings pot counts as income"),
    "net": _l("Everything earned (excluding VAT) counts as income"),
}
GENERAL_NOTE_LABELS = {
    "age_unknown": _l("Date of birth unknown: check the age (27 or over)"),
    "under_age": _l("Under 27: does not apply"),
    "period_over": _l("The 6 consecutive months have passed"),
    "no_income": _l("No income this month"),
}


class CloseForm(FlaskForm):
    month = HiddenField(validators=[DataRequired(_l("Choose the month to close."))])


class ClaimForm(FlaskForm):
    reference = StringField(_l("Your invoice number"), validators=[DataRequired(_l("Enter your invoice number."))])
    iban = StringField(_l("Pay to IBAN"), validators=[DataRequired(_l("Enter the IBAN to pay to."))])


class PayForm(FlaskForm):
    execution_date = DateField(_l("Execution date"), format=["%Y-%m-%d", "%d-%m-%Y"],
                               validators=[InputRequired(_l("Enter a date as dd-mm-yyyy."))])


class ProcessForm(FlaskForm):
    """Marking processed takes no fields: the CSRF token only."""
