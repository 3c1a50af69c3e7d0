"""Background jobs: enqueued after commit, run in the asking tenant, progress, failures."""

import csv

import pytest
from rq import SimpleWorker
from rq.job import Job
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.jobs import JobRun, do_enqueue, queue, tenant_job
from koepel.platform.tenancy import tenant_context


@tenant_job("test.explode", title="Explode")
def explode(ctx):
    raise RuntimeError("the job broke on purpose")


@tenant_job("test.whose_data", title="Whose data")
def whose_data(ctx, expected_tenant_id):
    from koepel.platform.tenancy import Membership, current_tenant_id

    tenants = set(db.session.scalars(select(Membership.tenant_id)))
    return {"context": current_tenant_id(), "seen": sorted(tenants), "expected": expected_tenant_id}


def work(app) -> None:
    """Run what is queued with a real rq worker on the test's Redis, in this process
    (so it shares the test's rolled-back database transaction)."""
    with app.app_context():
        q = queue()
        SimpleWorker([q], connection=q.connection).work(burst=True)


def test_a_job_is_sent_only_when_its_unit_of_work_commits(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        do_enqueue("audit.export_csv")
        assert queue().count == 0
        db.session.commit()
        assert queue().count == 1


def test_a_job_of_a_rolled_back_unit_of_work_is_never_sent(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        do_enqueue("audit.export_csv")
        db.session.rollback()
        db.session.commit()
        assert queue().count == 0


def test_the_worker_restores_the_tenant_and_records_the_result(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_b.id):
        run_id = do_enqueue("test.whose_data", baseline.coop_b.id).id
        db.session.commit()
    work(app)
    with app.app_context(), tenant_context(baseline.coop_b.id):
        run = db.session.get(JobRun, (baseline.coop_b.id, run_id))
        assert run.status == "finished"
        assert run.result == {"context": baseline.coop_b.id, "seen": [baseline.coop_b.id], "expected": baseline.coop_b.id}
        assert run.started_at is not None and run.finished_at >= run.started_at


def test_audit_export_writes_the_tenants_rows_with_progress(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    response = client.post(f"/t/{baseline.coop_a.slug}/audit/export")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "<progress" in page and "In de wachtrij" in page
    work(app)
    status = client.get(job_url + "/status").json
    assert status["status"] == "finished" and status["progress"]["percent"] == 100 and status["has_download"]
    download = client.get(job_url + "/download")
    assert download.status_code == 200
    rows = list(csv.DictReader(download.get_data(as_text=True).splitlines()))
    assert rows and {r["action"] for r in rows} >= {"tenant.created", "membership.added"}
    # Only tenant A's events: B's coordinator was added in B alone.
    assert all("coordinator_b" not in r["actor"] for r in rows)
    with app.app_context():
        run_id = int(job_url.rstrip("/").split("/")[-1])
        with tenant_context(baseline.coop_a.id):
            run = db.session.get(JobRun, (baseline.coop_a.id, run_id))
            meta = Job.fetch(run.rq_job_id, connection=queue().connection).get_meta()
    assert meta["progress"]["done"] == meta["progress"]["total"] == len(rows) == run.result["rows"]


def test_a_failing_job_is_marked_failed_and_listed_for_umbrella_staff(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        run_id = do_enqueue("test.explode").id
        db.session.commit()
    work(app)
    owner = as_user(baseline.coordinator_a)
    status = owner.get(f"/t/{baseline.coop_a.slug}/jobs/{run_id}/status").json
    assert status["status"] == "failed"
    assert "RuntimeError: the job broke on purpose" in status["error"]
    page = as_user(baseline.umbrella_admin).get(f"/t/{baseline.umbrella.slug}/admin/jobs/failed").get_data(as_text=True)
    assert "Explode" in page and "Coöperatie A" in page and "the job broke on purpose" in page


def test_failed_jobs_are_for_umbrella_staff_only(as_user, baseline):
    assert as_user(baseline.coordinator_a).get(f"/t/{baseline.umbrella.slug}/admin/jobs/failed").status_code == 404


def test_a_finished_jobs_download_is_refused_for_a_file_outside_its_folder(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        run = JobRun(kind="audit.export_csv", rq_job_id="escape", status="finished",
                     result={"file": "../../../etc/passwd"})
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    assert as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/jobs/{run_id}/download").status_code == 404


def test_a_job_kind_cannot_be_declared_twice_with_another_function():
    with pytest.raises(ValueError):
        tenant_job("test.explode", title="Again")(lambda ctx: None)
