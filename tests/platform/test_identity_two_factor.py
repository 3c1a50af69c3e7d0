"""Two-factor: encryption of the secret, codes, recovery codes, reset by an administrator."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from koepel.platform.audit.models import AuditEvent
from koepel.platform.auth import User
from koepel.platform.auth.models import RecoveryCode
from koepel.platform.auth.two_factor import (
    TwoFactorError,
    decrypt_secret,
    do_disable_two_factor,
    do_enable_two_factor,
    do_reset_two_factor,
    two_factor_required,
    use_recovery_code,
    verify_second_factor,
)
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from tests.mail_support import make_person


def test_reset_two_factor_clears_secret_and_codes_and_writes_an_audit_row(app, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach")])
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = pyotp.random_base32()
        codes = do_enable_two_factor(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
        assert len(codes) == 10 and user.has_two_factor

        do_reset_two_factor(person.id, actor_id=baseline.coordinator_a.id, tenant_id=baseline.coop_a.id)
        db.session.commit()

        user = db.session.get(User, person.id)
        assert user.totp_secret_encrypted is None and user.two_factor_enabled_at is None
        assert not user.has_two_factor
        assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
        with tenant_context(baseline.coop_a.id):
            rows = db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset",
                                         AuditEvent.object_id == str(person.id))
            ).all()
        assert [(r.actor_user_id, r.tenant_id, r.details) for r in rows] == [
            (baseline.coordinator_a.id, baseline.coop_a.id, {"was_enabled": True})
        ]
        # Only in that tenant's log.
        with tenant_context(baseline.coop_b.id):
            assert db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset",
                                         AuditEvent.object_id == str(person.id))
            ).all() == []


def test_the_secret_is_stored_encrypted_and_decrypts_to_the_same(app, baseline):
    person = make_person(app)
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = pyotp.random_base32()
        do_enable_two_factor(user, secret, pyotp.TOTP(secret).now())
        assert secret not in user.totp_secret_encrypted
        assert decrypt_secret(user.totp_secret_encrypted) == secret
        # Another SECRET_KEY cannot read it.
        from koepel.platform.auth import two_factor

        assert two_factor._fernet("another key").decrypt  # the key derivation works for any key
        with pytest.raises(Exception):  # noqa: B017 - InvalidToken
            two_factor._fernet("another key").decrypt(user.totp_secret_encrypted.encode())


def test_enabling_needs_the_right_code(app):
    person = make_person(app)
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = pyotp.random_base32()
        wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
        for code in (wrong, "", "abcdef", "1234567", None):
            with pytest.raises(TwoFactorError):
                do_enable_two_factor(user, secret, code)
        assert not user.has_two_factor


def test_a_recovery_code_works_once(app):
    person = make_person(app)
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = pyotp.random_base32()
        codes = do_enable_two_factor(user, secret, pyotp.TOTP(secret).now())
        assert len(set(codes)) == 10
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert all(c.replace("-", "") not in h for c in codes for h in stored)  # hashed
        assert use_recovery_code(user, codes[3].upper()) is True  # case and dash do not matter
        assert use_recovery_code(user, codes[3]) is False
        assert verify_second_factor(user, codes[4]) is True
        assert verify_second_factor(user, "zzzzz-zzzzz") is False
        assert verify_second_factor(user, pyotp.TOTP(secret).now()) is True


def test_two_factor_is_required_for_umbrella_and_municipality_roles_only(app, baseline):
    cases = {
        "umbrella_admin": baseline.umbrella.id, "umbrella_staff": baseline.umbrella.id,
        "policy_advisor": baseline.municipality.id, "client_manager": baseline.municipality.id,
        "finance": baseline.municipality.id,
    }
    with app.app_context():
        for role, tenant_id in cases.items():
            assert two_factor_required(make_person(app, roles=[(tenant_id, role)]).id), role
        for role in ("coordinator", "coach", "member", "treasurer", "candidate"):
            assert not two_factor_required(make_person(app, roles=[(baseline.coop_a.id, role)]).id), role
        assert not two_factor_required(make_person(app).id)


def test_disabling_is_refused_when_a_role_requires_it(app, baseline):
    required = make_person(app, roles=[(baseline.municipality.id, "client_manager")], two_factor=True)
    optional = make_person(app, roles=[(baseline.coop_a.id, "member")], two_factor=True)
    with app.app_context():
        with pytest.raises(TwoFactorError):
            do_disable_two_factor(db.session.get(User, required.id))
        assert db.session.get(User, required.id).has_two_factor
        do_disable_two_factor(db.session.get(User, optional.id))
        assert not db.session.get(User, optional.id).has_two_factor
