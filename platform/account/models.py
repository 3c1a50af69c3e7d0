from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, utcnow

ERASURE_STATUSES = ("pending", "confirmed", "cancelled")
EXPORT_STATUSES = ("queued", "running", "finished", "failed")


class ErasureRequest(Base):
    """A person asked to be forgotten; umbrella staff confirm (or it is cancelled).

    Not tenant-owned: a person's account spans tenants. Kept after the erasure as the
    record that it was asked for and done; it references only ids.
    """

    __tablename__ = "erasure_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name="status"),
        # One open request per person.
        Index("uq_erasure_requests_pending", "user_id", unique=True, postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DataExport(Base):
    """"Download my data": a person's own export, built by a job, private to them."""

    __tablename__ = "data_exports"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rq_job_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    file: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
