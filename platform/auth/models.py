from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, db, utcnow

LANGUAGES = ("nl", "en")


class User(UserMixin, Base):
    """One account per person, whatever the number of tenants they work in."""

    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        CheckConstraint("language IN ('nl', 'en')", name="language"),
        CheckConstraint("email = btrim(email) AND position('@' in email) > 1", name="email_format"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Identity (migration 20261122_2300_identity).
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Raised when the password changes: sessions signed in under an older epoch end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The TOTP secret, encrypted with Fernet (key derived from SECRET_KEY); never plain.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Roles in the tenant of the current request, set by the user loader; a person's
    # roles elsewhere never count here.
    tenant_roles: frozenset[str] = frozenset()

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_enabled_at is not None and self.totp_secret_encrypted is not None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(
            select(cls).where(func.lower(cls.email) == email.strip().lower())
        )

    def has_role(self, *roles: str) -> bool:
        return bool(self.tenant_roles.intersection(roles))


TOKEN_PURPOSES = ("verify_email", "reset_password")


class AccountToken(Base):
    """A link sent by mail: only its SHA-256 is kept, it expires and it works once."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('verify_email', 'reset_password')", name="purpose"),
        Index("ix_account_tokens_user_id_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    """A single-use two-factor recovery code, argon2-hashed; shown to its owner once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
