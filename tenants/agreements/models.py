"""Agreements: one copy on each side of the border, linked by a shared random key.

A cooperative and a municipality both keep the agreement between them (`agreements`, one
row per side) and all its versions (`agreement_versions`, one row per side and version).
Both copies are written in the same transaction (`across_border`) and carry the same ids,
so one agreement has one number in the URLs of both tenants. A version is proposed by
one side and becomes binding when the other side accepts it; an accepted version is never
changed: a change is a new version with a later start date.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow
from koepel.platform.money import Money

from .terms import (
    COOPERATIVE_SHARE_KINDS,
    INCOME_FOR_BENEFIT,
    POT_CATEGORIES,
    POT_ON_LEAVING,
    Terms,
)

SIDES = ("cooperative", "municipality")
AGREEMENT_STATUSES = ("proposed", "active")  # active: a version has been accepted
VERSION_STATUSES = ("proposed", "accepted", "rejected", "withdrawn")
NOTES_MAX = 2000
REASON_MAX = 1000
KEEP_MONTHS_MAX = 120
HOURS_MAX = 744  # the hours of a 31-day month



POT_CATEGORIES_CHECK = ("cardinality(pot_categories) >= 1 AND pot_categories <@ ARRAY["
                        + ", ".join(repr(c) for c in POT_CATEGORIES) + "]::varchar[]")
SHARES_CHECK = f"COALESCE(cooperative_share_bp, 0) + training_pot_bp + municipality_share_bp <= {10_000}"


class Agreement(TenantScoped, Base):
    """This tenant's copy of its agreement with one partner (a municipality for a
    cooperative, a cooperative for a municipality)."""

    __tablename__ = "agreements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "link_key"),
        UniqueConstraint("tenant_id", "partner_tenant_id"),
        CheckConstraint(one_of("side", SIDES), name="side"),
        CheckConstraint(one_of("status", AGREEMENT_STATUSES), name="status"),
        CheckConstraint("partner_tenant_id <> tenant_id", name="two_tenants"),
        CheckConstraint("partner_name = btrim(partner_name) AND partner_name <> ''", name="partner_name_present"),
    )

    # The shared random key that links this copy to the partner's.
    link_key: Mapped[str] = mapped_column(String(64))
    # Which side this tenant is on.
    side: Mapped[str] = mapped_column(String(16))
    partner_tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    # The partner's name as it was when the agreement was made.
    partner_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AgreementVersion(TenantScoped, Base):
    """One version of the terms, valid from a date once the other side accepted it."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "agreement_id"], ["agreements.tenant_id", "agreements.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "agreement_id", "number"),
        # One open proposal at a time per agreement.
        Index("uq_agreement_versions_one_open", "tenant_id", "agreement_id", unique=True,
              postgresql_where=text("status = 'proposed'")),
        # The accepted versions of an agreement start on different days: one is in force.
        Index("uq_agreement_versions_accepted_valid_from", "tenant_id", "agreement_id", "valid_from", unique=True,
              postgresql_where=text("status = 'accepted'")),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(one_of("status", VERSION_STATUSES), name="status"),
        CheckConstraint(one_of("proposed_by_side", SIDES), name="proposed_by_side"),
        CheckConstraint("(status = 'proposed') = (decided_at IS NULL)", name="decided_when_closed"),
        CheckConstraint("(status = 'rejected') = (reject_reason IS NOT NULL)", name="reject_reason"),
        CheckConstraint(f"reject_reason IS NULL OR length(reject_reason) <= {REASON_MAX}", name="reject_reason_length"),
        CheckConstraint(one_of("cooperative_share_kind", COOPERATIVE_SHARE_KINDS), name="cooperative_share_kind"),
        CheckConstraint("(cooperative_share_kind = 'percentage') = (cooperative_share_bp IS NOT NULL)",
                        name="cooperative_share_bp_when_percentage"),
        CheckConstraint("(cooperative_share_kind = 'flat_per_member') = (cooperative_flat_cents IS NOT NULL)",
                        name="cooperative_flat_when_flat"),
        CheckConstraint("cooperative_share_bp BETWEEN 0 AND 10000", name="cooperative_share_bp_range"),
        CheckConstraint("cooperative_flat_cents >= 0", name="cooperative_flat_not_negative"),
        CheckConstraint("training_pot_bp BETWEEN 0 AND 10000", name="training_pot_bp_range"),
        CheckConstraint("municipality_share_bp BETWEEN 0 AND 10000", name="municipality_share_bp_range"),
        CheckConstraint(SHARES_CHECK, name="shares_at_most_whole"),
        CheckConstraint("municipality_threshold_cents >= 0", name="threshold_not_negative"),
        CheckConstraint(POT_CATEGORIES_CHECK, name="pot_categories"),
        CheckConstraint(one_of("pot_on_leaving", POT_ON_LEAVING), name="pot_on_leaving"),
        CheckConstraint("(pot_on_leaving = 'keep_for_period') = (pot_keep_months IS NOT NULL)",
                        name="keep_months_when_kept"),
        CheckConstraint(f"pot_keep_months BETWEEN 1 AND {KEEP_MONTHS_MAX}", name="keep_months_range"),
        CheckConstraint(one_of("income_for_benefit", INCOME_FOR_BENEFIT), name="income_for_benefit"),
        CheckConstraint(f"coordination_hours_per_month BETWEEN 0 AND {HOURS_MAX}", name="coordination_hours_range"),
        CheckConstraint("housing_contribution_cents >= 0", name="housing_not_negative"),
        CheckConstraint(f"notes IS NULL OR length(notes) <= {NOTES_MAX}", name="notes_length"),
    )

    agreement_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    proposed_by_side: Mapped[str] = mapped_column(String(16))
    proposed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # The terms.
    cooperative_share_kind: Mapped[str] = mapped_column(String(20))
    cooperative_share_bp: Mapped[int | None] = mapped_column(Integer)
    cooperative_flat_cents: Mapped[int | None] = mapped_column(BigInteger)
    training_pot_bp: Mapped[int] = mapped_column(Integer)
    municipality_share_bp: Mapped[int] = mapped_column(Integer)
    municipality_threshold_cents: Mapped[int] = mapped_column(BigInteger)
    pot_categories: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    pot_on_leaving: Mapped[str] = mapped_column(String(20))
    pot_keep_months: Mapped[int | None] = mapped_column(Integer)
    income_for_benefit: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    exempt_from_job_applications: Mapped[bool] = mapped_column(Boolean)
    exempt_from_reintegration: Mapped[bool] = mapped_column(Boolean)
    coordination_hours_per_month: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    housing_contribution_cents: Mapped[int] = mapped_column(BigInteger)
    notes: Mapped[str | None] = mapped_column(Text)

    def terms(self, partner_tenant_id: int | None = None) -> Terms:
        return Terms(
            cooperative_share_kind=self.cooperative_share_kind,
            cooperative_share_bp=self.cooperative_share_bp,
            cooperative_flat=None if self.cooperative_flat_cents is None else Money(self.cooperative_flat_cents),
            training_pot_bp=self.training_pot_bp,
            municipality_share_bp=self.municipality_share_bp,
            municipality_threshold=Money(self.municipality_threshold_cents),
            pot_categories=tuple(self.pot_categories),
            pot_on_leaving=self.pot_on_leaving,
            keep_months=self.pot_keep_months,
            income_for_benefit=self.income_for_benefit,
            exempt_from_job_applications=self.exempt_from_job_applications,
            exempt_from_reintegration=self.exempt_from_reintegration,
            coordination_hours_per_month=Decimal(self.coordination_hours_per_month),
            housing_contribution=Money(self.housing_contribution_cents),
            notes=self.notes or "",
            agreement_id=self.agreement_id,
            version_id=self.id,
            version_number=self.number,
            valid_from=self.valid_from,
            partner_tenant_id=partner_tenant_id,
        )


