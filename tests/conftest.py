"""Fixtures for the whole suite.

One database per run, migrated once (that tests the migrations), with a small committed
baseline federation. Each test that asks for `app` runs as the app role inside an
outer transaction that is rolled back afterwards; commits inside the test release
savepoints. Tests of real processes (`live`) get databases of their own.
"""

from __future__ import annotations

import importlib
import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests import servers as test_servers

TEST_DATABASE = os.environ.get("KOEPEL_TEST_DATABASE", "koepel_test")  # parallel runs: one name each
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    kind: str


# Baseline people whose roles require two-factor are enrolled with this secret.
TOTP_SECRET = "KOEPELTESTSECRETKOEPELTESTSECRET"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    password: str = PASSWORD
    totp_secret: str | None = None


@dataclass(frozen=True)
class Baseline:
    """Committed once per run. Tenant A and B are cooperatives that must never meet."""

    umbrella: Org
    coop_a: Org
    coop_b: Org
    municipality: Org
    umbrella_admin: Person
    coordinator_a: Person
    coordinator_b: Person
    member_a: Person
    coach_ab: Person  # coach in both A and B
    advisor: Person  # policy advisor of the municipality, coordinator of A
    job_a: int
    job_b: int
    # organisations (issue 3): one object of A and of B in each tenant table
    invitation_a: int = 0
    invitation_b: int = 0
    invitation_a_token: str = ""
    grant_a: int = 0
    grant_b: int = 0
    # A second municipality, for isolation between municipalities; a client manager of M,
    # and of N a person who is both client manager and policy advisor (all of N's pages).
    municipality_b: Org | None = None
    client_manager: Person | None = None
    official_b: Person | None = None
    # Two employer cooperatives (placements), their coordinators and an employer of A.
    employer_a: Org | None = None
    employer_b: Org | None = None
    employer_coordinator_a: Person | None = None
    employer_coordinator_b: Person | None = None
    employer_contact_a: Person | None = None
    # Rows of the domain packages, made by their `tests/<package>/baseline.py` (see
    # `baseline_modules`): name -> id, e.g. extra["member_a"].
    extra: dict = field(default_factory=dict)


def baseline_modules() -> list:
    """Every `tests/<package>/baseline.py`: how a package's tests add its rows of tenant A
    and B to the baseline (`rows`), its URL parameters to the isolation suite
    (`OBJECT_IDS`) and objects to the role matrix (`matrix_objects`). A module runs after
    those with a lower `ORDER` (a referral needs a member first)."""
    modules = [importlib.import_module(f"tests.{path.parent.name}.baseline")
               for path in sorted(Path(__file__).parent.glob("*/baseline.py"))]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def pytest_collection_modifyitems(config, items):
    from tests.browser.support import chromium_path

    if chromium_path() is None:
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    from tests.browser.support import chromium_path

    if chromium_path() is None:
        terminalreporter.write_line(
            "Browser tests were skipped: Debian's chromium is missing (apt-get install chromium).",
            yellow=True,
        )


@pytest.fixture(scope="session")
def servers():
    return test_servers.start()


