"""The sign-up form of a cooperative: one form in three sections (organisation, address
and municipalities, first coordinator), validated as a whole so nothing is stored until
every field is right."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import btw, postcode
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from koepel.platform.http.forms import options
from koepel.platform.people.forms import MultiCheckboxField, new_password_problems

LEGAL_FORM_CHOICES = [
    ("cooperatie_ua", _l("Cooperative U.A. (excluded liability)")),
    ("cooperatie_ba", _l("Cooperative B.A. (limited liability)")),
    ("cooperatie_wa", _l("Cooperative W.A. (statutory liability)")),
    ("stichting", _l("Foundation (stichting)")),
    ("vereniging", _l("Association (vereniging)")),
    ("bv", _l("Private company (B.V.)")),
]
MAX = _l("Use at most %(max)d characters.")


def normalise_kvk(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_kvk(value: str | None) -> str:
    """The KvK number: 8 digits (python-stdnum has no nl.kvk; the number has no check digit)."""
    number = normalise_kvk(value)
    if not re.fullmatch(r"[0-9]{8}", number):
        raise ValidationError(_l("A KvK number has 8 digits, e.g. 12345678."))
    return number


def validate_vat(value: str | None) -> str:
    """A Dutch btw-id (NL123456789B01), checked with python-stdnum; returned compact, with NL."""
    try:
        return "NL" + btw.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(_l("This is not a valid Dutch VAT number (btw-id), e.g. NL123456789B01.")) from exc


def validate_iban(value: str | None) -> str:
    try:
        return IBAN(value or "").compact
    except (SchwiftyException, ValueError) as exc:
        raise ValidationError(_l("This is not a valid IBAN. Check the number on your bank statement.")) from exc


def validate_postcode(value: str | None) -> str:
    try:
        return postcode.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(_l("This is not a valid Dutch postal code, e.g. 2611 HL.")) from exc


def split_names(text: str | None) -> list[str]:
    names = [n.strip() for n in re.split(r"[,;\n]", text or "")]
    return [n for n in dict.fromkeys(names) if n]


class OnboardingForm(FlaskForm):
    # 1. the cooperative
    name = StringField(_l("Name of the cooperative"), validators=[
        DataRequired(_l("Enter the name of the cooperative.")), Length(min=2, max=200, message=_l("Use 2 to 200 characters."))])
    legal_form = SelectField(_l("Legal form"), choices=options(LEGAL_FORM_CHOICES),
                             validators=[DataRequired(_l("Choose the legal form."))])
    kvk_number = StringField(_l("KvK number"), validators=[DataRequired(_l("Enter the KvK number."))])
    vat_number = StringField(_l("VAT number (btw-id)"), validators=[DataRequired(_l("Enter the VAT number (btw-id)."))])
    iban = StringField(_l("IBAN"), validators=[DataRequired(_l("Enter the IBAN of the cooperative."))])
    # 2. address and municipalities
    street = StringField(_l("Street and number"), validators=[
        DataRequired(_l("Enter the street and number.")), Length(max=200, message=MAX)])
    postal_code = StringField(_l("Postal code"), validators=[DataRequired(_l("Enter the postal code."))])
    city = StringField(_l("City"), validators=[DataRequired(_l("Enter the city.")), Length(max=100, message=MAX)])
    municipality_ids = MultiCheckboxField(_l("Municipalities on Koepel you work with"), coerce=int)
    other_municipalities = TextAreaField(
        _l("Other municipalities you work with (separate with commas)"),
        validators=[Optional(), Length(max=1000, message=MAX)])
    # 3. the first coordinator (left out when someone is signed in: then it is them)
    coordinator_name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=200, message=MAX)])
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter your email address.")), Email(_l("Enter a valid email address.")),
        Length(max=254, message=MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    password_confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(_l("Enter the password again.")), EqualTo("password", _l("The two passwords are not the same."))])

    ACCOUNT_FIELDS = ("coordinator_name", "email", "password", "password_confirm")

    def __init__(self, municipalities, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_ids.choices = options((m.id, m.name) for m in municipalities)
        self.signed_in = signed_in
        if signed_in:
            for name in self.ACCOUNT_FIELDS:
                delattr(self, name)

    def validate_kvk_number(self, field):
        field.data = validate_kvk(field.data)

    def validate_vat_number(self, field):
        field.data = validate_vat(field.data)

    def validate_iban(self, field):
        field.data = validate_iban(field.data)

    def validate_postal_code(self, field):
        field.data = validate_postcode(field.data)

    def validate_other_municipalities(self, field):
        names = split_names(field.data)
        if any(len(n) > 100 for n in names):
            raise ValidationError(_l("A municipality's name can have at most 100 characters."))
        if len(names) > 30:
            raise ValidationError(_l("List at most 30 municipalities."))

    def validate_email(self, field):
        from koepel.platform.auth import User

        if User.by_email(field.data or "") is not None:
            raise ValidationError(_l("There is already an account with this email address. "
                                     "Sign in first, then start your cooperative from here."))

    def validate_password(self, field):
        email = self.email.data if hasattr(self, "email") else None
        problems = new_password_problems(field.data, email)
        if problems:
            raise ValidationError(" ".join(problems))
