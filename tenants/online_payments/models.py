"""Paying an invoice online through Stripe (iDEAL, card), into the cooperative's own
Stripe account (Stripe Connect: the cooperative is the legal supplier).

- `OnlinePaymentSettings`: the cooperative's connected account (`acct_...`), one row per
  cooperative; none (or no account) means its invoices offer no online payment.
- `OnlinePayment`: one Stripe Checkout Session made for an invoice (the "payment link"),
  for the amount that was due when it was made. At most one is open per invoice; when the
  amount due changes (a bank payment came in) or the session expired, a new one replaces
  it. Settled by Stripe's webhook: then it holds the payment's entry and date.
- `StripeEvent`: a platform table (not a tenant's): every webhook event acted on, by
  Stripe's event id, so the same event delivered twice or at once is acted on once.
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

LINK_STATUSES = ("open", "superseded", "expired", "paid")
EVENT_OUTCOMES = ("posted", "already_paid", "not_paid")
# Stripe's connected account ids: "acct_" and letters and digits.
ACCOUNT_PATTERN = r"^acct_[A-Za-z0-9]{6,250}$"



class OnlinePaymentSettings(TenantScoped, Base):
    __tablename__ = "online_payment_settings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id"),
        CheckConstraint(f"stripe_account_id IS NULL OR stripe_account_id ~ '{ACCOUNT_PATTERN}'",
                        name="account_format"),
    )

    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    updated_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OnlinePayment(TenantScoped, Base):
    __tablename__ = "online_payments"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"]),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "session_id"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint(one_of("status", LINK_STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(f"stripe_account_id ~ '{ACCOUNT_PATTERN}'", name="account_format"),
        CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL AND entry_id IS NOT NULL "
                        "AND event_id IS NOT NULL)", name="paid_complete"),
        # What counted on the invoice is at most what came in; the rest is the customer's credit.
        CheckConstraint("status <> 'paid' OR (registered_cents >= 0 AND registered_cents <= amount_cents)",
                        name="registered_within_amount"),
        # One open payment link per invoice.
        Index("uq_online_payments_open_invoice", "tenant_id", "invoice_id", unique=True,
              postgresql_where=text("status = 'open'")),
        Index("ix_online_payments_tenant_id_invoice_id", "tenant_id", "invoice_id"),
    )

    invoice_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="open")
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    stripe_account_id: Mapped[str] = mapped_column(String(255))
    session_id: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    # The key Stripe knows the creation by: invoice, amount due and attempt.
    idempotency_key: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when Stripe reports it paid.
    paid_on: Mapped[date | None] = mapped_column(Date)
    registered_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_intent_id: Mapped[str] = mapped_column(String(255), default="")
    event_id: Mapped[str | None] = mapped_column(String(255))
    entry_id: Mapped[int | None] = mapped_column(BigInteger)


class StripeEvent(Base):
    """A webhook event acted on (platform-wide: the event names its cooperative only
    through its connected account and metadata)."""

    __tablename__ = "stripe_events"
    __table_args__ = (
        CheckConstraint(one_of("outcome", EVENT_OUTCOMES), name="outcome"),
        CheckConstraint("event_id ~ '^evt_'", name="event_id_format"),
    )

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str] = mapped_column(String(255))
    cooperative_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    session_id: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
