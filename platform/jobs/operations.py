from __future__ import annotations

import uuid

from sqlalchemy import event
from sqlalchemy.orm import Session

from koepel.platform.db import AppSession, db
from koepel.platform.tenancy import current_scope

from .models import JobRun
from .queue import queue
from .registry import JOB_KINDS

_AFTER_COMMIT = "koepel.after_commit"


def enqueue_after_commit(func: str, *args, **options) -> None:
    """Send an rq job when the current unit of work commits; drop it on rollback."""
    q = queue()

    def send() -> None:
        q.enqueue(func, *args, **options)

    db.session.info.setdefault(_AFTER_COMMIT, []).append(send)


def do_enqueue(kind: str, *args) -> JobRun:
    """Record a job for the current tenant and send it to the workers after commit.

    If the unit of work rolls back, nothing is sent: no job ever works on data that was
    never committed.
    """
    job_kind = JOB_KINDS[kind]
    scope = current_scope()
    run = JobRun(kind=kind, rq_job_id=uuid.uuid4().hex, requested_by=scope.user_id)
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit(
        "koepel.platform.jobs.runner.run",
        run.tenant_id,
        run.id,
        kind,
        list(args),
        job_id=run.rq_job_id,
        job_timeout=job_kind.timeout,
        result_ttl=86400,
        failure_ttl=7 * 86400,
        meta={"tenant_id": run.tenant_id, "job_run_id": run.id, "kind": kind},
    )
    return run


@event.listens_for(AppSession, "after_commit")
def _send_after_commit(session: Session) -> None:
    for send in session.info.pop(_AFTER_COMMIT, []):
        send()


@event.listens_for(AppSession, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_AFTER_COMMIT, None)
