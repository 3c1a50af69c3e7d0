from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from koepel.platform.http.forms import options
from koepel.platform.people.forms import ROLE_LABELS
from koepel.platform.tenancy.models import ROLES_BY_KIND, TENANT_KINDS, TENANT_STATUSES
from koepel.platform.tenancy.operations import SUPPORT_MINUTES

KIND_LABELS = {
    "umbrella": _l("Umbrella organisation"), "cooperative": _l("Social cooperative"),
    "employer_cooperative": _l("Employer cooperative"), "municipality": _l("Municipality"),
}
STATUS_LABELS = {
    "pending": _l("Awaiting approval"), "active": _l("Active"), "suspended": _l("Suspended"),
    "rejected": _l("Rejected"), "archived": _l("Archived"),
}
CREATABLE_KINDS = ("municipality", "employer_cooperative", "cooperative")


class TenantFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Type"), validators=[Optional()],
                       choices=options([("", _l("All types"))] + [(k, KIND_LABELS[k]) for k in TENANT_KINDS]))
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=options([("", _l("All statuses"))] + [(s, STATUS_LABELS[s]) for s in TENANT_STATUSES]))
    municipality = SelectField(_l("Works with municipality"), validators=[Optional()])

    def __init__(self, formdata, *, municipalities, **kwargs):
        super().__init__(formdata, **kwargs)
        self.municipality.choices = options([("", _l("Any municipality"))] + [(str(m.id), m.name) for m in municipalities])


class NewTenantForm(FlaskForm):
    """Umbrella staff create a municipality or employer cooperative and invite its first person."""

    kind = SelectField(_l("Type"), choices=options((k, KIND_LABELS[k]) for k in CREATABLE_KINDS),
                       validators=[DataRequired(_l("Choose a type."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")),
                                               Length(min=2, max=200, message=_l("Use 2 to 200 characters."))])
    slug = StringField(_l("Web address (slug)"), validators=[
        DataRequired(_l("Enter a web address.")), Length(max=63, message=_l("Use at most %(max)d characters.")),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lowercase letters, digits and single hyphens, e.g. gemeente-delft."))])
    email = EmailField(_l("Email address of the first person"), validators=[
        DataRequired(_l("Enter an email address.")), Email(_l("Enter a valid email address.")), Length(max=254)])
    role = SelectField(_l("Role of the first person"),
                       choices=options((r, ROLE_LABELS[r]) for r in sorted({r for k in CREATABLE_KINDS for r in ROLES_BY_KIND[k]})),
                       validators=[DataRequired(_l("Choose a role."))])

    def validate_role(self, field):
        if self.kind.data in ROLES_BY_KIND and field.data not in ROLES_BY_KIND[self.kind.data]:
            raise ValidationError(_l("This role does not exist in this kind of organisation."))

    def validate_slug(self, field):
        from koepel.platform.tenancy import Tenant

        if Tenant.by_slug(field.data) is not None:
            raise ValidationError(_l("This web address is taken. Choose another."))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000, message=_l("Use at most %(max)d characters."))])


class DecisionForm(ReasonForm):
    decision = SelectField(_l("Decision"), choices=options([("approved", _l("Approve")), ("rejected", _l("Reject"))]),
                           validators=[DataRequired(_l("Choose a decision."))])


class StatusForm(ReasonForm):
    action = SelectField(_l("Change"), choices=options([("suspended", _l("Suspend")), ("reactivated", _l("Reactivate")),
                                                        ("archived", _l("Archive")), ("approved", _l("Approve"))]),
                         validators=[DataRequired(_l("Choose a change."))])


class SupportForm(FlaskForm):
    reason = StringField(_l("Reason for support access"), validators=[
        DataRequired(_l("Describe why you need access.")),
        Length(min=5, max=300, message=_l("Describe the reason in 5 to 300 characters."))])
    minutes = SelectField(_l("Duration"), coerce=int, default=60,
                          choices=options((m, _l("%(num)d minutes", num=m)) for m in SUPPORT_MINUTES))


class AdminInviteForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(_l("Enter an email address.")), Email(_l("Enter a valid email address.")), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])

    def __init__(self, roles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = options((r, ROLE_LABELS[r]) for r in roles)
