from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from koepel.platform.http.forms import options

EMAIL_VALIDATORS = [
    DataRequired(_l("Enter your email address.")),
    Email(_l("Enter a valid email address.")),
    Length(max=254, message=_l("An email address can have at most 254 characters.")),
]


def _new_password(label):
    # The rules themselves (length, common passwords, the address) are checked by
    # `password_problems` in the view, with the person's email address.
    return PasswordField(label, validators=[DataRequired(_l("Choose a new password."))])


def _current_password():
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=1024)],
    )


class EmailForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=EMAIL_VALIDATORS)


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200, message=_l("A name can have at most 200 characters."))],
    )
    language = SelectField(
        _l("Language"), choices=options([("nl", "Nederlands"), ("en", "English")]),
        validate_choice=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.validators = [DataRequired(_l("Choose a language."))]


class ChangePasswordForm(FlaskForm):
    current_password = _current_password()
    new_password = _new_password(_l("New password"))


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        _l("Code from your app"),
        validators=[DataRequired(_l("Enter the 6-digit code from your app.")), Length(max=32, message=_l("This code is too long."))],
    )


class PasswordConfirmForm(FlaskForm):
    current_password = _current_password()
