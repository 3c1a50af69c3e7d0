"""Benchmark: received payments posted and split per second beside pgbench, and closing a month.

    make bench-money      (or: .venv/bin/python bench/money.py [--payments N] [--clients 1,2,4] ...)

Part 1. Each worker process has a cooperative of its own (members with their benefit
municipality, a customer, agreements with two municipalities, `--payments` invoices issued
last month) and a CAMT.053 statement paying every invoice by its number. All workers then
import their statement at once through the real code (`koepel.tenants.payments.do_import`:
read, store the lines, match, post, split; one commit, as the upload request does).
Payments per second = all payments / wall time from the first start to the last commit.
In the same run, on the same server, `pgbench -i -s 1` fills a scratch database and
`pgbench -c C -j C -T S` runs the built-in tpcb-like script. Compared: payments per second
with C workers against pgbench's TPS with C clients; each measurement `--repeats` times,
alternating, median and range.

Part 2. When `koepel.tenants.settlements.do_close_month` exists: a cooperative with 50
members and 2,000 invoices paid and split in one month closes that month; a federation of
250 cooperatives (a few members and invoices each) closes the same month, one unit of work
per cooperative. Prints seconds and the rows written (counted per table before and after).

Database: BENCH_DATABASE_URL (an administrator's URL on the server), else TEST_DATABASE_URL,
else the embedded PostgreSQL (and Redis) that `make test` uses. Scratch databases
`koepel_bench_money` and `koepel_bench_pgbench` are made and dropped.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import multiprocessing
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# bench/ is the script's folder, first on sys.path: the import benchmark's helpers.
from import_members import PeakRss, database_url, servers

DATABASE = "koepel_bench_money"
PGBENCH_DATABASE = "koepel_bench_pgbench"
PGBENCH = os.environ.get("PGBENCH", shutil.which("pgbench") or "/usr/bin/pgbench")
PASSWORD = "correct horse battery staple"
STATEMENT_IBAN = "NL91ABNA0417164300"
CUSTOMER_IBAN = "NL20INGB0001234567"

CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-{stmt_id}</MsgId><CreDtTm>{end}T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{stmt_id}</Id>
      <CreDtTm>{end}T18:00:00</CreDtTm>
      <FrToDt><FrDtTm>{start}T00:00:00</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
"""
CAMT_ENTRY = """      <Ntry>
        <NtryRef>{ref}</NtryRef>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{date}</Dt></BookgDt>
        <ValDt><Dt>{date}</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><MsgId>NOTPROVIDED</MsgId><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>Factuur {number}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
"""
CAMT_TAIL = """    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def camt053(statement_id: str, payments: list[tuple[int, date, str, str]], start: date, end: date) -> bytes:
    """A statement of incoming transfers (amount in cents, booking date, invoice number, payer)."""
    body = "".join(CAMT_ENTRY.format(ref=f"{statement_id}-{i}", amount=f"{cents // 100}.{cents % 100:02d}",
                                     date=on.isoformat(), number=number, name=name, iban=CUSTOMER_IBAN)
                   for i, (cents, on, number, name) in enumerate(payments))
    return (CAMT_HEAD.format(stmt_id=statement_id, start=start.isoformat(), end=end.isoformat(), iban=STATEMENT_IBAN)
            + body + CAMT_TAIL).encode("utf-8")


def last_month() -> date:
    from koepel.platform.dates import amsterdam_today

    return (amsterdam_today().replace(day=1) - timedelta(days=1)).replace(day=1)


def month_days(month: date) -> int:
    return ((month + timedelta(days=32)).replace(day=1) - month).days


# --- the app, in the parent and in each worker ----------------------------------------------------


def make_app(env: dict):
    from koepel.platform.app import create_app
    from koepel.platform.config import Settings

    return create_app(Settings.from_env(env))


def terms():
    from decimal import Decimal

    from koepel.platform.money import Money
    from koepel.tenants.agreements import Terms

    # Cooperative 10%, training pot 5%, municipality 25% above 500,00 a month, the rest to the pot.
    return Terms(cooperative_share_kind="percentage", cooperative_share_bp=1000, training_pot_bp=500,
                 municipality_share_bp=2500, municipality_threshold=Money(500_00),
                 pot_categories=("tools", "materials", "training"), pot_on_leaving="spend_on_business",
                 exempt_from_job_applications=True, exempt_from_reintegration=True,
                 coordination_hours_per_month=Decimal("8"), housing_contribution=Money(0), notes="Benchmark")


def make_cooperative(*, slug: str, people: dict, municipality_ids: list[int], members: int, invoices: int,
                     month: date, seed: int) -> tuple[int, bytes]:
    """A cooperative with agreements, members, a customer and `invoices` issued in `month`;
    committed. Returns (tenant id, a CAMT.053 statement paying every invoice in that month)."""
    from koepel.platform.db import db
    from koepel.platform.money import Money
    from koepel.platform.tenancy import tenant_context
    from koepel.platform.tenancy.models import TenantProfile
    from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant
    from koepel.tenants.agreements import AgreementVersion, do_accept_version, do_propose_agreement
    from koepel.tenants.invoices import LineInput, do_create_customer, do_create_draft, do_issue
    from koepel.tenants.members import do_register_member

    rnd = random.Random(seed)
    coordinator, advisor = people["coordinator"], people["advisor"]
    tenant = do_create_tenant(kind="cooperative", slug=slug, name=f"Bench {slug}", status="active")
    do_add_membership(tenant, coordinator, "coordinator")
    tenant_id = tenant.id
    with tenant_context(tenant_id):
        db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number=f"{10_000_000 + seed % 89_999_999:08d}",
                                     vat_number="NL004495445B01", iban=STATEMENT_IBAN, street="Markt 1",
                                     postal_code="2611 GW", city="Delft", municipality_ids=municipality_ids,
                                     other_municipalities=[]))
        db.session.flush()
    db.session.commit()
    for municipality_id in municipality_ids:  # the version starts on the 1st, agreed that day
        with tenant_context(tenant_id, coordinator):
            version_id = do_propose_agreement(partner_tenant_id=municipality_id, terms=terms(), valid_from=month,
                                              actor_id=coordinator, today=month).id
        with tenant_context(municipality_id, advisor):
            do_accept_version(db.session.get(AgreementVersion, (municipality_id, version_id)), actor_id=advisor,
                              today=month)
        db.session.commit()
    days = month_days(month)
    payments = []
    with tenant_context(tenant_id, coordinator):
        member_ids = [do_register_member(name=f"Lid {slug} {i:03d}", stage="intake", actor_id=coordinator,
                                         benefit_municipality_id=municipality_ids[i % len(municipality_ids)]).id
                      for i in range(members)]
        buyer = do_create_customer(name=f"Klant {slug}", street="Markt 5", postal_code="2611 GS", city="Delft",
                                   country="NL", email="boekhouding@klant.example.org", is_business=True,
                                   actor_id=coordinator)
        # Issued in date order over the first two thirds of the month, paid within a week.
        issue_days = sorted(rnd.randrange(0, days * 2 // 3) for _ in range(invoices))
        for i, day in enumerate(issue_days):
            on = month + timedelta(days=day)
            draft = do_create_draft(member_id=member_ids[i % members], customer_id=buyer.id, delivery_date=on,
                                    lines=[LineInput("Werk geleverd", 100, Money(rnd.randrange(25_00, 400_00)),
                                                     rnd.choice((2100, 2100, 900, 0)))],
                                    actor_id=coordinator)
            invoice = do_issue(draft, today=on, actor_id=coordinator)
            paid_on = min(on + timedelta(days=rnd.randrange(0, 8)), month + timedelta(days=days - 1))
            payments.append((invoice.total_cents, paid_on, invoice.number, buyer.name))
            if i % 200 == 199:
                db.session.commit()
        db.session.commit()
    payments.sort(key=lambda p: p[1])
    return tenant_id, camt053(f"{slug}-{month:%Y%m}", payments, month, month + timedelta(days=days - 1))


def pay_daily(tenant_id: int, user_id: int, data: bytes) -> int:
    """Pay a month's statement as the bank sends it, one statement a day (setup, not timed):
    how many payments were matched."""
    from koepel.tenants.payments.parsers import parse

    by_day: dict[date, list[tuple[int, date, str, str]]] = {}
    for line in parse(data).lines:
        number = line.remittance.removeprefix("Factuur ")
        by_day.setdefault(line.booking_date, []).append((line.amount_cents, line.booking_date, number,
                                                         line.counterparty_name))
    return sum(import_statement(tenant_id, user_id, camt053(f"{tenant_id}-{day:%Y%m%d}", payments, day, day))
               ["matched"] for day, payments in sorted(by_day.items()))


def import_statement(tenant_id: int, user_id: int, data: bytes) -> dict:
    """The timed part: the real import in one unit of work, committed."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.payments import do_import

    with tenant_context(tenant_id, user_id), PeakRss() as rss:
        started = time.perf_counter()
        result = do_import(file_name="statement.xml", data=data, actor_id=user_id)
        committing = time.perf_counter()
        db.session.commit()  # the database's deferred checks run here
        ended = time.perf_counter()
        figures = {"lines": result.new_lines, "matched": result.matched}
    return {**figures, "start": started, "end": ended, "commit": ended - committing, "rss": rss.peak}


