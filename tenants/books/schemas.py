"""The forms of the books pages (Flask-WTF, CSRF) and the labels they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from koepel.platform.http.forms import options

from .models import COST_CATEGORIES

CATEGORY_LABELS = {
    "rent": _l("Rent"),
    "insurance": _l("Insurance"),
    "materials": _l("Materials"),
    "training": _l("Training"),
    "coordination": _l("Coordination"),
    "other": _l("Other costs"),
}
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
_BAD_DATE = _l("Enter a date as dd-mm-yyyy.")
_TOO_LONG = _l("Use at most %(max)d characters.")


class CostForm(FlaskForm):
    # A key made when the form is shown: the same form sent twice records one cost.
    idempotency_key = HiddenField()
    on_date = DateField(_l("Paid on"), validators=[InputRequired(_l("Enter the date."))], format=DATE_FORMATS,
                        invalid_value_message=_BAD_DATE)
    category = SelectField(_l("Category"), validators=[DataRequired(_l("Choose a category."))], validate_choice=False)
    supplier = StringField(_l("Supplier"), validators=[DataRequired(_l("Enter the supplier.")),
                                                      Length(max=200, message=_TOO_LONG)])
    description = StringField(_l("What it was for"), validators=[DataRequired(_l("Say what the cost was for.")),
                                                                 Length(max=300, message=_TOO_LONG)])
    receipt = StringField(_l("Receipt or invoice number (optional)"),
                          validators=[Optional(), Length(max=100, message=_TOO_LONG)])
    amount = StringField(_l("Amount paid, including VAT (€)"), validators=[DataRequired(_l("Enter the amount."))])
    vat = StringField(_l("VAT in it (€, 0 when none)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options([("", _l("Choose…"))] + [(c, CATEGORY_LABELS[c]) for c in COST_CATEGORIES])


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Why it is reversed"), validators=[
        DataRequired(_l("Say why the cost is reversed.")), Length(max=200, message=_TOO_LONG)])
