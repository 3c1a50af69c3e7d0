"""The outcome pages: a municipality's own outcomes, its peer comparison and council report,
and the umbrella's federation-wide view. Pages read only the aggregates; everything of
another municipality reaches them through disclosure control (`report`)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.db import db
from koepel.platform.http.panels import register_home_panel
from koepel.platform.jobs import do_enqueue
from koepel.platform.money import Money
from koepel.platform.tenancy.request import tenant_blueprint

from . import queries
from .jobs import do_request_aggregation
from .report import (
    COUNT,
    MONEY,
    PERCENT,
    PERIOD_KINDS,
    PERIOD_LABELS,
    REPORT_FORMATS,
    REPORT_JOB,
    Period,
    PeriodError,
    comparison,
    federation,
    own_outcomes,
    parse_period,
)

bp = tenant_blueprint("outcomes", __name__, kinds=("municipality",), url_prefix="/outcomes",
                      template_folder="templates")
bp_umbrella = tenant_blueprint("outcomes_umbrella", __name__, kinds=("umbrella",), url_prefix="/federation/outcomes",
                               template_folder="templates")


def _helpers() -> dict:
    return {"period_kinds": PERIOD_KINDS, "period_labels": PERIOD_LABELS, "COUNT": COUNT, "PERCENT": PERCENT,
            "MONEY": MONEY}


bp.context_processor(_helpers)
bp_umbrella.context_processor(_helpers)


def _period() -> tuple[Period | None, str | None]:
    try:
        return parse_period(request.args), None
    except PeriodError as error:
        return None, str(error)


def _bad_period(template: str, error: str):
    """The page with its period chooser and the reason, nothing else: a 400."""
    return render_template(template, period=None, period_error=error, args=request.args), 400


@bp.get("/")
@requires("outcomes.view")
def index():
    period, error = _period()
    if period is None:
        return _bad_period("outcomes/index.html", error)
    return render_template("outcomes/index.html", period=period, period_error=None, args=request.args,
                           o=own_outcomes(g.tenant.id, period))


@bp.get("/peers")
@requires("outcomes.peers")
def peers():
    period, error = _period()
    if period is None:
        return _bad_period("outcomes/peers.html", error)
    return render_template("outcomes/peers.html", period=period, period_error=None, args=request.args,
                           c=comparison(g.tenant.id, period))


@bp.post("/refresh")
@requires("outcomes.refresh")
def refresh():
    run = do_request_aggregation(current_user.id)
    db.session.commit()
    flash(_("The figures are being computed again. This page shows the progress."), "info")
    return redirect(url_for("jobs.show", job_id=run.id))


@bp.post("/report")
@requires("outcomes.report")
def report():
    fmt = request.form.get("format", "")
    try:
        period = parse_period(request.form)
    except PeriodError as error:
        return _bad_period("outcomes/index.html", str(error))
    if fmt not in REPORT_FORMATS:
        return _bad_period("outcomes/index.html", _("Choose PDF or Excel for the report."))
    # The months themselves, not "this year": a job that runs later reports the same period.
    months = {"period": "custom", "first": period.first.strftime("%Y-%m"), "last": period.last.strftime("%Y-%m")}
    run = do_enqueue(REPORT_JOB, months, fmt, str(get_locale() or "nl"))
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=run.id))


@bp_umbrella.get("/")
@requires("umbrella.outcomes")
def federation_index():
    period, error = _period()
    if period is None:
        return _bad_period("outcomes/federation.html", error)
    return render_template("outcomes/federation.html", period=period, period_error=None, args=request.args,
                           f=federation(g.tenant.id, period))


@bp_umbrella.post("/refresh")
@requires("umbrella.outcomes")
def federation_refresh():
    run = do_request_aggregation(current_user.id)
    db.session.commit()
    flash(_("The figures are being computed again. This page shows the progress."), "info")
    return redirect(url_for("jobs.show", job_id=run.id))


# -- the panel on the municipality's home ---------------------------------------------------

GLANCE = ("members", "outflow_work", "outflow_business", "saving_cents")


def _glance() -> dict | None:
    """Four numbers of this year, the municipality's own (in full)."""
    period = parse_period({"period": "this_year"})
    figures = queries.figures([g.tenant.id], period.first, period.last)
    zero = queries.Figure(0, 0, 0)
    get = lambda code: figures.get(code) or zero  # noqa: E731
    return {
        "period": period,
        "members": get("members").people,
        "outflow": get("outflow_work").people + get("outflow_business").people,
        "saving_text": Money(get("saving_cents").total).format(),
        "computed_at": queries.last_computed(),
        "can_peers": can("outcomes.peers"),
    }


register_home_panel("municipality", "outcomes/_home_panel.html", _glance, permission="outcomes.view")
