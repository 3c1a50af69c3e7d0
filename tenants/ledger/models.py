"""The cooperative's books: accounts, journal entries and their lines (double-entry).

Amounts are integer cents, debit positive and credit negative: an entry's lines sum to
zero. What a liability (a member's savings pot, what is owed to a municipality) holds
is its credit balance, so a pot "at or above zero" is an account balance at or below
zero. The database keeps the rules itself (migration 20261123_0200_ledger): lines of an
entry sum to zero at commit, entries and lines are never changed or removed, lines are
added only in the transaction that made their entry, and `balance_cents` (maintained by
a trigger, not writable by the app) never lets a pot go below zero, and no entry is
dated in a closed month.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

# The kinds of account a cooperative's books hold, each with the party it belongs to.
ACCOUNT_KINDS = (
    "bank",               # the cooperative's bank account
    "receivable",         # what a customer still owes (per customer)
    "vat_payable",        # VAT charged on invoices, owed to the tax office
    "earnings",           # members' turnover excluding VAT, until it is split
    "cooperative",        # the cooperative's own share (afdracht), its income
    "costs",              # the cooperative's own costs
    "training_pot",       # the common training pot (opleidingspot)
    "municipality_owed",  # what is owed to a municipality (per municipality)
    "member_pot",         # a member's personal savings pot (per member)
    "payouts_due",        # approved payouts from pots, until the bank shows them paid
    "payment_provider",   # paid online (Stripe), until the provider pays it out to the bank
)
# Liabilities held for somebody: their credit balance may never turn into a debit.
NEVER_OVERDRAWN = ("member_pot", "training_pot")
_KINDS_SQL = ", ".join(repr(k) for k in ACCOUNT_KINDS)


class LedgerAccount(TenantScoped, Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        UniqueConstraint("tenant_id", "key"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint("(kind = 'member_pot') = (member_id IS NOT NULL)", name="member_of_pot"),
        CheckConstraint("(kind = 'municipality_owed') = (partner_tenant_id IS NOT NULL)", name="municipality_owed"),
        CheckConstraint("(kind = 'receivable') = (customer_id IS NOT NULL)", name="customer_of_receivable"),
        CheckConstraint("kind NOT IN ('member_pot', 'training_pot') OR balance_cents <= 0", name="pot_not_overdrawn"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    # One account per kind and party: "member_pot:12", "municipality_owed:7", "bank".
    key: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    partner_tenant_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    # Debit positive; kept by a trigger from the lines (see the module docstring).
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", server_onupdate=FetchedValue())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JournalEntry(TenantScoped, Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "reverses_entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "idempotency_key"),
        # An entry is reversed at most once.
        UniqueConstraint("tenant_id", "reverses_entry_id"),
        CheckConstraint("idempotency_key <> ''", name="idempotency_key_present"),
        CheckConstraint("description <> ''", name="description_present"),
    )

    on_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))  # what posted it: invoice, payment, split, payout, reversal, ...
    description: Mapped[str] = mapped_column(String(300))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    reverses_entry_id: Mapped[int | None] = mapped_column(BigInteger)
    source_type: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The day it happened, when that lies in a closed month: the entry itself is dated on
    # the first open day (a closed month never changes; see ClosedMonth).
    occurred_on: Mapped[date | None] = mapped_column(Date)
    # The transaction that made the entry: only it may add lines (set by the database).
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("txid_current()"))


class JournalLine(TenantScoped, Base):
    __tablename__ = "journal_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["ledger_accounts.tenant_id", "ledger_accounts.id"]),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        Index("ix_journal_lines_entry", "tenant_id", "entry_id"),
        Index("ix_journal_lines_account", "tenant_id", "account_id", "id"),
    )

    entry_id: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class ClosedMonth(TenantScoped, Base):
    """A month whose books are closed (the monthly settlement). Nothing is dated in it or
    before it any more: the database refuses such an entry, and `do_post` dates what
    arrives late on the first open day, keeping the real day in `occurred_on`."""

    __tablename__ = "closed_months"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "month"),
        CheckConstraint("extract(day from month) = 1", name="first_of_month"),
    )

    month: Mapped[date] = mapped_column(Date)  # its first day
    closed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
