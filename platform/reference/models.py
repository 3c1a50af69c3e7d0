from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base

from .classes import size_class


class ReferenceMunicipality(Base):
    """A Dutch municipality as CBS describes it, for peer comparison.

    National public data, not tenant-owned: every tenant may read it, only the owner role
    (migrations, `koepel reference-load`) changes it. Unknown figures stay NULL.
    """

    __tablename__ = "reference_municipalities"
    __table_args__ = (
        CheckConstraint("cbs_code ~ '^GM[0-9]{4}$'", name="code_format"),
        CheckConstraint("length(btrim(name)) > 0", name="name_given"),
        CheckConstraint("inhabitants IS NULL OR inhabitants > 0", name="inhabitants_positive"),
        CheckConstraint("urbanity IS NULL OR urbanity BETWEEN 1 AND 5", name="urbanity_class"),
        CheckConstraint("year BETWEEN 1900 AND 2100", name="year_range"),
        Index("ix_reference_municipalities_urbanity", "urbanity"),
    )

    cbs_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    inhabitants: Mapped[int | None] = mapped_column(Integer)
    urbanity: Mapped[int | None] = mapped_column(SmallInteger)
    year: Mapped[int] = mapped_column(SmallInteger)

    @property
    def size_class(self) -> str | None:
        return size_class(self.inhabitants)
