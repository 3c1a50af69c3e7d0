"""The outcome aggregates: counts and sums per month, municipality and provider.

A platform table (no tenant_id, no row-level security): it holds no person, only how
many people and how much money. The umbrella role writes it (`aggregate.py`); the app role
may only read it, and the pages apply disclosure control to what they show.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base


class OutcomeFigure(Base):
    """One indicator for one month, one municipality (whose residents) and one provider
    (the cooperative or employer cooperative that served them)."""

    __tablename__ = "outcome_figures"
    __table_args__ = (
        UniqueConstraint("month", "municipality_id", "provider_id", "indicator"),
        CheckConstraint("month = date_trunc('month', month)::date", name="first_of_month"),
        CheckConstraint("indicator ~ '^[a-z0-9_]+$'", name="indicator_code"),
        CheckConstraint("people >= 0 AND total >= 0 AND largest >= 0 AND largest <= total", name="not_negative"),
        Index("ix_outcome_figures_municipality_month", "municipality_id", "month"),
        Index("ix_outcome_figures_indicator_month", "indicator", "month"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # its first day
    municipality_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    provider_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id"))
    indicator: Mapped[str] = mapped_column(String(40))
    people: Mapped[int] = mapped_column(Integer)  # persons counted
    total: Mapped[int] = mapped_column(BigInteger)  # a sum (cents), or equal to people for counts
    largest: Mapped[int] = mapped_column(BigInteger)  # one person's largest part of total (dominance rule)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
