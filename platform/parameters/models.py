"""Parameter values with a validity period: a platform table, not tenant-owned.

The rules are national (income disregard, VAT, ...), the same for every tenant, so the
table has no `tenant_id` and no row-level security, like `tenants` and `users`. Every
role may read it; only the umbrella's administrators change it, through the app.

A row is the value of one parameter for the half-open period
`[valid_from, valid_until)`: `valid_until` is EXCLUSIVE, the first day the value no
longer applies (NULL: until further notice), which is how PostgreSQL's `daterange`
counts. A value valid through 31-12-2023 has `valid_until = 2024-01-01`. Two periods of
the same name never overlap: an exclusion constraint (btree_gist) guarantees it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, one_of, utcnow

from .catalog import UNITS

EXTENSION_SCHEMA = "extensions"
NO_OVERLAP = "ex_parameter_values_no_overlap"
NAME_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"



class ParameterValue(Base):
    __tablename__ = "parameter_values"
    __table_args__ = (
        CheckConstraint(f"name ~ '{NAME_PATTERN}'", name="name_format"),
        CheckConstraint(one_of("unit", UNITS), name="unit"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("unit <> 'basis_points' OR value <= 10000", name="rate_at_most_100_percent"),
        CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="period_not_empty"),
        ExcludeConstraint(
            ("name", "="),
            (text("daterange(valid_from, valid_until)"), "&&"),
            name=NO_OVERLAP,
            using="gist",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # exclusive; None: open-ended
    value: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)  # the source (Staatscourant, Belastingdienst, ...) or why
    changed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


# The exclusion constraint needs btree_gist (equality on text in a GiST index). The
# migration creates it; a schema made from the models (create_all) needs it first too.
event.listen(
    ParameterValue.__table__,
    "before_create",
    DDL(f"CREATE SCHEMA IF NOT EXISTS {EXTENSION_SCHEMA}; "
        f"CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA {EXTENSION_SCHEMA}"),
)
