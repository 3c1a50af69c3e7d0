from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user

from koepel.platform.audit.queries import recent_events
from koepel.platform.auth import can, requires
from koepel.platform.http.panels import home_panels
from koepel.platform.tenancy.request import TENANT_PREFIX

from .queries import cooperative_dashboard, municipality_dashboard, my_recent_jobs, team

bp = Blueprint("workspace", __name__, url_prefix=TENANT_PREFIX, template_folder="templates")


# Roles whose home is the member portal: the workspace has nothing else for them.
PORTAL_ONLY = frozenset({"member", "candidate"})


@bp.get("/")
@requires("workspace.view")
def home():
    if g.tenant.kind == "cooperative" and current_user.tenant_roles <= PORTAL_ONLY:
        return redirect(url_for("portal.home"))
    dashboard = cooperative_dashboard() if g.tenant.kind == "cooperative" and can("members.view") else None
    return render_template(
        f"workspace/home_{g.tenant.kind}.html",
        team=team(),
        jobs=my_recent_jobs(current_user.id),
        activity=recent_events(limit=10) if can("audit.view") else None,
        dashboard=dashboard,
        municipality=municipality_dashboard() if g.tenant.kind == "municipality" else None,
        panels=home_panels(g.tenant.kind),
    )
