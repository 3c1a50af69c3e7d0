"""The Alembic history: every revision upgrades and downgrades, the result is the schema
the models describe, the files follow the naming rule, the history is one line, and the
owner role owns what the migrations create (DESIGN.md, "Data, money, time"; "Tenancy").

Runs on a scratch database of its own, so the session database is never touched.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from koepel.platform.config import APP_ROLE, OWNER_ROLE
from tests.conftest import TEST_DATABASE, make_settings, recreate_database

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
DATABASE = f"{TEST_DATABASE}_migrations"
# Built with `metadata.create_all()`, to compare what Alembic's autogenerate cannot.
MODELS_DATABASE = f"{TEST_DATABASE}_migrations_models"
PLATFORM_TABLES = {"tenants", "users", "memberships", "audit_events", "job_runs"}
FILE_NAME = re.compile(r"^\d{8}_\d{4}_[a-z0-9_]+\.py$")


def revision_files() -> list[Path]:
    return sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")


def module_constants(path: Path) -> dict[str, object]:
    """`revision`, `down_revision`, … as written in the file, without importing it."""
    values = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def ordered_revisions() -> list[str]:
    return [path.stem for path in revision_files()]


@pytest.fixture(scope="module")
def scratch(servers, tmp_path_factory):
    """(app, admin DSN) for a freshly created, empty scratch database."""
    from koepel.platform.app import create_app
    from koepel.platform.db import db

    url = recreate_database(servers, DATABASE)
    app = create_app(make_settings(servers, url, tmp_path_factory), TESTING=True)
    yield app, url.replace("+psycopg", "")
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def upgrade(app, revision: str = "head") -> None:
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade(revision=revision)


def downgrade(app, revision: str) -> None:
    import flask_migrate

    with app.app_context():
        flask_migrate.downgrade(revision=revision)


def public_relations(dsn: str) -> dict[str, str]:
    """Every table, sequence, index, view … in schema public → its owner."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        ).fetchall()
    return dict(rows)


def public_tables(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {r[0] for r in rows}


def current_revision(dsn: str) -> str | None:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def model_tables() -> set[str]:
    """The tables of every model; create_app (in `scratch`) imports every package."""
    from koepel.platform.db import db

    tables = set(db.metadata.tables)
    assert PLATFORM_TABLES <= tables, f"models not loaded: {sorted(tables)}"
    return tables


def catalog(dsn: str) -> dict[str, set[tuple]]:
    """Columns, constraints and indexes as PostgreSQL itself spells them."""
    queries = {
        "columns": (
            "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, "
            "column_default, is_identity, identity_generation FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
        ),
        "constraints": (
            # Constraint triggers (contype 't', the ledger's balance check) are not
            # modelled: their behaviour is tested where they live (tests/ledger).
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version' "
            "AND contype <> 't'"
        ),
        "indexes": (
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ),
    }
    with psycopg.connect(dsn) as conn:
        return {kind: set(conn.execute(query).fetchall()) for kind, query in queries.items()}


# --- the files ---------------------------------------------------------------------------


def test_revision_files_are_named_by_date_time_and_slug():
    files = revision_files()
    assert files, "no revision files"
    for path in files:
        assert FILE_NAME.match(path.name), f"{path.name}: expected YYYYMMDD_HHMM_<slug>.py"
        constants = module_constants(path)
        assert constants.get("revision") == path.stem, (
            f"{path.name}: revision = {constants.get('revision')!r}, expected {path.stem!r}"
        )
        assert f"Revision ID: {path.stem}" in path.read_text(), f"{path.name}: docstring disagrees"


def test_history_is_one_line():
    from alembic.script import ScriptDirectory

    files = revision_files()
    previous = None
    for path in files:
        constants = module_constants(path)
        assert constants.get("down_revision") == previous, (
            f"{path.name}: down_revision = {constants.get('down_revision')!r}, expected {previous!r} "
            "(the file before it by name)"
        )
        assert not constants.get("branch_labels"), f"{path.name}: branch labels make a second line"
        assert not constants.get("depends_on"), f"{path.name}: depends_on makes a second line"
        previous = constants["revision"]

    script = ScriptDirectory(str(ROOT / "migrations"))
    assert script.get_heads() == [previous], f"heads: {script.get_heads()}"
    assert script.get_bases() == [files[0].stem], f"bases: {script.get_bases()}"
    walked = [rev.revision for rev in script.walk_revisions()]  # head first
    assert walked[::-1] == ordered_revisions()


# --- the database ------------------------------------------------------------------------


def test_every_revision_upgrades_and_downgrades(scratch):
    app, dsn = scratch
    revisions = ordered_revisions()
    downgrade(app, "base")  # a no-op on the fresh database, whatever ran before
    assert public_tables(dsn) <= {"alembic_version"}
    assert current_revision(dsn) is None

    for revision in revisions:  # one step at a time, so each upgrade() runs on its own
        upgrade(app, revision)
        assert current_revision(dsn) == revision
    assert model_tables() <= public_tables(dsn)

    for expected in [*reversed(revisions[:-1]), None]:  # and each downgrade()
        downgrade(app, "-1")
        assert current_revision(dsn) == expected

    # Nothing is left behind: no table, sequence, index, function or policy.
    leftovers = {
        name for name in public_relations(dsn) if name not in ("alembic_version", "alembic_version_pkc")
    }
    assert leftovers == set(), f"left after downgrade to base: {sorted(leftovers)}"
    with psycopg.connect(dsn) as conn:
        functions = conn.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public'"
        ).fetchall()
        policies = conn.execute("SELECT tablename, policyname FROM pg_policies").fetchall()
    assert functions == [] and policies == [], f"functions {functions}, policies {policies}"

    upgrade(app)
    assert current_revision(dsn) == revisions[-1]
    assert model_tables() <= public_tables(dsn)
    downgrade(app, "base")
    assert public_tables(dsn) <= {"alembic_version"}
    upgrade(app)
    assert current_revision(dsn) == revisions[-1]


