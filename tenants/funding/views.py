"""The funding pages, the same in a cooperative and in a municipality (each side reads its
own copies): the periods, one period's budget against actual with its records, and the
verantwoording as XLSX and CSV. The municipality opens periods and enters the subsidy
granted; the cooperative records hours and housing costs and withdraws a record.

Thin handlers: another tenant's period or record is a 404; bad input shows the page
again (400) and changes nothing; a step that no longer fits answers 409.
"""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.http.charts import bar_chart
from koepel.platform.money import Money
from koepel.platform.tenancy.request import tenant_blueprint

from .budget import format_hours
from .files import csv_file, xlsx_file
from .forms import GrantedForm, HoursForm, HousingForm, PeriodForm, WithdrawForm, new_request_key
from .operations import (
    FundingError,
    closes_on,
    do_open_period,
    do_record_hours,
    do_record_housing,
    do_set_granted,
    do_withdraw_record,
    is_closed,
)
from .queries import accountability, agreements_for_periods, period_or_404, periods, record_or_404

bp = tenant_blueprint("funding", __name__, kinds=("cooperative", "municipality"), url_prefix="/funding",
                      template_folder="templates")
# The steps of one side only: in the other kind of tenant they do not exist (404).
bp_cooperative = tenant_blueprint("funding_cooperative", __name__, kinds=("cooperative",), url_prefix="/funding")
bp_municipality = tenant_blueprint("funding_municipality", __name__, kinds=("municipality",), url_prefix="/funding")


def _helpers() -> dict:
    return {"hours": format_hours, "money": lambda cents: Money(cents).format() if cents is not None else "",
            "is_closed": is_closed, "closes_on": closes_on}


for _blueprint in (bp, bp_cooperative, bp_municipality):
    _blueprint.context_processor(_helpers)


