from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import Membership, current_tenant_id

from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Sign in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the person, with their roles in the request's tenant only."""
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    if current_tenant_id() is not None:
        roles = db.session.scalars(select(Membership.role).where(Membership.user_id == user.id))
        user.tenant_roles = frozenset(roles)
    else:
        user.tenant_roles = frozenset()
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
