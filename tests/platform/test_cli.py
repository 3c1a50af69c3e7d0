"""The `koepel` command (DESIGN.md, "Running") and the settings it reads.

Runs the click group in-process against a scratch database of its own. The environment
of every invocation is given in full, so a DATABASE_URL a developer exported never
reaches a command.
"""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from koepel.platform.cli import demo, main
from koepel.platform.config import (
    APP_ROLE,
    OWNER_ROLE,
    UMBRELLA_ROLE,
    ConfigError,
    Settings,
)
from koepel.platform.tenancy import ROLES_BY_KIND
from tests.conftest import TEST_DATABASE

DATABASE = f"{TEST_DATABASE}_cli"
# Everything Settings.from_env and the commands read; unset unless a test sets it.
VARIABLES = (
    "KOEPEL_ENV", "DATABASE_URL", "APP_DATABASE_URL", "UMBRELLA_DATABASE_URL", "REDIS_URL",
    "SECRET_KEY", "KOEPEL_QUEUE", "KOEPEL_INSTANCE_PATH", "LOG_LEVEL", "LOG_FORMAT", "PORT",
)
ADMIN_EMAIL = "ada@cli.example.org"
ADMIN_PASSWORD = "long enough password"


@pytest.fixture(autouse=True)
def _no_outer_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def cli_env(servers, tmp_path_factory) -> dict[str, str | None]:
    return {
        **dict.fromkeys(VARIABLES),  # None: removed from os.environ during the invocation
        "KOEPEL_ENV": "test",
        "DATABASE_URL": servers.database_url(DATABASE),
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": "test-secret",
        "KOEPEL_QUEUE": "koepel-test-cli",
        "KOEPEL_INSTANCE_PATH": str(tmp_path_factory.mktemp("cli-instance")),
        "LOG_LEVEL": "WARNING",
    }


def koepel(args: list[str], env: dict[str, str | None]):
    return CliRunner().invoke(main, args, env=env)


def succeeded(result) -> str:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result.output


