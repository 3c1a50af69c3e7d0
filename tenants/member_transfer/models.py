from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from koepel.platform.db import Base, TenantScoped, utcnow

FORMATS = ("csv", "xlsx")
# queued: uploaded, waiting for (or in) its job. imported: every line was created or was
# already present. rejected: bad lines (or a bad file): nothing was created.
IMPORT_STATUSES = ("queued", "imported", "rejected")
FINAL_STATUSES = ("imported", "rejected")


class MemberImport(TenantScoped, Base):
    """An uploaded file of members and what its import did.

    The file itself lives under the instance folder until its job has read it; this row
    keeps the outcome: the counts and the report of every bad line (codes and values,
    shown in the reader's language).
    """

    __tablename__ = "member_imports"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        ForeignKeyConstraint(["tenant_id", "job_run_id"], ["job_runs.tenant_id", "job_runs.id"]),
        CheckConstraint("file_format IN (" + ", ".join(repr(f) for f in FORMATS) + ")", name="file_format"),
        CheckConstraint("status IN (" + ", ".join(repr(s) for s in IMPORT_STATUSES) + ")", name="status"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256"),
        CheckConstraint(
            "size_bytes >= 0 AND line_count >= 0 AND created_count >= 0 AND present_count >= 0 AND error_count >= 0",
            name="counts",
        ),
        CheckConstraint("(status IN ('imported', 'rejected')) = (finished_at IS NOT NULL)", name="finished"),
        CheckConstraint("status <> 'imported' OR error_count = 0", name="imported_without_errors"),
        Index("ix_member_imports_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_member_imports_tenant_id_sha256", "tenant_id", "sha256"),
    )

    file_name: Mapped[str] = mapped_column(String(200))
    # The stored copy under instance/imports/<tenant_id>/ (never derived from file_name);
    # None once the job has read and removed it.
    stored_name: Mapped[str | None] = mapped_column(String(100))
    file_format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"line": int | None, "column": str | None, "value": str, "code": str, "params": {}}]
    errors: Mapped[list] = mapped_column(JSONB, default=list)
    job_run_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES
