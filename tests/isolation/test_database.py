"""Isolation at the database level, as the app role with raw SQL: no ORM, no guard."""

import psycopg
import pytest

from tests.conftest import tenant_tables


@pytest.fixture
def app_conn(app_role_dsn, baseline):
    with psycopg.connect(app_role_dsn) as conn:
        yield conn
        conn.rollback()


def set_tenant(conn, tenant_id):
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))


def test_baseline_has_rows_of_both_tenants_in_every_tenant_table(admin_dsn, baseline):
    """Without rows of A and B in a table, the tests below would prove nothing for it:
    a new tenant table needs baseline rows in tests/conftest.py."""
    # A table of one kind of tenant has its rows in the pair of that kind: the two
    # cooperatives, or (for a municipality's own table) the two municipalities.
    pairs = [{baseline.coop_a.id, baseline.coop_b.id}, {baseline.municipality.id, baseline.municipality_b.id},
             {baseline.employer_a.id, baseline.employer_b.id}]
    missing = []
    with psycopg.connect(admin_dsn) as conn:
        for table in tenant_tables(admin_dsn):
            present = {r[0] for r in conn.execute(f"SELECT DISTINCT tenant_id FROM {table}")}
            if not any(pair <= present for pair in pairs):
                missing.append(table)
    assert not missing, f"add baseline rows for tenants A and B to: {missing}"


@pytest.mark.parametrize("table", ["memberships", "audit_events", "job_runs"])
def test_known_tenant_tables_are_found(admin_dsn, table):
    assert table in tenant_tables(admin_dsn)


@pytest.mark.parametrize("tenant", ["coop_a", "municipality"])
def test_with_tenant_a_set_rows_of_b_are_invisible(app_conn, admin_dsn, baseline, tenant):
    """Every table shows exactly the rows of the tenant set: all of them, none of others."""
    tenant_id = getattr(baseline, tenant).id
    set_tenant(app_conn, tenant_id)
    with psycopg.connect(admin_dsn) as admin:
        for table in tenant_tables(admin_dsn):
            seen = {r[0] for r in app_conn.execute(f"SELECT DISTINCT tenant_id FROM {table}")}
            own = admin.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", (tenant_id,)).fetchone()[0]
            assert seen == ({tenant_id} if own else set()), table
    assert tenant != "coop_a" or all(
        app_conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("memberships", "audit_events", "job_runs")
    )


def test_without_a_tenant_every_tenant_table_is_empty(app_conn, admin_dsn):
    for table in tenant_tables(admin_dsn):
        assert app_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_setting_of_empty_string_means_no_tenant(app_conn, admin_dsn):
    app_conn.execute("SELECT set_config('app.tenant_id', '', true)")
    for table in tenant_tables(admin_dsn):
        assert app_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_inserting_a_row_for_b_while_a_is_set_fails(app_conn, baseline):
    set_tenant(app_conn, baseline.coop_a.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        app_conn.execute(
            "INSERT INTO job_runs (tenant_id, rq_job_id, kind, status, created_at, result) "
            "VALUES (%s, 'x', 'k', 'queued', now(), '{}')",
            (baseline.coop_b.id,),
        )


def test_updating_rows_of_b_while_a_is_set_changes_nothing(app_conn, admin_dsn, baseline):
    set_tenant(app_conn, baseline.coop_a.id)
    cursor = app_conn.execute("UPDATE job_runs SET error = 'hacked' WHERE tenant_id = %s", (baseline.coop_b.id,))
    assert cursor.rowcount == 0
    app_conn.commit()
    with psycopg.connect(admin_dsn) as admin:
        assert admin.execute("SELECT error FROM job_runs WHERE id = %s AND tenant_id = %s",
                             (baseline.job_b, baseline.coop_b.id)).fetchone()[0] is None


def test_moving_a_row_of_a_to_b_fails(app_conn, baseline):
    set_tenant(app_conn, baseline.coop_a.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        app_conn.execute("UPDATE job_runs SET tenant_id = %s WHERE tenant_id = %s",
                         (baseline.coop_b.id, baseline.coop_a.id))


def test_deleting_rows_of_b_while_a_is_set_deletes_nothing(app_conn, baseline):
    set_tenant(app_conn, baseline.coop_a.id)
    assert app_conn.execute("DELETE FROM memberships WHERE tenant_id = %s", (baseline.coop_b.id,)).rowcount == 0


def test_the_app_role_cannot_change_or_remove_audit_rows(app_conn, baseline):
    set_tenant(app_conn, baseline.coop_a.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute("UPDATE audit_events SET action = 'forged'")
    app_conn.rollback()
    set_tenant(app_conn, baseline.coop_a.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute("DELETE FROM audit_events")


def test_even_the_owner_cannot_rewrite_the_audit_log(admin_dsn, baseline):
    from koepel.platform.config import OWNER_ROLE

    with psycopg.connect(admin_dsn) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        set_tenant(conn, baseline.coop_a.id)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM audit_events")
        conn.rollback()


def test_the_app_role_may_read_its_own_memberships_in_every_tenant_but_no_others(app_conn, baseline):
    app_conn.execute("SELECT set_config('app.user_id', %s, true)", (str(baseline.coach_ab.id),))
    rows = app_conn.execute("SELECT tenant_id, user_id FROM memberships").fetchall()
    assert {r[0] for r in rows} == {baseline.coop_a.id, baseline.coop_b.id}
    assert {r[1] for r in rows} == {baseline.coach_ab.id}
    # ... and only for reading: the self policy grants no writes.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute("INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (%s, %s, 'member', now())",
                         (baseline.coop_b.id, baseline.coach_ab.id))