def term_columns(terms: Terms) -> dict:
    """The columns of a version that hold `terms` (checked already)."""
    percentage = terms.cooperative_share_kind == "percentage"
    flat = terms.cooperative_share_kind == "flat_per_member"
    kept = terms.pot_on_leaving == "keep_for_period"
    return {
        "cooperative_share_kind": terms.cooperative_share_kind,
        "cooperative_share_bp": terms.cooperative_share_bp if percentage else None,
        "cooperative_flat_cents": terms.cooperative_flat.cents if flat and terms.cooperative_flat is not None else None,
        "training_pot_bp": terms.training_pot_bp,
        "municipality_share_bp": terms.municipality_share_bp,
        "municipality_threshold_cents": terms.municipality_threshold.cents,
        "pot_categories": [c for c in POT_CATEGORIES if c in terms.pot_categories],
        "pot_on_leaving": terms.pot_on_leaving,
        "pot_keep_months": terms.keep_months if kept else None,
        "income_for_benefit": terms.income_for_benefit,
        "exempt_from_job_applications": bool(terms.exempt_from_job_applications),
        "exempt_from_reintegration": bool(terms.exempt_from_reintegration),
        "coordination_hours_per_month": terms.coordination_hours_per_month,
        "housing_contribution_cents": terms.housing_contribution.cents,
        "notes": (terms.notes or "").strip() or None,
    }
