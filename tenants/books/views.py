"""The books pages: the trial balance, an account's history, a member's pot statement
(page and PDF), the VAT figures per quarter, the journal as CSV for the bookkeeper, and
the cooperative's own costs.

Thin handlers: read through the queries (another tenant's account, cost or member is a
404), validate the form, call an operation, commit once, redirect with a message. Bad
input shows the page again with the messages (400) and changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.exports import csv_bytes
from koepel.platform.money import Money, MoneyError
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.invoices import kor_limit_on
from koepel.tenants.members import member_or_404

from .operations import BooksError, do_record_cost, do_reverse_cost
from .pdf import statement_pdf
from .queries import (
    KIND_LABELS,
    account_names,
    account_or_404,
    cost_or_404,
    costs,
    history_with_balance,
    journal_header,
    journal_rows,
    vat_report,
)
from .queries import (
    pot_statement as statement_of,
)
from .queries import (
    trial_balance as trial_balance_report,
)
from .schemas import CATEGORY_LABELS, CostForm, ReverseForm

bp = tenant_blueprint("books", __name__, kinds=("cooperative",), url_prefix="/books", template_folder="templates")


def _rate_label(rate_bp: int | None) -> str:
    return _("No VAT (KOR)") if rate_bp is None else f"{rate_bp // 100}%"


@bp.get("/")
@requires("books.view")
def trial_balance():
    return render_template("books/trial_balance.html", tb=trial_balance_report(), kind_labels=KIND_LABELS)


@bp.get("/accounts/<int:account_id>")
@requires("books.view")
def account(account_id: int):
    found = account_or_404(account_id)
    return render_template("books/account.html", account=found, name=account_names([found])[found.id],
                           rows=history_with_balance(found), balance=Money(found.balance_cents))


def _statement_or_404(member_id: int, year: int, month: int):
    statement = statement_of(member_or_404(member_id), year, month)
    if statement is None:
        abort(404)
    return statement


@bp.get("/pots/<int:member_id>/<int:year>/<int:month>")
@requires("books.view")
def pot_statement(member_id: int, year: int, month: int):
    statement = _statement_or_404(member_id, year, month)
    previous = date.fromordinal(statement.first_day.toordinal() - 1)
    following = date.fromordinal(statement.last_day.toordinal() + 1)
    return render_template("books/pot_statement.html", s=statement, previous=previous, following=following)


@bp.get("/pots/<int:member_id>/<int:year>/<int:month>/pdf")
@requires("books.view")
def pot_statement_pdf(member_id: int, year: int, month: int):
    statement = _statement_or_404(member_id, year, month)
    response = Response(statement_pdf(statement), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="spaarpot-{member_id}-{year:04d}-{month:02d}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/vat")
@requires("books.view")
def vat():
    year = request.args.get("year", type=int) or amsterdam_today().year
    if not 2000 <= year <= 9999:
        abort(400)
    return render_template("books/vat.html", report=vat_report(year), rate_label=_rate_label,
                           kor_limit=kor_limit_on(date(year, 12, 31)))


def _date_arg(name: str, default: date) -> date:
    text = (request.args.get(name) or "").strip()
    if not text:
        return default
    for parse in (date.fromisoformat, lambda t: date(int(t[6:10]), int(t[3:5]), int(t[0:2]))):
        try:
            return parse(text)
        except (ValueError, IndexError):
            continue
    abort(400)


@bp.get("/export.csv")
@requires("books.view")
def export():
    today = amsterdam_today()
    first, last = _date_arg("from", date(today.year, 1, 1)), _date_arg("to", today)
    if last < first:
        abort(400)
    content = csv_bytes(journal_header(), list(journal_rows(first, last)))
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="journaal-{first.isoformat()}-{last.isoformat()}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the cooperative's own costs -------------------------------------------------------------


def _costs_page(form: CostForm | None = None, reverse_forms: dict | None = None, status: int = 200):
    if form is None:
        form = CostForm(formdata=None, on_date=amsterdam_today(), idempotency_key=uuid.uuid4().hex)
    listed = costs()
    reverse_forms = reverse_forms or {}
    for cost, _reversal in listed:
        reverse_forms.setdefault(cost.id, ReverseForm(formdata=None, prefix=f"r{cost.id}"))
    return render_template("books/costs.html", form=form, costs=listed, reverse_forms=reverse_forms,
                           category_labels=CATEGORY_LABELS, Money=Money), status


@bp.get("/costs")
@requires("books.view")
def costs_page():
    return _costs_page()


def _parse_money(field, required: bool) -> Money | None:
    text = (field.data or "").strip()
    if not text and not required:
        return Money(0)
    try:
        return Money.parse(text)
    except MoneyError:
        field.errors = [*field.errors, _("Enter an amount like 125,50.")]
        return None


@bp.post("/costs")
@requires("books.write")
def new_cost():
    form = CostForm()
    if not form.validate_on_submit():
        return _costs_page(form, status=400)
    amount, vat = _parse_money(form.amount, True), _parse_money(form.vat, False)
    if amount is None or vat is None:
        return _costs_page(form, status=400)
    try:
        do_record_cost(on_date=form.on_date.data, category=form.category.data, supplier=form.supplier.data,
                       description=form.description.data, receipt=form.receipt.data or "", amount=amount, vat=vat,
                       idempotency_key=form.idempotency_key.data, actor_id=current_user.id)
    except BooksError as error:
        db.session.rollback()
        target = getattr(form, error.field, None) if error.field else None
        if target is None or error.field == "idempotency_key":
            form.form_errors.append(str(error))
        else:
            target.errors = [*target.errors, str(error)]
        return _costs_page(form, status=400)
    db.session.commit()
    flash(_("The cost has been recorded."), "info")
    return redirect(url_for("books.costs_page"))


@bp.post("/costs/<int:cost_id>/reverse")
@requires("books.write")
def reverse_cost(cost_id: int):
    cost = cost_or_404(cost_id)
    form = ReverseForm(prefix=f"r{cost_id}")
    if not form.validate_on_submit():
        return _costs_page(reverse_forms={cost_id: form}, status=400)
    try:
        do_reverse_cost(cost, reason=form.reason.data, on_date=amsterdam_today(), actor_id=current_user.id)
    except BooksError as error:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(error)]
        return _costs_page(reverse_forms={cost_id: form}, status=409 if error.field is None else 400)
    db.session.commit()
    flash(_("The cost has been reversed."), "info")
    return redirect(url_for("books.costs_page"))
