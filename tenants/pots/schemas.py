"""The forms of the pot pages (Flask-WTF, CSRF) and the labels they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from koepel.platform.http.forms import options

from .operations import DESCRIPTION_MAX, REASON_MAX, SUPPLIER_MAX

CATEGORY_LABELS = {
    "tools": _l("Tools"),
    "materials": _l("Materials"),
    "training": _l("Training"),
    "equipment": _l("Equipment"),
    "transport": _l("Transport"),
    "other": _l("Other business costs"),
}
STATUS_LABELS = {
    "requested": _l("Awaiting a decision"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "paid": _l("Paid"),
}
BATCH_STATUS_LABELS = {"created": _l("Sent to the bank"), "paid": _l("Paid")}
RULE_LABELS = {
    "spend_on_business": _l("Spent on the member's own business"),
    "keep_for_period": _l("Kept for the member for a period"),
    "return": _l("Returned to the municipality"),
    "no_agreement": _l("No agreement applies: the coordinator settles it"),
}
CLOSING_STATUS_LABELS = {"pending": _l("Awaiting confirmation"), "confirmed": _l("Confirmed"),
                         "cancelled": _l("Cancelled: the member returned")}
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
_BAD_DATE = _l("Enter a date as dd-mm-yyyy.")
_TOO_LONG = _l("Use at most %(max)d characters.")


class RequestForm(FlaskForm):
    amount = StringField(_l("Amount (€)"), validators=[DataRequired(_l("Enter the amount."))])
    category = SelectField(_l("What it is for"), validators=[DataRequired(_l("Choose what it is for."))],
                           validate_choice=False)
    description = TextAreaField(_l("What you want to buy and why"), validators=[
        DataRequired(_l("Say what you want to buy and why.")), Length(max=DESCRIPTION_MAX, message=_TOO_LONG)])
    supplier_name = StringField(_l("Supplier"), validators=[
        DataRequired(_l("Enter the supplier's name.")), Length(max=SUPPLIER_MAX, message=_TOO_LONG)])
    supplier_iban = StringField(_l("Supplier's IBAN"), validators=[DataRequired(_l("Enter the supplier's IBAN."))])
    invoice = FileField(_l("Invoice or quote (PDF, PNG or JPEG, at most 5 MB)"))

    def set_categories(self, allowed) -> None:
        self.category.choices = options([("", _l("Choose…"))] + [(c, CATEGORY_LABELS[c]) for c in allowed or ()])


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Why it is refused"), validators=[
        DataRequired(_l("Say why the request is refused.")), Length(max=REASON_MAX, message=_TOO_LONG)])


class ApproveForm(FlaskForm):
    """Only the CSRF token: approving asks nothing more."""


class PaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the date."))], format=DATE_FORMATS,
                        invalid_value_message=_BAD_DATE)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BatchForm(FlaskForm):
    execution_date = DateField(_l("Execution date"), validators=[InputRequired(_l("Enter the date."))],
                               format=DATE_FORMATS, invalid_value_message=_BAD_DATE)
    request_ids = MultiCheckboxField(_l("Requests to pay"), coerce=int, validate_choice=False)


class ConfirmClosingForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=REASON_MAX, message=_TOO_LONG)])
