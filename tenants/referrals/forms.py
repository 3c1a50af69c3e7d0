"""The referral forms: sending (municipality), declining and accepting (cooperative)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from koepel.platform.http.forms import options

from .models import HANDOVER_MAX, REASON_MAX

TOO_LONG = _l("Use at most %(max)d characters.")


class ReferralForm(FlaskForm):
    resident_name = StringField(_l("Name of the resident"), validators=[
        DataRequired(_l("Enter the resident's name.")), Length(max=200, message=TOO_LONG)])
    resident_email = EmailField(_l("Email address (optional)"), validators=[
        Optional(), Email(_l("Enter a valid email address.")), Length(max=254, message=TOO_LONG)])
    resident_phone = StringField(_l("Phone number (optional)"), validators=[Optional(), Length(max=40, message=TOO_LONG)])
    resident_date_of_birth = DateField(_l("Date of birth (optional)"), validators=[Optional()], format="%Y-%m-%d")
    client_reference = StringField(_l("Your client reference (optional, stays in the municipality)"),
                                   validators=[Optional(), Length(max=100, message=TOO_LONG)])
    target_tenant_id = SelectField(_l("Cooperative"), validate_choice=False,
                                   validators=[DataRequired(_l("Choose an active cooperative."))])
    handover = TextAreaField(_l("Hand-over: what does the resident want to do, and what helps?"), validators=[
        DataRequired(_l("Write a short hand-over: what the resident wants to do and what helps.")),
        Length(max=HANDOVER_MAX, message=_l("Keep the hand-over short: at most %(max)d characters."))])
    consent = BooleanField(_l("The resident has consented to this referral to the cooperative. Their name is always "
                              "shared."))
    share_contact = BooleanField(_l("Share the contact details (email address and phone number)"))
    share_date_of_birth = BooleanField(_l("Share the date of birth"))
    share_handover = BooleanField(_l("Share the hand-over"))
    idempotency_key = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{16,64}$",
                                                     message=_l("The form has expired. Open it again."))])

    def __init__(self, cooperatives, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_tenant_id.choices = options([("", _l("Choose a cooperative"))] + [(str(c.id), c.name)
                                                                                      for c in cooperatives])

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("A referral needs the resident's consent. Record it before sending."))

    def target_id(self) -> int | None:
        value = (self.target_tenant_id.data or "").strip()
        return int(value) if value.isdigit() else None


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why not? This message goes to the client manager."), validators=[
        DataRequired(_l("Tell the municipality why: the reason goes to the client manager.")),
        Length(max=REASON_MAX, message=TOO_LONG)])


class DecideForm(FlaskForm):
    """Accepting (and withdrawing) takes no fields: the CSRF token only."""
