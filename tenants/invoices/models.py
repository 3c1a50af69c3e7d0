"""Customers, invoices on behalf of members, their lines, the number series and the
cooperative's invoice settings (DOMAIN.md "Invoices").

The cooperative is the legal supplier; the member did the work (`member_id`). A draft
has no number and may change or be deleted; issuing gives it the next number of the
cooperative's series of that year, posts it to the books and freezes it (supplier and
customer are copied into `parties`). An issued invoice is never changed or deleted: a
credit note (its own number, negative amounts) cancels it.

Status is stored as draft / sent / partly_paid / paid / cancelled. "Overdue" is not
stored: it is a sent or partly paid invoice whose due date has passed, derived when
shown (see `queries.display_status`). A stored overdue flag would need a scheduler to
set it and would be wrong the day it was not run.
"""

from __future__ import annotations

from datetime import date, datetime

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from koepel.platform.db import Base, TenantScoped, one_of, utcnow

INVOICE_KINDS = ("invoice", "credit_note")
INVOICE_STATUSES = ("draft", "sent", "partly_paid", "paid", "cancelled")
OPEN_STATUSES = ("sent", "partly_paid")  # issued and not (fully) paid: overdue after the due date



class InvoiceSettings(TenantScoped, Base):
    """A cooperative's invoice settings (one row per cooperative)."""

    __tablename__ = "invoice_settings"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id"),
        CheckConstraint("payment_term_days BETWEEN 1 AND 365", name="payment_term_days"),
        CheckConstraint("reminder_after_days BETWEEN 1 AND 90", name="reminder_after_days"),
    )

    # The small-business scheme (KOR): no VAT is charged on the cooperative's invoices.
    kor: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_term_days: Mapped[int] = mapped_column(Integer, default=30)
    # A reminder once an invoice is this many days overdue, and again after as many days.
    reminder_after_days: Mapped[int] = mapped_column(Integer, default=7)


class Customer(TenantScoped, Base):
    """Who a member's work is invoiced to. Customers have no account on the platform."""

    __tablename__ = "customers"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        CheckConstraint("name = btrim(name) AND name <> ''", name="name_present"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
        CheckConstraint("kvk_number IS NULL OR kvk_number ~ '^[0-9]{8}$'", name="kvk_format"),
        Index("ix_customers_tenant_id_name", "tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    email: Mapped[str | None] = mapped_column(String(254))
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    is_business: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InvoiceNumberSeries(TenantScoped, Base):
    """The last number given in a cooperative's series of a year. Incremented with one
    locking statement in the transaction that issues the invoice: no gaps, no reuse."""

    __tablename__ = "invoice_number_series"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        UniqueConstraint("tenant_id", "year"),
        CheckConstraint("last_number >= 0", name="last_number"),
        CheckConstraint("year BETWEEN 2000 AND 9999", name="year"),
    )

    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(TenantScoped, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "credits_invoice_id"], ["invoices.tenant_id", "invoices.id"]),
        UniqueConstraint("tenant_id", "number"),
        # An invoice is credited once, for its full amount.
        UniqueConstraint("tenant_id", "credits_invoice_id"),
        CheckConstraint(one_of("kind", INVOICE_KINDS), name="kind"),
        CheckConstraint(one_of("status", INVOICE_STATUSES), name="status"),
        CheckConstraint("(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)", name="credit_note_credits"),
        # A number exactly when issued, with its issue and due date and the parties frozen.
        CheckConstraint("(status = 'draft') = (number IS NULL)", name="number_when_issued"),
        CheckConstraint("status = 'draft' OR (issue_date IS NOT NULL AND due_date IS NOT NULL "
                        "AND parties IS NOT NULL AND issued_at IS NOT NULL)", name="issued_complete"),
        CheckConstraint("number IS NULL OR number = to_char(number_year, 'FM0000') || '-' || "
                        "to_char(number_seq, 'FM0000')", name="number_format"),
        CheckConstraint("total_cents = net_cents + vat_cents", name="total_adds_up"),
        CheckConstraint("kind = 'invoice' OR (total_cents <= 0 AND status IN ('draft', 'sent'))",
                        name="credit_note_negative"),
        CheckConstraint("status = 'draft' OR kind = 'credit_note' OR total_cents > 0", name="invoice_positive"),
        CheckConstraint("amount_paid_cents >= 0 AND (kind = 'credit_note' OR amount_paid_cents <= total_cents "
                        "OR status = 'cancelled')", name="amount_paid"),
        CheckConstraint("kind = 'credit_note' OR amount_paid_cents = 0 OR status IN ('partly_paid', 'paid', "
                        "'cancelled')", name="paid_status"),
        CheckConstraint("delivery_end IS NULL OR delivery_end >= delivery_date", name="delivery_period"),
        Index("ix_invoices_tenant_id_member_id", "tenant_id", "member_id"),
        Index("ix_invoices_tenant_id_status_due_date", "tenant_id", "status", "due_date"),
    )

    kind: Mapped[str] = mapped_column(String(16), default="invoice")
    member_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    credits_invoice_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # "2026-0001": the series' year and its sequence number (NULL while a draft).
    number: Mapped[str | None] = mapped_column(String(20))
    number_year: Mapped[int | None] = mapped_column(Integer)
    number_seq: Mapped[int | None] = mapped_column(Integer)
    issue_date: Mapped[date | None] = mapped_column(Date)
    delivery_date: Mapped[date] = mapped_column(Date)
    delivery_end: Mapped[date | None] = mapped_column(Date)  # a delivery period: delivery_date up to this day
    due_date: Mapped[date | None] = mapped_column(Date)
    # Under the KOR no VAT is charged; fixed when issued (a draft follows the settings).
    kor: Mapped[bool] = mapped_column(Boolean, default=False)
    net_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    vat_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Set by the payments part through `do_register_payment`.
    amount_paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why a credit note was made
    # Supplier and customer as they were when issued (name, address, KvK, btw-id, IBAN).
    parties: Mapped[dict | None] = mapped_column(JSONB)
    pdf_file: Mapped[str | None] = mapped_column(String(200))  # under instance/invoices/<tenant>/
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan", lazy="selectin")


class InvoiceLine(TenantScoped, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "invoice_id", "position"),
        CheckConstraint("description = btrim(description) AND description <> ''", name="description_present"),
        CheckConstraint("quantity_hundredths <> 0", name="quantity_not_zero"),
        # Which rates apply is a platform parameter of the invoice's date (checked by the
        # operations); the database only keeps a rate a percentage, as parameter_values does.
        CheckConstraint("vat_rate_bp BETWEEN 0 AND 10000", name="vat_rate"),
        # quantity x unit price, rounded half away from zero (PostgreSQL's round(numeric)).
        CheckConstraint("amount_cents = round(quantity_hundredths::numeric * unit_price_cents / 100)",
                        name="amount_computed"),
    )

    invoice_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    quantity_hundredths: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
