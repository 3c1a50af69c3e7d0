"""The parameters in the umbrella's administration: the list, a parameter's history, and
a new value from a date (umbrella administrators only).

`<name>` in the URLs is a parameter's code (e.g. vrijlating.general.max_monthly), not a
tenant's object: the same in every tenant, and only the umbrella has these pages.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy.request import tenant_blueprint

from .catalog import GROUP_LABELS, known
from .operations import ParameterError, do_set_parameter
from .queries import format_value, history, overview
from .schemas import VALUE_HINTS, ParameterForm

bp = tenant_blueprint("parameters", __name__, kinds=("umbrella",), url_prefix="/admin/parameters",
                      template_folder="templates")


@bp.get("/")
@requires("umbrella.parameters")
def index():
    today = amsterdam_today()
    return render_template("parameters/index.html", groups=overview(today), today=today, format_value=format_value)


@bp.get("/<name>")
@requires("umbrella.parameters")
def show(name: str):
    entry = known(name) or abort(404)
    return _show_page(entry, ParameterForm(entry.unit, formdata=None))


@bp.post("/<name>")
@requires("umbrella.parameters.manage")
def new(name: str):
    entry = known(name) or abort(404)
    form = ParameterForm(entry.unit)
    if not form.validate_on_submit():
        return _show_page(entry, form, 400)
    try:
        do_set_parameter(name, form.valid_from.data, form.parsed_value, form.note.data, actor_id=current_user.id)
    except ParameterError as error:
        db.session.rollback()
        field = getattr(form, error.field, None) if error.field else None
        (field or form.value).errors = [*(field or form.value).errors, str(error)]
        return _show_page(entry, form, 400)
    db.session.commit()
    flash(_("%(parameter)s is %(value)s from %(date)s.", parameter=entry.label,
            value=format_value(form.parsed_value, entry.unit), date=format_date(form.valid_from.data, "dd-MM-yyyy")),
          "info")
    return redirect(url_for("parameters.show", name=name))


def _show_page(entry, form, status: int = 200):
    today = amsterdam_today()
    periods = list(reversed(history(entry.name)))  # newest first
    current = next((p for p in periods if p.covers(today)), None)
    return render_template(
        "parameters/show.html", entry=entry, group_label=GROUP_LABELS[entry.group], periods=periods,
        current=current, today=today, form=form, hint=VALUE_HINTS.get(entry.unit), format_value=format_value,
    ), status
