from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow
from koepel.platform.tenancy.models import ALL_ROLES

INVITATION_DAYS = 7


class Invitation(TenantScoped, Base):
    """An emailed invitation to take a role in this tenant.

    Only a hash of the link's token is stored. Besides the tenant policy, the
    `invitation_by_token` policy (FOR SELECT) lets the holder of the link read exactly
    this row without a tenant in context, through the `app.invitation_token` setting.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint("role IN (" + ", ".join(repr(r) for r in ALL_ROLES) + ")", name="role"),
        CheckConstraint("email = btrim(email) AND position('@' in email) > 1", name="email_format"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("accepted_at IS NULL OR revoked_at IS NULL", name="accepted_or_revoked"),
        Index("ix_invitations_token_hash", "token_hash"),
    )

    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))

    def state(self, now: datetime | None = None) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "pending"
