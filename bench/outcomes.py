"""Benchmark: the municipality outcomes, computed and shown, at federation scale.

    make bench-outcomes   (or: .venv/bin/python bench/outcomes.py [--cooperatives N] [--members N] ...)

1. Seed. A scratch database `koepel_bench_outcomes` with the platform's roles and real
   migrations (the 342 municipalities come from the reference migration), then
   `seed_history(cooperatives=250, members=25_000, years=5)`: members' journeys, ladder
   measurements, monthly settlements with their journal entries, placements. Not timed
   as part of the figures (printed for information).
2. The aggregation job. `outcomes.aggregate` requested as a page does
   (`do_request_aggregation`) and run as the worker runs it
   (`koepel.platform.jobs.runner.run`, without rq), twice: the first run on an empty
   `outcome_figures`, then the unchanged re-run. Seconds, providers, rows written, peak RSS.
3. Dashboard latency under gunicorn. The real app (`infra/gunicorn.conf.py`, production
   settings, `--workers 2`) on the scratch database; a policy advisor (with two-factor) of
   the municipality with the most residents in the history signs in through the login and
   code pages. Then keep-alive clients request, interleaved in shuffled rounds, the
   dashboard `/t/<slug>/outcomes/?period=last_12_months`, the peer comparison
   `/t/<slug>/outcomes/peers?period=last_12_months` and `/healthz` (one `SELECT 1` and a
   Redis ping: the trivial endpoint), after warm-up rounds. Per endpoint: median, p95,
   requests/s (clients x requests / the time they waited for it) and the ratio to
   `/healthz`; for each number of clients also the mixed throughput (all requests / wall).

Database: BENCH_DATABASE_URL (an administrator's URL on the server), else TEST_DATABASE_URL,
else the embedded PostgreSQL (and Redis) that `make test` uses. Redis: BENCH_REDIS_URL, else
TEST_REDIS_URL, else embedded. Everything (gunicorn, the database, the scratch queue and
its keys) is removed at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

# bench/ is the script's folder, first on sys.path: the import benchmark's helpers.
from import_members import ROOT, PeakRss, database_url, servers

DATABASE = "koepel_bench_outcomes"
PASSWORD = "correct horse battery staple"
ADVISOR_EMAIL = "beleid@bench-outcomes.example.org"
PERIOD = "last_12_months"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# --- the database ----------------------------------------------------------------------------------


def admin_execute(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(database_url(admin_url, "postgres").replace("+psycopg", ""), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_database(admin_url: str) -> None:
    admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def scalar(admin_url: str, sql: str, params: tuple = ()):
    """One value read as the administrator (every tenant's rows: no row-level security)."""
    import psycopg

    with psycopg.connect(database_url(admin_url, DATABASE).replace("+psycopg", ""), autocommit=True) as conn:
        return conn.execute(sql, params).fetchone()


# --- 1. seed ---------------------------------------------------------------------------------------


def seed(app, args) -> dict:
    from sqlalchemy import func, select

    from koepel.platform.cli.demo_history import seed_history
    from koepel.platform.db import db
    from koepel.platform.reference import ReferenceMunicipality
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_create_tenant

    with app.app_context():
        references = db.session.scalar(select(func.count()).select_from(ReferenceMunicipality))
        umbrella = db.session.scalar(select(Tenant).where(Tenant.kind == "umbrella"))
        if umbrella is None:
            umbrella = do_create_tenant(kind="umbrella", slug="koepel", name="Koepel", status="active")
        umbrella_id = umbrella.id
        history = seed_history(cooperatives=args.cooperatives, members=args.members, years=args.years)
        db.session.commit()
        db.session.remove()
    return {"umbrella_id": umbrella_id, "references": references, "history": history}


# --- 2. the aggregation job ------------------------------------------------------------------------


def aggregate(app, umbrella_id: int) -> dict:
    """Request the job as a page does, then run it as the worker does; timed is the run."""
    from koepel.platform.db import db
    from koepel.platform.jobs.runner import run
    from koepel.platform.tenancy import tenant_context
    from koepel.services.outcomes import AGGREGATE_JOB, do_request_aggregation

    with app.app_context(), tenant_context(umbrella_id):
        job_run_id = do_request_aggregation(actor_id=None).id
        db.session.commit()  # as the request does; the queued rq job is not worked
    with app.app_context(), PeakRss() as rss:
        started = time.perf_counter()
        result = run(umbrella_id, job_run_id, AGGREGATE_JOB, [])
        seconds = time.perf_counter() - started
        db.session.remove()
    return {"seconds": seconds, "providers": result["providers"], "rows": result["rows"], "rss": rss.peak}


def busiest_municipality(admin_url: str) -> tuple[int, str, str, int]:
    """(id, slug, name, residents): of the municipalities whose size class is known (so the
    peer comparison has a group to show), the one paying the benefit of most members; the
    busiest of all while the reference data has no inhabitants for any of them."""
    return scalar(admin_url, """
        SELECT t.id, t.slug, t.name, count(*) FROM members m JOIN tenants t ON t.id = m.benefit_municipality_id
        LEFT JOIN reference_municipalities r ON r.cbs_code = t.cbs_code
        GROUP BY t.id, t.slug, t.name, r.inhabitants
        ORDER BY r.inhabitants IS NULL, count(*) DESC, t.id LIMIT 1""")


def peer_group(app, municipality_id: int) -> tuple[str, int]:
    """How the page chooses the municipality's peers, and how many it has on the platform."""
    from koepel.platform.tenancy import tenant_context
    from koepel.services.outcomes import peer_basis, peer_municipalities

    with app.app_context(), tenant_context(municipality_id):
        return peer_basis(municipality_id)["basis"], len(peer_municipalities(municipality_id))


def make_advisor(app, municipality_id: int) -> str:
    """A policy advisor of the municipality, enrolled in two-factor: returns the TOTP secret."""
    import pyotp

    from koepel.platform.auth.operations import do_create_user
    from koepel.platform.auth.two_factor import seed_two_factor
    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_add_membership

    secret = pyotp.random_base32()
    with app.app_context():
        user = do_create_user(email=ADVISOR_EMAIL, name="Bench Beleidsadviseur", password=PASSWORD, verified=True)
        do_add_membership(db.session.get(Tenant, municipality_id), user.id, "policy_advisor")
        seed_two_factor(user, secret)
        db.session.commit()
        db.session.remove()
    return secret


def forget_nightly(app) -> None:
    """The job schedules the next nightly run on the benchmark's queue: remove it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from koepel.platform.jobs import queue
    from koepel.services.outcomes.jobs import next_nightly, nightly_job_id

    with app.app_context():
        q = queue()
        try:
            Job.fetch(nightly_job_id(next_nightly(datetime.now(UTC)), q.name), connection=q.connection).delete()
        except NoSuchJobError:
            pass


# --- 3. gunicorn and the clients -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The app under gunicorn with the production configuration, in a process group of its
    own (stopping the group stops its workers too); its output goes to a log file."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        base = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "REDIS_URL", "APP_DATABASE_URL", "UMBRELLA_DATABASE_URL", "SECRET_KEY",
                             "LOG_LEVEL")}
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "infra" / "gunicorn.conf.py"),
             "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
             "koepel.platform.wsgi:app"],
            env={**base, **env, "WEB_CONCURRENCY": str(workers), "PYTHONUNBUFFERED": "1"}, cwd=ROOT,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start:\n{self.tail()}")

    def tail(self, chars: int = 4000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def workers(self):
        import psutil

        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def stop(self, grace: float = 15) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # graceful: the workers finish their requests
            except ProcessLookupError:
                pass
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group is left
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self._log.close()


class WorkerRss:
    """The largest RSS of any gunicorn worker while the block runs (sampled every 50 ms)."""

    def __init__(self, server: Gunicorn):
        self.server, self.peak = server, 0
        self._stop = threading.Event()

    def _sample(self):
        import psutil

        while not self._stop.is_set():
            for worker in self.server.workers():
                try:
                    self.peak = max(self.peak, worker.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def client_session():
    """A keep-alive HTTP session that sends the production (Secure) cookies over the plain
    HTTP the benchmark talks to 127.0.0.1 (the server does not look at the flag)."""
    import requests

    class PlainHttp(requests.Session):
        def send(self, request, **kwargs):
            response = super().send(request, **kwargs)
            for cookie in self.cookies:
                cookie.secure = False
            return response

    return PlainHttp()


def _form(session, url: str, data: dict):
    import re

    page = session.get(url, allow_redirects=False)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise RuntimeError(f"GET {url}: {page.status_code}, no sign-in form")
    response = session.post(url, data={**data, "csrf_token": token.group(1)}, allow_redirects=False)
    return response


def sign_in(base_url: str, email: str, secret: str):
    """A keep-alive session signed in as a person does: password, then the code."""
    import pyotp

    session = client_session()
    response = _form(session, base_url + "/login", {"email": email, "password": PASSWORD})
    if response.status_code != 302 or not response.headers["Location"].startswith("/login/two-factor"):
        raise RuntimeError(f"sign-in: {response.status_code} {response.headers.get('Location')}, expected the code step")
    response = _form(session, base_url + "/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    if response.status_code != 302:
        raise RuntimeError(f"two-factor step: {response.status_code}, expected a redirect")
    return session


def request(session, base_url: str, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = session.get(base_url + path, allow_redirects=False)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.headers.get('Location', '')}\n"
                           f"{response.text[:500]}")
    return seconds, len(response.content)


def rounds(session, base_url: str, paths: dict[str, str], count: int, seed: int) -> dict[str, list[float]]:
    """`count` rounds, each endpoint once per round in a shuffled order."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for _ in range(count):
        rng.shuffle(names)
        for name in names:
            times[name].append(request(session, base_url, paths[name])[0])
    return times


def measure(signed_in, base_url: str, paths: dict[str, str], requests_each: int, clients: int) -> dict:
    """`clients` threads, each its own keep-alive session with the signed-in cookies, share
    `requests_each` rounds. Returns per endpoint the latencies, and the wall time."""
    sessions = []
    for _ in range(clients):
        session = client_session()
        session.cookies.update(signed_in.cookies)
        sessions.append(session)
    shares = [requests_each // clients + (1 if c < requests_each % clients else 0) for c in range(clients)]
    results: list[dict | BaseException] = [{} for _ in range(clients)]

    def client(number: int) -> None:
        try:
            results[number] = rounds(sessions[number], base_url, paths, shares[number], seed=100 * clients + number)
        except BaseException as error:  # reported by the main thread
            results[number] = error

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for session in sessions:
        session.close()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return {"wall": wall, "clients": clients,
            "times": {name: [t for result in results for t in result[name]] for name in paths}}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


def latency(server: Gunicorn, email: str, secret: str, slug: str, args) -> tuple[list[dict], dict, int]:
    signed_in = sign_in(server.url, email, secret)
    paths = {"dashboard": f"/t/{slug}/outcomes/?period={PERIOD}",
             "peers": f"/t/{slug}/outcomes/peers?period={PERIOD}",
             "healthz": "/healthz"}
    sizes = {}
    for name, path in paths.items():
        sizes[name] = request(signed_in, server.url, path)[1]
        if args.save_pages:  # to look at what was measured
            args.save_pages.mkdir(parents=True, exist_ok=True)
            (args.save_pages / f"{name}.html").write_bytes(signed_in.get(server.url + path).content)
    print("  pages: " + ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in sizes.items()), flush=True)
    rounds(signed_in, server.url, paths, args.warmup, seed=1)  # warm-up: both workers, their pools and caches
    levels = []
    with WorkerRss(server) as rss:
        for clients in args.clients:
            level = measure(signed_in, server.url, paths, args.requests, clients)
            levels.append(level)
            print(f"  {clients} client(s): {sum(len(t) for t in level['times'].values())} requests in "
                  f"{level['wall']:.1f} s", flush=True)
    signed_in.close()
    return levels, sizes, rss.peak


# --- the run ---------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cooperatives", type=int, default=env_int("BENCH_OUTCOMES_COOPERATIVES", 250))
    parser.add_argument("--members", type=int, default=env_int("BENCH_OUTCOMES_MEMBERS", 25_000))
    parser.add_argument("--years", type=int, default=env_int("BENCH_OUTCOMES_YEARS", 5))
    parser.add_argument("--requests", type=int, default=env_int("BENCH_OUTCOMES_REQUESTS", 200),
                        help="measured requests per endpoint, per number of clients (default 200)")
    parser.add_argument("--warmup", type=int, default=env_int("BENCH_OUTCOMES_WARMUP", 20),
                        help="warm-up requests per endpoint, not measured (default 20)")
    parser.add_argument("--clients", default=os.environ.get("BENCH_OUTCOMES_CLIENTS", "1,4"),
                        help="keep-alive clients at once, comma separated (default 1,4)")
    parser.add_argument("--workers", type=int, default=env_int("BENCH_OUTCOMES_WORKERS", 2),
                        help="gunicorn worker processes (default 2; 4 threads each, infra/gunicorn.conf.py)")
    parser.add_argument("--save-pages", type=Path, metavar="DIR", help="save each measured page's HTML in DIR")
    args = parser.parse_args()
    try:
        args.clients = sorted({int(c) for c in args.clients.split(",") if c.strip()})
    except ValueError:
        parser.error(f"--clients: whole numbers separated by commas, not {args.clients!r}")
    for name in ("cooperatives", "members", "years", "requests", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0 or not args.clients or min(args.clients) < 1:
        parser.error("--warmup must be 0 or more and --clients at least 1")
    return args


def main() -> int:
    args = parse_args()
    # A SIGTERM (a CI timeout, `kill`) tears down like Ctrl-C: gunicorn and the database too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import flask_migrate
    import redis

    from koepel.platform.app import create_app
    from koepel.platform.config import Settings
    from koepel.platform.db import db
    from koepel.platform.db.roles import init_database
    from koepel.platform.jobs import queue

    begun = time.perf_counter()
    admin_url, redis_url, _keep_alive = servers()
    drop_database(admin_url)
    url = database_url(admin_url, DATABASE)
    init_database(url)
    instance = Path(tempfile.mkdtemp(prefix="koepel-bench-"))
    queue_name = f"koepel-bench-outcomes-{os.getpid()}"
    env = {"KOEPEL_ENV": "production", "DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": secrets.token_hex(32),
           "KOEPEL_QUEUE": queue_name, "KOEPEL_INSTANCE_PATH": str(instance)}
    app = create_app(Settings.from_env({**env, "LOG_LEVEL": "WARNING"}))
    server = None
    runs, levels = [], []
    try:
        with app.app_context():
            flask_migrate.upgrade()
        print(f"Seeding {args.cooperatives} cooperatives, {args.members:,} members, {args.years} years "
              f"into {DATABASE}", flush=True)
        seeded = seed(app, args)
        history = seeded["history"]
        print(f"  {history.seconds:.0f} s: {len(history.cooperatives)} cooperatives, "
              f"{len(history.employer_cooperatives)} employer cooperative(s), {len(history.municipalities)} "
              f"municipality tenants of {seeded['references']} reference municipalities; {history.members:,} "
              f"members, {history.transitions:,} journey steps, {history.measurements:,} ladder measurements, "
              f"{history.settlement_lines:,} settlement lines, {history.journal_entries:,} journal entries, "
              f"{history.placements:,} placements", flush=True)
        for name in ("first", "re-run"):
            figures = aggregate(app, seeded["umbrella_id"])
            runs.append((name, figures))
            print(f"  aggregation {name}: {figures['seconds']:.1f} s, {figures['rows']:,} rows", flush=True)
        municipality_id, slug, municipality, residents = busiest_municipality(admin_url)
        own_rows = scalar(admin_url, "SELECT count(*) FROM outcome_figures WHERE municipality_id = %s",
                          (municipality_id,))[0]
        all_rows = scalar(admin_url, "SELECT count(*) FROM outcome_figures")[0]
        most = scalar(admin_url, "SELECT count(*) FROM members GROUP BY benefit_municipality_id ORDER BY 1 DESC LIMIT 1")
        secret = make_advisor(app, municipality_id)
        basis, peers = peer_group(app, municipality_id)
        print(f"Dashboard of {municipality} (/t/{slug}): {residents:,} residents in the history (most of "
              f"any: {most[0]:,}), {own_rows:,} of "
              f"{all_rows:,} figure rows; peers: {peers} ({basis}); gunicorn --workers {args.workers}", flush=True)
        server = Gunicorn(env, args.workers, instance / "gunicorn.log")
        server.wait_ready()
        levels, sizes, worker_rss = latency(server, ADVISOR_EMAIL, secret, slug, args)
    except Exception:
        if server is not None:
            print(f"gunicorn's log (end):\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            server.stop()
        forget_nightly(app)
        with app.app_context():
            queue().delete(delete_jobs=True)
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        connection = redis.Redis.from_url(redis_url)
        # What is left under the queue's own name: the sign-in rate limits, rq's registries.
        for key in connection.scan_iter(match=f"*{queue_name}*"):
            connection.delete(key)
        connection.close()
        drop_database(admin_url)
        shutil.rmtree(instance, ignore_errors=True)

    print()
    print(f"Aggregation job ({args.cooperatives} cooperatives, {args.members:,} members, {args.years} years):")
    print(f"{'run':8} {'seconds':>8} {'providers':>10} {'rows':>9} {'rows/s':>9} {'peak RSS':>9}")
    for name, f in runs:
        print(f"{name:8} {f['seconds']:>8.1f} {f['providers']:>10} {f['rows']:>9,} {f['rows'] / f['seconds']:>9,.0f} "
              f"{f['rss'] / 2**20:>6.0f} MB")
    print()
    print(f"Under gunicorn (--workers {args.workers}, 4 threads each), {args.requests} requests per endpoint and "
          f"number of clients, interleaved, after {args.warmup} warm-up each; ms:")
    print(f"{'C':>2} {'endpoint':10} {'KB':>5} {'median':>8} {'p95':>8} {'req/s':>7} {'x healthz':>10} "
          f"{'p95 x':>6}")
    for level in levels:
        times, c = level["times"], level["clients"]
        base_median, base_p95 = statistics.median(times["healthz"]), p95(times["healthz"])
        for name, values in times.items():
            print(f"{c:>2} {name:10} {sizes[name] / 1024:>5.0f} {statistics.median(values) * 1000:>8.1f} "
                  f"{p95(values) * 1000:>8.1f} {c * len(values) / sum(values):>7.0f} "
                  f"{statistics.median(values) / base_median:>10.1f} {p95(values) / base_p95:>6.1f}")
        total = sum(len(v) for v in times.values())
        print(f"{c:>2} {'mixed':10} {'':>5} {'':>8} {'':>8} {total / level['wall']:>7.0f}   (all requests / wall)")
    print(f"peak RSS: gunicorn worker {worker_rss / 2**20:.0f} MB; this process (getrusage) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; total run "
          f"{time.perf_counter() - begun:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
