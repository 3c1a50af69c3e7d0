"""The ORM guard: every query of a tenant table is limited to the current tenant.

Row-level security in PostgreSQL is the guarantee; this is the ergonomics and the early
error. Queries of tenant tables with no tenant in context raise `NoTenantContext`
instead of silently returning nothing.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from koepel.platform.db import TenantScoped

from .context import apply_scope, current_scope

# Execution option for the one query that may read across tenants as the app role: a
# person's own memberships, which the `own_memberships` RLS policy allows.
OWN_MEMBERSHIPS = "koepel_own_memberships"
# Execution option for reading one invitation by its link's token, which the
# `invitation_by_token` RLS policy allows (see koepel.platform.people).
INVITATION_TOKEN = "koepel_invitation_token"


class NoTenantContext(RuntimeError):
    """Tenant data was touched with no tenant in context."""


class TenantMismatch(RuntimeError):
    """A row of another tenant than the current one was written."""


def _is_tenant_scoped(mapper) -> bool:
    return mapper is not None and issubclass(mapper.class_, TenantScoped)


def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if not any(_is_tenant_scoped(m) for m in state.all_mappers):
        return
    if state.execution_options.get(OWN_MEMBERSHIPS) or state.execution_options.get(INVITATION_TOKEN):
        return
    tenant_id = current_scope().tenant_id
    if tenant_id is None:
        raise NoTenantContext("tenant data queried without a tenant in context")
    if state.is_select and (state.is_column_load or state.is_relationship_load):
        return  # the criteria added to the top statement propagate to these loads
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantScoped,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


def _stamp_tenant(session: Session, flush_context, instances) -> None:
    tenant_id = current_scope().tenant_id
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise NoTenantContext(f"new {type(obj).__name__} without a tenant in context")
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenantMismatch(f"{type(obj).__name__} written for another tenant")
    for obj in session.dirty:
        if isinstance(obj, TenantScoped) and obj.tenant_id != tenant_id:
            raise TenantMismatch(f"{type(obj).__name__} of another tenant changed")


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "after_begin", lambda s, t, conn: apply_scope(conn))
    event.listen(session_class, "do_orm_execute", _add_tenant_criteria)
    event.listen(session_class, "before_flush", _stamp_tenant)
