"""The ORM guard: queries limited to the current tenant, new rows stamped, errors early."""

import pytest
from sqlalchemy import func, select, text

from koepel.platform.db import db
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import Membership, NoTenantContext, TenantMismatch, tenant_context


def test_query_without_tenant_raises(db_session):
    with pytest.raises(NoTenantContext):
        db_session.scalars(select(Membership)).all()


def test_queries_see_only_the_current_tenant(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        tenant_ids = set(db_session.scalars(select(Membership.tenant_id)))
        jobs = db_session.scalars(select(JobRun.id)).all()
    assert tenant_ids == {baseline.coop_a.id}
    assert jobs == [baseline.job_a]


def test_get_by_primary_key_of_another_tenant_finds_nothing(db_session, baseline):
    with tenant_context(baseline.coop_b.id):
        assert db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a)) is None
        assert db_session.get(JobRun, (baseline.coop_b.id, baseline.job_b)) is not None


def test_bulk_update_and_delete_are_limited_to_the_tenant(db_session, baseline):
    from sqlalchemy import update

    with tenant_context(baseline.coop_a.id):
        result = db_session.execute(update(JobRun).values(error="touched"))
        assert result.rowcount == 1
    with tenant_context(baseline.coop_b.id):
        assert db_session.scalar(select(JobRun.error).where(JobRun.id == baseline.job_b)) is None


def test_new_rows_are_stamped_with_the_current_tenant(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        run = JobRun(kind="k", rq_job_id="stamp-test")
        db_session.add(run)
        db_session.flush()
        assert run.tenant_id == baseline.coop_a.id


def test_new_row_without_tenant_raises(db_session):
    db_session.add(JobRun(kind="k", rq_job_id="no-tenant"))
    with pytest.raises(NoTenantContext):
        db_session.flush()
    db_session.rollback()


def test_writing_a_row_for_another_tenant_raises(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        db_session.add(JobRun(tenant_id=baseline.coop_b.id, kind="k", rq_job_id="foreign"))
        with pytest.raises(TenantMismatch):
            db_session.flush()
        db_session.rollback()


def test_changing_a_loaded_row_after_switching_tenant_raises(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        run = db_session.get(JobRun, (baseline.coop_a.id, baseline.job_a))
    with tenant_context(baseline.coop_b.id):
        run.error = "cross-tenant write"
        with pytest.raises(TenantMismatch):
            db_session.flush()
        db_session.rollback()


def test_tenant_setting_is_transaction_local_and_does_not_leak_through_the_pool(app, baseline):
    """Real pooled engine (not the test's connection): a committed transaction's tenant
    setting must not be visible to the next transaction on the same connection."""
    from sqlalchemy import create_engine

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=1, max_overflow=0)
    try:
        from sqlalchemy.orm import Session

        from koepel.platform.db import AppSession

        with app.app_context():
            with tenant_context(baseline.coop_a.id):
                with AppSession(db, bind=engine) as session:
                    assert session.scalar(text("SELECT current_setting('app.tenant_id', true)")) == str(baseline.coop_a.id)
                    session.commit()
            with Session(bind=engine) as plain:  # same pooled connection, no guard
                assert plain.scalar(text("SELECT current_setting('app.tenant_id', true)")) in ("", None)
                assert plain.scalar(select(func.count()).select_from(Membership.__table__)) == 0
    finally:
        engine.dispose()


def test_own_memberships_policy_shows_only_own_rows_across_tenants(db_session, baseline):
    from koepel.platform.tenancy import OWN_MEMBERSHIPS

    with tenant_context(None, baseline.coach_ab.id):
        rows = db_session.execute(
            select(Membership.tenant_id, Membership.user_id).execution_options(**{OWN_MEMBERSHIPS: True})
        ).all()
    assert {r.tenant_id for r in rows} == {baseline.coop_a.id, baseline.coop_b.id}
    assert {r.user_id for r in rows} == {baseline.coach_ab.id}


def test_guard_filters_even_where_row_security_does_not_apply(app, baseline):
    """On the umbrella role's connection RLS is bypassed; the guard alone must still
    limit a guarded session's query to the current tenant."""
    from sqlalchemy.orm import Session

    from koepel.platform.tenancy import guard

    class GuardedSession(Session):
        pass

    guard.install(GuardedSession)
    with app.app_context():
        session = GuardedSession(bind=db.engines["umbrella"])
        try:
            everything = set(session.execute(text("SELECT DISTINCT tenant_id FROM memberships")).scalars())
            assert {baseline.coop_a.id, baseline.coop_b.id} <= everything
            with tenant_context(baseline.coop_a.id):
                tenants = set(session.scalars(select(Membership.tenant_id)))
            assert tenants == {baseline.coop_a.id}
        finally:
            session.close()
