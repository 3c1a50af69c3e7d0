from __future__ import annotations

import csv
import json

from flask_babel import lazy_gettext as _l

from koepel.platform.jobs import JobContext, tenant_job

from .queries import count_events, iter_events

CSV_COLUMNS = ("occurred_at", "actor", "action", "object_type", "object_id", "details", "ip_address", "request_id")


@tenant_job("audit.export_csv", title=_l("Audit log export (CSV)"))
def export_audit_csv(ctx: JobContext) -> dict:
    total = count_events()
    name = f"audit-{ctx.job_run_id}.csv"
    path = ctx.output_dir() / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for done, (event, actor_email) in enumerate(iter_events(), start=1):
            writer.writerow([
                event.occurred_at.isoformat(), actor_email or "", event.action,
                event.object_type or "", event.object_id or "",
                json.dumps(event.details, ensure_ascii=False, sort_keys=True),
                event.ip_address or "", event.request_id or "",
            ])
            ctx.progress(done, total)
    return {"file": name, "download_name": name, "rows": total}
