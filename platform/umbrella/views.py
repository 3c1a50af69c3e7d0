from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from koepel.platform.auth import requires
from koepel.platform.tenancy.request import TENANT_PREFIX

from .queries import all_tenants, failed_jobs

bp = Blueprint("umbrella", __name__, url_prefix=f"{TENANT_PREFIX}/admin", template_folder="templates")


@bp.before_request
def umbrella_only():
    # Umbrella staff roles exist only in the umbrella's tenant; other kinds have no admin.
    if g.get("tenant") is None or g.tenant.kind != "umbrella":
        abort(404)


@bp.get("/tenants")
@requires("umbrella.tenants")
def tenants():
    return render_template("umbrella/tenants.html", tenants=all_tenants())


@bp.get("/jobs/failed")
@requires("umbrella.jobs")
def jobs_failed():
    return render_template("umbrella/jobs_failed.html", jobs=failed_jobs())
