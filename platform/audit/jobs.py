from __future__ import annotations

import csv
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.exports import csv_safe
from koepel.platform.jobs import JobContext, tenant_job
from koepel.platform.tenancy import Tenant, umbrella_scope

from .models import AuditEvent
from .queries import AuditFilter, count_events, iter_events

CSV_COLUMNS = ("occurred_at", "actor", "action", "object_type", "object_id", "details", "ip_address", "request_id")
FEDERATION_COLUMNS = ("organisation", *CSV_COLUMNS)


def _row(event: AuditEvent, actor_email: str | None) -> list:
    return [
        event.occurred_at.isoformat(), actor_email or "", event.action,
        event.object_type or "", event.object_id or "",
        json.dumps(event.details, ensure_ascii=False, sort_keys=True),
        event.ip_address or "", event.request_id or "",
    ]


@tenant_job("audit.export_csv", title=_l("Audit log export (CSV)"))
def export_audit_csv(ctx: JobContext, filters: dict | None = None) -> dict:
    """The tenant's audit log (filtered as on the page it was asked from) as CSV."""
    wanted = AuditFilter.from_args(filters)
    total = count_events(wanted)
    name = f"audit-{ctx.job_run_id}.csv"
    path = ctx.output_dir() / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for done, (event, actor_email) in enumerate(iter_events(wanted), start=1):
            writer.writerow([csv_safe(cell) for cell in _row(event, actor_email)])
            ctx.progress(done, total)
    return {"file": name, "download_name": name, "rows": total}


@tenant_job("audit.export_federation_csv", title=_l("Federation audit log export (CSV)"))
def export_federation_csv(ctx: JobContext, filters: dict | None, reason: str) -> dict:
    """Umbrella staff's federation-wide export: read through `umbrella_scope(reason)`,
    written to the umbrella tenant's own exports."""
    wanted = AuditFilter.from_args(filters)
    name = f"audit-federation-{ctx.job_run_id}.csv"
    path = ctx.output_dir() / name
    with umbrella_scope(f"CSV export: {reason}", tenant_id=wanted.tenant_id) as session:
        tenants = dict(session.execute(select(Tenant.id, Tenant.name)).all())
        total = count_events(wanted, session=session)
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(FEDERATION_COLUMNS)
            rows = iter_events(wanted, session=session, columns=(AuditEvent, User.email))
            for done, (event, actor_email) in enumerate(rows, start=1):
                writer.writerow([csv_safe(cell) for cell in (tenants.get(event.tenant_id, event.tenant_id),
                                                             *_row(event, actor_email))])
                ctx.progress(done, total)
    return {"file": name, "download_name": name, "rows": total}
