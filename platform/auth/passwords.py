from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

_hasher = PasswordHasher()

# Verifying against this when the account does not exist keeps the timing of a failed
# sign-in the same for known and unknown addresses.
_DUMMY_HASH = _hasher.hash("koepel-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# --- the rules for choosing a password (NIST SP 800-63B, 5.1.1.2) ------------------------

MIN_LENGTH = 10
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str | None, email: str | None = None) -> list[str]:
    """What is wrong with a new password, as translated sentences; [] when it is good.

    Length, not composition: at least 10 and at most 128 characters, any characters
    (spaces and emoji too). Refused: a password from the shipped list of the most common
    ones, and one that is or contains the email address (or its part before the @).
    """
    if not has_request_context():  # the CLI: no person whose language to choose
        with force_locale("en"):
            return _problems(password, email)
    return _problems(password, email)


def _problems(password: str | None, email: str | None) -> list[str]:
    password = password or ""
    problems: list[str] = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append(_("Use at least %(min)d characters.", min=MIN_LENGTH))
    elif length > MAX_LENGTH:
        problems.append(_("Use at most %(max)d characters.", max=MAX_LENGTH))
    lowered = password.lower()
    if lowered.strip() in common_passwords() or len(set(lowered)) <= 2 and length >= 1:
        problems.append(_("This password is one of the most commonly used. Choose another one."))
    email = (email or "").strip().lower()
    local = email.partition("@")[0]
    if email and (email in lowered or (len(local) >= 4 and local in lowered)):
        problems.append(_("Do not use your email address in your password."))
    return problems
