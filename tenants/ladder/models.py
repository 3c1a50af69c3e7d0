from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

from .rungs import NOTE_MAX


class Measurement(TenantScoped, Base):
    """One rung of the participation ladder for a member on a date, by whom and why.

    Never changed afterwards: a mistake is corrected by a new measurement."""

    __tablename__ = "ladder_measurements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        CheckConstraint("rung BETWEEN 1 AND 6", name="rung"),
        CheckConstraint(f"char_length(note) <= {NOTE_MAX}", name="note_length"),
        Index("ix_ladder_measurements_member", "tenant_id", "member_id", "measured_on", "id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    rung: Mapped[int] = mapped_column(SmallInteger)
    measured_on: Mapped[date] = mapped_column(Date)
    measured_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
