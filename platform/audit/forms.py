"""The audit log's filter form (GET, no CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from koepel.platform.http.forms import options

from .queries import AuditFilter


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = SelectField(_l("Person"), coerce=str, validators=[Optional()])
    action = SelectField(_l("Action"), coerce=str, validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Until"), validators=[Optional()], format="%Y-%m-%d")
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Not a page number."))])

    def __init__(self, formdata, *, people, actions, **kwargs):
        super().__init__(formdata, **kwargs)
        self.person.choices = options([("", _l("Everyone"))] + [(str(i), name) for i, name in people])
        self.action.choices = options([("", _l("All actions"))] + [(a, a) for a in actions])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilter:
        return AuditFilter(
            person_id=int(self.person.data) if self.person.data else None,
            action=self.action.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


class FederationAuditForm(FlaskForm):
    """The federation-wide log: the same filters plus the organisation, and the reason
    for looking, which `umbrella_scope` writes to the log before anything is read."""

    class Meta:
        csrf = False

    reason = StringField(_l("Reason for looking"), validators=[
        Optional(), Length(min=5, max=300, message=_l("Describe the reason in 5 to 300 characters."))])
    tenant = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    person = EmailField(_l("Person (email address)"), validators=[Optional(), Email(_l("Enter a valid email address."))])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=100)])
    date_from = DateField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField(_l("Until"), validators=[Optional()], format="%Y-%m-%d")
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100000, message=_l("Not a page number."))])

    def __init__(self, formdata, *, tenants, **kwargs):
        super().__init__(formdata, **kwargs)
        self.tenant.choices = options([("", _l("All organisations"))] + [(str(t.id), t.name) for t in tenants])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilter:
        return AuditFilter(
            person_email=(self.person.data or "").strip() or None,
            action=(self.action.data or "").strip() or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            tenant_id=int(self.tenant.data) if self.tenant.data else None,
        )
