"""The cooperative's own costs: what the ledger entry does not say (category, supplier,
receipt). The money itself is the entry (Dr costs net, Dr vat_payable VAT, Cr bank); a
correction is the entry's reversal, never a change of this row."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

COST_CATEGORIES = ("rent", "insurance", "materials", "training", "coordination", "other")
_CATEGORIES_SQL = ", ".join(repr(c) for c in COST_CATEGORIES)


class Cost(TenantScoped, Base):
    __tablename__ = "costs"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "entry_id"], ["journal_entries.tenant_id", "journal_entries.id"]),
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "entry_id"),
        CheckConstraint(f"category IN ({_CATEGORIES_SQL})", name="category"),
        CheckConstraint("amount_cents > 0 AND vat_cents >= 0 AND vat_cents < amount_cents", name="amounts"),
        CheckConstraint("btrim(supplier) <> '' AND btrim(description) <> ''", name="texts_present"),
        CheckConstraint("idempotency_key <> ''", name="idempotency_key_present"),
        Index("ix_costs_tenant_id_on_date", "tenant_id", "on_date"),
    )

    on_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    supplier: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300))
    # The supplier's invoice or receipt number, to find the paper (or PDF) back.
    receipt: Mapped[str] = mapped_column(String(100), default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # including VAT, paid from the bank
    vat_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # the deductible VAT in it
    entry_id: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
