from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user

from koepel.platform.audit.queries import recent_events
from koepel.platform.auth import can, requires
from koepel.platform.tenancy.request import TENANT_PREFIX

from .queries import my_recent_jobs, team

bp = Blueprint("workspace", __name__, url_prefix=TENANT_PREFIX, template_folder="templates")


@bp.get("/")
@requires("workspace.view")
def home():
    return render_template(
        f"workspace/home_{g.tenant.kind}.html",
        team=team(),
        jobs=my_recent_jobs(current_user.id),
        activity=recent_events(limit=10) if can("audit.view") else None,
    )
