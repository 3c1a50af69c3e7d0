from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from koepel.platform.db import db
from koepel.platform.tenancy.context import current_scope

from .models import AuditEvent


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: object = None,
    details: dict | None = None,
    tenant_id: int | None = None,
    actor_user_id: int | None = None,
    session: Session | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Add an audit row to the unit of work (flushed, committed with it). `flush=False`
    leaves it to the next flush, for code that records many at once and flushes itself
    before the tenant scope changes."""
    scope = current_scope()
    event = AuditEvent(
        tenant_id=tenant_id if tenant_id is not None else scope.tenant_id,
        actor_user_id=actor_user_id if actor_user_id is not None else scope.user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details or {},
    )
    if has_request_context():
        event.ip_address = request.remote_addr
        event.user_agent = (request.user_agent.string or "")[:400] or None
        event.request_id = g.get("request_id")
    session = session or db.session
    session.add(event)
    if flush:
        session.flush()
    return event