def _add_error(form, error: FundingError) -> None:
    """An operation's message at its field, else at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        flash(str(error), "error")
    else:
        field.errors = [*field.errors, str(error)]


@bp.get("/")
@requires("funding.view")
def index():
    today = amsterdam_today()
    return render_template("funding/index.html", periods=periods(), today=today,
                           can_open=g.tenant.kind == "municipality" and bool(agreements_for_periods()))


def _new_page(form, status=200):
    return render_template("funding/new.html", form=form), status


@bp_municipality.route("/periods/new", methods=["GET", "POST"])
@requires("funding.periods")
def new_period():
    form = PeriodForm()
    form.set_agreements(agreements_for_periods())
    if request.method == "GET":
        today = amsterdam_today()
        form.first_month.data = today.replace(month=1, day=1)
        form.last_month.data = today.replace(month=12, day=1)
        return _new_page(form)
    if not form.validate_on_submit():
        return _new_page(form, 400)
    try:
        period = do_open_period(agreement_id=form.chosen_agreement(), first_month=form.first_month.data,
                                last_month=form.last_month.data, granted=form.granted_amount(),
                                notes=form.notes.data, actor_id=current_user.id)
    except FundingError as error:
        db.session.rollback()
        form.set_agreements(agreements_for_periods())
        _add_error(form, error)
        return _new_page(form, 400)
    period_id = period.id
    db.session.commit()
    flash(_("The subsidy period is open; the cooperative sees it too and can record against it."), "info")
    return redirect(url_for("funding.show", funding_period_id=period_id))


def _charts(acc):
    total = acc.total
    return [
        bar_chart([(_("Budgeted"), float(total.hours_budget)), (_("Recorded"), float(total.hours_recorded))],
                  title=_("Coordination hours: budgeted and recorded")),
        bar_chart([(_("Budgeted"), total.housing_budget_cents / 100), (_("Paid"), total.housing_paid_cents / 100)],
                  title=_("Housing: budgeted and paid (€)")),
    ]


def _show_page(period, status=200, *, hours_form=None, housing_form=None, granted_form=None, withdraw_form=None,
               withdrawing=None):
    acc = accountability(period)
    today = amsterdam_today()
    return render_template(
        "funding/show.html", period=period, acc=acc, total=acc.total, charts=_charts(acc), today=today,
        closed=is_closed(period, today), uncovered=", ".join(m.strftime("%m-%Y") for m in acc.uncovered_months),
        hours_form=hours_form or HoursForm(formdata=None, request_key=new_request_key(), on_date=today,
                                           done_by=current_user.name),
        housing_form=housing_form or HousingForm(formdata=None, request_key=new_request_key(),
                                                 month=today.replace(day=1)),
        granted_form=granted_form or GrantedForm(formdata=None, granted=Money(period.granted_cents).format()
                                                 .replace("€ ", "") if period.granted_cents is not None else ""),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None), withdrawing=withdrawing,
    ), status


@bp.get("/periods/<int:funding_period_id>")
@requires("funding.view")
def show(funding_period_id: int):
    return _show_page(period_or_404(funding_period_id))


@bp_municipality.post("/periods/<int:funding_period_id>/granted")
@requires("funding.periods")
def granted(funding_period_id: int):
    period = period_or_404(funding_period_id)
    form = GrantedForm()
    if not form.validate_on_submit():
        return _show_page(period, 400, granted_form=form)
    try:
        do_set_granted(period, granted=form.granted_amount(), actor_id=current_user.id)
    except FundingError as error:
        db.session.rollback()
        _add_error(form, error)
        return _show_page(period_or_404(funding_period_id), 400 if error.field else 409, granted_form=form)
    db.session.commit()
    flash(_("The subsidy granted has been saved; the cooperative sees it too."), "info")
    return redirect(url_for("funding.show", funding_period_id=funding_period_id))


def _recorded(funding_period_id: int, form, record):
    try:
        record()
    except FundingError as error:
        db.session.rollback()
        _add_error(form, error)
        period = period_or_404(funding_period_id)
        key = "hours_form" if isinstance(form, HoursForm) else "housing_form"
        return _show_page(period, 400 if error.field else 409, **{key: form})
    db.session.commit()
    flash(_("Recorded; the municipality sees it too."), "info")
    return redirect(url_for("funding.show", funding_period_id=funding_period_id))


@bp_cooperative.post("/periods/<int:funding_period_id>/hours")
@requires("funding.record")
def record_hours(funding_period_id: int):
    period = period_or_404(funding_period_id)
    form = HoursForm()
    if not form.validate_on_submit():
        return _show_page(period, 400, hours_form=form)
    return _recorded(funding_period_id, form, lambda: do_record_hours(
        period, on_date=form.on_date.data, hours=form.parsed_hours(), description=form.description.data,
        done_by=form.done_by.data, request_key=form.request_key.data, actor_id=current_user.id))


@bp_cooperative.post("/periods/<int:funding_period_id>/housing")
@requires("funding.record")
def record_housing(funding_period_id: int):
    period = period_or_404(funding_period_id)
    form = HousingForm()
    if not form.validate_on_submit():
        return _show_page(period, 400, housing_form=form)
    return _recorded(funding_period_id, form, lambda: do_record_housing(
        period, month=form.month.data, amount=form.parsed_amount(), description=form.description.data,
        request_key=form.request_key.data, actor_id=current_user.id))


@bp_cooperative.post("/periods/<int:funding_period_id>/records/<int:funding_record_id>/withdraw")
@requires("funding.record")
def withdraw(funding_period_id: int, funding_record_id: int):
    period = period_or_404(funding_period_id)
    found = record_or_404(period, funding_record_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _show_page(period, 400, withdraw_form=form, withdrawing=found.id)
    try:
        do_withdraw_record(found, reason=form.reason.data, actor_id=current_user.id)
    except FundingError as error:
        db.session.rollback()
        _add_error(form, error)
        return _show_page(period_or_404(funding_period_id), 400 if error.field else 409, withdraw_form=form,
                          withdrawing=funding_record_id)
    db.session.commit()
    flash(_("The record has been withdrawn; both sides see the reason."), "info")
    return redirect(url_for("funding.show", funding_period_id=funding_period_id))


def _download(body: bytes, mimetype: str, period, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="verantwoording-{period.first_day:%Y-%m}-{period.last_day:%Y-%m}-{period.id}'
        f'.{extension}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/periods/<int:funding_period_id>/verantwoording.xlsx")
@requires("funding.view")
def export_xlsx(funding_period_id: int):
    period = period_or_404(funding_period_id)
    own, partner = g.tenant.name, period.partner_name
    cooperative, municipality = (own, partner) if period.side == "cooperative" else (partner, own)
    body = xlsx_file(accountability(period), cooperative=cooperative, municipality=municipality)
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", period, "xlsx")


@bp.get("/periods/<int:funding_period_id>/verantwoording.csv")
@requires("funding.view")
def export_csv(funding_period_id: int):
    period = period_or_404(funding_period_id)
    return _download(csv_file(accountability(period)), "text/csv", period, "csv")
