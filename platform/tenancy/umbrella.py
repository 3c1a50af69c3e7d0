"""Cross-tenant work by the umbrella, on its own engine and database role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from koepel.platform.db import UmbrellaSession, db

from .context import current_scope
from .models import Tenant


def _new_session() -> UmbrellaSession:
    # create_savepoint: bound to a connection already in a transaction (as the tests
    # do), a commit releases a savepoint instead of ending that transaction.
    return UmbrellaSession(
        bind=db.engines["umbrella"], expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@contextmanager
def umbrella_scope(reason: str, *, tenant_id: int | None = None) -> Iterator[UmbrellaSession]:
    """A session that sees every tenant, opened only with a stated reason.

    The reason is written to the audit log first, in its own transaction, so the access
    is on record even when the work fails: in the umbrella's log, and when the work
    concerns one tenant, in that tenant's log too.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("umbrella_scope needs a reason")
    # The audit log itself reads the tenant scope from this package: import it late.
    from koepel.platform.audit import record

    session = _new_session()
    try:
        umbrella_id = session.scalar(select(Tenant.id).where(Tenant.kind == "umbrella"))
        details = {"reason": reason}
        if tenant_id is not None:
            details["tenant_id"] = tenant_id
        actor = current_scope().user_id
        for target in {t for t in (umbrella_id, tenant_id) if t is not None}:
            record(
                "umbrella.scope_opened",
                details=details,
                tenant_id=target,
                actor_user_id=actor,
                session=session,
            )
        session.commit()
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
