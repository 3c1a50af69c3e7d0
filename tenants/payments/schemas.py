"""The forms of the payments pages (Flask-WTF, CSRF) and the labels they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

FORMAT_LABELS = {"camt053": "CAMT.053", "mt940": "MT940"}
LINE_STATUS_LABELS = {"unmatched": _l("To be matched"), "matched": _l("Matched"), "ignored": _l("Not a payment")}
SPLIT_STATUS_LABELS = {"waiting": _l("Waiting for an agreement"), "split": _l("Split")}


class UploadForm(FlaskForm):
    file = FileField(_l("Bank statement (CAMT.053 or MT940)"), validators=[FileRequired(_l("Choose a file."))])


class MatchForm(FlaskForm):
    invoice_id = SelectField(_l("Invoice this payment pays"), validators=[DataRequired(_l("Choose an invoice."))],
                             validate_choice=False)


class PayoutForm(FlaskForm):
    batch_id = SelectField(_l("Payout batch this is"), validators=[DataRequired(_l("Choose a payout batch."))],
                           validate_choice=False)


class IgnoreForm(FlaskForm):
    reason = TextAreaField(_l("What this is (not a customer payment)"), validators=[
        DataRequired(_l("Say what this bank line is.")), Length(max=1000, message=_l("Use at most 1000 characters."))])


class EmptyForm(FlaskForm):
    """A button: only the CSRF token."""