def recreate_database(servers, name: str) -> str:
    """Drop and create `name` with the platform's roles; returns its admin URL."""
    from koepel.platform.db.roles import init_database

    with psycopg.connect(servers.database_url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    url = servers.database_url(name)
    init_database(url)
    return url


_queues = itertools.count()


def make_settings(servers, database_url: str, tmp_path_factory, **extra):
    from koepel.platform.config import Settings

    env = {
        "KOEPEL_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": "test-secret",
        "KOEPEL_QUEUE": f"koepel-test-{os.getpid()}-{next(_queues)}",
        "KOEPEL_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def database_url(servers):
    return recreate_database(servers, TEST_DATABASE)


@pytest.fixture(scope="session")
def _session_app(servers, database_url, tmp_path_factory):
    import flask_migrate

    from koepel.platform.app import create_app

    app = create_app(make_settings(servers, database_url, tmp_path_factory), TESTING=True, WTF_CSRF_ENABLED=False)
    with app.app_context():
        flask_migrate.upgrade()
    return app


@pytest.fixture(scope="session")
def baseline(_session_app) -> Baseline:
    from koepel.platform.db import db
    from koepel.platform.jobs import JobRun
    from koepel.platform.tenancy import tenant_context
    from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant

    with _session_app.app_context():
        orgs = {
            key: do_create_tenant(kind=kind, slug=slug, name=name, status="active")
            for key, kind, slug, name in [
                ("umbrella", "umbrella", "koepel", "Koepel"),
                ("coop_a", "cooperative", "coop-a", "Coöperatie A"),
                ("coop_b", "cooperative", "coop-b", "Coöperatie B"),
                ("municipality", "municipality", "gemeente-m", "Gemeente M"),
                ("municipality_b", "municipality", "gemeente-n", "Gemeente N"),
                ("employer_a", "employer_cooperative", "werkgevers-a", "Werkgeverscoöperatie A"),
                ("employer_b", "employer_cooperative", "werkgevers-b", "Werkgeverscoöperatie B"),
            ]
        }
        people = {}
        for key, roles in [
            ("umbrella_admin", [("umbrella", "umbrella_admin")]),
            ("coordinator_a", [("coop_a", "coordinator")]),
            ("coordinator_b", [("coop_b", "coordinator")]),
            ("member_a", [("coop_a", "member")]),
            ("coach_ab", [("coop_a", "coach"), ("coop_b", "coach")]),
            ("advisor", [("municipality", "policy_advisor"), ("coop_a", "coordinator")]),
            ("client_manager", [("municipality", "client_manager")]),
            ("official_b", [("municipality_b", "client_manager"), ("municipality_b", "policy_advisor")]),
            ("employer_coordinator_a", [("employer_a", "coordinator")]),
            ("employer_coordinator_b", [("employer_b", "coordinator")]),
            ("employer_contact_a", [("employer_a", "employer")]),
        ]:
            user = make_user(f"{key}@test.example.org", key.replace("_", " ").title())
            for org, role in roles:
                do_add_membership(orgs[org], user.id, role)
            people[key] = Person(user.id, user.email, totp_secret=enrol_if_required(user))
        jobs = {}
        for key in ("coop_a", "coop_b"):
            name = f"baseline-{key}.csv"
            folder = Path(_session_app.config["INSTANCE_PATH"]) / "exports" / str(orgs[key].id)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(f"export of {key}\n")
            with tenant_context(orgs[key].id):
                run = JobRun(kind="audit.export_csv", rq_job_id=f"baseline-{key}", status="finished",
                             result={"file": name, "download_name": name})
                db.session.add(run)
                db.session.flush()
                jobs[key] = run.id
        organisation_rows = _organisation_baseline(orgs, people)
        extra: dict = {}
        for module in baseline_modules():
            extra.update(module.rows(orgs, people, extra))
            db.session.flush()
        db.session.commit()
        return Baseline(
            **{k: Org(o.id, o.slug, o.kind) for k, o in orgs.items()},
            **people,
            job_a=jobs["coop_a"],
            job_b=jobs["coop_b"],
            **organisation_rows,
            extra=extra,
        )


def make_user(email: str, name: str, password: str = PASSWORD):
    """A verified account (sign-in requires a verified address)."""
    import inspect

    from koepel.platform.auth.operations import do_create_user

    if "verified" in inspect.signature(do_create_user).parameters:
        return do_create_user(email=email, name=name, password=password, verified=True)
    return do_create_user(email=email, name=name, password=password)


def enrol_if_required(user) -> str | None:
    """Enrol two-factor (with TOTP_SECRET) when the person's roles require it."""
    try:
        from koepel.platform.auth.two_factor import do_enable_two_factor, two_factor_required
    except ImportError:
        return None
    import pyotp

    if not two_factor_required(user.id):
        return None
    do_enable_two_factor(user, TOTP_SECRET, pyotp.TOTP(TOTP_SECRET).now())
    return TOTP_SECRET


def _organisation_baseline(orgs, people) -> dict:
    """Rows of A and B in the organisation tables: invitations, profiles, status history,
    support grants (closed, so nobody has support access in the baseline)."""
    from datetime import timedelta

    from koepel.platform.db import db, utcnow
    from koepel.platform.people.models import Invitation
    from koepel.platform.people.operations import _serializer, token_hash
    from koepel.platform.tenancy import tenant_context
    from koepel.platform.tenancy.models import SupportGrant, TenantProfile, TenantStatusChange

    now = utcnow()
    rows: dict = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        org = orgs[key]
        token = _serializer().dumps(f"baseline-{key}")
        with tenant_context(org.id):
            invitation = Invitation(email=f"invitee-{suffix}@test.example.org", role="coach", token_hash=token_hash(token),
                                    created_at=now, expires_at=now + timedelta(days=7))
            grant = SupportGrant(user_id=people["umbrella_admin"].id, reason="baseline support", created_at=now - timedelta(hours=2),
                                 expires_at=now - timedelta(hours=1), closed_at=now - timedelta(hours=1))
            db.session.add_all([
                invitation, grant,
                TenantProfile(legal_form="cooperatie_ua", kvk_number=f"1234567{'1' if suffix == 'a' else '2'}",
                              vat_number="NL004495445B01", iban="NL91ABNA0417164300", street="Markt 1",
                              postal_code="2611 GW", city="Delft", municipality_ids=[orgs["municipality"].id],
                              other_municipalities=[]),
                TenantStatusChange(action="approved", from_status="pending", to_status="active"),
            ])
            db.session.flush()
        rows[f"invitation_{suffix}"] = invitation.id
        rows[f"grant_{suffix}"] = grant.id
        if suffix == "a":
            rows["invitation_a_token"] = token
    return rows


@pytest.fixture
def app(_session_app, baseline):
    """The app, with every engine swapped for a connection in a rolled-back transaction."""
    from koepel.platform.db import db
    from koepel.platform.http.security import limiter

    app = _session_app
    with app.app_context():
        engines = db.engines
        originals = dict(engines)
        connections = {}
        for key, engine in originals.items():
            connection = engine.connect()
            connection.begin()
            connections[key] = connection
            engines[key] = connection
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            for key, connection in connections.items():
                connection.rollback()
                connection.close()
                db.engines[key] = originals[key]
            limiter.reset()  # failed sign-ins of one test must not throttle the next
        _clear_queue(app)


def _clear_queue(app) -> None:
    from rq.registry import (
        CanceledJobRegistry,
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    from koepel.platform.jobs import queue

    with app.app_context():
        q = queue()
        for registry_class in (
            FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry,
            DeferredJobRegistry, ScheduledJobRegistry, CanceledJobRegistry,
        ):
            registry = registry_class(queue=q)
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        q.delete(delete_jobs=True)


@pytest.fixture
def db_session(app):
    """An app context with `db.session`, for tests that work below the HTTP layer."""
    from koepel.platform.db import db

    with app.app_context():
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, person: Person, password: str | None = None):
    response = client.post("/login", data={"email": person.email, "password": password or person.password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].startswith("/login/two-factor"):
        import pyotp

        assert person.totp_secret, f"{person.email} needs two-factor: give the Person its totp_secret"
        response = client.post("/login/two-factor", data={"code": pyotp.TOTP(person.totp_secret).now()})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def as_user(app):
    """`as_user(person)` → a test client signed in as that person."""

    def make(person: Person):
        c = app.test_client()
        sign_in(c, person)
        return c

    return make


def comparable(html: str) -> str:
    """A page without its CSRF tokens, which are signed with a timestamp."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1TOKEN"', html)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture(scope="session")
def app_role_dsn(database_url, _session_app):
    """A libpq DSN that connects to the test database as the app role."""
    from koepel.platform.config import APP_ROLE, role_url

    return role_url(database_url, APP_ROLE).replace("+psycopg", "")


@pytest.fixture(scope="session")
def admin_dsn(database_url, _session_app):
    return database_url.replace("+psycopg", "")


def tenant_tables(admin_dsn) -> list[str]:
    with psycopg.connect(admin_dsn) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        ).fetchall()
    return [r[0] for r in rows]



@pytest.fixture(scope="session")
def live_platform(servers, tmp_path_factory):
    """`koepel dev` (what `make run` runs) on its own database: web, worker, demo data."""
    from tests.live.platform_process import RunningPlatform

    recreate_database(servers, f"{TEST_DATABASE}_live")
    running = RunningPlatform(
        {
            "DATABASE_URL": servers.database_url(f"{TEST_DATABASE}_live"),
            "REDIS_URL": servers.redis_url,
            "KOEPEL_QUEUE": f"koepel-test-live-{os.getpid()}",
        },
        tmp_path_factory.mktemp("live-instance"),
    )
    yield running
    running.stop()


def queued_mails(app) -> list[dict]:
    """Mails sent by committed units of work (queued for delivery, not yet delivered)."""
    from koepel.platform.jobs import queue

    with app.app_context():
        mails = []
        for job in queue().jobs:
            if job.func_name.endswith("mail.jobs.deliver"):
                to, subject, text, html = job.args
                mails.append({"to": to, "subject": subject, "text": text, "html": html})
        return mails


def person_with_role(tenant_id: int, role: str, email: str, name: str = "Test Person") -> Person:
    """A new, verified account holding `role` in the tenant (two-factor enrolled when the
    role requires it), committed in the test's transaction."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_add_membership

    user = make_user(email, name)
    do_add_membership(db.session.get(Tenant, tenant_id), user.id, role)
    secret = enrol_if_required(user)
    db.session.commit()
    return Person(user.id, user.email, totp_secret=secret)


def purge_tenant(admin_dsn: str, tenant_id: int) -> None:
    """For tests that commit from threads in a tenant of their own: every row of that
    tenant, in every table that names a tenant, then the tenant (as the superuser, past
    the append-only triggers)."""
    with psycopg.connect(admin_dsn) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")  # past the append-only trigger
        columns = conn.execute(
            "SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
            "UNION SELECT r.conrelid::regclass::text, a.attname FROM pg_constraint r "
            "JOIN pg_attribute a ON a.attrelid = r.conrelid AND a.attnum = r.conkey[1] "
            "WHERE r.contype = 'f' AND r.confrelid = 'tenants'::regclass"
        ).fetchall()
        for table, column in columns:
            conn.execute(sql.SQL("DELETE FROM {} WHERE {} = %s").format(sql.Identifier(table), sql.Identifier(column)),
                         (tenant_id,))
        conn.execute("DELETE FROM tenants WHERE id = %s", (tenant_id,))


def run_at_once(app, tenant_id: int, work, *, threads: int, done: str, refusals: dict) -> list[str]:
    """`work(index)` in `threads` threads released together, each in its own app context
    and tenant scope, committing on its own connection. Each thread's outcome: `done`, or
    the word `refusals` gives for the exception that refused it (rolled back)."""
    import threading

    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context

    barrier = threading.Barrier(threads, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()
    expected = tuple(refusals)

    def one(index):
        outcome = "error"
        with app.app_context():
            try:
                with tenant_context(tenant_id):
                    barrier.wait()
                    work(index)
                    db.session.commit()
                    outcome = done
            except expected as error:
                db.session.rollback()
                outcome = next(word for kind, word in refusals.items() if isinstance(error, kind))
            except Exception as error:  # noqa: BLE001 - shown in the outcomes, which then differ
                db.session.rollback()
                outcome = f"error: {error!r}"[:300]
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    started = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(60)
    return outcomes
