from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

EXTENSION = "koepel.redis"


def init_app(app) -> None:
    app.extensions[EXTENSION] = Redis.from_url(app.config["REDIS_URL"])


def redis_connection() -> Redis:
    return current_app.extensions[EXTENSION]


def job_progress(rq_job_id: str, finished: bool) -> dict:
    """A job's progress as its page shows it: from `job.meta`, full once it finished."""
    if finished:
        return {"done": 1, "total": 1, "percent": 100, "message": ""}
    progress = {"done": 0, "total": 0, "percent": 0, "message": ""}
    try:
        meta = Job.fetch(rq_job_id, connection=redis_connection()).get_meta(refresh=True)
    except NoSuchJobError:
        return progress
    return meta.get("progress", progress)


def queue() -> Queue:
    return Queue(current_app.config["KOEPEL_QUEUE"], connection=redis_connection())
