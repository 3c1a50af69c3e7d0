"""Database core: the Flask-SQLAlchemy handle, the declarative base and the tenant mixin."""

from .base import AppSession, Base, TenantScoped, UmbrellaSession, db, one_of, utcnow
from .rls import (
    disable_tenant_isolation,
    enable_tenant_isolation,
    tenant_keys,
    tenant_reference,
    user_reference,
)

__all__ = [
    "AppSession",
    "UmbrellaSession",
    "Base",
    "TenantScoped",
    "db",
    "disable_tenant_isolation",
    "enable_tenant_isolation",
    "one_of",
    "tenant_keys",
    "tenant_reference",
    "user_reference",
    "utcnow",
]
