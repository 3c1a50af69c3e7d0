from __future__ import annotations

import re

from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.db import db

from .context import tenant_context
from .models import ROLES_BY_KIND, TENANT_KINDS, TENANT_STATUSES, Membership, Tenant

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class TenancyError(ValueError):
    """A tenant or membership change that the rules do not allow."""


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
