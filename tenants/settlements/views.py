"""The settlement pages, for both sides: the list (and, for a cooperative, closing the next
month), one settlement with its lines, and the steps after a close: the municipality
marks it processed and claims what it is owed, the cooperative pays with a SEPA file.

Thin handlers: another tenant's settlement is a 404; bad input shows the page again
(400) and changes nothing; a step that no longer fits answers 409.
"""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.exports import csv_bytes
from koepel.platform.http.charts import bar_chart
from koepel.platform.money import Money
from koepel.platform.tenancy.request import tenant_blueprint

from .operations import (
    SettlementError,
    do_claim,
    do_close_month,
    do_pay,
    do_process,
    last_closed_month,
    month_end,
    next_month_to_close,
)
from .queries import lines_of, preview, settlement_or_404, settlements
from .schemas import (
    GENERAL_NOTE_LABELS,
    INCOME_LABELS,
    OWED_LABELS,
    STATUS_LABELS,
    ClaimForm,
    CloseForm,
    PayForm,
    ProcessForm,
)

bp = tenant_blueprint("settlements", __name__, kinds=("cooperative", "municipality"), url_prefix="/settlements",
                      template_folder="templates")
# The steps of one side only: in the other kind of tenant they do not exist (404).
bp_cooperative = tenant_blueprint("settlements_cooperative", __name__, kinds=("cooperative",),
                                  url_prefix="/settlements")
bp_municipality = tenant_blueprint("settlements_municipality", __name__, kinds=("municipality",),
                                   url_prefix="/settlements")


def _helpers() -> dict:
    return {"Money": Money, "status_labels": STATUS_LABELS, "owed_labels": OWED_LABELS,
            "income_labels": INCOME_LABELS, "general_note_labels": GENERAL_NOTE_LABELS, "month_end": month_end}


for _blueprint in (bp, bp_cooperative, bp_municipality):
    _blueprint.context_processor(_helpers)


def _index_page(form=None, status=200):
    month = next_month_to_close() if g.tenant.kind == "cooperative" else None
    show_preview = month is not None and can("settlements.close")
    return render_template(
        "settlements/index.html", settlements=settlements(), month=month, last_closed=last_closed_month()
        if g.tenant.kind == "cooperative" else None, preview=preview(month) if show_preview else [],
        form=form or CloseForm(formdata=None, month=month.isoformat() if month else ""),
    ), status


@bp.get("/")
@requires("settlements.view")
def index():
    return _index_page()


@bp_cooperative.post("/close")
@requires("settlements.close")
def close():
    form = CloseForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _index_page(form, 400)
    try:
        month = date.fromisoformat(form.month.data)
    except ValueError:
        flash(_("Choose the month to close."), "error")
        return _index_page(form, 400)
    try:
        do_close_month(month, actor_id=current_user.id)
    except SettlementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _index_page(form, 409 if error.field == "month" else 400)
    db.session.commit()
    flash(_("%(month)s is closed: each municipality has received its settlement.",
            month=month.strftime("%m-%Y")), "info")
    return redirect(url_for("settlements.index"))


def split_chart(settlement):
    items = [(_("Earned"), settlement.earned_cents / 100), (_("Cooperative"), settlement.cooperative_cents / 100),
             (_("Flat amount"), settlement.flat_fee_cents / 100), (_("Training pot"), settlement.training_cents / 100),
             (_("Municipality"), settlement.municipality_cents / 100),
             (_("Savings pots"), settlement.pot_cents / 100)]
    return bar_chart(items, title=_("Where the month's earnings went (€)"))


def _show_page(settlement, *, claim_form=None, pay_form=None, status=200):
    today = amsterdam_today()
    return render_template(
        "settlements/show.html", settlement=settlement, lines=lines_of(settlement), chart=split_chart(settlement),
        process_form=ProcessForm(formdata=None),
        claim_form=claim_form or ClaimForm(formdata=None),
        pay_form=pay_form or PayForm(formdata=None, execution_date=today),
    ), status


