from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rq.registry import FailedJobRegistry
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.jobs import JOB_KINDS, queue
from koepel.platform.tenancy import Membership, Tenant, tenant_context, umbrella_scope
from koepel.platform.tenancy.models import SupportGrant, TenantProfile, TenantStatusChange


def all_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.kind, Tenant.name)))


def municipalities() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).where(Tenant.kind == "municipality").order_by(Tenant.name)))


def search_tenants(*, q: str | None, kind: str | None, status: str | None, municipality_id: int | None) -> list[Tenant]:
    """The registry (no tenant data) filtered by name, kind and status; the filter on the
    municipality a tenant works with reads tenant profiles, so it opens `umbrella_scope`."""
    stmt = select(Tenant).order_by(Tenant.kind, Tenant.name)
    if q:
        stmt = stmt.where(Tenant.name.ilike(f"%{_escape_like(q.strip())}%", escape="\\"))
    if kind:
        stmt = stmt.where(Tenant.kind == kind)
    if status:
        stmt = stmt.where(Tenant.status == status)
    tenants = list(db.session.scalars(stmt))
    if municipality_id is not None:
        with umbrella_scope("Organisations list: filter on the municipality worked with") as session:
            working = set(session.scalars(
                select(TenantProfile.tenant_id).where(TenantProfile.municipality_ids.contains([municipality_id]))
            ))
        tenants = [t for t in tenants if t.id in working]
    return tenants


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class TenantDetail:
    tenant: Tenant
    profile: TenantProfile | None
    people: list[tuple[User, str]]
    history: list[tuple[TenantStatusChange, str | None]]
    events: list[tuple[AuditEvent, str | None]]
    grants: list[tuple[SupportGrant, str]]
    municipality_names: list[str]


def tenant_detail(tenant: Tenant, reason: str, actor_id: int) -> TenantDetail:
    """One tenant's people, profile, status history, support grants and latest audit rows.

    The read is opened with `umbrella_scope(reason, tenant_id)`, so it is on record in
    the tenant's and the umbrella's log; it runs in that tenant's own context (RLS still
    applies: the cross-tenant role is not needed to read one tenant).
    """
    with umbrella_scope(reason, tenant_id=tenant.id), tenant_context(tenant.id, actor_id):
        profile = db.session.scalar(select(TenantProfile))
        people = db.session.execute(
            select(User, Membership.role).join(User, User.id == Membership.user_id).order_by(User.name, Membership.role)
        ).all()
        history = db.session.execute(
            select(TenantStatusChange, User.name).outerjoin(User, User.id == TenantStatusChange.changed_by)
            .order_by(TenantStatusChange.changed_at.desc(), TenantStatusChange.id.desc())
        ).all()
        events = db.session.execute(
            select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_user_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(50)
        ).all()
        grants = db.session.execute(
            select(SupportGrant, User.name).join(User, User.id == SupportGrant.user_id)
            .order_by(SupportGrant.created_at.desc()).limit(20)
        ).all()
    names = []
    if profile is not None:
        known = dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(profile.municipality_ids))).all())
        names = [known[i] for i in profile.municipality_ids if i in known] + list(profile.other_municipalities)
    return TenantDetail(tenant, profile, people, history, events, grants, names)


@dataclass(frozen=True)
class PendingApplication:
    tenant: Tenant
    profile: TenantProfile | None
    applicant: str | None


def pending_applications() -> list[PendingApplication]:
    """The queue: pending cooperatives, oldest first, with what they told about themselves."""
    tenants = list(db.session.scalars(
        select(Tenant).where(Tenant.status == "pending").order_by(Tenant.created_at, Tenant.id)
    ))
    if not tenants:
        return []
    ids = [t.id for t in tenants]
    with umbrella_scope("Review of pending applications") as session:
        profiles = {p.tenant_id: p for p in session.scalars(select(TenantProfile).where(TenantProfile.tenant_id.in_(ids)))}
        applicants = dict(session.execute(
            select(Membership.tenant_id, User.email).join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id.in_(ids), Membership.role == "coordinator")
        ).all())
        session.expunge_all()
    return [PendingApplication(t, profiles.get(t.id), applicants.get(t.id)) for t in tenants]


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
