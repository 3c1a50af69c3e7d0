from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.db import db

from .models import AuditEvent

RECENT_LIMIT = 200


def recent_events(limit: int = RECENT_LIMIT) -> list[tuple[AuditEvent, str | None]]:
    """The tenant's latest audit rows with the actor's name."""
    return db.session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def count_events() -> int:
    return db.session.scalar(select(db.func.count()).select_from(AuditEvent))


def iter_events(batch: int = 1000) -> Iterator[tuple[AuditEvent, str | None]]:
    stmt = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .execution_options(yield_per=batch)
    )
    yield from db.session.execute(stmt)
