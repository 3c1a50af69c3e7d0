"""The import job: runs in the tenant that uploaded the file, reports its progress."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from koepel.platform.jobs import JobContext, tenant_job

from .operations import IMPORT_JOB, do_run_import


@tenant_job(IMPORT_JOB, title=_l("Import of members"), timeout=1800)
def import_members(ctx: JobContext, import_id: int) -> dict:
    """The file's members, all or none. The result holds counts only: the job pages are
    open to everyone in the tenant, the report (names, addresses) only to the importers."""
    imported = do_run_import(import_id, progress=ctx.progress)
    return {"import_id": imported.id, "status": imported.status, "created": imported.created_count,
            "present": imported.present_count, "bad_lines": imported.error_count}
