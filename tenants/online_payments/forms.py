"""The form of the online payment settings (Flask-WTF, CSRF). It checks the shape; the
operation says what the account id must look like."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length


class AccountForm(FlaskForm):
    stripe_account_id = StringField(
        _l("Stripe account id of the cooperative (acct_...); leave empty to switch online payment off"),
        validators=[Length(max=255, message=_l("Use at most %(max)d characters."))])
