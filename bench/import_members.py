"""Benchmark: import 5,000 members from CSV and from XLSX through the real job code.

    make bench            (or: .venv/bin/python bench/import_members.py [--rows N] [--profile])

Generates a 5,000-member file in both formats, makes a scratch database `koepel_bench`
with the platform's roles and migrations, uploads each file into a cooperative of its own
with `do_start_import` and runs the job as the worker does (`koepel.platform.jobs.runner.run`,
without rq), then imports the same file again (every line already present). Prints rows,
seconds, rows per second and peak memory (RSS) per run; drops the database afterwards.

Database: BENCH_DATABASE_URL (an administrator's URL on the server), else TEST_DATABASE_URL,
else the embedded PostgreSQL (and Redis) that `make test` uses. Redis: BENCH_REDIS_URL,
else TEST_REDIS_URL, else embedded.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # for tests.servers; appended, so `platform` stays the standard library

DATABASE = "koepel_bench"
HEADER = ["naam", "e-mail", "telefoon", "geboortedatum", "gemeente", "taal", "verwijzer", "fase", "fase_sinds",
          "coach", "handelsnaam", "activiteit", "omschrijving"]
FIRST = ["Anna", "Bram", "Chaima", "Dirk", "Emre", "Fatima", "Gert", "Hanna", "Ilias", "Joke", "Karim", "Lotte",
         "Mehmet", "Nora", "Oleksandr", "Petra", "Quinten", "Rania", "Sven", "Tesfay", "Umut", "Vera", "Wouter",
         "Yusuf", "Zofia"]
LAST = ["de Vries", "Jansen", "el Amrani", "Bakker", "Yilmaz", "Visser", "Smit", "Kowalski", "Mulder", "de Boer",
        "Haile", "Bos", "Vos", "Kaya", "Meijer", "Shevchenko", "de Groot", "Hendriks", "Dekker", "van Dijk"]
PLACES = ["Delft", "Rijswijk", "Den Haag", "Breda", "Leiden", "Zoetermeer", "Gouda", "Schiedam"]
LANGUAGES = ["nl", "nl", "nl", "ar", "tr", "pl", "ti", "uk", "en", "Arabisch", "Nederlands"]
SOURCES = ["municipality", "gemeente", "werkorganisatie", "social_services", "zelf", "other"]
TRADES = [("Fietsenmaker", "Fietsen repareren"), ("Naaiatelier", "Kleding herstellen"), ("Catering", "Koken"),
          ("Klusbedrijf", "Kleine klussen"), ("Kapsalon", "Kappen"), ("Tuinonderhoud", "Tuinen")]
COACH_EMAIL = "coach@bench.example.org"


def lines(count: int) -> list[list[str]]:
    rnd = random.Random(20261123)
    today = date.today()
    rows = []
    for i in range(count):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        born = date(1960, 1, 1) + timedelta(days=rnd.randrange(0, 40 * 365))
        since = today - timedelta(days=rnd.randrange(0, 700))
        trade = rnd.choice(TRADES) if rnd.random() < 0.3 else None
        rows.append([
            f"{first} {last} {i:05d}",
            f"{first.lower()}.{i:05d}@voorbeeld.nl" if rnd.random() < 0.8 else "",
            f"06 {rnd.randrange(10_000_000, 99_999_999)}" if rnd.random() < 0.7 else "",
            born.strftime("%d-%m-%Y") if rnd.random() < 0.5 else born.isoformat(),
            rnd.choice(PLACES),
            rnd.choice(LANGUAGES),
            rnd.choice(SOURCES),
            rnd.choice(["intake", "referred", "verwezen", ""]),
            since.strftime("%d-%m-%Y"),
            COACH_EMAIL if rnd.random() < 0.5 else "",
            f"{first}'s {trade[0]}" if trade else "",
            trade[1] if trade else "",
            "Gemaakt door de benchmark." if trade else "",
        ])
    return rows


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_file(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leden")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def servers() -> tuple[str, str, tuple]:
    """(admin URL of the server, Redis URL, what keeps embedded servers alive)."""
    admin, redis = os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_REDIS_URL")
    if admin and (redis or os.environ.get("TEST_REDIS_URL")):
        return admin, redis or os.environ["TEST_REDIS_URL"], ()
    from tests import servers as test_servers

    if admin:  # start only what is missing
        os.environ.setdefault("TEST_DATABASE_URL", admin)
    started = test_servers.start()  # TEST_DATABASE_URL / TEST_REDIS_URL, else embedded
    atexit.register(stop_servers, started.keep_alive)  # whatever the benchmark's end
    return admin or started.admin_url, redis or started.redis_url, started.keep_alive


def stop_servers(keep_alive: tuple) -> None:
    """Stop the embedded servers this run started: none may outlive the benchmark."""
    from koepel.platform.cli.embedded import stop_postgres, stop_redis

    for server in reversed(keep_alive):
        (stop_redis if hasattr(server, "shutdown") else stop_postgres)(server)


def database_url(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False)


def drop_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url(admin_url, "postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


class PeakRss:
    """The largest resident set size seen while the block runs (sampled every 5 ms)."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.005)

    def __enter__(self):
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def run_import(app, tenant_id: int, user_id: int, name: str, data: bytes, profile: bool) -> dict:
    from koepel.platform.db import db
    from koepel.platform.jobs.runner import run
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.member_transfer import IMPORT_JOB, MemberImport, do_start_import

    with app.app_context(), tenant_context(tenant_id, user_id):
        imported = do_start_import(file_name=name, data=data, actor_id=user_id)
        db.session.commit()  # as the upload request does; the queued rq job is not worked
        import_id, job_run_id = imported.id, imported.job_run_id
    profiler = cProfile.Profile() if profile else None
    with app.app_context(), PeakRss() as rss:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = run(tenant_id, job_run_id, IMPORT_JOB, [import_id])  # what the worker runs
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    with app.app_context(), tenant_context(tenant_id):
        imported = db.session.get(MemberImport, (tenant_id, import_id))
        assert imported.status == "imported", (imported.status, imported.errors[:5])
        lines = imported.line_count
    return {"rows": lines, "created": result["created"], "present": result["present"], "seconds": seconds,
            "rss": rss.peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each first import")
    args = parser.parse_args()

    import flask_migrate

    from koepel.platform.app import create_app
    from koepel.platform.config import Settings
    from koepel.platform.db import db
    from koepel.platform.db.roles import init_database
    from koepel.platform.jobs import queue
    from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant

    rows = lines(args.rows)
    files = {"csv": csv_file(rows), "xlsx": xlsx_file(rows)}
    admin_url, redis_url, _keep_alive = servers()
    drop_database(admin_url)
    url = database_url(admin_url, DATABASE)
    init_database(url)
    instance = Path(tempfile.mkdtemp(prefix="koepel-bench-"))
    settings = Settings.from_env({
        "KOEPEL_ENV": "test", "DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
        "KOEPEL_QUEUE": f"koepel-bench-{os.getpid()}", "KOEPEL_INSTANCE_PATH": str(instance), "LOG_LEVEL": "WARNING",
    })
    app = create_app(settings)
    results = []
    try:
        with app.app_context():
            flask_migrate.upgrade()
            from koepel.platform.auth.operations import do_create_user

            coordinator = do_create_user(email="coordinator@bench.example.org", name="Bench Coordinator",
                                         password="correct horse battery staple", verified=True)
            coach = do_create_user(email=COACH_EMAIL, name="Bench Coach", password="correct horse battery staple",
                                   verified=True)
            tenants = {}
            for fmt in files:
                tenant = do_create_tenant(kind="cooperative", slug=f"bench-{fmt}", name=f"Bench {fmt}", status="active")
                do_add_membership(tenant, coordinator.id, "coordinator")
                do_add_membership(tenant, coach.id, "coach")
                tenants[fmt] = tenant.id
            db.session.commit()
            coordinator_id = coordinator.id
        print(f"Importing {args.rows:,} members ({len(files['csv']) / 1e6:.1f} MB CSV, "
              f"{len(files['xlsx']) / 1e6:.1f} MB XLSX) into {DATABASE}", flush=True)
        for fmt, data in files.items():
            for run_name in ("first", "repeat"):
                figures = run_import(app, tenants[fmt], coordinator_id, f"bench.{fmt}", data,
                                     args.profile and run_name == "first")
                results.append((fmt, run_name, figures))
                print(f"  {fmt:4} {run_name:6} done in {figures['seconds']:.1f} s", flush=True)
    finally:
        with app.app_context():
            queue().delete(delete_jobs=True)
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        drop_database(admin_url)
        shutil.rmtree(instance, ignore_errors=True)

    print()
    print(f"{'file':5} {'import':7} {'rows':>6} {'created':>8} {'present':>8} {'seconds':>8} {'rows/s':>8} "
          f"{'peak RSS':>9}")
    for fmt, run_name, f in results:
        print(f"{fmt:5} {run_name:7} {f['rows']:>6} {f['created']:>8} {f['present']:>8} {f['seconds']:>8.2f} "
              f"{f['rows'] / f['seconds']:>8.0f} {f['rss'] / 2**20:>7.0f} MB")
    print(f"process peak RSS (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
