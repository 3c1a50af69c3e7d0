"""The members' savings pots (spaarpot): spending requests, payout batches (SEPA) and
what happens to a pot when its member leaves.

What a pot holds lives in the ledger (account `member_pot:<member>`); these tables hold
the requests to spend it and their decisions, the SEPA files that pay them out, and the
closings of a leaving member's pot. An approved request has the ledger entry that moved
its amount out of the pot (Dr member_pot / Cr payouts_due); a paid one the entry that
left the bank (Dr payouts_due / Cr bank).
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
from koepel.tenants.agreements import POT_CATEGORIES

REQUEST_STATUSES = ("requested", "approved", "refused", "paid")
BATCH_STATUSES = ("created", "paid")
# What the agreement rules for a leaving member's pot; "no_agreement" when none applies.
CLOSING_RULES = ("spend_on_business", "keep_for_period", "return", "no_agreement")
CLOSING_STATUSES = ("pending", "confirmed", "cancelled")
ATTACHMENT_TYPES = ("pdf", "png", "jpg")



class PayoutBatch(TenantScoped, Base):
    """Approved requests collected into one SEPA credit-transfer file (pain.001.001.03)."""

    __tablename__ = "payout_batches"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "message_id"),
        CheckConstraint(one_of("status", BATCH_STATUSES), name="status"),
        CheckConstraint("transaction_count > 0 AND total_cents > 0", name="not_empty"),
        CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL)", name="paid_on_when_paid"),
    )

    execution_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="created")
    message_id: Mapped[str] = mapped_column(String(35))
    transaction_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    debtor_iban: Mapped[str] = mapped_column(String(34))
    # The file as it was made (the bank gets exactly this one, however often downloaded).
    sepa_xml: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))


class PotRequest(TenantScoped, Base):
    """A member asks to spend from their pot: requested -> approved | refused -> paid."""

    __tablename__ = "pot_requests"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "approval_entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "paid_entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["payout_batches.tenant_id", "payout_batches.id"]),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(one_of("category", POT_CATEGORIES), name="category"),
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(one_of("attachment_type", ATTACHMENT_TYPES), name="attachment_type"),
        CheckConstraint("btrim(description) <> '' AND btrim(supplier_name) <> ''", name="texts_present"),
        CheckConstraint("(status = 'requested') = (decided_at IS NULL)", name="decided_when_not_requested"),
        CheckConstraint("(status IN ('approved', 'paid')) = (approval_entry_id IS NOT NULL)", name="approval_entry"),
        CheckConstraint("(status = 'refused') = (refusal_reason IS NOT NULL AND btrim(refusal_reason) <> '')",
                        name="refusal_reason"),
        CheckConstraint("(status = 'paid') = (paid_entry_id IS NOT NULL AND paid_on IS NOT NULL)", name="paid_entry"),
        CheckConstraint("batch_id IS NULL OR status IN ('approved', 'paid')", name="batch_only_approved"),
        Index("ix_pot_requests_member", "tenant_id", "member_id", "id"),
        Index("ix_pot_requests_batch", "tenant_id", "batch_id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    supplier_name: Mapped[str] = mapped_column(String(70))
    supplier_iban: Mapped[str] = mapped_column(String(34))
    # The invoice: a file under the instance folder (uploads/<tenant>/pot_invoices/).
    attachment_file: Mapped[str] = mapped_column(String(100))
    attachment_name: Mapped[str] = mapped_column(String(200))
    attachment_type: Mapped[str] = mapped_column(String(8))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    approval_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PotClosing(TenantScoped, Base):
    """A leaving member's pot and what the agreement rules for it, until a person confirms.

    - spend_on_business: the member may still spend it on the business until `open_until`;
    - keep_for_period: it is kept for the member until `open_until` (`keep_months`);
    - return: on confirmation what it holds then goes to what is owed to the municipality
      (Dr member_pot / Cr municipality_owed), `entry_id` is that entry;
    - no_agreement: no agreement applies; the coordinator settles it by hand.
    """

    __tablename__ = "pot_closings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "transition_id"], ["journey_transitions.tenant_id", "journey_transitions.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "transition_id"),
        CheckConstraint(one_of("rule", CLOSING_RULES), name="rule"),
        CheckConstraint(one_of("status", CLOSING_STATUSES), name="status"),
        CheckConstraint("held_cents > 0", name="held_positive"),
        CheckConstraint("(rule = 'keep_for_period') = (keep_months IS NOT NULL)", name="keep_months_when_kept"),
        CheckConstraint("(rule = 'return') = (partner_tenant_id IS NOT NULL)", name="partner_when_returned"),
        CheckConstraint("(rule IN ('spend_on_business', 'keep_for_period')) = (open_until IS NOT NULL)",
                        name="open_until_when_open"),
        CheckConstraint("(status = 'confirmed') = (confirmed_at IS NOT NULL)", name="confirmed_at"),
        CheckConstraint("entry_id IS NULL OR (rule = 'return' AND status = 'confirmed')", name="entry_only_returned"),
        Index("ix_pot_closings_member", "tenant_id", "member_id", "id"),
    )

    member_id: Mapped[int] = mapped_column(BigInteger)
    transition_id: Mapped[int] = mapped_column(BigInteger)
    left_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(20))
    partner_tenant_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    keep_months: Mapped[int | None] = mapped_column(Integer)
    open_until: Mapped[date | None] = mapped_column(Date)
    held_cents: Mapped[int] = mapped_column(BigInteger)  # what the pot held when the member left
    status: Mapped[str] = mapped_column(String(16), default="pending")
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_cents: Mapped[int | None] = mapped_column(BigInteger)
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
