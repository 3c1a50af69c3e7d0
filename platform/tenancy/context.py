"""Which tenant (and which person) the current unit of work acts for.

A context variable, so the same code works in a request, an rq job and the CLI. The
database learns it per transaction through `set_config(..., true)` in `apply_scope`,
which the guard calls when a transaction begins; never with a session-level SET that
would survive in the connection pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from flask import has_app_context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from koepel.platform.db import db


@dataclass(frozen=True)
class Scope:
    tenant_id: int | None = None
    user_id: int | None = None


_SET_SCOPE = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true), "
    "set_config('app.user_id', :user_id, true)"
)
_scope: ContextVar[Scope] = ContextVar("koepel_scope", default=Scope())  # noqa: B039 - frozen


def current_scope() -> Scope:
    return _scope.get()


def current_tenant_id() -> int | None:
    return _scope.get().tenant_id


def activate(tenant_id: int | None, user_id: int | None = None) -> Token:
    token = _scope.set(Scope(tenant_id, user_id))
    _apply_to_open_transaction()
    return token


def deactivate(token: Token) -> None:
    _scope.reset(token)
    _apply_to_open_transaction()


@contextmanager
def tenant_context(tenant_id: int | None, user_id: int | None = None) -> Iterator[None]:
    token = activate(tenant_id, user_id)
    try:
        yield
    finally:
        deactivate(token)


def apply_scope(connection: Connection) -> None:
    """Tell the connection's transaction whom it acts for (transaction-local)."""
    scope = current_scope()
    connection.execute(
        _SET_SCOPE,
        {
            "tenant_id": "" if scope.tenant_id is None else str(scope.tenant_id),
            "user_id": "" if scope.user_id is None else str(scope.user_id),
        },
    )


def _apply_to_open_transaction() -> None:
    # The guard applies the scope when a transaction begins; a transaction already
    # under way (a request that looked up its tenant first) is told here.
    if not has_app_context():
        return
    session = db.session()
    if session.in_transaction():
        apply_scope(session.connection())
