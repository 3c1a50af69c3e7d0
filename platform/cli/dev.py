"""`koepel dev` (what `make run` calls): the whole platform on one machine.

Starts embedded PostgreSQL and Redis under the instance folder when DATABASE_URL /
REDIS_URL are unset, prepares the database, loads the demo federation on first start,
then runs the web app (gunicorn) with one rq worker beside it until Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import click

from .embedded import (
    postgres_url,
    redis_url,
    start_postgres,
    start_redis,
    stop_postgres,
    stop_redis,
)

READY_TIMEOUT = 60


def _secret_key(instance: Path) -> str:
    """A key kept in the instance folder, so sessions survive a restart."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _prepare(env: dict[str, str]) -> None:
    import flask_migrate

    from koepel.platform.app import create_app
    from koepel.platform.cli.demo import is_seeded, seed_demo
    from koepel.platform.config import Settings
    from koepel.platform.db import db
    from koepel.platform.db.roles import init_database

    os.environ.update(env)
    settings = Settings.from_env()
    init_database(settings.database_url)
    app = create_app(settings)
    with app.app_context():
        flask_migrate.upgrade()
        if not is_seeded():
            click.echo("Loading the demo federation (first start)...")
            seed_demo()
            db.session.commit()


def _wait_until_ready(url: str, procs: list[subprocess.Popen], stop: threading.Event) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and not stop.is_set():
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        stop.wait(0.3)
    return False


def _ended_by_a_signal(procs: list[subprocess.Popen]) -> bool:
    # Web and worker may end by a signal meant for all (a system shutdown) before this
    # process has handled its own.
    stopped = (0, -signal.SIGINT, -signal.SIGTERM)
    return all(p.returncode in stopped for p in procs if p.returncode is not None)


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A process group of its own: stopping it reaches its children (gunicorn's workers)
    # too, so none outlives `make run` holding the port.
    return subprocess.Popen(command, env=env, start_new_session=True)


def _stop(procs: list[subprocess.Popen], grace: float = 10) -> None:
    """Ctrl-C each process group (gunicorn: quick shutdown, rq: warm shutdown), then
    kill what is left of the group after `grace` seconds."""
    for p in procs:
        _signal_group(p, signal.SIGINT)
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(p, signal.SIGKILL)  # whatever of the group is still there
        p.wait()


def _signal_group(p: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(p.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _banner(url: str) -> None:
    from koepel.platform.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_logins

    click.echo("")
    click.secho(f"Koepel draait op {url}  (Ctrl-C stopt alles)", bold=True)
    click.echo(f"Demo-accounts, wachtwoord voor allemaal: {DEMO_PASSWORD}")
    click.echo(
        "Koepel- en gemeenterollen loggen in met tweestapsverificatie; zet deze sleutel in "
        f"een authenticator-app: {DEMO_TOTP_SECRET}"
    )
    click.echo(f"Verstuurde e-mails (zonder MAIL_URL): {url}/dev/mail")
    for email, roles in demo_logins():
        click.echo(f"  {email:45} {roles}")
    click.echo("")


def run_platform(host: str, port: int) -> int:
    env = dict(os.environ)
    instance = Path(env.get("KOEPEL_INSTANCE_PATH", "instance")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    env["KOEPEL_INSTANCE_PATH"] = str(instance)
    postgres = redis_server = None  # embedded servers live as long as this process
    if not env.get("DATABASE_URL"):
        click.echo(f"Starting embedded PostgreSQL in {instance / 'postgres'}")
        postgres = start_postgres(instance / "postgres")
        env["DATABASE_URL"] = postgres_url(postgres)
    if not env.get("REDIS_URL"):
        click.echo(f"Starting embedded Redis in {instance / 'redis'}")
        redis_server = start_redis(instance / "redis")
        env["REDIS_URL"] = redis_url(redis_server)
    env.setdefault("SECRET_KEY", _secret_key(instance))
    _prepare(env)

    url = f"http://{host}:{port}"
    web = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
        "--bind", f"{host}:{port}", "--access-logfile", "-", "--no-control-socket",
        "koepel.platform.wsgi:app",
    ]
    worker = [sys.executable, "-m", "koepel.platform.cli", "worker"]
    procs = [_spawn(web, env), _spawn(worker, env)]
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        if not _wait_until_ready(url, procs, stop):
            if stop.is_set():
                return 0
            click.secho("The platform did not start; see the messages above.", fg="red")
            return 1
        _banner(url)
        while not stop.is_set() and all(p.poll() is None for p in procs):
            stop.wait(0.5)
        if not stop.is_set():
            stop.wait(1.0)  # a Ctrl-C that reached the children first is on its way here
        if stop.is_set() or _ended_by_a_signal(procs):
            click.echo("\nStopping...")
            return 0
        click.secho("A process stopped unexpectedly; stopping the rest.", fg="red")
        return 1
    finally:
        _stop(procs)
        if postgres is not None:
            stop_postgres(postgres)
        if redis_server is not None:
            stop_redis(redis_server)
