from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from koepel.platform.auth import requires
from koepel.platform.db import db
from koepel.platform.jobs import do_enqueue
from koepel.platform.tenancy.request import TENANT_PREFIX

from .forms import AuditFilterForm
from .queries import AuditFilter, known_actions, page_of_events, people_in_log

bp = Blueprint("audit", __name__, url_prefix=f"{TENANT_PREFIX}/audit", template_folder="templates")


def _form(formdata) -> AuditFilterForm:
    return AuditFilterForm(formdata, people=people_in_log(), actions=known_actions())


@bp.get("/")
@requires("audit.view")
def index():
    form = _form(request.args)
    if request.args and not form.validate():
        # Unknown or malformed filters: the form again with a message per field.
        return render_template("audit/index.html", form=form, page=None, query={}), 400
    filters = form.filters() if request.args else AuditFilter()
    page = page_of_events(filters, form.page.data or 1)
    return render_template("audit/index.html", form=form, page=page, query=_query(filters))


@bp.post("/export")
@requires("audit.export")
def export():
    form = _form(request.form)
    if not form.validate():
        return render_template("audit/index.html", form=form, page=None, query={}), 400
    run = do_enqueue("audit.export_csv", form.filters().to_args())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=run.id))


def _query(filters: AuditFilter) -> dict:
    args = filters.to_args()
    if "person_id" in args:
        args["person"] = args.pop("person_id")
    return args
