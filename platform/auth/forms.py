from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address.")), Email(_l("Enter a valid email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
    )
    next = HiddenField()


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code from your app, or a recovery code.")), Length(max=32, message=_l("This code is too long."))],
    )
