"""Meta-tests over the catalog: no tenant table can forget its row security."""

import psycopg

from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE
from koepel.platform.db.rls import POLICY_NAME
from tests.conftest import tenant_tables


def test_every_tenant_table_has_row_security_enabled_forced_and_a_tenant_policy(admin_dsn, baseline):
    problems = []
    with psycopg.connect(admin_dsn) as conn:
        for table in tenant_tables(admin_dsn):
            enabled, forced = conn.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass", (table,)
            ).fetchone()
            policy = conn.execute(
                "SELECT qual, with_check, cmd, permissive FROM pg_policies "
                "WHERE schemaname = 'public' AND tablename = %s AND policyname = %s",
                (table, POLICY_NAME),
            ).fetchone()
            if not enabled:
                problems.append(f"{table}: row level security not enabled")
            if not forced:
                problems.append(f"{table}: row level security not forced")
            if policy is None:
                problems.append(f"{table}: no {POLICY_NAME} policy")
                continue
            qual, check, cmd, permissive = policy
            for expression, name in ((qual, "USING"), (check, "WITH CHECK")):
                normalized = (expression or "").replace(" ", "")
                if "tenant_id=(NULLIF(current_setting('app.tenant_id'::text,true),''::text))::bigint" not in normalized:
                    problems.append(f"{table}: {name} is not the tenant predicate: {expression}")
            if cmd != "ALL" or permissive != "PERMISSIVE":
                problems.append(f"{table}: policy must cover ALL commands ({cmd}, {permissive})")
    assert not problems, "\n".join(problems)


def test_every_other_policy_is_read_only(admin_dsn):
    """Extra policies (such as own_memberships) may widen reading, never writing."""
    with psycopg.connect(admin_dsn) as conn:
        rows = conn.execute(
            "SELECT tablename, policyname, cmd FROM pg_policies WHERE schemaname = 'public' AND policyname <> %s",
            (POLICY_NAME,),
        ).fetchall()
    assert all(cmd == "SELECT" for _, _, cmd in rows), rows


def test_every_tenant_table_has_a_primary_key_starting_with_tenant_id(admin_dsn):
    problems = []
    with psycopg.connect(admin_dsn) as conn:
        for table in tenant_tables(admin_dsn):
            first = conn.execute(
                "SELECT a.attname FROM pg_index i "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (table,),
            ).fetchone()
            if first is None or first[0] != "tenant_id":
                problems.append(f"{table}: primary key does not start with tenant_id ({first})")
            uniques = conn.execute(
                "SELECT c.conname, array_agg(a.attname) FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'u' GROUP BY c.conname",
                (table,),
            ).fetchall()
            problems += [f"{table}: unique {name} lacks tenant_id" for name, cols in uniques if "tenant_id" not in cols]
            tenant_fks = conn.execute(
                "SELECT c.conname, array_agg(a.attname), c.confrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'f' GROUP BY c.conname, c.confrelid",
                (table,),
            ).fetchall()
            tenant_set = set(tenant_tables(admin_dsn))
            problems += [
                f"{table}: foreign key {name} to tenant table {target} lacks tenant_id"
                for name, cols, target in tenant_fks
                if target in tenant_set and "tenant_id" not in cols
            ]
    assert not problems, "\n".join(problems)


def test_the_app_role_is_not_superuser_has_no_bypassrls_and_owns_nothing(admin_dsn):
    with psycopg.connect(admin_dsn) as conn:
        superuser, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", (APP_ROLE,)
        ).fetchone()
        owned = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s",
            (APP_ROLE,),
        ).fetchall()
        member_of = conn.execute(
            "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.member "
            "JOIN pg_roles b ON b.oid = m.roleid WHERE a.rolname = %s",
            (APP_ROLE,),
        ).fetchall()
    assert superuser is False
    assert bypass is False
    assert owned == []
    assert member_of == [], "the app role must not inherit another role's rights"


def test_only_the_umbrella_role_bypasses_row_security_and_it_is_not_superuser(admin_dsn):
    with psycopg.connect(admin_dsn) as conn:
        superuser, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", (UMBRELLA_ROLE,)
        ).fetchone()
    assert bypass is True and superuser is False
