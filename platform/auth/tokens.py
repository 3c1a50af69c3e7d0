"""Links sent by mail (verify an address, reset a password): signed, stored hashed,
expiring, single-use.

The link carries `itsdangerous`-signed random bytes: tampering is caught before the
database is asked. The database keeps only the SHA-256 of those bytes, with the
purpose, the expiry and when it was used, so a link works once and a copy of the
database holds no usable link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from koepel.platform.db import db, utcnow

from .models import TOKEN_PURPOSES, AccountToken, User

LIFETIMES = {"verify_email": timedelta(days=2), "reset_password": timedelta(hours=1)}
MAX_TOKEN_LENGTH = 300


class TokenProblem(ValueError):
    """A link that cannot be used: `kind` is 'invalid', 'expired' or 'used'."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class UsableToken:
    token: AccountToken
    user: User


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"koepel.account.{purpose}")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: str, now: datetime | None = None) -> str:
    """A new link token for `user`; added to the unit of work, returned for the mail."""
    if purpose not in TOKEN_PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(user_id=user.id, purpose=purpose, token_hash=_digest(raw), created_at=now,
                     expires_at=now + LIFETIMES[purpose])
    )
    db.session.flush()
    return _serializer(purpose).dumps(raw)


def check_token(signed: str, purpose: str, now: datetime | None = None) -> UsableToken:
    """The token and its person, or TokenProblem. Does not spend it (see `spend`)."""
    if not signed or len(signed) > MAX_TOKEN_LENGTH:
        raise TokenProblem("invalid")
    now = now or utcnow()
    max_age = int(LIFETIMES[purpose].total_seconds())
    try:
        raw = _serializer(purpose).loads(signed, max_age=max_age)
    except SignatureExpired:
        raise TokenProblem("expired") from None
    except BadSignature:
        raise TokenProblem("invalid") from None
    if not isinstance(raw, str):
        raise TokenProblem("invalid")
    token = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _digest(raw), AccountToken.purpose == purpose)
    )
    if token is None:
        raise TokenProblem("invalid")
    if token.used_at is not None:
        raise TokenProblem("used")
    if token.expires_at <= now:
        raise TokenProblem("expired")
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise TokenProblem("invalid")
    return UsableToken(token, user)


def spend(usable: UsableToken, *, all_of_purpose: bool = False, now: datetime | None = None) -> None:
    """Mark the token used; with `all_of_purpose`, every open token of that person and purpose."""
    now = now or utcnow()
    usable.token.used_at = now
    if all_of_purpose:
        db.session.execute(
            update(AccountToken)
            .where(AccountToken.user_id == usable.user.id, AccountToken.purpose == usable.token.purpose,
                   AccountToken.used_at.is_(None))
            .values(used_at=now)
        )
    db.session.flush()
