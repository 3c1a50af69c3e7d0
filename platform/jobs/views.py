from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, render_template, send_file

from koepel.platform.auth import requires
from koepel.platform.db import db
from koepel.platform.tenancy.request import TENANT_PREFIX

from .models import JobRun
from .queue import job_progress
from .registry import JOB_KINDS

bp = Blueprint("jobs", __name__, url_prefix=f"{TENANT_PREFIX}/jobs", template_folder="templates")


def _job_run_or_404(job_id: int) -> JobRun:
    # The guard and RLS limit this to the request's tenant: another tenant's job is a 404.
    job_run = db.session.get(JobRun, (g.tenant.id, job_id))
    if job_run is None:
        abort(404)
    return job_run


def _status(job_run: JobRun) -> dict:
    return {
        "id": job_run.id,
        "kind": job_run.kind,
        "status": job_run.status,
        "progress": job_progress(job_run.rq_job_id, job_run.status == "finished"),
        "error": job_run.error if job_run.status == "failed" else None,
        "has_download": bool(job_run.result.get("file")) and job_run.status == "finished",
    }


@bp.get("/<int:job_id>")
@requires("jobs.view")
def show(job_id: int):
    job_run = _job_run_or_404(job_id)
    kind = JOB_KINDS.get(job_run.kind)
    return render_template(
        "jobs/show.html", job_run=job_run, title=kind.title if kind else job_run.kind,
        status=_status(job_run),
    )


@bp.get("/<int:job_id>/status")
@requires("jobs.view")
def status(job_id: int):
    return jsonify(_status(_job_run_or_404(job_id)))


@bp.get("/<int:job_id>/download")
@requires("jobs.view")
def download(job_id: int):
    job_run = _job_run_or_404(job_id)
    name = job_run.result.get("file")
    if job_run.status != "finished" or not name:
        abort(404)
    folder = (Path(current_app.config["INSTANCE_PATH"]) / "exports" / str(job_run.tenant_id)).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=job_run.result.get("download_name", name))
