from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Identity,
    Index,
    String,
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

    # Roles in the tenant of the current request, set by the user loader; a person's
    # roles elsewhere never count here.
    tenant_roles: frozenset[str] = frozenset()

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
