"""The `outcomes.aggregate` job: on demand (an umbrella or municipality page) and nightly.

The platform has no scheduler of its own, so the nightly run chains itself: every run of
the job makes sure the next 02:30 (Amsterdam) run is scheduled with rq's `enqueue_at`,
under a job id per night so it is never scheduled twice. rq only starts scheduled jobs
when a worker runs with its scheduler (`Worker.work(with_scheduler=True)`). Without one,
run `koepel aggregate-outcomes` from cron instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import AMSTERDAM
from koepel.platform.db import db
from koepel.platform.jobs import JobContext, JobRun, do_enqueue, queue, tenant_job
from koepel.platform.tenancy import Tenant, tenant_context

from .aggregate import run_aggregation

AGGREGATE_JOB = "outcomes.aggregate"
NIGHTLY_AT = time(2, 30)
NIGHTLY_FUNC = "koepel.services.outcomes.jobs.nightly"

register_labels({
    "outcomes.aggregation_requested": _l("Computation of the outcome figures requested"),
})


@tenant_job(AGGREGATE_JOB, title=_l("Computing the outcome figures"), timeout=3600)
def aggregate_outcomes(ctx: JobContext) -> dict:
    """Recompute every provider's figures; progress is providers done of all."""
    result = run_aggregation(ctx.progress)
    schedule_nightly()
    return {"providers": result.providers, "rows": result.rows, "computed_at": result.computed_at.isoformat()}


def do_request_aggregation(actor_id: int | None) -> JobRun:
    """Queue a computation for the current tenant's job page; one already waiting or
    running is returned instead of queueing a second. The caller commits."""
    waiting = db.session.scalar(
        select(JobRun).where(JobRun.kind == AGGREGATE_JOB, JobRun.status.in_(("queued", "running")))
        .order_by(JobRun.id.desc()).limit(1))
    if waiting is not None:
        return waiting
    run = do_enqueue(AGGREGATE_JOB)
    record("outcomes.aggregation_requested", object_type="job_run", object_id=run.id, details={},
           actor_user_id=actor_id)
    return run


def next_nightly(now: datetime) -> datetime:
    """The first 02:30 Amsterdam time after `now`, in UTC."""
    local = now.astimezone(AMSTERDAM)
    day = local.date() if local.time() < NIGHTLY_AT else local.date() + timedelta(days=1)
    return datetime.combine(day, NIGHTLY_AT, tzinfo=AMSTERDAM).astimezone(UTC)


def nightly_job_id(at: datetime, queue_name: str) -> str:
    """One id per queue and night (rq's job ids are shared by every queue of a Redis)."""
    return f"{queue_name}-outcomes-nightly-{at.astimezone(AMSTERDAM).date().isoformat()}"


def schedule_nightly(now: datetime | None = None) -> str:
    """Make sure the next nightly run is scheduled; returns its rq job id."""
    at = next_nightly(now or datetime.now(UTC))
    q = queue()
    job_id = nightly_job_id(at, q.name)
    try:
        Job.fetch(job_id, connection=q.connection)
    except NoSuchJobError:
        q.enqueue_at(at, NIGHTLY_FUNC, job_id=job_id, result_ttl=86400, failure_ttl=7 * 86400)
    return job_id


def nightly() -> None:
    """What the scheduled job runs: a recorded job run in the umbrella's name."""
    from koepel.platform.jobs.runner import worker_app

    with worker_app().app_context():
        umbrella_id = db.session.scalar(select(Tenant.id).where(Tenant.kind == "umbrella"))
        if umbrella_id is None:
            return
        with tenant_context(umbrella_id):
            do_request_aggregation(actor_id=None)
            db.session.commit()
        db.session.remove()
