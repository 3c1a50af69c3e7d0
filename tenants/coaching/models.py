"""Coaching (begeleiding): a note per conversation, goals and the history of each goal.

The most personal rows of the platform: only the member, their coach and the
coordinator read them (see `access.py`); the audit log records that they changed,
never what they say.
"""

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
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

# personal coaching, business skills, a session with an external business coach or trainer
NOTE_KINDS = ("personal", "business_skills", "external")
GOAL_STATUSES = ("open", "achieved", "dropped")
NOTE_MAX = 4000
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
UPDATE_NOTE_MAX = 2000

_KINDS_SQL = ", ".join(repr(k) for k in NOTE_KINDS)
_STATUSES_SQL = ", ".join(repr(s) for s in GOAL_STATUSES)


def _member_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE")


class CoachingNote(TenantScoped, Base):
    """One conversation with a member: when, what kind, what was discussed and agreed.

    Written by the coach (or coordinator) who held it; only they (or a coordinator)
    correct it afterwards, which sets `edited_at`.
    """

    __tablename__ = "coaching_notes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        _member_key(),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint(f"body = btrim(body) AND body <> '' AND char_length(body) <= {NOTE_MAX}", name="body"),
        # Not in the future: on or before the day (in the Netherlands) the note was written.
        CheckConstraint("held_on <= (created_at AT TIME ZONE 'Europe/Amsterdam')::date", name="held_not_later"),
        CheckConstraint("next_appointment_on IS NULL OR next_appointment_on >= held_on", name="next_after_held"),
        CheckConstraint("edited_at IS NULL OR edited_at >= created_at", name="edited_after_created"),
        Index("ix_coaching_notes_member", "tenant_id", "member_id", "held_on"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    held_on: Mapped[date] = mapped_column(Date)
    coach_user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    next_appointment_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Goal(TenantScoped, Base):
    """A goal the member works on. Never deleted: dropped. `progress` and `status` are
    those of the latest update (the history is in `GoalUpdate`)."""

    __tablename__ = "coaching_goals"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        _member_key(),
        CheckConstraint(f"status IN ({_STATUSES_SQL})", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("status <> 'achieved' OR progress = 100", name="achieved_is_complete"),
        CheckConstraint(f"title = btrim(title) AND title <> '' AND char_length(title) <= {TITLE_MAX}",
                        name="title"),
        Index("ix_coaching_goals_member", "tenant_id", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    target_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GoalUpdate(TenantScoped, Base):
    """One step in a goal's history: the progress and status from then on, and why."""

    __tablename__ = "coaching_goal_updates"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "goal_id"], ["coaching_goals.tenant_id", "coaching_goals.id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"status IN ({_STATUSES_SQL})", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("status <> 'achieved' OR progress = 100", name="achieved_is_complete"),
        CheckConstraint(f"char_length(note) <= {UPDATE_NOTE_MAX}", name="note_length"),
        Index("ix_coaching_goal_updates_goal", "tenant_id", "goal_id", "id"),
    )

    goal_id: Mapped[int] = mapped_column(BigInteger)
    progress: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
