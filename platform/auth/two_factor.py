"""Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.

The TOTP secret is stored encrypted with Fernet; its key is derived from SECRET_KEY with
HKDF (info "koepel totp secret"), so a copy of the database alone does not reveal it.
Rotating SECRET_KEY therefore makes every enrolment unreadable: such people sign in
with a recovery code or have their two-factor reset, and enrol again.
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select

from koepel.platform.db import db, utcnow
from koepel.platform.tenancy import OWN_MEMBERSHIPS, Membership, tenant_context

from .models import RecoveryCode, User
from .passwords import verify_password

log = logging.getLogger(__name__)

ISSUER = "Koepel"
RECOVERY_CODE_COUNT = 10
# Roles whose holders must use two-factor: the umbrella's staff and municipalities.
TWO_FACTOR_ROLES = frozenset({"umbrella_admin", "umbrella_staff", "policy_advisor", "client_manager", "finance"})
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
# Recovery codes are random (10 of 31 symbols, ~50 bits), not chosen by people: argon2id
# with a lighter cost than passwords is enough, and keeps enrolment and sign-in quick.
_code_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


class TwoFactorError(ValueError):
    """A two-factor change that the rules do not allow."""


def _fernet(secret_key: str | None = None) -> Fernet:
    key = (secret_key or current_app.config["SECRET_KEY"]).encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"koepel", info=b"koepel totp secret").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        log.warning("a TOTP secret could not be decrypted (was SECRET_KEY changed?)")
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI, made here (no external service sees the secret)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def totp_ok(secret: str | None, code: str | None) -> bool:
    code = normalise_code(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    # One step either side forgives a phone clock that is 30 seconds off.
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def two_factor_required(user_id: int) -> bool:
    """Whether the person holds, in any tenant, a role that requires two-factor."""
    with tenant_context(None, user_id):
        roles = set(
            db.session.scalars(
                select(Membership.role)
                .where(Membership.user_id == user_id)
                .execution_options(**{OWN_MEMBERSHIPS: True})
            )
        )
    return bool(roles & TWO_FACTOR_ROLES)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def do_enable_two_factor(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the person proved their app shows the right code.

    Returns the recovery codes in plain text, to be shown once; only hashes are kept.
    """
    if not totp_ok(secret, code):
        raise TwoFactorError("wrong code")
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.two_factor_enabled_at = utcnow()
    codes = _replace_recovery_codes(user.id)
    log.info("two-factor enabled", extra={"user_id": user.id})
    return codes


def _replace_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hasher.hash(normalise_code(c))) for c in codes)
    db.session.flush()
    return codes


def do_regenerate_recovery_codes(user: User) -> list[str]:
    if not user.has_two_factor:
        raise TwoFactorError("two-factor is not enabled")
    return _replace_recovery_codes(user.id)


def use_recovery_code(user: User, code: str | None, now: datetime | None = None) -> bool:
    """Accept an unused recovery code once; it is spent from then on."""
    code = normalise_code(code)
    if len(code) != 10:
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        if verify_password(row.code_hash, code):
            row.used_at = now or utcnow()
            db.session.flush()
            return True
    return False


def remaining_recovery_codes(user_id: int) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def verify_second_factor(user: User, code: str | None) -> bool:
    """A TOTP code, else a recovery code."""
    if totp_ok(decrypt_secret(user.totp_secret_encrypted), code):
        return True
    return use_recovery_code(user, code)


def _clear(user: User) -> None:
    user.totp_secret_encrypted = None
    user.two_factor_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def do_disable_two_factor(user: User) -> None:
    """The person turns two-factor off themselves; refused when a role requires it."""
    if two_factor_required(user.id):
        raise TwoFactorError("two-factor is required for this person's roles")
    _clear(user)
    log.info("two-factor disabled", extra={"user_id": user.id})


def do_reset_two_factor(user_id: int, *, actor_id: int, tenant_id: int) -> User:
    """A coordinator or umbrella staff resets a person's two-factor (lost phone).

    Clears the secret and every recovery code and writes `user.two_factor_reset` in the
    audit log of `tenant_id`. The caller checks the permission and commits. A person
    whose role requires two-factor must enrol again at the next sign-in.
    """
    from koepel.platform.audit import record

    user = db.session.get(User, user_id)
    if user is None:
        raise TwoFactorError(f"no user {user_id}")
    was_enabled = user.has_two_factor
    _clear(user)
    with tenant_context(tenant_id, actor_id):
        record(
            "user.two_factor_reset",
            object_type="user",
            object_id=user_id,
            details={"was_enabled": was_enabled},
            tenant_id=tenant_id,
            actor_user_id=actor_id,
        )
    return user


def seed_two_factor(user: User, secret: str) -> None:
    """Enrol with a known secret, without a code: for demo data and test fixtures only
    (`koepel seed-demo`, tests/conftest.py). People enrol through /account/two-factor."""
    user.totp_secret_encrypted = encrypt_secret(secret)
    user.two_factor_enabled_at = utcnow()
    db.session.flush()
