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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

from .rules import END_REASONS, HOURS_MAX, HOURS_MIN, KINDS, NOTE_MAX, PLAN_MAX


class Participant(TenantScoped, Base):
    """A person placed by the employer cooperative. Known by the row's internal id, never
    by a citizen service number (BSN): the cooperative has no legal basis for one."""

    __tablename__ = "placement_participants"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint("name = btrim(name) AND name <> ''", name="name_present"),
        Index("ix_placement_participants_benefit_municipality", "tenant_id", "benefit_municipality_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # The municipality (a tenant) whose benefit the participant receives: its outcomes
    # count this participant's placements.
    benefit_municipality_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Employer(TenantScoped, Base):
    """A member company of the employer cooperative (or the municipality as an employer)."""

    __tablename__ = "placement_employers"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "kvk_number"),
        CheckConstraint("name = btrim(name) AND name <> ''", name="name_present"),
        CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name="kvk_format"),
    )

    name: Mapped[str] = mapped_column(String(200))
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    # The account (role `employer`) that sees this employer's placements.
    contact_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Placement(TenantScoped, Base):
    """A participant's place at an employer: what kind, from when, how many hours, who
    guides and what is planned; and when and why it ended. Active while it has no end."""

    __tablename__ = "placements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "participant_id"],
                             ["placement_participants.tenant_id", "placement_participants.id"]),
        ForeignKeyConstraint(["tenant_id", "employer_id"], ["placement_employers.tenant_id", "placement_employers.id"]),
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(f"hours_per_week BETWEEN {HOURS_MIN} AND {HOURS_MAX}", name="hours_per_week"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name="end_has_reason"),
        CheckConstraint(f"end_reason IS NULL OR {one_of('end_reason', END_REASONS)}", name="end_reason"),
        CheckConstraint(f"char_length(guidance_plan) <= {PLAN_MAX}", name="guidance_plan_length"),
        CheckConstraint(f"char_length(end_note) <= {NOTE_MAX}", name="end_note_length"),
        Index("ix_placements_start_date", "tenant_id", "start_date"),
        Index("ix_placements_participant", "tenant_id", "participant_id"),
        Index("ix_placements_employer", "tenant_id", "employer_id"),
    )

    participant_id: Mapped[int] = mapped_column(BigInteger)
    employer_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    hours_per_week: Mapped[int] = mapped_column(SmallInteger)
    guide: Mapped[str] = mapped_column(String(200), default="")
    guidance_plan: Mapped[str] = mapped_column(Text, default="")
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    end_note: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_by_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def status(self) -> str:
        return "active" if self.end_date is None else "ended"
