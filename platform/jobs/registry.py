"""Job kinds by name. Domain packages declare theirs with `@tenant_job`; the worker's
app factory imports them, so the registry is complete wherever a job runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import LazyString


@dataclass(frozen=True)
class JobKind:
    name: str
    title: LazyString | str
    func: Callable
    timeout: int


JOB_KINDS: dict[str, JobKind] = {}


def tenant_job(name: str, *, title: LazyString | str, timeout: int = 600) -> Callable:
    """Declare `func(ctx, *ids)` as a job that runs inside the asking tenant.

    Arguments are ids and plain values, never ORM objects: the worker loads what it
    needs in its own transaction, with the tenant restored.
    """

    def decorator(func: Callable) -> Callable:
        if name in JOB_KINDS and JOB_KINDS[name].func is not func:
            raise ValueError(f"job kind {name!r} declared twice")
        JOB_KINDS[name] = JobKind(name, title, func, timeout)
        return func

    return decorator
