"""Two people record the same step for the same member at the same moment: the member's
row lock in `do_transition` lets exactly one through; the other is refused, checked
against the step that was just made.

Threads need their own connections and real commits, so this test does not use the
`app` fixture (whose engines are one rolled-back connection). It works in a cooperative
of its own, made and committed here and removed completely afterwards (as the database
superuser: the audit log is append-only even for its owner).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.members import JourneyError, JourneyTransition, Member, member_transitioned
from koepel.tenants.members.operations import do_register_member, do_transition

HOLD_SECONDS = 0.5  # how long the first step keeps its lock before it commits


def _purge_tenant(admin_dsn: str, tenant_id: int) -> None:
    """Every row of the scratch tenant, in every table that names a tenant, then the tenant."""
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


@pytest.fixture
def scratch_member(_session_app, baseline, admin_dsn):
    """A committed member at intake in a committed cooperative of its own: (tenant id, member id)."""
    with _session_app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug=f"race-{uuid.uuid4().hex[:12]}", name="Race Coöperatie",
                                  status="active")
        tenant_id = tenant.id
        try:
            with tenant_context(tenant_id):
                member = do_register_member(name="Race Member", stage="intake", on_date=amsterdam_today() - timedelta(days=7),
                                            actor_id=None)
                member_id = member.id
            db.session.commit()
        finally:
            db.session.remove()
    try:
        yield tenant_id, member_id
    finally:
        _purge_tenant(admin_dsn, tenant_id)
        with psycopg.connect(admin_dsn) as conn:
            assert conn.execute("SELECT count(*) FROM members WHERE tenant_id = %s", (tenant_id,)).fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM tenants WHERE id = %s", (tenant_id,)).fetchone()[0] == 0


def test_two_identical_steps_at_once_make_one_step(_session_app, scratch_member):
    tenant_id, member_id = scratch_member
    barrier = threading.Barrier(2, timeout=20)
    results: dict[str, str] = {}
    timings: dict[str, float] = {}

    def hold_the_lock(sender, member, transition, actor_id):
        if member.id == member_id:
            time.sleep(HOLD_SECONDS)  # the first step is made but not committed yet

    def attempt(name: str) -> None:
        with _session_app.app_context():
            try:
                with tenant_context(tenant_id):
                    member = db.session.scalar(select(Member).where(Member.id == member_id))
                    assert member.stage == "intake"  # both read the member before either steps
                    barrier.wait()
                    started = time.monotonic()
                    try:
                        do_transition(member, "business_plan", reason=f"Step by {name}", actor_id=None)
                        db.session.commit()
                        results[name] = "made"
                    except JourneyError as error:
                        db.session.rollback()
                        results[name] = f"refused at {error.field}"
                    timings[name] = time.monotonic() - started
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                results[name] = repr(error)
            finally:
                db.session.remove()

    member_transitioned.connect(hold_the_lock, weak=False)
    try:
        threads = [threading.Thread(target=attempt, args=(name,)) for name in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        member_transitioned.disconnect(hold_the_lock)

    assert sorted(results.values()) == ["made", "refused at to_stage"], results
    refused = next(name for name, result in results.items() if result != "made")
    assert timings[refused] >= HOLD_SECONDS * 0.8, timings  # it waited for the lock, then saw the new stage
    with _session_app.app_context():
        try:
            with tenant_context(tenant_id):
                stage = db.session.scalar(select(Member.stage).where(Member.id == member_id))
                steps = db.session.scalars(select(JourneyTransition.to_stage).where(
                    JourneyTransition.member_id == member_id).order_by(JourneyTransition.id)).all()
        finally:
            db.session.remove()
    assert stage == "business_plan"
    assert steps == ["intake", "business_plan"]
