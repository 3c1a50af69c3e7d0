"""Password rules after NIST SP 800-63B: length, not composition; no common passwords."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from koepel.platform.auth.operations import AccountError, do_create_user
from koepel.platform.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    password_problems,
)


@pytest.fixture
def ctx(app):
    with app.test_request_context(), force_locale("en"):
        yield


def test_the_shipped_list_is_large_and_has_the_usual_suspects():
    common = common_passwords()
    assert len(common) >= 1000
    for word in ("password", "123456", "qwerty", "wachtwoord", "welkom01", "wachtwoord123", "qwertyuiop", "1234567890"):
        assert word in common, word


@pytest.mark.usefixtures("ctx")
@pytest.mark.parametrize("password", ["wachtwoord123", "Password2024", "WELKOM2025", "qwertyuiop", "1234567890", "aaaaaaaaaaaa"])
def test_common_passwords_are_refused(password):
    assert password_problems(password, "p@example.org") == ["This password is one of the most commonly used. Choose another one."]


@pytest.mark.usefixtures("ctx")
def test_length_is_what_counts_not_composition():
    assert password_problems("x" * (MIN_LENGTH - 2) + "yz", "p@example.org") == []
    assert password_problems("short1!A", "p@example.org") == ["Use at least 10 characters."]
    assert password_problems("", None) == ["Use at least 10 characters."]
    assert password_problems(None, None) == ["Use at least 10 characters."]
    assert password_problems("ab" * (MAX_LENGTH // 2) + "c", "p@example.org") == ["Use at most 128 characters."]
    # Any characters: spaces, accents, emoji; no rule about digits or capitals.
    assert password_problems("fiets naar de markt", "p@example.org") == []
    assert password_problems("crème brûlée 🍮🍮", "p@example.org") == []


@pytest.mark.usefixtures("ctx")
def test_the_email_address_is_refused_in_the_password():
    assert password_problems("marieke.jansen@example.org", "Marieke.Jansen@example.org") == [
        "Do not use your email address in your password."
    ]
    assert password_problems("mariekejansen-rules", "mariekejansen@example.org") == [
        "Do not use your email address in your password."
    ]
    assert password_problems("a good long phrase", "marieke@example.org") == []


def test_messages_are_translated(app):
    with app.test_request_context(), force_locale("nl"):
        dutch = password_problems("kort", None)
    with app.test_request_context(), force_locale("en"):
        english = password_problems("kort", None)
    assert english == ["Use at least 10 characters."]
    assert len(dutch) == 1  # the Dutch text comes with the catalogue (the integrator translates)


def test_accounts_cannot_be_created_with_a_bad_password(app):
    with app.test_request_context():
        with pytest.raises(AccountError):
            do_create_user(email="new-weak@example.org", name="Weak", password="wachtwoord1")
        with pytest.raises(AccountError):
            do_create_user(email="new-weak@example.org", name="Weak", password="new-weak@example.org!")
        user = do_create_user(email="new-strong@example.org", name="Strong", password="a long and unusual passphrase")
        assert user.id and not user.is_verified
