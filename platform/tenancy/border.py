"""Crossing the tenant border: the one way a unit of work writes rows of another tenant.

Some facts belong to two tenants at once: a municipality refers a resident to a
cooperative, and the cooperative tells the municipality how the journey went. Such a
unit of work writes in its own tenant, then crosses:

    with across_border(cooperative_id, reason="referral sent"):
        db.session.add(IncomingReferral(...))   # stamped and filtered for the cooperative

Inside the block the tenant scope *is* the target tenant, in the same transaction (so
both sides commit or roll back together): the ORM guard stamps and filters for it, and
PostgreSQL's row-level security sees only its rows, because `activate` re-applies
`set_config('app.tenant_id', ...)` to the open transaction. Nothing of the source tenant
is readable inside: its pending changes are flushed before the crossing and every
loaded object is expired, so touching one reloads it under the target's scope (and
finds nothing). Leaving, the target's changes are flushed under the target's scope and
its objects expired in turn. The previous scope is always restored, also after an
exception (then the target's unflushed new objects are dropped, so they can never be
stamped with the source's tenant).

Every crossing writes `border.crossed` to the audit log of both tenants, with the
stated reason. The reason names the purpose ("referral sent"), never personal data.
Carry plain values (ids, strings) across, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.db import TenantScoped, db

from .context import activate, current_scope, deactivate
from .guard import NoTenantContext

BORDER_ACTION = "border.crossed"

register_labels({BORDER_ACTION: _l("Data exchanged with another organisation")})


@contextmanager
def across_border(to_tenant_id: int, *, reason: str) -> Iterator[None]:
    """Act for tenant `to_tenant_id` inside the block, in the current transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("across_border needs a reason")
    source = current_scope()
    if source.tenant_id is None:
        raise NoTenantContext("a border is crossed from a tenant")
    if not to_tenant_id or to_tenant_id == source.tenant_id:
        raise ValueError("across_border needs another tenant to cross to")
    session = db.session
    details = {"reason": reason, "from_tenant_id": source.tenant_id, "to_tenant_id": to_tenant_id}
    # On the source's side: its own changes so far, and the note that it crossed.
    record(BORDER_ACTION, object_type="tenant", object_id=to_tenant_id, details=details,
           actor_user_id=source.user_id)
    session.flush()  # expiring would discard the source's unflushed changes
    session.expire_all()
    token = activate(to_tenant_id, source.user_id)
    failed = False
    try:
        record(BORDER_ACTION, object_type="tenant", object_id=source.tenant_id, details=details,
               actor_user_id=source.user_id)
        yield
        session.flush()
    except BaseException:
        failed = True
        for obj in list(session.new):
            if isinstance(obj, TenantScoped):
                session.expunge(obj)
        raise
    finally:
        session.expire_all()
        try:
            deactivate(token)  # the scope first, then the open transaction's setting
        except Exception:
            # A failed statement broke the transaction: the scope is restored already and
            # the setting goes with the rollback the caller must do. Keep the first error.
            if not failed:
                raise


def on_both_sides(*, own_first: bool, partner_tenant_id: int, reason: str, step: Callable[[bool], None]) -> None:
    """`step(is_own)` once in this tenant and once for the partner across the border, in
    one transaction. The order is fixed by the caller (for facts kept by a cooperative and
    a municipality: the cooperative's side first), so two units of work lock both copies
    in the same order. Objects do not survive the crossing: a step loads what it changes."""

    def own() -> None:
        step(True)

    def partner() -> None:
        with across_border(partner_tenant_id, reason=reason):
            step(False)

    for run in (own, partner) if own_first else (partner, own):
        run()
