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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from koepel.platform.db import Base, TenantScoped, utcnow

from .journey import DEFAULT_TRIAL_MONTHS, OUTFLOW_KINDS, STAGES, STOP_REASONS

_STAGES_SQL = ", ".join(repr(s) for s in STAGES)
_OUTCOMES_SQL = ", ".join(repr(s) for s in OUTFLOW_KINDS + STOP_REASONS)
REFERRAL_SOURCES = ("municipality", "work_organisation", "social_services", "self", "other")
LANGUAGES = ("nl", "en", "ar", "tr", "pl", "ti", "uk", "other")
# The household type the saving on benefits is estimated with (bijstand norm); None: unknown.
HOUSEHOLDS = ("single", "couple")


class JourneySettings(TenantScoped, Base):
    """A cooperative's own settings for the journey (one row per cooperative)."""

    __tablename__ = "journey_settings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id"),
        CheckConstraint("trial_months BETWEEN 1 AND 12", name="trial_months"),
        CheckConstraint("trial_warning_days BETWEEN 1 AND 90", name="trial_warning_days"),
    )

    trial_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_TRIAL_MONTHS)
    # How long before a trial ends it is flagged on the dashboard and the member's page.
    trial_warning_days: Mapped[int] = mapped_column(Integer, default=21)


class Member(TenantScoped, Base):
    """A person in the cooperative's journey. No citizen service number, ever (DOMAIN.md)."""

    __tablename__ = "members"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint(f"stage IN ({_STAGES_SQL})", name="stage"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_OUTCOMES_SQL})", name="outcome"),
        CheckConstraint("(stage IN ('outflow', 'stopped')) = (outcome IS NOT NULL)", name="outcome_on_end"),
        CheckConstraint("(stage = 'trial') = (trial_ends_on IS NOT NULL)", name="trial_end_in_trial"),
        CheckConstraint("name = btrim(name) AND name <> ''", name="name_present"),
        CheckConstraint(f"referral_source IN ({', '.join(repr(s) for s in REFERRAL_SOURCES)})", name="referral_source"),
        CheckConstraint(f"household IS NULL OR household IN ({', '.join(repr(h) for h in HOUSEHOLDS)})",
                        name="household"),
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_members_tenant_id_lower_email", "tenant_id", "email"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    municipality: Mapped[str | None] = mapped_column(String(100))  # of residence
    # The municipality (a tenant) whose benefit the member keeps: its agreement with the
    # cooperative splits the member's earnings and receives the monthly settlement.
    benefit_municipality_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    household: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8), default="nl")
    referral_source: Mapped[str] = mapped_column(String(32), default="municipality")
    coach_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    # The member's own account, for the member portal.
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(20))
    stage_since: Mapped[date] = mapped_column(Date)
    trial_ends_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    business: Mapped[Business | None] = relationship(back_populates="member", uselist=False, lazy="selectin")


class Business(TenantScoped, Base):
    """The member's business under the cooperative's umbrella (the cooperative is the supplier)."""

    __tablename__ = "member_businesses"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "member_id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    trade_name: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # A file under the instance folder (uploads/<tenant>/businesses/), never a public URL.
    photo_file: Mapped[str | None] = mapped_column(String(200))

    member: Mapped[Member] = relationship(back_populates="business")


class JourneyTransition(TenantScoped, Base):
    """One dated step of a member's journey, who made it and why. Never changed afterwards."""

    __tablename__ = "journey_transitions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        CheckConstraint(f"to_stage IN ({_STAGES_SQL})", name="to_stage"),
        CheckConstraint(f"from_stage IS NULL OR from_stage IN ({_STAGES_SQL})", name="from_stage"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_OUTCOMES_SQL})", name="outcome"),
        Index("ix_journey_transitions_member", "tenant_id", "member_id", "id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
