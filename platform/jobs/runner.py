"""What the rq worker runs: restore the app and the tenant, run the job, record the end."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context
from rq import get_current_job

from koepel.platform.db import db, utcnow
from koepel.platform.tenancy import tenant_context

from .models import JobRun
from .registry import JOB_KINDS

log = logging.getLogger(__name__)
_worker_app: Flask | None = None


@dataclass
class JobContext:
    tenant_id: int
    job_run_id: int
    instance_path: Path
    _last_saved: float = field(default=0.0)
    _last_total: int = field(default=0)

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress to `job.meta`; the job page polls it. Saved at most 5x/s."""
        self._last_total = total
        now = time.monotonic()
        if done < total and now - self._last_saved < 0.2:
            return
        self._last_saved = now
        job = get_current_job()
        if job is None:
            return
        percent = 100 if total <= 0 else min(100, int(done * 100 / total))
        job.meta["progress"] = {"done": done, "total": total, "percent": percent, "message": message}
        job.save_meta()

    def finish(self) -> None:
        """Show the job as complete, keeping the counts it last reported."""
        total = self._last_total or 1
        self._last_saved = 0.0
        self.progress(total, total)

    def output_dir(self) -> Path:
        """A folder for files this job produces, private to its tenant."""
        path = self.instance_path / "exports" / str(self.tenant_id)
        path.mkdir(parents=True, exist_ok=True)
        return path


def worker_app() -> Flask:
    """The app a job runs in: the current one, else one made once per worker process."""
    return _app()


def _app() -> Flask:
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from koepel.platform.app import create_app

        _worker_app = create_app()
    return _worker_app


def run(tenant_id: int, job_run_id: int, kind: str, args: list) -> dict:
    app = _app()
    with app.app_context(), tenant_context(tenant_id):
        job_run = db.session.get(JobRun, (tenant_id, job_run_id))
        if job_run is None:
            raise LookupError(f"job run {job_run_id} not found in tenant {tenant_id}")
        job_run.status, job_run.started_at = "running", utcnow()
        db.session.commit()
        ctx = JobContext(tenant_id, job_run_id, Path(app.config["INSTANCE_PATH"]))
        try:
            result = JOB_KINDS[kind].func(ctx, *args) or {}
            job_run.status, job_run.result, job_run.finished_at = "finished", result, utcnow()
            db.session.commit()
            ctx.finish()
            return result
        except Exception as exc:
            db.session.rollback()
            log.exception("job failed", extra={"kind": kind, "job_run_id": job_run_id})
            job_run = db.session.get(JobRun, (tenant_id, job_run_id))
            job_run.status, job_run.finished_at = "failed", utcnow()
            job_run.error = f"{type(exc).__name__}: {exc}"[:2000]
            db.session.commit()
            raise