def close_month(tenant_id: int, user_id: int, month: date) -> dict:
    """The timed part of a month close: one unit of work, committed."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.settlements import do_close_month

    with tenant_context(tenant_id, user_id):
        started = time.perf_counter()
        do_close_month(month, actor_id=user_id)
        db.session.commit()
        ended = time.perf_counter()
    return {"start": started, "end": ended}


def count_statements(db):
    """Count the SQL statements sent from now on, by their first words: a function that
    stops counting and returns {kind: (calls, rows)} (an executemany counts its rows)."""
    from collections import Counter

    from sqlalchemy import event

    calls, seconds = Counter(), Counter()
    started = {}

    def before(conn, _cursor, statement, _parameters, _context, _executemany):
        started[id(conn)] = (" ".join(statement.split()[:3])[:48], time.perf_counter())

    def after(conn, _cursor, _statement, _parameters, _context, _executemany):
        words, at = started.pop(id(conn))
        calls[words] += 1
        seconds[words] += time.perf_counter() - at

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)

    def stop():
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        return {kind: (calls[kind], seconds[kind]) for kind in calls}

    return stop


def print_statements(counted: dict, payments: int) -> None:
    print(f"SQL sent by the import of {payments} payments (before the commit): calls, seconds waiting")
    for kind, (calls, seconds) in sorted(counted.items(), key=lambda item: -item[1][1])[:15]:
        print(f"  {calls:6,}  {seconds:6.3f} s  {kind}")
    total = sum(calls for calls, _seconds in counted.values())
    print(f"  {total / max(payments, 1):.2f} round trips per payment")


# --- worker processes -----------------------------------------------------------------------------


def worker(env: dict, people: dict, municipality_ids: list[int], conn) -> None:
    """Runs what the parent sends, each in its own app context; answers with the result."""
    from koepel.platform.db import db

    app = make_app(env)
    prepared: bytes | None = None
    tenant_id = None
    while True:
        command, kwargs = conn.recv()
        if command == "stop":
            break
        try:
            with app.app_context():
                if command == "cooperative":
                    tenant_id, prepared = make_cooperative(people=people, municipality_ids=municipality_ids,
                                                           **kwargs)
                    answer = tenant_id
                elif command == "import":
                    profiler = cProfile.Profile() if kwargs.get("profile") else None
                    counted = count_statements(db) if kwargs.get("profile") else None
                    if profiler:
                        profiler.enable()
                    answer = import_statement(tenant_id, people["coordinator"], prepared)
                    if profiler:
                        profiler.disable()
                        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                        print_statements(counted(), answer["matched"])
                        print(f"  commit: {answer['commit']:.3f} s; whole import: {answer['end'] - answer['start']:.3f} s")
                elif command == "federation":
                    answer = []
                    for slug, seed, members, invoices, month in kwargs["cooperatives"]:
                        made, data = make_cooperative(slug=slug, people=people, seed=seed, members=members,
                                                      invoices=invoices, month=month,
                                                      municipality_ids=[municipality_ids[seed % len(municipality_ids)]])
                        pay_daily(made, people["coordinator"], data)
                        answer.append(made)
                elif command == "close":
                    answer = [close_month(tid, people["coordinator"], kwargs["month"]) for tid in kwargs["tenants"]]
                else:
                    raise ValueError(command)
                conn.send(("ok", answer))
        except Exception as error:  # report to the parent, which stops the run
            import traceback

            conn.send(("error", f"{error!r}\n{traceback.format_exc()}"))
        finally:
            with app.app_context():
                db.session.remove()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


class Pool:
    """Worker processes (spawned: each its own interpreter, app and connections)."""

    def __init__(self, size: int, env: dict, people: dict, municipality_ids: list[int]):
        ctx = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for _ in range(size):
            here, there = ctx.Pipe()
            process = ctx.Process(target=worker, args=(env, people, municipality_ids, there), daemon=True)
            process.start()
            self.pipes.append(here)
            self.processes.append(process)

    def ask(self, commands: list[tuple[str, dict]]) -> list:
        """Send command i to worker i (all at once), then collect the answers."""
        for pipe, command in zip(self.pipes, commands, strict=False):
            pipe.send(command)
        answers = [pipe.recv() for pipe in self.pipes[:len(commands)]]
        failed = [text for status, text in answers if status == "error"]
        if failed:
            raise RuntimeError("a worker failed:\n" + failed[0])
        return [answer for _status, answer in answers]

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("stop", {}))
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()


# --- pgbench --------------------------------------------------------------------------------------


def pgbench_env(admin_url: str) -> tuple[list[str], dict]:
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, "PGPASSWORD": url.password or "", "PGAPPNAME": "koepel-bench"}
    return args, env


def pgbench_init(admin_url: str) -> None:
    admin_execute(admin_url, f'CREATE DATABASE "{PGBENCH_DATABASE}"')
    args, env = pgbench_env(admin_url)
    subprocess.run([PGBENCH, "-i", "-s", "1", "-q", *args, PGBENCH_DATABASE], env=env, check=True,
                   capture_output=True, text=True)


def pgbench_tps(admin_url: str, clients: int, seconds: int) -> float:
    args, env = pgbench_env(admin_url)
    done = subprocess.run([PGBENCH, "-c", str(clients), "-j", str(clients), "-T", str(seconds), *args,
                           PGBENCH_DATABASE], env=env, check=True, capture_output=True, text=True)
    for line in done.stdout.splitlines():
        if line.startswith("tps =") and "without initial connection" in line:
            return float(line.split()[2])
    for line in done.stdout.splitlines():
        if line.startswith("tps ="):
            return float(line.split()[2])
    raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}\n{done.stderr}")


# --- databases ------------------------------------------------------------------------------------


def admin_execute(admin_url: str, *statements: str, database: str = "postgres") -> None:
    import psycopg

    with psycopg.connect(database_url(admin_url, database).replace("+psycopg", ""), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_databases(admin_url: str) -> None:
    admin_execute(admin_url, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                               for name in (DATABASE, PGBENCH_DATABASE)))


def table_rows(admin_url: str) -> dict[str, int]:
    """Rows per table of the benchmark database (read as the administrator, so every tenant's)."""
    import psycopg

    with psycopg.connect(database_url(admin_url, DATABASE).replace("+psycopg", ""), autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def rows_written(before: dict[str, int], after: dict[str, int]) -> tuple[int, str]:
    changed = {t: after.get(t, 0) - before.get(t, 0) for t in after if after.get(t, 0) != before.get(t, 0)}
    top = sorted(changed.items(), key=lambda item: -item[1])
    return sum(changed.values()), ", ".join(f"{t} {n:+,}" for t, n in top[:6])


# --- the run --------------------------------------------------------------------------------------


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def settlements_available() -> str:
    """"" when the month close can run, else why not."""
    try:
        if importlib.util.find_spec("koepel.tenants.settlements") is None:
            return "no koepel.tenants.settlements"
        from koepel.tenants import settlements
    except ImportError as error:  # a package still being built
        return f"koepel.tenants.settlements does not import: {error}"
    return "" if hasattr(settlements, "do_close_month") else "no koepel.tenants.settlements.do_close_month"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=int(os.environ.get("BENCH_PAYMENTS", 100)),
                        help="payments in each worker's statement (default 100)")
    parser.add_argument("--members", type=int, default=50, help="members of each cooperative of part 1")
    parser.add_argument("--clients", default=os.environ.get("BENCH_CLIENTS", "1,2,4"),
                        help="worker processes and pgbench clients, comma separated (default 1,2,4)")
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--pgbench-seconds", type=int, default=int(os.environ.get("BENCH_PGBENCH_SECONDS", 10)),
                        help="seconds of each pgbench run (default 10)")
    parser.add_argument("--close-members", type=int, default=50)
    parser.add_argument("--close-invoices", type=int, default=2000)
    parser.add_argument("--federation", type=int, default=int(os.environ.get("BENCH_FEDERATION", 250)),
                        help="cooperatives closing the same month (default 250)")
    parser.add_argument("--federation-members", type=int, default=3)
    parser.add_argument("--federation-invoices", type=int, default=6)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import")
    parser.add_argument("--skip-payments", action="store_true")
    parser.add_argument("--skip-close", action="store_true")
    args = parser.parse_args()
    clients = sorted({int(c) for c in args.clients.split(",") if c.strip()})

    import flask_migrate

    from koepel.platform.db import db
    from koepel.platform.db.roles import init_database
    from koepel.platform.jobs import queue

    begun = time.perf_counter()
    admin_url, redis_url, _keep_alive = servers()
    drop_databases(admin_url)
    url = database_url(admin_url, DATABASE)
    init_database(url)
    instance = Path(tempfile.mkdtemp(prefix="koepel-bench-"))
    env = {"KOEPEL_ENV": "test", "DATABASE_URL": url, "REDIS_URL": redis_url, "SECRET_KEY": "bench",
           "KOEPEL_QUEUE": f"koepel-bench-money-{os.getpid()}", "KOEPEL_INSTANCE_PATH": str(instance),
           "LOG_LEVEL": "WARNING"}
    app = make_app(env)
    month = last_month()
    pool = None
    payment_rows, close_rows = [], []
    try:
        with app.app_context():
            flask_migrate.upgrade()
            people, municipality_ids = setup_people(db)
        pool = Pool(max(clients, default=1) if not args.skip_payments else 2, env, people, municipality_ids)
        if not args.skip_payments:
            payment_rows = run_payments(args, clients, pool, admin_url, month)
        if args.skip_close:
            pass
        elif missing := settlements_available():
            print(f"month close: not available yet ({missing})", flush=True)
        else:
            try:
                close_rows = run_close(args, app, pool, people, municipality_ids, admin_url, month)
            except Exception as error:  # keep the payment figures: report the failure and go on
                print(f"month close: failed: {error!r}", flush=True)
    finally:
        if pool is not None:
            pool.close()
        with app.app_context():
            queue().delete(delete_jobs=True)
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()
        drop_databases(admin_url)
        shutil.rmtree(instance, ignore_errors=True)

    print()
    if payment_rows:
        print(f"Payments posted and split (CAMT.053, {args.payments} payments per worker, last month {month:%Y-%m}), "
              f"median (min-max) of {args.repeats}; pgbench tpcb-like -s 1 -T {args.pgbench_seconds}, "
              f"C clients = C workers:")
        print(f"{'C':>2} {'payments/s':>22} {'pgbench TPS':>24} {'ratio':>6} {'ratio range':>12} {'peak RSS':>9}")
        for row in payment_rows:
            print(f"{row['clients']:>2} {spread(row['rates']):>22} {spread(row['tps']):>24} "
                  f"{statistics.median(row['rates']) / statistics.median(row['tps']):>6.2f} "
                  f"{min(row['ratios']):>5.2f}-{max(row['ratios']):<5.2f} {max(row['rss']) / 2**20:>6.0f} MB")
    if close_rows:
        print()
        print(f"Month close {month:%Y-%m}:")
        print(f"{'case':44} {'seconds':>8} {'per coop':>9} {'rows':>7}  rows by table")
        for row in close_rows:
            print(f"{row['case']:44} {row['seconds']:>8.2f} {row['per']:>7.3f} s {row['rows']:>7,}  {row['tables']}")
    print(f"parent peak RSS (getrusage): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"total run {time.perf_counter() - begun:.0f} s")
    return 0


def setup_people(db) -> tuple[dict, list[int]]:
    from koepel.platform.auth.operations import do_create_user
    from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant

    coordinator = do_create_user(email="coordinator@bench.example.org", name="Bench Coordinator",
                                 password=PASSWORD, verified=True)
    advisor = do_create_user(email="advisor@bench.example.org", name="Bench Advisor", password=PASSWORD,
                             verified=True)
    municipality_ids = []
    for slug, name in (("delft", "Gemeente Delft"), ("rijswijk", "Gemeente Rijswijk")):
        municipality = do_create_tenant(kind="municipality", slug=f"bench-{slug}", name=name, status="active")
        do_add_membership(municipality, advisor.id, "policy_advisor")
        municipality_ids.append(municipality.id)
    db.session.commit()
    return {"coordinator": coordinator.id, "advisor": advisor.id}, municipality_ids


def run_payments(args, clients: list[int], pool: Pool, admin_url: str, month: date) -> list[dict]:
    pgbench_init(admin_url)
    rows = {c: {"clients": c, "rates": [], "tps": [], "ratios": [], "rss": []} for c in clients}
    print(f"Payments: {args.payments} per worker, workers/clients {clients}, {args.repeats} repeats "
          f"(pgbench {args.pgbench_seconds} s each)", flush=True)
    for repeat in range(args.repeats):
        for c in clients:
            # Fresh cooperatives for every measurement, made in parallel and committed before the clock starts.
            pool.ask([("cooperative", {"slug": f"pay-r{repeat}-c{c}-w{w}", "members": args.members,
                                       "invoices": args.payments, "month": month,
                                       "seed": 1000 * repeat + 10 * c + w})
                      for w in range(c)])
            tps = pgbench_tps(admin_url, c, args.pgbench_seconds)
            profile = args.profile and repeat == 0 and c == clients[0]
            results = pool.ask([("import", {"profile": profile and w == 0}) for w in range(c)])
            for result in results:
                assert result["matched"] == result["lines"] == args.payments, result
            wall = max(r["end"] for r in results) - min(r["start"] for r in results)
            rate = c * args.payments / wall
            row = rows[c]
            row["rates"].append(rate)
            row["tps"].append(tps)
            row["ratios"].append(rate / tps)
            row["rss"].append(max(r["rss"] for r in results))
            print(f"  repeat {repeat + 1} C={c}: {rate:,.0f} payments/s ({wall:.2f} s), pgbench {tps:,.0f} TPS, "
                  f"ratio {rate / tps:.2f}", flush=True)
    return list(rows.values())


def run_close(args, app, pool: Pool, people: dict, municipality_ids: list[int], admin_url: str,
              month: date) -> list[dict]:
    from koepel.platform.db import db

    rows = []
    print(f"Month close: a cooperative with {args.close_members} members and {args.close_invoices:,} invoices",
          flush=True)
    with app.app_context():
        tenant_id, data = make_cooperative(slug="close-big", people=people, municipality_ids=municipality_ids,
                                           members=args.close_members, invoices=args.close_invoices, month=month,
                                           seed=777)
        started = time.perf_counter()
        paid = pay_daily(tenant_id, people["coordinator"], data)
        assert paid == args.close_invoices, paid
        print(f"  paid and split {args.close_invoices:,} invoices in daily statements: "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()
    before = table_rows(admin_url)
    with app.app_context(), PeakRss() as rss:
        timed = close_month(tenant_id, people["coordinator"], month)
        db.session.remove()
    total, tables = rows_written(before, table_rows(admin_url))
    seconds = timed["end"] - timed["start"]
    rows.append({"case": f"1 cooperative, {args.close_members} members, {args.close_invoices:,} invoices",
                 "seconds": seconds, "per": seconds, "rows": total, "tables": tables})
    print(f"  closed in {seconds:.2f} s, {total:,} rows, peak RSS {rss.peak / 2**20:.0f} MB", flush=True)

    n = args.federation
    if n <= 0:
        return rows
    print(f"Month close: a federation of {n} cooperatives ({args.federation_members} members, "
          f"{args.federation_invoices} invoices each), set up by {len(pool.pipes)} workers", flush=True)
    cooperatives = [(f"fed-{i:04d}", 5000 + i, args.federation_members, args.federation_invoices, month)
                    for i in range(n)]
    shares = [cooperatives[w::len(pool.pipes)] for w in range(len(pool.pipes))]
    tenant_ids = [tid for made in pool.ask([("federation", {"cooperatives": share}) for share in shares])
                  for tid in made]
    before = table_rows(admin_url)
    with app.app_context():
        started = time.perf_counter()
        each = [close_month(tid, people["coordinator"], month) for tid in tenant_ids]
        seconds = time.perf_counter() - started
        db.session.remove()
    total, tables = rows_written(before, table_rows(admin_url))
    per = [e["end"] - e["start"] for e in each]
    rows.append({"case": f"{n} cooperatives one after another", "seconds": seconds,
                 "per": statistics.median(per), "rows": total, "tables": tables})
    print(f"  closed {n} cooperatives in {seconds:.2f} s (median {statistics.median(per) * 1000:.0f} ms, "
          f"max {max(per) * 1000:.0f} ms), {total:,} rows", flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
