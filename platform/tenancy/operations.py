from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, func, select

from koepel.platform.audit import record
from koepel.platform.db import db, utcnow

from .context import current_scope, tenant_context
from .models import (
    KEY_ROLE_BY_KIND,
    ROLES_BY_KIND,
    TENANT_KINDS,
    TENANT_STATUSES,
    Membership,
    SupportGrant,
    Tenant,
    TenantStatusChange,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class TenancyError(ValueError):
    """A tenant or membership change that the rules do not allow."""


class LastKeyRole(TenancyError):
    """The change would leave the tenant without anyone in its key role."""


def do_create_tenant(*, kind: str, slug: str, name: str, status: str = "pending", actor_id: int | None = None) -> Tenant:
    if kind not in TENANT_KINDS:
        raise TenancyError(f"unknown tenant kind {kind!r}")
    if status not in TENANT_STATUSES:
        raise TenancyError(f"unknown tenant status {status!r}")
    if not SLUG.match(slug) or len(slug) > 63:
        raise TenancyError(f"invalid slug {slug!r}")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise TenancyError(f"slug {slug!r} is taken")
    tenant = Tenant(kind=kind, slug=slug, name=name.strip(), status=status)
    db.session.add(tenant)
    db.session.flush()
    with tenant_context(tenant.id, actor_id):
        record("tenant.created", object_type="tenant", object_id=tenant.id,
               details={"kind": kind, "slug": slug, "status": status})
    return tenant


def do_add_membership(tenant: Tenant, user_id: int, role: str, *, actor_id: int | None = None) -> Membership:
    if role not in ROLES_BY_KIND[tenant.kind]:
        raise TenancyError(f"role {role!r} does not exist in a {tenant.kind}")
    with tenant_context(tenant.id, actor_id):
        existing = db.session.scalar(
            select(Membership).where(Membership.user_id == user_id, Membership.role == role)
        )
        if existing is not None:
            return existing
        membership = Membership(user_id=user_id, role=role)
        db.session.add(membership)
        db.session.flush()
        record("membership.added", object_type="user", object_id=user_id, details={"role": role})
    return membership


# --- slugs -------------------------------------------------------------------------------


def slugify(name: str, max_length: int = 50) -> str:
    """`Coöperatie De Vrije Uitloop!` → `cooperatie-de-vrije-uitloop`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "organisatie"


def unique_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(select(Tenant.slug).where(Tenant.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- roles and the key role --------------------------------------------------------------


def key_role(tenant: Tenant) -> str:
    return KEY_ROLE_BY_KIND[tenant.kind]


def _lock_key_role_holders(tenant: Tenant) -> list[int]:
    """Lock the tenant's key-role memberships (SELECT … FOR UPDATE) and return their users.

    Two changes at once queue up here: the second waits for the first to commit and then
    sees what is left, so two coordinators removing each other cannot leave none.
    """
    return list(
        db.session.scalars(
            select(Membership.user_id)
            .where(Membership.tenant_id == tenant.id, Membership.role == key_role(tenant))
            .order_by(Membership.id)
            .with_for_update()
        )
    )


def do_set_roles(tenant: Tenant, user_id: int, roles: Iterable[str], *, actor_id: int | None) -> tuple[set, set]:
    """Give a person of `tenant` exactly `roles` there (none: they leave the tenant).

    Returns (added, removed). Refuses a role the tenant kind does not have, and any change
    that would leave the tenant without its key role (coordinator, policy advisor,
    platform administrator).
    """
    wanted = set(roles)
    unknown = wanted - set(ROLES_BY_KIND[tenant.kind])
    if unknown:
        raise TenancyError(f"roles {sorted(unknown)} do not exist in a {tenant.kind}")
    with tenant_context(tenant.id, actor_id):
        holders = _lock_key_role_holders(tenant)
        current = set(db.session.scalars(select(Membership.role).where(Membership.user_id == user_id)))
        added, removed = wanted - current, current - wanted
        if key_role(tenant) in removed and set(holders) <= {user_id}:
            raise LastKeyRole(f"{tenant.slug} would have no {key_role(tenant)} left")
        if removed:
            db.session.execute(
                delete(Membership).where(Membership.user_id == user_id, Membership.role.in_(removed))
            )
            for role in sorted(removed):
                record("membership.removed", object_type="user", object_id=user_id, details={"role": role})
    for role in sorted(added):
        do_add_membership(tenant, user_id, role, actor_id=actor_id)
    return added, removed


def do_remove_membership(tenant: Tenant, user_id: int, role: str, *, actor_id: int | None) -> None:
    with tenant_context(tenant.id, actor_id):
        current = set(db.session.scalars(select(Membership.role).where(Membership.user_id == user_id)))
    do_set_roles(tenant, user_id, current - {role}, actor_id=actor_id)


# --- status ------------------------------------------------------------------------------

# action -> (statuses it may start from, the status it leads to, is a reason required)
STATUS_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "approved": (("pending",), "active", False),
    "rejected": (("pending",), "rejected", True),
    "suspended": (("active",), "suspended", True),
    "reactivated": (("suspended",), "active", False),
    "archived": (("active", "suspended", "rejected"), "archived", True),
}


def do_change_status(tenant: Tenant, action: str, *, reason: str | None, actor_id: int | None) -> TenantStatusChange:
    """Approve, reject, suspend, reactivate or archive a tenant; recorded with who, when
    and why in the tenant's status history and audit log, and in the umbrella's log."""
    if tenant.kind == "umbrella":
        raise TenancyError("the umbrella's own status does not change")
    if action not in STATUS_TRANSITIONS:
        raise TenancyError(f"unknown status action {action!r}")
    sources, target, reason_required = STATUS_TRANSITIONS[action]
    reason = (reason or "").strip() or None
    if reason_required and not reason:
        raise TenancyError("a reason is required")
    # Lock the tenant row (FOR NO KEY UPDATE: audit rows that merely reference the tenant
    # do not conflict): two staff members acting at once act one after the other.
    db.session.refresh(tenant, with_for_update={"key_share": True})
    if tenant.status not in sources:
        raise TenancyError(f"a {tenant.status} organisation cannot be {action}")
    previous = tenant.status
    tenant.status, tenant.status_changed_at = target, utcnow()
    details = {"action": action, "from": previous, "to": target, "reason": reason, "tenant_id": tenant.id}
    with tenant_context(tenant.id, actor_id):
        change = TenantStatusChange(
            action=action, from_status=previous, to_status=target, reason=reason, changed_by=actor_id
        )
        db.session.add(change)
        db.session.flush()
        record("tenant.status_changed", object_type="tenant", object_id=tenant.id, details=details)
    umbrella_id = db.session.scalar(select(Tenant.id).where(Tenant.kind == "umbrella"))
    if umbrella_id is not None:
        with tenant_context(umbrella_id, actor_id):
            record("tenant.status_changed", object_type="tenant", object_id=tenant.id,
                   details={**details, "tenant": tenant.name})
    return change


def do_record_application(tenant: Tenant, *, actor_id: int | None) -> TenantStatusChange:
    with tenant_context(tenant.id, actor_id):
        change = TenantStatusChange(action="applied", from_status=None, to_status=tenant.status, changed_by=actor_id)
        db.session.add(change)
        db.session.flush()
    return change


def latest_status_change(tenant_id: int) -> TenantStatusChange | None:
    """The last change, read in the tenant's own context."""
    with tenant_context(tenant_id, current_scope().user_id):
        return db.session.scalar(
            select(TenantStatusChange).order_by(TenantStatusChange.changed_at.desc(), TenantStatusChange.id.desc())
        )


# --- support access ----------------------------------------------------------------------

SUPPORT_MINUTES = (15, 30, 60, 120)


def do_open_support_grant(tenant: Tenant, *, user_id: int, reason: str, minutes: int) -> SupportGrant:
    """Read-only access for one umbrella staff member, recorded in the tenant's log.

    The caller opens it inside `umbrella_scope(reason, tenant_id=…)`, which puts the
    reason on record in both logs first.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TenancyError("a reason is required")
    if minutes not in SUPPORT_MINUTES:
        raise TenancyError(f"support access lasts one of {SUPPORT_MINUTES} minutes")
    if tenant.kind == "umbrella" or tenant.status in ("archived", "rejected"):
        raise TenancyError("no support access to this organisation")
    now = utcnow()
    with tenant_context(tenant.id, user_id):
        grant = SupportGrant(user_id=user_id, reason=reason, created_at=now, expires_at=now + timedelta(minutes=minutes))
        db.session.add(grant)
        db.session.flush()
        record("support.grant_opened", object_type="support_grant", object_id=grant.id,
               details={"reason": reason, "minutes": minutes, "expires_at": grant.expires_at.isoformat()})
    return grant


def do_close_support_grant(tenant: Tenant, grant_id: int, *, actor_id: int) -> SupportGrant | None:
    with tenant_context(tenant.id, actor_id):
        grant = db.session.get(SupportGrant, (tenant.id, grant_id))
        if grant is None:
            return None
        if grant.closed_at is None:
            grant.closed_at, grant.closed_by = utcnow(), actor_id
            db.session.flush()
            record("support.grant_closed", object_type="support_grant", object_id=grant.id)
    return grant


def open_support_grant_for(user_id: int) -> SupportGrant | None:
    """The user's open grant in the tenant of the current context, if any."""
    return db.session.scalar(
        select(SupportGrant)
        .where(SupportGrant.user_id == user_id, SupportGrant.closed_at.is_(None), SupportGrant.expires_at > func.now())
        .order_by(SupportGrant.expires_at.desc())
        .limit(1)
    )
