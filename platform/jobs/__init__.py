"""Background jobs on rq: declared per tenant, enqueued after commit, with progress."""

from .models import JOB_STATUSES, JobRun
from .operations import do_enqueue, enqueue_after_commit
from .queue import job_progress, queue, redis_connection
from .registry import JOB_KINDS, tenant_job
from .runner import JobContext

__all__ = [
    "JOB_KINDS",
    "JOB_STATUSES",
    "JobContext",
    "JobRun",
    "do_enqueue",
    "enqueue_after_commit",
    "job_progress",
    "queue",
    "redis_connection",
    "tenant_job",
]
