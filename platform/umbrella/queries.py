from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rq.registry import FailedJobRegistry
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.jobs import JOB_KINDS, queue
from koepel.platform.tenancy import Tenant


def all_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.kind, Tenant.name)))


@dataclass(frozen=True)
class FailedJob:
    id: str
    kind: str
    title: str
    tenant: str
    failed_at: datetime | None
    error: str


def failed_jobs(limit: int = 100) -> list[FailedJob]:
    """Jobs in rq's failed registry, newest first, with the last lines of their error."""
    q = queue()
    registry = FailedJobRegistry(queue=q)
    ids = registry.get_job_ids(0, limit - 1, desc=True)
    tenants = dict(db.session.execute(select(Tenant.id, Tenant.name)).all())
    failed = []
    for job in q.job_class.fetch_many(ids, connection=q.connection):
        if job is None:
            continue
        kind = job.meta.get("kind", job.func_name)
        known = JOB_KINDS.get(kind)
        exc = job.latest_result().exc_string if job.latest_result() else (job.exc_info or "")
        failed.append(
            FailedJob(
                id=job.id,
                kind=kind,
                title=str(known.title) if known else kind,
                tenant=tenants.get(job.meta.get("tenant_id"), "—"),
                failed_at=job.ended_at.replace(tzinfo=UTC) if job.ended_at and job.ended_at.tzinfo is None else job.ended_at,
                error="\n".join((exc or "").strip().splitlines()[-6:]),
            )
        )
    return failed
