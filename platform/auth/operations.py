from __future__ import annotations

import logging
from datetime import datetime, timedelta

from koepel.platform.db import db, utcnow
from koepel.platform.mail import external_url, send_mail

from .models import LANGUAGES, User
from .passwords import hash_password, password_problems, verify_password
from .tokens import LIFETIMES, check_token, issue_token, spend

log = logging.getLogger(__name__)


class AccountError(ValueError):
    """An account change that the rules do not allow."""


def do_create_user(
    *, email: str, name: str, password: str, language: str = "nl", verified: bool = False
) -> User:
    """A new account. `verified=True` only when the address was just proven (the person
    followed a link mailed to it, e.g. an invitation); else call `do_send_verification`."""

    email = email.strip()
    if "@" not in email[1:]:
        raise AccountError("invalid email address")
    if User.by_email(email) is not None:
        raise AccountError("an account with this email address exists")
    problems = password_problems(password, email)
    if problems:
        raise AccountError(" ".join(problems))
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), language=language, is_active_account=True,
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


# --- email verification, password reset and change, lockout ------------------------------

LOCK_AFTER_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)


def do_send_verification(user: User) -> None:
    """Mail the person a link that confirms their address (valid 2 days). Sign-in needs it.

    Call it in a request (the link is made absolute from the request or PUBLIC_URL);
    the mail leaves when the unit of work commits.
    """
    if user.is_verified:
        return
    token = issue_token(user, "verify_email")
    send_mail(
        to=user.email, template="verify_email", language=user.language,
        name=user.name, link=external_url("account.verify", token=token),
        hours=int(LIFETIMES["verify_email"].total_seconds() // 3600),
    )
    log.info("verification mailed", extra={"user_id": user.id})


def do_verify_email(signed_token: str) -> User:
    """Confirm the address of the token's person; raises TokenProblem."""
    usable = check_token(signed_token, "verify_email")
    spend(usable, all_of_purpose=True)
    if usable.user.email_verified_at is None:
        usable.user.email_verified_at = utcnow()
    log.info("email verified", extra={"user_id": usable.user.id})
    return usable.user


def do_request_password_reset(email: str) -> None:
    """Mail a reset link (valid 1 hour) when an active account has this address.

    The caller answers the same whether or not it exists.
    """
    user = User.by_email(email)
    if user is None or not user.is_active or user.erased_at is not None:
        log.info("password reset asked for an unknown address")
        return
    token = issue_token(user, "reset_password")
    send_mail(
        to=user.email, template="reset_password", language=user.language,
        name=user.name, link=external_url("account.reset", token=token), minutes=60,
    )
    log.info("password reset mailed", extra={"user_id": user.id})


def _set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    # Every session signed in before this moment ends (see login.load_user).
    user.session_epoch = (user.session_epoch or 0) + 1
    user.failed_sign_ins = 0
    user.locked_until = None
    send_mail(to=user.email, template="password_changed", language=user.language, name=user.name)


def do_reset_password(signed_token: str, password: str) -> User:
    """Set a new password from a reset link; the link and all other open reset links
    of the person are spent. Raises TokenProblem or AccountError (nothing changed)."""
    usable = check_token(signed_token, "reset_password")
    _set_password(usable.user, password)
    spend(usable, all_of_purpose=True)
    # The link arrived in the mailbox: the address is proven.
    if usable.user.email_verified_at is None:
        usable.user.email_verified_at = utcnow()
    db.session.flush()
    log.info("password reset", extra={"user_id": usable.user.id})
    return usable.user


def do_change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("current password is wrong")
    _set_password(user, new)
    db.session.flush()
    log.info("password changed", extra={"user_id": user.id})


def record_failed_sign_in(user: User, now: datetime | None = None) -> bool:
    """Count a failed attempt; the 5th in a row locks the account for 15 minutes and
    tells its owner. Returns whether this attempt locked it."""
    now = now or utcnow()
    if user.is_locked(now):
        return False
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins < LOCK_AFTER_FAILURES:
        return False
    user.failed_sign_ins = 0
    user.locked_until = now + LOCK_DURATION
    send_mail(
        to=user.email, template="account_locked", language=user.language, name=user.name,
        minutes=int(LOCK_DURATION.total_seconds() // 60), link=external_url("account.forgot"),
    )
    log.warning("account locked after failed sign-ins", extra={"user_id": user.id})
    return True


def record_successful_sign_in(user: User, now: datetime | None = None) -> None:
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_login_at = now or utcnow()
