"""The forms of the invoice pages (Flask-WTF: CSRF, messages per field). They check the
shape of the input; the operations decide what an invoice allows and say why not."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from koepel.platform.http.forms import options
from koepel.platform.money import Money, MoneyError

from .operations import LineInput
from .totals import rate_label

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
_BAD_DATE = _l("Enter a date as dd-mm-yyyy.")
_TOO_LONG = _l("Use at most %(max)d characters.")
NEW_ROWS = 5
EXTRA_ROWS = 2
STATUS_LABELS = {
    "draft": _l("Draft"), "sent": _l("Sent"), "overdue": _l("Overdue"), "partly_paid": _l("Partly paid"),
    "paid": _l("Paid"), "cancelled": _l("Credited"),
}


def vat_choices(rates: tuple[int, ...], kept: tuple[int, ...], on_date: date):
    """The rates that apply on the invoice's date, then a rate a stored line has that no
    longer applies: shown as such instead of silently replaced (saving it is refused)."""
    pairs = [(str(rate), rate_label(rate)) for rate in rates]
    pairs += [(str(rate), _l("%(rate)s (does not apply on %(date)s)", rate=rate_label(rate),
                             date=on_date.strftime("%d-%m-%Y")))
              for rate in kept if rate not in rates]
    return options(pairs)


class LineForm(Form):
    """One line of the invoice; a row left empty is no line."""

    description = StringField(_l("Description"), validators=[Optional(), Length(max=300, message=_TOO_LONG)])
    quantity = StringField(_l("Quantity"), validators=[Optional()])
    unit_price = StringField(_l("Price per unit excl. VAT"), validators=[Optional()])
    # The choices depend on the invoice's date: InvoiceForm.offer_rates sets them.
    vat_rate = SelectField(_l("VAT rate"), choices=[], default="")

    def is_empty(self) -> bool:
        return not any((self.description.data or "").strip() or (f.data or "").strip()
                       for f in (self.quantity, self.unit_price))


class InvoiceForm(FlaskForm):
    member_id = SelectField(_l("Member who did the work"), validators=[DataRequired(_l("Choose the member."))])
    customer_id = SelectField(_l("Customer"), validators=[DataRequired(_l("Choose a customer."))])
    delivery_date = DateField(_l("Delivery date (or first day of the period)"), format=DATE_FORMATS,
                              validators=[InputRequired(_l("Enter the delivery date."))])
    delivery_end = DateField(_l("Last day of the period (optional)"), format=DATE_FORMATS, validators=[Optional()])
    note = TextAreaField(_l("Note on the invoice (optional)"), validators=[Optional(), Length(max=2000, message=_TOO_LONG)])
    lines = FieldList(FormField(LineForm), min_entries=NEW_ROWS, max_entries=60)

    def __init__(self, *args, members, customers, rates: tuple[int, ...], rates_on: date,
                 kept: tuple[int, ...] = (), **kwargs):
        """`rates`: the VAT rates valid on `rates_on`, the invoice's date (today for a
        draft); `kept`: the rates the draft's stored lines have."""
        super().__init__(*args, **kwargs)
        self.member_id.choices = options([("", _l("Choose…"))] + [(str(i), name) for i, name in members])
        self.customer_id.choices = options([("", _l("Choose…"))] + [(str(c.id), c.name) for c in customers])
        self.line_rows: list[int] = []
        self.rates, self.rates_on, self.kept = tuple(rates), rates_on, tuple(kept)
        self.offer_rates()

    def offer_rates(self) -> None:
        """The VAT choices of every row, also of rows added after the form was made; an
        empty row starts at the general rate (the first)."""
        choices = vat_choices(self.rates, self.kept, self.rates_on)
        for entry in self.lines.entries:
            field = entry.form.vat_rate
            field.choices = choices
            if field.data in (None, "", "None") and self.rates:
                field.data = str(self.rates[0])

    def line_inputs(self) -> list[LineInput] | None:
        """The filled-in rows as lines (None when a row does not parse: its messages are
        at its fields). `self.line_rows[i]` is the form row of line i."""
        inputs, rows, ok = [], [], True
        for index, entry in enumerate(self.lines.entries):
            row = entry.form
            if row.is_empty():
                continue
            try:
                quantity = Money.parse(row.quantity.data or "").cents
            except MoneyError:
                row.quantity.errors = [*row.quantity.errors, _l("Enter a quantity, e.g. 1 or 2,5.")]
                ok = False
                quantity = 0
            try:
                price = Money.parse(row.unit_price.data or "")
            except MoneyError:
                row.unit_price.errors = [*row.unit_price.errors, _l("Enter an amount, e.g. 45,00.")]
                ok = False
                price = Money(0)
            try:
                rate = int(row.vat_rate.data)
            except (TypeError, ValueError):
                rate = -1
            inputs.append(LineInput(row.description.data or "", quantity, price, rate))
            rows.append(index)
        self.line_rows = rows
        return inputs if ok else None

    def field_for(self, name: str | None):
        """The form field an operation's error names ("lines-0-quantity" is line 0)."""
        if not name:
            return None
        if name.startswith("lines-"):
            _, index, field = name.split("-", 2)
            index = int(index)
            row = self.line_rows[index] if index < len(self.line_rows) else 0
            if row < len(self.lines.entries):
                return getattr(self.lines.entries[row].form, field, None)
            return None
        return getattr(self, name, None)


class DeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, delete this draft"), validators=[
        DataRequired(_l("Tick the box to confirm that the draft may be deleted."))])


class CreditForm(FlaskForm):
    reason = TextAreaField(_l("Why is the invoice credited?"), validators=[
        DataRequired(_l("Say why the invoice is credited.")), Length(max=1000, message=_TOO_LONG)])


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the customer's name.")),
                                               Length(max=200, message=_TOO_LONG)])
    is_business = BooleanField(_l("The customer is a business or organisation"))
    street = StringField(_l("Street and number"), validators=[DataRequired(_l("Enter the street and number.")),
                                                              Length(max=200, message=_TOO_LONG)])
    postal_code = StringField(_l("Postal code"), validators=[DataRequired(_l("Enter the postal code.")),
                                                             Length(max=20, message=_TOO_LONG)])
    city = StringField(_l("City"), validators=[DataRequired(_l("Enter the city.")), Length(max=100, message=_TOO_LONG)])
    country = StringField(_l("Country code"), default="NL", validators=[Length(max=2, message=_TOO_LONG)])
    email = EmailField(_l("Email address for invoices"), validators=[Optional(), Length(max=254, message=_TOO_LONG)])
    kvk_number = StringField(_l("KvK number (optional)"), validators=[Optional(), Length(max=20, message=_TOO_LONG)])
    vat_number = StringField(_l("VAT number (btw-id, optional)"), validators=[Optional(), Length(max=30, message=_TOO_LONG)])

    FIELDS = ("name", "is_business", "street", "postal_code", "city", "country", "email", "kvk_number", "vat_number")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class SettingsForm(FlaskForm):
    kor = BooleanField(_l("The cooperative uses the small business scheme (KOR): no VAT on its invoices"))
    payment_term_days = IntegerField(_l("Payment term in days"), validators=[
        InputRequired(_l("Enter the payment term.")), NumberRange(1, 365, _l("A payment term is 1 to 365 days."))])
    reminder_after_days = IntegerField(_l("Send a reminder this many days after the due date"), validators=[
        InputRequired(_l("Enter the number of days.")), NumberRange(1, 90, _l("Remind 1 to 90 days after the due date."))])


class FilterForm(Form):
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    member = SelectField(_l("Member"), choices=[], validators=[Optional()])

    def __init__(self, formdata, *, members):
        super().__init__(formdata)
        self.status.choices = options([("", _l("All"))] + list(STATUS_LABELS.items()))
        self.member.choices = options([("", _l("All members"))] + [(str(i), name) for i, name in members])
