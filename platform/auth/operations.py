from __future__ import annotations

from koepel.platform.db import db

from .models import LANGUAGES, User
from .passwords import hash_password

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """An account change that the rules do not allow."""


def do_create_user(*, email: str, name: str, password: str, language: str = "nl") -> User:

    email = email.strip()
    if "@" not in email[1:]:
        raise AccountError("invalid email address")
    if User.by_email(email) is not None:
        raise AccountError("an account with this email address exists")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), language=language, is_active_account=True)
    db.session.add(user)
    db.session.flush()
    return user