def failed_cleanly(result) -> str:
    """Non-zero exit through click (a message), not an exception escaping the command."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), f"{result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output
    return result.output


def admin(servers, database: str = DATABASE) -> psycopg.Connection:
    return psycopg.connect(make_url(servers.database_url(database)).set(drivername="postgresql")
                           .render_as_string(hide_password=False), autocommit=True)


def scalar(servers, query: str, params=()):
    with admin(servers) as conn:
        return conn.execute(query, params).fetchone()[0]


def counts(servers) -> dict[str, int]:
    with admin(servers) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("tenants", "users", "memberships", "audit_events")
        }


@pytest.fixture(scope="module")
def first_init(servers, cli_env):
    """`koepel db init` on a server where the scratch database does not exist."""
    with admin(servers, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    return koepel(["db", "init"], cli_env)


@pytest.fixture
def unmigrated(first_init, servers, cli_env):
    """The scratch database, initialised and without any table of the platform."""
    succeeded(first_init)
    succeeded(koepel(["db", "downgrade", "base"], cli_env))
    with admin(servers) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert {t for (t,) in tables} <= {"alembic_version"}


@pytest.fixture
def migrated(unmigrated, servers, cli_env):
    succeeded(koepel(["db", "upgrade"], cli_env))
    assert counts(servers) == {"tenants": 0, "users": 0, "memberships": 0, "audit_events": 0}


# --- db init -----------------------------------------------------------------------------


def test_db_init_creates_the_database_and_roles_and_is_idempotent(first_init, servers, cli_env):
    output = succeeded(first_init)
    assert f"database {DATABASE} created" in output
    for role in (OWNER_ROLE, APP_ROLE, UMBRELLA_ROLE):
        assert f"role {role} " in output
    assert "privileges granted" in output

    def state():
        with admin(servers, "postgres") as conn:
            owner = conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            roles = conn.execute(
                "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = ANY(%s) ORDER BY rolname",
                ([OWNER_ROLE, APP_ROLE, UMBRELLA_ROLE],),
            ).fetchall()
        return owner, roles

    expected_roles = sorted([
        (OWNER_ROLE, True, False, False),
        (APP_ROLE, True, False, False),
        (UMBRELLA_ROLE, True, False, True),
    ])
    assert state() == ((OWNER_ROLE,), expected_roles)

    again = succeeded(koepel(["db", "init"], cli_env))
    for role in (OWNER_ROLE, APP_ROLE, UMBRELLA_ROLE):
        assert f"role {role} updated" in again
    assert "created" not in again
    assert "privileges granted" in again
    assert state() == ((OWNER_ROLE,), expected_roles)


# --- migrations and demo data ------------------------------------------------------------


def test_upgrade_then_seed_demo_loads_the_federation_once(unmigrated, servers, cli_env):
    from koepel.platform.auth.passwords import verify_password

    succeeded(koepel(["db", "upgrade"], cli_env))
    head = scalar(servers, "SELECT version_num FROM alembic_version")
    assert head

    output = succeeded(koepel(["seed-demo"], cli_env))
    assert "Demo federation loaded." in output

    with admin(servers) as conn:
        tenants = conn.execute("SELECT slug, kind, status FROM tenants").fetchall()
        held = set(conn.execute(
            "SELECT DISTINCT t.kind, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id"
        ).fetchall())
        emails = {e for (e,) in conn.execute("SELECT email FROM users").fetchall()}
        hashes = dict(conn.execute("SELECT email, password_hash FROM users").fetchall())
    assert len(tenants) == len(demo.TENANTS)
    assert {(slug, kind) for slug, kind, _ in tenants} == {(slug, kind) for kind, slug, _ in demo.TENANTS}
    assert {status for _, _, status in tenants} == {"active"}
    assert {kind for _, kind, _ in tenants} == set(ROLES_BY_KIND), "a tenant kind has no demo tenant"
    missing = sorted(
        (kind, role) for kind, roles in ROLES_BY_KIND.items() for role in roles if (kind, role) not in held
    )
    assert missing == [], f"roles without a demo person: {missing}"
    assert emails == {email for email, *_ in demo.PEOPLE}
    email = demo.PEOPLE[0][0]  # argon2 is slow on purpose: one demo login is enough
    assert verify_password(hashes[email], demo.DEMO_PASSWORD)

    before = counts(servers)
    again = succeeded(koepel(["seed-demo"], cli_env))
    assert "already" in again and "not loaded" in again
    assert "Demo federation loaded." not in again
    assert counts(servers) == before


# --- create-umbrella-admin ---------------------------------------------------------------


def test_create_umbrella_admin(migrated, servers, cli_env):
    from koepel.platform.auth.passwords import verify_password

    args = ["create-umbrella-admin", "--email", ADMIN_EMAIL, "--name", "Ada Admin",
            "--password", ADMIN_PASSWORD]
    output = succeeded(koepel(args, cli_env))
    assert f"{ADMIN_EMAIL} is umbrella_admin of" in output

    query = (
        "SELECT t.kind, t.status, m.role, u.password_hash FROM memberships m "
        "JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id WHERE u.email = %s"
    )
    with admin(servers) as conn:
        rows = conn.execute(query, (ADMIN_EMAIL,)).fetchall()
    assert [(kind, status, role) for kind, status, role, _ in rows] == [("umbrella", "active", "umbrella_admin")]
    assert verify_password(rows[0][3], ADMIN_PASSWORD)

    # Again for the same person: nothing doubles.
    before = counts(servers)
    succeeded(koepel(args, cli_env))
    assert counts(servers) == before
    assert scalar(servers, "SELECT count(*) FROM tenants WHERE kind = 'umbrella'") == 1


def test_create_umbrella_admin_with_a_short_password_creates_nothing(migrated, servers, cli_env):
    result = koepel(
        ["create-umbrella-admin", "--email", ADMIN_EMAIL, "--name", "Ada Admin", "--password", "short"],
        cli_env,
    )
    output = failed_cleanly(result)
    assert "Use at least 10 characters." in output
    # Not even the umbrella tenant the command makes first when there is none.
    assert counts(servers) == {"tenants": 0, "users": 0, "memberships": 0, "audit_events": 0}


# --- configuration errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["db", "init"],
        ["db", "upgrade"],
        ["db", "downgrade", "base"],
        ["seed-demo"],
        ["create-umbrella-admin", "--email", ADMIN_EMAIL, "--name", "Ada", "--password", ADMIN_PASSWORD],
        ["worker", "--burst"],
    ],
    ids=" ".join,
)
def test_commands_without_database_url_fail_with_a_message(args, cli_env):
    output = failed_cleanly(koepel(args, {**cli_env, "DATABASE_URL": None}))
    assert "DATABASE_URL" in output


def test_commands_without_redis_url_fail_with_a_message(cli_env):
    output = failed_cleanly(koepel(["seed-demo"], {**cli_env, "REDIS_URL": None}))
    assert "REDIS_URL" in output


# --- settings ----------------------------------------------------------------------------

ADMIN_URL = "postgresql://admin:s3cret@db.internal.example.org:6543/koepel"


def test_production_requires_a_secret_key():
    env = {"KOEPEL_ENV": "production", "DATABASE_URL": ADMIN_URL, "REDIS_URL": "redis://r/0"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "SECRET_KEY": "k"}).secret_key == "k"
    # Outside production a missing key becomes a random one, never an empty one.
    development = Settings.from_env({**env, "KOEPEL_ENV": "development"})
    assert len(development.secret_key) >= 32


def test_role_urls_are_derived_from_database_url():
    settings = Settings.from_env({"DATABASE_URL": ADMIN_URL, "REDIS_URL": "redis://r/0"})
    admin_url = make_url(settings.database_url)
    assert (admin_url.drivername, admin_url.username, admin_url.password) == ("postgresql+psycopg", "admin", "s3cret")
    for url, role in ((settings.app_database_url, APP_ROLE), (settings.umbrella_database_url, UMBRELLA_ROLE)):
        parsed = make_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert parsed.username == role
        assert parsed.password is None, "the admin's password must not travel to another role"
        assert (parsed.host, parsed.port, parsed.database) == ("db.internal.example.org", 6543, "koepel")
    assert settings.flask_config()["SQLALCHEMY_DATABASE_URI"] == settings.app_database_url


def test_explicit_role_urls_win():
    app_url = "postgres://koepel_app:app-pw@app-db.example.org:5433/koepel"
    umbrella_url = "postgresql+psycopg2://koepel_umbrella:u-pw@umbrella-db.example.org/koepel"
    settings = Settings.from_env({
        "DATABASE_URL": ADMIN_URL, "REDIS_URL": "redis://r/0",
        "APP_DATABASE_URL": app_url, "UMBRELLA_DATABASE_URL": umbrella_url,
    })
    assert settings.app_database_url == "postgresql+psycopg://koepel_app:app-pw@app-db.example.org:5433/koepel"
    assert settings.umbrella_database_url == (
        "postgresql+psycopg://koepel_umbrella:u-pw@umbrella-db.example.org/koepel"
    )
    assert make_url(settings.database_url).username == "admin"
