"""The PostgreSQL and Redis servers a test run uses.

TEST_DATABASE_URL / TEST_REDIS_URL when set (CI points them at the machine's services),
else embedded servers kept under instance/test/ so later runs start faster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
EMBEDDED = ROOT / "instance" / "test"


@dataclass
class Servers:
    admin_url: str  # a superuser on the server, any database
    redis_url: str
    keep_alive: tuple = ()

    def database_url(self, name: str) -> str:
        url = make_url(self.admin_url).set(drivername="postgresql+psycopg", database=name)
        return url.render_as_string(hide_password=False)


def start() -> Servers:
    from koepel.platform.cli.embedded import postgres_url, redis_url, start_postgres, start_redis

    keep = []
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        keep.append(start_postgres(EMBEDDED / "postgres"))
        admin_url = postgres_url(keep[-1], database="postgres")
    redis = os.environ.get("TEST_REDIS_URL")
    if not redis:
        keep.append(start_redis(EMBEDDED / "redis"))
        redis = redis_url(keep[-1])
    return Servers(admin_url, redis, tuple(keep))
