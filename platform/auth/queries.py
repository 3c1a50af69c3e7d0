from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import OWN_MEMBERSHIPS, Membership, Tenant, current_scope
from koepel.platform.tenancy.request import HIDDEN_STATUSES


@dataclass(frozen=True)
class TenantChoice:
    slug: str
    name: str
    kind: str
    status: str
    roles: tuple[str, ...]


def my_tenants() -> list[TenantChoice]:
    """The tenants where the signed-in person holds a role, for the picker and switcher.

    Reads across tenants through the `own_memberships` policy. Policies are permissive
    (OR'ed): inside a tenant its tenant policy shows everyone's memberships there too,
    so the person's own user_id is required here as well.
    """
    user_id = current_scope().user_id
    if user_id is None:
        return []
    rows = db.session.execute(
        select(Tenant.slug, Tenant.name, Tenant.kind, Tenant.status, Membership.role)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id == user_id, Tenant.status.not_in(HIDDEN_STATUSES))
        .order_by(Tenant.name, Membership.role)
        .execution_options(**{OWN_MEMBERSHIPS: True})
    ).all()
    choices: dict[str, TenantChoice] = {}
    for slug, name, kind, status, role in rows:
        known = choices.get(slug)
        roles = (known.roles if known else ()) + (role,)
        choices[slug] = TenantChoice(slug, name, kind, status, roles)
    return list(choices.values())
