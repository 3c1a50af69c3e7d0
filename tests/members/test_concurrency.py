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
from sqlalchemy import select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.members import JourneyError, JourneyTransition, Member, member_transitioned
from koepel.tenants.members.operations import do_register_member, do_transition
from tests.conftest import purge_tenant

HOLD_SECONDS = 0.5  # how long the first step keeps its lock before it commits


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
        purge_tenant(admin_dsn, tenant_id)
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
