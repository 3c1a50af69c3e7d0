"""Bank statements, their lines, and the split of each received payment (DOMAIN.md "The
money (the waterfall)").

A statement is stored once per file (its sha256); a line once per tenant (its `line_key`:
the bank's reference of the entry, or a hash of what the entry says), so a line that two
overlapping statements both hold is one line. A line is unmatched, matched (to an invoice,
a payout batch or a single pot request) or ignored (with the reason). A file that cannot
be read is not stored at all: its report is shown to the person who uploaded it.

A received payment for an invoice gets one `PaymentSplit`: the net turnover (without VAT)
it carries and where that went, by the agreement version that was in force on the payment
date; "waiting" while there is no agreement (the net stays in `earnings`).
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

STATEMENT_FORMATS = ("camt053", "mt940")
LINE_STATUSES = ("unmatched", "matched", "ignored")
SPLIT_STATUSES = ("waiting", "split")



class BankStatement(TenantScoped, Base):
    __tablename__ = "bank_statements"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "sha256"),
        CheckConstraint(one_of("format", STATEMENT_FORMATS), name="format"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_format"),
        CheckConstraint("period_end IS NULL OR period_start IS NULL OR period_end >= period_start", name="period"),
    )

    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(8))
    account_iban: Mapped[str] = mapped_column(String(34), default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # What the import did: lines read, new, already known, matched (counts).
    report: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BankLine(TenantScoped, Base):
    __tablename__ = "bank_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "statement_id"], ["bank_statements.tenant_id", "bank_statements.id"]),
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"]),
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["payout_batches.tenant_id", "payout_batches.id"]),
        ForeignKeyConstraint(["tenant_id", "pot_request_id"], ["pot_requests.tenant_id", "pot_requests.id"]),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        ForeignKeyConstraint(["tenant_id", "settlement_id"], ["settlements.tenant_id", "settlements.id"]),
        UniqueConstraint("tenant_id", "line_key"),
        # A payout shows on the statement once.
        UniqueConstraint("tenant_id", "batch_id"),
        UniqueConstraint("tenant_id", "pot_request_id"),
        UniqueConstraint("tenant_id", "settlement_id"),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        CheckConstraint(one_of("status", LINE_STATUSES), name="status"),
        # Matched to exactly one thing; money in to an invoice, money out to a payout or to
        # what is owed to a municipality (its monthly settlement).
        CheckConstraint("(status = 'matched') = (num_nonnulls(invoice_id, batch_id, pot_request_id, settlement_id) = 1)",
                        name="matched_to_one"),
        CheckConstraint("invoice_id IS NULL OR amount_cents > 0", name="invoice_for_money_in"),
        CheckConstraint("batch_id IS NULL AND pot_request_id IS NULL AND settlement_id IS NULL OR amount_cents < 0",
                        name="payout_for_money_out"),
        CheckConstraint("(status = 'ignored') = (btrim(ignore_reason) <> '')", name="ignored_with_reason"),
        Index("ix_bank_lines_tenant_id_status", "tenant_id", "status"),
        Index("ix_bank_lines_tenant_id_statement_id", "tenant_id", "statement_id"),
    )

    # The statement that first brought the line in.
    statement_id: Mapped[int] = mapped_column(BigInteger)
    booking_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # + in, - out
    counterparty_name: Mapped[str] = mapped_column(String(140), default="")
    counterparty_iban: Mapped[str] = mapped_column(String(34), default="")
    remittance: Mapped[str] = mapped_column(Text, default="")
    end_to_end_id: Mapped[str] = mapped_column(String(35), default="")
    bank_reference: Mapped[str] = mapped_column(String(100), default="")
    message_id: Mapped[str] = mapped_column(String(35), default="")
    line_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="unmatched")
    invoice_id: Mapped[int | None] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    pot_request_id: Mapped[int | None] = mapped_column(BigInteger)
    settlement_id: Mapped[int | None] = mapped_column(BigInteger)
    ignore_reason: Mapped[str] = mapped_column(Text, default="")
    # The payment's entry: Dr bank / Cr receivable for money in, Dr owed / Cr bank for a
    # municipality's settlement.
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    matched_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PaymentSplit(TenantScoped, Base):
    """The waterfall of one received payment for an invoice."""

    __tablename__ = "payment_splits"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "bank_line_id"], ["bank_lines.tenant_id", "bank_lines.id"]),
        ForeignKeyConstraint(["tenant_id", "online_payment_id"], ["online_payments.tenant_id", "online_payments.id"]),
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "bank_line_id"),
        UniqueConstraint("tenant_id", "online_payment_id"),
        # Received through the bank or online (Stripe): exactly one source.
        CheckConstraint("num_nonnulls(bank_line_id, online_payment_id) = 1", name="one_source"),
        CheckConstraint(one_of("status", SPLIT_STATUSES), name="status"),
        CheckConstraint("received_cents > 0 AND net_cents >= 0 AND vat_cents = received_cents - net_cents",
                        name="amounts"),
        CheckConstraint("cooperative_cents >= 0 AND training_cents >= 0 AND municipality_cents >= 0 "
                        "AND pot_cents >= 0", name="shares_not_negative"),
        CheckConstraint("status = 'waiting' OR cooperative_cents + training_cents + municipality_cents + pot_cents "
                        "= net_cents", name="shares_add_up"),
        CheckConstraint("status = 'split' OR cooperative_cents + training_cents + municipality_cents + pot_cents = 0",
                        name="waiting_has_no_shares"),
        CheckConstraint("(status = 'split') = (version_id IS NOT NULL AND split_at IS NOT NULL)",
                        name="split_by_a_version"),
        Index("ix_payment_splits_tenant_id_member_id_paid_on", "tenant_id", "member_id", "paid_on"),
    )

    bank_line_id: Mapped[int | None] = mapped_column(BigInteger)
    online_payment_id: Mapped[int | None] = mapped_column(BigInteger)
    invoice_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int] = mapped_column(BigInteger)
    # The municipality whose agreement applies (the member's benefit municipality).
    municipality_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    paid_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    received_cents: Mapped[int] = mapped_column(BigInteger)
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    # The member's net turnover already split in the same calendar month (for the threshold).
    earned_before_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    cooperative_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    training_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    municipality_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    pot_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # The agreement version that split it (an id shared by both copies of the version) and
    # its rule as it was: percentages, threshold, version number and start date.
    version_id: Mapped[int | None] = mapped_column(BigInteger)
    rule: Mapped[dict] = mapped_column(JSONB, default=dict)
    # The split's entry (Dr earnings / Cr the shares); none when the net is zero.
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    split_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
