from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from koepel.platform.http.forms import options

ROLE_LABELS = {
    "umbrella_admin": _l("Platform administrator"), "umbrella_staff": _l("Umbrella staff"),
    "coordinator": _l("Coordinator"), "treasurer": _l("Treasurer"), "coach": _l("Coach"),
    "member": _l("Member"), "candidate": _l("Candidate"), "employer": _l("Employer"),
    "participant": _l("Participant"), "policy_advisor": _l("Policy advisor"),
    "client_manager": _l("Client manager"), "finance": _l("Finance"),
}


def role_choices(roles) -> list:
    return options((role, ROLE_LABELS[role]) for role in roles)


def new_password_problems(password: str | None, email: str | None) -> list[str]:
    """The identity rules for a new password (NIST 800-63B), as translated sentences."""
    from koepel.platform.auth.passwords import password_problems

    return password_problems(password, email)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter an email address.")), Email(_l("Enter a valid email address.")),
                    Length(max=254, message=_l("Use at most %(max)d characters."))],
    )
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])

    def __init__(self, roles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices(roles)


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))

    def __init__(self, roles, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles.choices = role_choices(roles)


class NewAccountForm(FlaskForm):
    """Accepting an invitation with a new account: the address is the invitation's."""

    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")),
                                                    Length(max=200, message=_l("Use at most %(max)d characters."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(_l("Enter the password again.")),
                    EqualTo("password", _l("The two passwords are not the same."))],
    )

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field):
        problems = new_password_problems(field.data, self._email)
        if problems:
            raise ValidationError(" ".join(problems))
