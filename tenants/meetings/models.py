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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

from .rules import AGENDA_MAX, ATTENDANCE_STATUSES, MINUTES_MAX

_STATUSES_SQL = ", ".join(repr(s) for s in ATTENDANCE_STATUSES)


class Meeting(TenantScoped, Base):
    """A meeting (bijeenkomst) of the cooperative: members share what they do and where
    they need help. Times are instants (UTC); the pages show them in Amsterdam time."""

    __tablename__ = "meetings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint("title = btrim(title) AND title <> ''", name="title_present"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"char_length(agenda) <= {AGENDA_MAX}", name="agenda_length"),
        CheckConstraint(f"char_length(minutes) <= {MINUTES_MAX}", name="minutes_length"),
        CheckConstraint("minutes = '' OR minutes_at IS NOT NULL", name="minutes_dated"),
        Index("ix_meetings_starts_at", "tenant_id", "starts_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    minutes_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    minutes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Attendance(TenantScoped, Base):
    """Whether a member was at a meeting: present, absent or excused (one row per pair)."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "meeting_id"], ["meetings.tenant_id", "meetings.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "meeting_id", "member_id"),
        CheckConstraint(f"status IN ({_STATUSES_SQL})", name="status"),
        Index("ix_meeting_attendance_member", "tenant_id", "member_id"),
    )

    meeting_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
