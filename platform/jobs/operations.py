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
    q = queue()
    tenant_id, run_id, rq_id = run.tenant_id, run.id, run.rq_job_id

    def send() -> None:
        q.enqueue(
            "koepel.platform.jobs.runner.run",
            tenant_id,
            run_id,
            kind,
            list(args),
            job_id=rq_id,
            job_timeout=job_kind.timeout,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            meta={"tenant_id": tenant_id, "job_run_id": run_id, "kind": kind},
        )

    db.session.info.setdefault(_AFTER_COMMIT, []).append(send)
    return run


@event.listens_for(AppSession, "after_commit")
def _send_after_commit(session: Session) -> None:
    for send in session.info.pop(_AFTER_COMMIT, []):
        send()


@event.listens_for(AppSession, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(_AFTER_COMMIT, None)
