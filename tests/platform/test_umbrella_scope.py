"""Cross-tenant work by the umbrella: its own role, a reason, and always on record."""

import pytest
from sqlalchemy import func, select

from koepel.platform.audit import AuditEvent
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import Membership, tenant_context, umbrella_scope


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(db_session, reason):
    with pytest.raises(ValueError):
        with umbrella_scope(reason):
            pass


def test_the_scope_sees_every_tenant_and_leaves_a_record_in_both_logs(db_session, baseline):
    with tenant_context(None, baseline.umbrella_admin.id):
        with umbrella_scope("support ticket 42", tenant_id=baseline.coop_a.id) as session:
            tenants = set(session.scalars(select(Membership.tenant_id)))
            records = session.execute(
                select(AuditEvent.tenant_id, AuditEvent.actor_user_id, AuditEvent.details)
                .where(AuditEvent.action == "umbrella.scope_opened",
                       AuditEvent.details["reason"].astext == "support ticket 42")
            ).all()
    assert {baseline.coop_a.id, baseline.coop_b.id, baseline.municipality.id} <= tenants
    assert {r.tenant_id for r in records} == {baseline.umbrella.id, baseline.coop_a.id}
    assert all(r.actor_user_id == baseline.umbrella_admin.id for r in records)
    assert all(r.details["reason"] == "support ticket 42" for r in records)


def test_the_record_stays_when_the_work_fails_but_the_work_does_not(db_session, baseline):
    with pytest.raises(RuntimeError):
        with umbrella_scope("failing work", tenant_id=baseline.coop_b.id) as session:
            session.add(JobRun(tenant_id=baseline.coop_b.id, kind="k", rq_job_id="umbrella-fail", status="queued", result={}))
            session.flush()
            raise RuntimeError("stop")
    with umbrella_scope("checking") as session:
        opened = session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "umbrella.scope_opened", AuditEvent.details["reason"].astext == "failing work")
        )
        leftover = session.scalar(select(func.count()).select_from(JobRun).where(JobRun.rq_job_id == "umbrella-fail"))
    assert opened == 2
    assert leftover == 0


def test_the_scope_uses_the_umbrella_role(db_session):
    from sqlalchemy import text

    with umbrella_scope("which role") as session:
        assert session.scalar(text("SELECT current_user")) == "koepel_umbrella"