def test_models_match_the_migrated_schema(scratch):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from koepel.platform.db import db

    app, dsn = scratch
    upgrade(app)
    engine = create_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            # Alembic compares tables, columns, types, nullability, unique constraints,
            # indexes and foreign keys here; CHECK constraints, identity and exact names
            # are compared by the next test.
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert diffs == [], "models and migrations disagree:\n" + "\n".join(repr(d) for d in diffs)


def test_constraints_and_indexes_match_the_models(scratch, servers):
    """What compare_metadata leaves out: CHECK constraints (the allowed kinds, roles and
    statuses), constraint names, identity columns and the exact index definitions.
    The models are created with create_all() in a second database and PostgreSQL's own
    rendering of both catalogs is compared."""
    from koepel.platform.db import db

    app, dsn = scratch
    upgrade(app)
    models_url = recreate_database(servers, MODELS_DATABASE)
    engine = create_engine(models_url, poolclass=NullPool)
    try:
        db.metadata.create_all(engine)
    finally:
        engine.dispose()
    migrated, modelled = catalog(dsn), catalog(models_url.replace("+psycopg", ""))
    assert modelled["constraints"], "create_all made no constraints"
    for kind in ("columns", "constraints", "indexes"):
        only_migrated = sorted(migrated[kind] - modelled[kind], key=str)
        only_modelled = sorted(modelled[kind] - migrated[kind], key=str)
        assert only_migrated == only_modelled == [], (
            f"{kind} differ\n  only in the migrated schema: {only_migrated}\n"
            f"  only in the models: {only_modelled}"
        )


def test_the_owner_role_owns_what_migrations_create(scratch):
    app, dsn = scratch
    upgrade(app)
    owners = public_relations(dsn)
    assert model_tables() <= set(owners)
    not_owned = {name: owner for name, owner in owners.items() if owner != OWNER_ROLE}
    assert not_owned == {}, f"not owned by {OWNER_ROLE}: {not_owned}"
    with psycopg.connect(dsn) as conn:
        functions = conn.execute(
            "SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        ).fetchall()
        # Owning nothing, the app role is bound by row-level security; the default
        # privileges of `db init` still let it read and write every table.
        no_access = [
            t for t in sorted(model_tables())
            if not conn.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT, INSERT')", (APP_ROLE, f"public.{t}")
            ).fetchone()[0]
        ]
    assert functions and all(owner == OWNER_ROLE for _, owner in functions), functions
    assert no_access == [], f"{APP_ROLE} cannot read/insert: {no_access}"
