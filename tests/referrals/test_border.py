"""Crossing the tenant border (koepel.platform.tenancy.border): rows land in the target
tenant, nothing of the source is readable inside, the scope always comes back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import ObjectDeletedError

from koepel.platform.audit import AuditEvent
from koepel.platform.db import db
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import NoTenantContext, current_tenant_id, tenant_context
from koepel.platform.tenancy.border import across_border


def setting() -> str:
    return db.session.scalar(text("SELECT current_setting('app.tenant_id', true)"))


def test_rows_written_inside_land_in_the_target_tenant(db_session, baseline):
    with tenant_context(baseline.municipality.id, baseline.client_manager.id):
        with across_border(baseline.coop_a.id, reason="test crossing"):
            assert current_tenant_id() == baseline.coop_a.id
            assert setting() == str(baseline.coop_a.id)
            db_session.add(JobRun(kind="k", rq_job_id="border-landed"))
        assert current_tenant_id() == baseline.municipality.id
        assert setting() == str(baseline.municipality.id)
        assert db_session.scalar(select(func.count()).select_from(JobRun).where(JobRun.rq_job_id == "border-landed")) == 0
    with tenant_context(baseline.coop_a.id):
        landed = db_session.scalar(select(JobRun).where(JobRun.rq_job_id == "border-landed"))
        assert landed is not None and landed.tenant_id == baseline.coop_a.id


def test_nothing_of_the_source_is_readable_inside(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        job_a = db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a))
        assert job_a.status == "finished"
        with across_border(baseline.coop_b.id, reason="test crossing"):
            assert db_session.scalars(select(JobRun.id)).all() == [baseline.job_b]
            # Below the ORM too: row-level security follows the crossing.
            raw = db_session.execute(text("SELECT count(*) FROM job_runs WHERE tenant_id = :a"),
                                     {"a": baseline.coop_a.id}).scalar()
            assert raw == 0
            # An object of the source loaded before the crossing cannot be read inside.
            with pytest.raises(ObjectDeletedError):
                _ = job_a.status
        # ... and is readable again once back.
        assert db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a)).status == "finished"


def test_the_sources_unflushed_changes_are_kept_across_the_crossing(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        job_a = db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a))
        job_a.error = "changed before crossing"
        with db_session.no_autoflush, across_border(baseline.coop_b.id, reason="test crossing"):
            pass
        assert db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a)).error == "changed before crossing"


def test_the_scope_is_restored_after_an_exception_and_unflushed_rows_are_dropped(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        with pytest.raises(RuntimeError, match="boom"):
            with across_border(baseline.coop_b.id, reason="test crossing"):
                db_session.add(JobRun(kind="k", rq_job_id="border-dropped"))
                raise RuntimeError("boom")
        assert current_tenant_id() == baseline.coop_a.id
        assert setting() == str(baseline.coop_a.id)
        db_session.flush()  # the dropped row is not stamped with A's tenant
        assert db_session.scalar(select(JobRun.id).where(JobRun.rq_job_id == "border-dropped")) is None
    with tenant_context(baseline.coop_b.id):
        assert db_session.scalar(select(JobRun.id).where(JobRun.rq_job_id == "border-dropped")) is None


def test_a_crossing_is_in_the_audit_log_of_both_tenants(db_session, baseline):
    with tenant_context(baseline.municipality.id, baseline.client_manager.id):
        with across_border(baseline.coop_a.id, reason="test crossing for the log"):
            pass
    for tenant_id in (baseline.municipality.id, baseline.coop_a.id):
        with tenant_context(tenant_id):
            event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "border.crossed")
                                      .order_by(AuditEvent.id.desc()).limit(1))
            assert event.details == {"reason": "test crossing for the log", "from_tenant_id": baseline.municipality.id,
                                     "to_tenant_id": baseline.coop_a.id}
            assert event.actor_user_id == baseline.client_manager.id


def test_a_crossing_needs_a_reason_a_source_and_another_tenant(db_session, baseline):
    with pytest.raises(NoTenantContext):
        with across_border(baseline.coop_a.id, reason="no source"):
            pass
    with tenant_context(baseline.coop_a.id):
        with pytest.raises(ValueError, match="reason"):
            with across_border(baseline.coop_b.id, reason="  "):
                pass
        with pytest.raises(ValueError, match="another tenant"):
            with across_border(baseline.coop_a.id, reason="to itself"):
                pass
        assert current_tenant_id() == baseline.coop_a.id
