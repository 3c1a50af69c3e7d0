from __future__ import annotations

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import Membership, current_tenant_id

from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Sign in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

# The user's session epoch when this session signed in; a password change raises the
# user's epoch and so ends every other session.
SESSION_EPOCH = "_epoch"
# Where a person who must enrol in two-factor may go meanwhile.
ENROLMENT_ENDPOINTS = frozenset(
    {"account.two_factor", "account.two_factor_enable", "auth.logout", "auth.set_language", "static"}
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the person, with their roles in the request's tenant only."""
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    if session.get(SESSION_EPOCH) != user.session_epoch:
        return None  # signed in before the password changed (or before epochs existed)
    if current_tenant_id() is not None:
        roles = db.session.scalars(select(Membership.role).where(Membership.user_id == user.id))
        user.tenant_roles = frozenset(roles)
    else:
        user.tenant_roles = frozenset()
    return user


def require_two_factor_enrolment():
    """before_request: someone whose role requires two-factor and who has not enrolled
    can do nothing but enrol (or sign out)."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if current_user.has_two_factor:
        return None
    from .two_factor import two_factor_required

    if not two_factor_required(current_user.id):
        return None
    g.two_factor_enrolment_required = True
    if request.method == "GET":
        flash(_("Your role requires two-factor sign-in. Set it up first."), "info")
    return redirect(url_for("account.two_factor"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
