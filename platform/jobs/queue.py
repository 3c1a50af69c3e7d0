from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

EXTENSION = "koepel.redis"


def init_app(app) -> None:
    app.extensions[EXTENSION] = Redis.from_url(app.config["REDIS_URL"])


def redis_connection() -> Redis:
    return current_app.extensions[EXTENSION]


def queue() -> Queue:
    return Queue(current_app.config["KOEPEL_QUEUE"], connection=redis_connection())
