"""Which role may do what, declared in one place. Views ask `requires`/`can`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from koepel.platform.tenancy.models import ALL_ROLES

UMBRELLA_STAFF = frozenset({"umbrella_admin", "umbrella_staff"})

PERMISSIONS: dict[str, frozenset[str]] = {
    # Everyone who holds a role in a tenant may open its workspace and their own jobs.
    "workspace.view": frozenset(ALL_ROLES),
    "jobs.view": frozenset(ALL_ROLES),
    # The tenant's audit log: the people who answer for the tenant.
    "audit.view": UMBRELLA_STAFF | {"coordinator", "policy_advisor"},
    "audit.export": UMBRELLA_STAFF | {"coordinator", "policy_advisor"},
    # Platform administration, in the umbrella's own tenant.
    "umbrella.tenants": UMBRELLA_STAFF,
    "umbrella.jobs": UMBRELLA_STAFF,
}


def can(permission: str) -> bool:
    allowed = PERMISSIONS[permission]
    return current_user.is_authenticated and current_user.has_role(*allowed)


def requires(permission: str) -> Callable:
    if permission not in PERMISSIONS:
        raise KeyError(f"undeclared permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