@bp.get("/<int:settlement_id>")
@requires("settlements.view")
def show(settlement_id: int):
    return _show_page(settlement_or_404(settlement_id))


@bp.get("/<int:settlement_id>/lines.csv")
@requires("settlements.view")
def lines_csv(settlement_id: int):
    settlement = settlement_or_404(settlement_id)
    header = [_("Member number"), _("Name"), _("Client reference"), _("Earned (excl. VAT)"),
              _("Of which late"), _("Late from"), _("Cooperative"), _("Flat amount"), _("Training pot"),
              _("Municipality"), _("Savings pot"), _("Income for the benefit"), _("General disregard"),
              _("Month of the disregard"), _("Note"), _("Single parent (if it applies)"),
              _("Medical limitation (if it applies)")]

    def euros(cents: int) -> str:
        return Money(cents).format().replace("€ ", "")

    rows = [[line.member_id, line.member_name, line.client_reference or "", euros(line.earned_cents),
             euros(line.late_cents), line.late_months, euros(line.cooperative_cents), euros(line.flat_fee_cents),
             euros(line.training_cents), euros(line.municipality_cents), euros(line.pot_cents),
             euros(line.income_cents), euros(line.disregard_general_cents), line.general_month or "",
             str(GENERAL_NOTE_LABELS[line.general_note]) if line.general_note else "",
             euros(line.disregard_single_parent_cents), euros(line.disregard_medical_cents)]
            for line in lines_of(settlement)]
    response = Response(csv_bytes(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="afrekening-{settlement.month:%Y-%m}-{settlement.id}.csv"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp_municipality.post("/<int:settlement_id>/process")
@requires("settlements.process")
def process(settlement_id: int):
    settlement = settlement_or_404(settlement_id)
    if not ProcessForm().validate_on_submit():
        abort(400)
    do_process(settlement, actor_id=current_user.id)
    db.session.commit()
    flash(_("The settlement is marked processed; the cooperative sees it too."), "info")
    return redirect(url_for("settlements.show", settlement_id=settlement_id))


def _field_error(form, error: SettlementError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


@bp_municipality.post("/<int:settlement_id>/claim")
@requires("settlements.claim")
def claim(settlement_id: int):
    settlement = settlement_or_404(settlement_id)
    form = ClaimForm()
    if not form.validate_on_submit():
        return _show_page(settlement, claim_form=form, status=400)
    try:
        do_claim(settlement, reference=form.reference.data, iban=form.iban.data, actor_id=current_user.id)
    except SettlementError as error:
        db.session.rollback()
        _field_error(form, error)
        return _show_page(settlement_or_404(settlement_id), claim_form=form, status=400 if error.field else 409)
    db.session.commit()
    flash(_("The amount owed is claimed; the cooperative can pay it now."), "info")
    return redirect(url_for("settlements.show", settlement_id=settlement_id))


@bp_cooperative.post("/<int:settlement_id>/pay")
@requires("settlements.pay")
def pay(settlement_id: int):
    settlement = settlement_or_404(settlement_id)
    form = PayForm()
    if not form.validate_on_submit():
        return _show_page(settlement, pay_form=form, status=400)
    try:
        do_pay(settlement, execution_date=form.execution_date.data, actor_id=current_user.id)
    except SettlementError as error:
        db.session.rollback()
        _field_error(form, error)
        return _show_page(settlement_or_404(settlement_id), pay_form=form, status=400 if error.field else 409)
    db.session.commit()
    flash(_("The SEPA file is ready: download it and give it to the bank. The payment is settled when the bank "
            "statement shows it."), "info")
    return redirect(url_for("settlements.show", settlement_id=settlement_id))


@bp_cooperative.get("/<int:settlement_id>/sepa.xml")
@requires("settlements.pay")
def payment_file(settlement_id: int):
    settlement = settlement_or_404(settlement_id)
    if not settlement.payment_file:
        abort(404)
    response = Response(settlement.payment_file, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="settlement-{settlement.id}.xml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
