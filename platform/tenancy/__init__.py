"""Tenants, memberships, the tenant context and the guards that keep tenants apart."""

from koepel.platform.db import AppSession

from . import guard
from .context import activate, current_scope, current_tenant_id, deactivate, tenant_context
from .guard import OWN_MEMBERSHIPS, NoTenantContext, TenantMismatch
from .models import ALL_ROLES, ROLES_BY_KIND, TENANT_KINDS, TENANT_STATUSES, Membership, Tenant
from .umbrella import umbrella_scope

guard.install(AppSession)

__all__ = [
    "ALL_ROLES",
    "OWN_MEMBERSHIPS",
    "ROLES_BY_KIND",
    "TENANT_KINDS",
    "TENANT_STATUSES",
    "Membership",
    "NoTenantContext",
    "Tenant",
    "TenantMismatch",
    "activate",
    "current_scope",
    "current_tenant_id",
    "deactivate",
    "tenant_context",
    "umbrella_scope",
]
