"""Funding under an agreement (DOMAIN.md "The municipality": it funds coordination hours
and housing), accounted for per subsidy period.

Like an agreement, a subsidy period and every record against it have one copy on each
side of the border (`side` on the period), written in one transaction (`across_border`)
and carrying the same ids, so one period has one number in the URLs of both tenants.
The municipality opens a period; the cooperative records the coordination hours worked
and the housing costs paid against it. A record never changes: a mistake is withdrawn,
with a reason both sides see, and recorded again.

A record's copy on the municipality's side carries only the figures, the description
and who did the work (a coordinator, never a member).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

SIDES = ("cooperative", "municipality")
RECORD_KINDS = ("hours", "housing")
DESCRIPTION_MAX = 500
REASON_MAX = 1000
NAME_MAX = 200
NOTES_MAX = 2000
# One record's hours: at most a day's.
RECORD_HOURS_MAX = Decimal("24.0")
AMOUNT_MAX_CENTS = 1_000_000_00
GRANTED_MAX_CENTS = 100_000_000_00



class FundingPeriod(TenantScoped, Base):
    """This tenant's copy of one subsidy period of an agreement: whole calendar months,
    from `first_day` (a month's first day) to `last_day` (a month's last day)."""

    __tablename__ = "funding_periods"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "agreement_id"], ["agreements.tenant_id", "agreements.id"]),
        UniqueConstraint("tenant_id", "agreement_id", "first_day"),
        CheckConstraint(one_of("side", SIDES), name="side"),
        CheckConstraint("partner_tenant_id <> tenant_id", name="two_tenants"),
        CheckConstraint("extract(day from first_day) = 1", name="starts_on_first"),
        CheckConstraint("extract(day from last_day + 1) = 1", name="ends_on_last"),
        CheckConstraint("last_day > first_day", name="ends_after_start"),
        CheckConstraint(f"granted_cents IS NULL OR granted_cents BETWEEN 0 AND {GRANTED_MAX_CENTS}",
                        name="granted_range"),
        CheckConstraint(f"notes IS NULL OR length(notes) <= {NOTES_MAX}", name="notes_length"),
    )

    side: Mapped[str] = mapped_column(String(16))
    agreement_id: Mapped[int] = mapped_column(BigInteger)  # the same id on both sides
    partner_tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    partner_name: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # The subsidy granted for the period, when the municipality entered it.
    granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FundingRecord(TenantScoped, Base):
    """What the cooperative did with the funding: coordination hours worked on a day
    (`kind` 'hours') or housing costs paid for a month (`kind` 'housing', `on_date` the
    month's first day). Written once; withdrawn (with a reason) rather than changed."""

    __tablename__ = "funding_records"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "period_id"], ["funding_periods.tenant_id", "funding_periods.id"]),
        # A form sent twice (or twice at once) records once.
        UniqueConstraint("tenant_id", "request_key"),
        Index("ix_funding_records_tenant_id_period_id", "tenant_id", "period_id"),
        CheckConstraint(one_of("kind", RECORD_KINDS), name="kind"),
        CheckConstraint("(kind = 'hours') = (hours IS NOT NULL)", name="hours_when_hours"),
        CheckConstraint("(kind = 'housing') = (amount_cents IS NOT NULL)", name="amount_when_housing"),
        CheckConstraint(f"hours > 0 AND hours <= {RECORD_HOURS_MAX}", name="hours_range"),
        CheckConstraint(f"amount_cents > 0 AND amount_cents <= {AMOUNT_MAX_CENTS}", name="amount_range"),
        CheckConstraint("kind = 'hours' OR extract(day from on_date) = 1", name="housing_by_month"),
        CheckConstraint(f"description = btrim(description) AND description <> '' "
                        f"AND length(description) <= {DESCRIPTION_MAX}", name="description_present"),
        CheckConstraint(f"done_by IS NULL OR length(done_by) <= {NAME_MAX}", name="done_by_length"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdraw_reason IS NULL)", name="withdrawn_with_reason"),
        CheckConstraint(f"withdraw_reason IS NULL OR length(withdraw_reason) <= {REASON_MAX}",
                        name="withdraw_reason_length"),
    )

    period_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))
    on_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    # Who did the coordination work (a name as typed); none for housing.
    done_by: Mapped[str | None] = mapped_column(String(NAME_MAX))
    request_key: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
