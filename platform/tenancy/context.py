"""Which tenant (and which person) the current unit of work acts for.

A context variable, so the same code works in a request, an rq job and the CLI. The
database learns it per transaction through `set_config(..., true)` (see `guard.py`),
never with a session-level SET that would survive in the connection pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    tenant_id: int | None = None
    user_id: int | None = None


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


def _apply_to_open_transaction() -> None:
    # The guard sets the scope when a transaction begins; a transaction already under
    # way (a request that looked up its tenant first) is told here.
    from flask import has_app_context

    if not has_app_context():
        return
    from koepel.platform.db import db

    from .guard import apply_scope

    session = db.session()
    if session.in_transaction():
        apply_scope(session.connection())
