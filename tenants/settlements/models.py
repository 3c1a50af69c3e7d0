"""The monthly settlement: when a cooperative closes a month, each municipality it has an
agreement with gets, per member whose benefit it pays, what was earned, how it was split,
what counts as income for the benefit and the income disregard (vrijlating) that may apply.

Like an agreement, a settlement has one copy on each side of the border (`side`), written
in the same transaction and carrying the same ids (the lines too), linked by `link_key`.
The figures of a settlement never change (its lines are append-only); what changes is
where it stands: the municipality processes it, and what is owed to the municipality goes
from owed to invoiced (the municipality's claim) to paying (a SEPA file) to settled (the
bank statement shows the payment, booked in the cooperative's ledger).
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

SIDES = ("cooperative", "municipality")
STATUSES = ("sent", "processed")
OWED_STATUSES = ("nothing_owed", "owed", "invoiced", "paying", "settled")
INCOME_BASES = ("none", "pot", "net")
# Why the general disregard is not (fully) worked out for a member: the municipality checks.
GENERAL_NOTES = ("age_unknown", "under_age", "period_over", "no_income")

SHARE_COLUMNS = ("earned_cents", "late_cents", "cooperative_cents", "flat_fee_cents", "training_cents",
                 "municipality_cents", "pot_cents", "income_cents", "disregard_general_cents")



def _not_negative(*columns: str) -> str:
    return " AND ".join(f"{c} >= 0" for c in columns)


class Settlement(TenantScoped, Base):
    """This tenant's copy of one month's settlement between a cooperative and a municipality."""

    __tablename__ = "settlements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "paid_entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "link_key"),
        UniqueConstraint("tenant_id", "partner_tenant_id", "month"),
        CheckConstraint(one_of("side", SIDES), name="side"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("owed_status", OWED_STATUSES), name="owed_status"),
        CheckConstraint("extract(day from month) = 1", name="first_of_month"),
        CheckConstraint("partner_tenant_id <> tenant_id", name="two_tenants"),
        CheckConstraint(_not_negative("members_count", *SHARE_COLUMNS, "returned_pots_cents", "owed_cents"),
                        name="figures_not_negative"),
        CheckConstraint("(owed_status = 'nothing_owed') = (owed_cents = 0)", name="nothing_owed_when_zero"),
        CheckConstraint("(status = 'processed') = (processed_at IS NOT NULL)", name="processed_when_processed"),
        CheckConstraint("owed_status IN ('nothing_owed', 'owed') OR (claim_reference IS NOT NULL "
                        "AND claim_iban IS NOT NULL)", name="claimed_when_invoiced"),
        CheckConstraint("owed_status NOT IN ('paying', 'settled') OR end_to_end_id IS NOT NULL",
                        name="paid_by_a_transfer"),
        CheckConstraint("(owed_status = 'settled') = (settled_on IS NOT NULL)", name="settled_on_when_settled"),
    )

    link_key: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(16))
    partner_tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    partner_name: Mapped[str] = mapped_column(String(200))
    month: Mapped[date] = mapped_column(Date)  # its first day
    agreement_id: Mapped[int | None] = mapped_column(BigInteger)  # the same id on both sides
    members_count: Mapped[int] = mapped_column(Integer)
    # The month's figures, the sums of the lines.
    earned_cents: Mapped[int] = mapped_column(BigInteger)
    late_cents: Mapped[int] = mapped_column(BigInteger)  # of earned: paid in an earlier, closed month
    cooperative_cents: Mapped[int] = mapped_column(BigInteger)
    flat_fee_cents: Mapped[int] = mapped_column(BigInteger)
    training_cents: Mapped[int] = mapped_column(BigInteger)
    municipality_cents: Mapped[int] = mapped_column(BigInteger)
    pot_cents: Mapped[int] = mapped_column(BigInteger)
    income_cents: Mapped[int] = mapped_column(BigInteger)
    disregard_general_cents: Mapped[int] = mapped_column(BigInteger)
    # Pots of members who left, returned to the municipality this month.
    returned_pots_cents: Mapped[int] = mapped_column(BigInteger)
    # What the cooperative owes the municipality for the month: its shares and returned pots.
    owed_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    owed_status: Mapped[str] = mapped_column(String(16))
    claim_reference: Mapped[str | None] = mapped_column(String(35))
    claim_iban: Mapped[str | None] = mapped_column(String(34))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    end_to_end_id: Mapped[str | None] = mapped_column(String(35))
    payment_file: Mapped[str | None] = mapped_column(Text)  # the cooperative's pain.001 (its side only)
    settled_on: Mapped[date | None] = mapped_column(Date)
    paid_entry_id: Mapped[int | None] = mapped_column(BigInteger)  # the cooperative's side only
    closed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SettlementLine(TenantScoped, Base):
    """One member's month in a settlement. Written once, never changed."""

    __tablename__ = "settlement_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "settlement_id"], ["settlements.tenant_id", "settlements.id"]),
        UniqueConstraint("tenant_id", "settlement_id", "member_id"),
        Index("ix_settlement_lines_tenant_id_member_id", "tenant_id", "member_id"),
        CheckConstraint(one_of("income_basis", INCOME_BASES), name="income_basis"),
        CheckConstraint("general_note IS NULL OR " + one_of("general_note", GENERAL_NOTES), name="general_note"),
        CheckConstraint(_not_negative(*SHARE_COLUMNS, "disregard_single_parent_cents", "disregard_medical_cents"),
                        name="figures_not_negative"),
        CheckConstraint("cooperative_cents + training_cents + municipality_cents + pot_cents + flat_fee_cents "
                        "= earned_cents", name="split_adds_up"),
        CheckConstraint("late_cents <= earned_cents", name="late_within_earned"),
        CheckConstraint("disregard_general_cents <= income_cents AND disregard_single_parent_cents <= income_cents "
                        "AND disregard_medical_cents <= income_cents", name="disregard_within_income"),
    )

    settlement_id: Mapped[int] = mapped_column(BigInteger)
    # The member's id in the cooperative (an internal id; no BSN ever crosses).
    member_id: Mapped[int] = mapped_column(BigInteger)
    member_name: Mapped[str] = mapped_column(String(200))
    # The municipality's own reference of the resident, from its referral (its side only).
    client_reference: Mapped[str | None] = mapped_column(String(100))
    earned_cents: Mapped[int] = mapped_column(BigInteger)  # net of VAT
    late_cents: Mapped[int] = mapped_column(BigInteger)
    late_months: Mapped[str] = mapped_column(String(200), default="")  # "2026-09, 2026-08"
    cooperative_cents: Mapped[int] = mapped_column(BigInteger)  # a percentage share of payments
    flat_fee_cents: Mapped[int] = mapped_column(BigInteger)  # a flat amount per member per month
    training_cents: Mapped[int] = mapped_column(BigInteger)
    municipality_cents: Mapped[int] = mapped_column(BigInteger)
    pot_cents: Mapped[int] = mapped_column(BigInteger)  # after the flat amount
    income_basis: Mapped[str] = mapped_column(String(8))
    income_cents: Mapped[int] = mapped_column(BigInteger)
    # The general disregard (27 or over, at most 6 consecutive months): the amount, which
    # month of the period this is, or why it is not worked out.
    disregard_general_cents: Mapped[int] = mapped_column(BigInteger)
    general_month: Mapped[int | None] = mapped_column(Integer)
    general_note: Mapped[str | None] = mapped_column(String(16))
    # What further disregards would come to, if the municipality finds they apply: single
    # parent with a child under 12; medical limitation of working hours.
    disregard_single_parent_cents: Mapped[int] = mapped_column(BigInteger)
    disregard_medical_cents: Mapped[int] = mapped_column(BigInteger)
