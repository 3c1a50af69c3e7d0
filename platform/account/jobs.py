"""The job that builds "download my data": a ZIP of JSON and CSV for one person.

Not a tenant job: a person's data spans tenants and belongs to them alone, so the run
is recorded in `data_exports` (with the person's id) and the file lives in
instance/exports/users/<id>/, outside every tenant's folder. The person's audit events
are read tenant by tenant, each in that tenant's context, like any tenant read.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile

from rq import get_current_job
from sqlalchemy import select

from koepel.platform.audit.models import AuditEvent
from koepel.platform.auth.models import User
from koepel.platform.db import db, utcnow
from koepel.platform.jobs.runner import worker_app
from koepel.platform.tenancy import tenant_context

from .models import DataExport
from .operations import exports_folder, own_memberships

log = logging.getLogger(__name__)


def _progress(done: int, total: int) -> None:
    job = get_current_job()
    if job is None:
        return
    percent = 100 if total <= 0 else min(100, int(done * 100 / total))
    job.meta["progress"] = {"done": done, "total": total, "percent": percent, "message": ""}
    job.save_meta()


def _csv(rows: list[dict], fields: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in row.items()})
    return buffer.getvalue()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def build_export(export_id: int) -> dict:
    app = worker_app()
    with app.app_context():
        export = db.session.get(DataExport, export_id)
        if export is None:
            raise LookupError(f"data export {export_id} not found")
        export.status = "running"
        db.session.commit()
        try:
            name = _build(export)
            export.status, export.file, export.finished_at = "finished", name, utcnow()
            db.session.commit()
            _progress(1, 1)
            return {"file": name}
        except Exception as exc:
            db.session.rollback()
            log.exception("data export failed", extra={"data_export_id": export_id})
            export = db.session.get(DataExport, export_id)
            export.status, export.finished_at = "failed", utcnow()
            export.error = f"{type(exc).__name__}: {exc}"[:2000]
            db.session.commit()
            raise


def _build(export: DataExport) -> str:
    user = db.session.get(User, export.user_id)
    person = {
        "id": user.id, "email": user.email, "name": user.name, "language": user.language,
        "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        "email_verified_at": _iso(user.email_verified_at), "password_changed_at": _iso(user.password_changed_at),
        "two_factor_enabled": user.has_two_factor,
    }
    memberships = [
        {"tenant": t.slug, "tenant_name": t.name, "tenant_kind": t.kind, "role": m.role, "since": _iso(m.created_at)}
        for t, m in own_memberships(user.id)
    ]
    tenants = {}
    for t, _m in own_memberships(user.id):
        tenants[t.id] = t
    events = []
    total = len(tenants) + 1
    for step, (tenant_id, tenant) in enumerate(sorted(tenants.items()), start=1):
        with tenant_context(tenant_id, user.id):
            rows = db.session.scalars(
                select(AuditEvent).where(AuditEvent.actor_user_id == user.id).order_by(AuditEvent.occurred_at)
            ).all()
            events.extend(
                {
                    "tenant": tenant.slug, "occurred_at": _iso(e.occurred_at), "action": e.action,
                    "object_type": e.object_type, "object_id": e.object_id, "details": e.details,
                    "ip_address": e.ip_address, "user_agent": e.user_agent,
                }
                for e in rows
            )
        _progress(step, total)

    folder = exports_folder(user.id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{export.rq_job_id}.zip"
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
        dump = {"ensure_ascii": False, "indent": 2}
        archive.writestr("me.json", json.dumps(person, **dump))
        archive.writestr("me.csv", _csv([person], list(person)))
        archive.writestr("memberships.json", json.dumps(memberships, **dump))
        archive.writestr("memberships.csv", _csv(memberships, ["tenant", "tenant_name", "tenant_kind", "role", "since"]))
        archive.writestr("audit_events.json", json.dumps(events, **dump))
        archive.writestr(
            "audit_events.csv",
            _csv(events, ["tenant", "occurred_at", "action", "object_type", "object_id", "details", "ip_address", "user_agent"]),
        )
        archive.writestr("README.txt", (
            "Koepel: your data / uw gegevens\n\n"
            "me.*           your account (without password or two-factor secrets)\n"
            "memberships.*  your roles in organisations\n"
            "audit_events.* what you did, as recorded in the audit logs of your organisations\n"
        ))
    return name
