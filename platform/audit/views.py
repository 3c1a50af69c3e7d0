from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from koepel.platform.auth import requires
from koepel.platform.db import db
from koepel.platform.jobs import do_enqueue
from koepel.platform.tenancy.request import TENANT_PREFIX

from .queries import recent_events

bp = Blueprint("audit", __name__, url_prefix=f"{TENANT_PREFIX}/audit", template_folder="templates")


@bp.get("/")
@requires("audit.view")
def index():
    return render_template("audit/index.html", events=recent_events())


@bp.post("/export")
@requires("audit.export")
def export():
    run = do_enqueue("audit.export_csv")
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=run.id))
