"""The payments pages: bank statements and their import, the lines still to be matched
and matching them by hand, and the waterfall of each received payment.

Thin handlers: load (another tenant's object is a 404), validate the form, call an
operation, commit once, redirect with a message. A file that cannot be read shows the
page again with the report of what is wrong (400) and stores nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.db import db
from koepel.platform.http.charts import bar_chart
from koepel.platform.money import Money
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.agreements import format_percent
from koepel.tenants.invoices import amount_due
from koepel.tenants.pots import PayoutBatch

from .operations import (
    PaymentError,
    StatementError,
    do_ignore,
    do_import,
    do_match_invoice,
    do_match_payout,
    do_split,
)
from .queries import (
    invoice_of,
    line_or_404,
    lines_of,
    member_of,
    open_batches,
    open_invoices,
    recent_splits,
    split_of_line,
    split_or_404,
    statement_or_404,
    statements,
    tenant_name,
    unmatched_lines,
    waiting_splits,
)
from .schemas import (
    FORMAT_LABELS,
    LINE_STATUS_LABELS,
    SPLIT_STATUS_LABELS,
    EmptyForm,
    IgnoreForm,
    MatchForm,
    PayoutForm,
    UploadForm,
)

bp = tenant_blueprint("payments", __name__, kinds=("cooperative",), url_prefix="/payments", template_folder="templates")


def _labels() -> dict:
    return {"format_labels": FORMAT_LABELS, "line_status_labels": LINE_STATUS_LABELS,
            "split_status_labels": SPLIT_STATUS_LABELS, "Money": Money}


def _index_page(form=None, problems=None, status: int = 200):
    return render_template("payments/index.html", form=form or UploadForm(formdata=None), problems=problems or [],
                           statements=statements(), unmatched=unmatched_lines(), waiting=waiting_splits(),
                           splits=recent_splits(), split_form=EmptyForm(formdata=None), **_labels()), status


@bp.get("/")
@requires("payments.view")
def index():
    return _index_page()


@bp.post("/upload")
@requires("payments.import")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index_page(form, status=400)
    upload_file = form.file.data
    data = upload_file.read()
    try:
        result = do_import(file_name=upload_file.filename or "statement", data=data, actor_id=current_user.id)
    except StatementError as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, _("The file was not imported: nothing has been stored.")]
        return _index_page(form, problems=error.problems, status=400)
    db.session.commit()
    if result.already_imported:
        flash(_("This file has been imported before: nothing changed."), "info")
    else:
        flash(_("Statement imported: %(new)d new lines (%(known)d known already), %(matched)d matched.",
                new=result.new_lines, known=result.known_lines, matched=result.matched), "success")
    return redirect(url_for("payments.statement_show", statement_id=result.statement.id))


@bp.get("/statements/<int:statement_id>")
@requires("payments.view")
def statement_show(statement_id: int):
    statement = statement_or_404(statement_id)
    return render_template("payments/statement.html", statement=statement, lines=lines_of(statement.id), **_labels())


def _line_page(line, *, status: int = 200, match_form=None, payout_form=None, ignore_form=None):
    match_form = match_form or MatchForm(formdata=None)
    match_form.invoice_id.choices = [("", _("Choose…"))] + [
        (str(i.id), f"{i.number} · {m.name} · {amount_due(i)}") for i, m in open_invoices()]
    payout_form = payout_form or PayoutForm(formdata=None)
    payout_form.batch_id.choices = [("", _("Choose…"))] + [
        (str(b.id), f"#{b.id} · {b.execution_date:%d-%m-%Y} · {Money(b.total_cents)}") for b in open_batches()]
    split = split_of_line(line.id)
    return render_template(
        "payments/line.html", line=line, invoice=invoice_of(line.invoice_id), split=split,
        match_form=match_form, payout_form=payout_form, ignore_form=ignore_form or IgnoreForm(formdata=None),
        **_labels()), status


@bp.get("/lines/<int:line_id>")
@requires("payments.view")
def line_show(line_id: int):
    return _line_page(line_or_404(line_id))


def _show_error(form, error) -> None:
    field = getattr(form, error.field, None) if error.field else None
    field = field if field is not None else next(f for f in form if f.name != "csrf_token")
    field.errors = [*field.errors, str(error)]


@bp.post("/lines/<int:line_id>/match")
@requires("payments.match")
def match(line_id: int):
    line = line_or_404(line_id)
    if line.amount_cents < 0:
        form = PayoutForm()
        if not form.validate_on_submit() or not form.batch_id.data.isdigit():
            form.batch_id.errors = form.batch_id.errors or [_("Choose a payout batch.")]
            return _line_page(line, status=400, payout_form=form)
        batch = db.session.get(PayoutBatch, (line.tenant_id, int(form.batch_id.data)))
        try:
            do_match_payout(line, batch, actor_id=current_user.id)
        except PaymentError as error:
            db.session.rollback()
            _show_error(form, error)
            return _line_page(line_or_404(line_id), status=400, payout_form=form)
        db.session.commit()
        flash(_("Bank line matched to the payout batch; its requests are paid."), "success")
        return redirect(url_for("payments.line_show", line_id=line_id))
    form = MatchForm()
    if not form.validate_on_submit() or not form.invoice_id.data.isdigit():
        form.invoice_id.errors = form.invoice_id.errors or [_("Choose an invoice.")]
        return _line_page(line, status=400, match_form=form)
    try:
        do_match_invoice(line, invoice_of(int(form.invoice_id.data)), actor_id=current_user.id)
    except PaymentError as error:
        db.session.rollback()
        _show_error(form, error)
        return _line_page(line_or_404(line_id), status=400, match_form=form)
    db.session.commit()
    flash(_("Payment matched, posted and split."), "success")
    return redirect(url_for("payments.line_show", line_id=line_id))


@bp.post("/lines/<int:line_id>/ignore")
@requires("payments.match")
def ignore(line_id: int):
    line = line_or_404(line_id)
    form = IgnoreForm()
    if not form.validate_on_submit():
        return _line_page(line, status=400, ignore_form=form)
    try:
        do_ignore(line, reason=form.reason.data, actor_id=current_user.id)
    except PaymentError as error:
        db.session.rollback()
        _show_error(form, error)
        return _line_page(line_or_404(line_id), status=400, ignore_form=form)
    db.session.commit()
    flash(_("Bank line marked as not a customer payment."), "success")
    return redirect(url_for("payments.index"))


def waterfall_chart(split):
    items = [(_("Received"), split.received_cents / 100), (_("VAT"), split.vat_cents / 100),
             (_("Net"), split.net_cents / 100)]
    if split.status == "split":
        items += [(_("Cooperative"), split.cooperative_cents / 100), (_("Training pot"), split.training_cents / 100),
                  (_("Municipality"), split.municipality_cents / 100), (_("Member's pot"), split.pot_cents / 100)]
    return bar_chart(items, title=_("The waterfall of this payment (€)"))


@bp.get("/splits/<int:split_id>")
@requires("payments.view")
def split_show(split_id: int):
    split = split_or_404(split_id)
    rule = split.rule or {}
    return render_template(
        "payments/split.html", split=split, invoice=invoice_of(split.invoice_id), member=member_of(split.member_id),
        municipality=tenant_name(split.municipality_id), rule=rule, chart=waterfall_chart(split),
        percent=format_percent, form=EmptyForm(formdata=None), **_labels())


@bp.post("/splits/<int:split_id>/split")
@requires("payments.match")
def split_now(split_id: int):
    split = split_or_404(split_id)
    EmptyForm().validate_on_submit()
    done = do_split(split, actor_id=current_user.id)
    db.session.commit()
    if done:
        flash(_("The payment has been split."), "success")
    else:
        flash(_("There is still no agreement in force on the payment date: the payment waits."), "warning")
    return redirect(url_for("payments.split_show", split_id=split_id))
