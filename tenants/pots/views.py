"""The savings pot pages: every member's pot, one member's pot with its history and
requests, deciding on a request, payout batches (SEPA files) and, in the member portal,
the member's own pot and the request form.

Thin handlers: load through the who-sees-whom lookups (another tenant's object, or one
this person may not see, is a 404), validate the form, call an operation, commit once,
redirect with a message. Bad input shows the page again with the messages (400) and
changes nothing; a request that cannot be decided any more answers 409.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money, MoneyError
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.members import STAGE_LABELS, member_or_404, own_member, register_member_page

from .operations import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MIMETYPES,
    PotError,
    allowed_categories,
    attachment_path,
    do_approve,
    do_confirm_closing,
    do_create_batch,
    do_mark_paid,
    do_refuse,
    do_request,
    may_request,
    pot_holds,
)
from .queries import (
    batch_or_404,
    batch_requests,
    batches,
    closing_or_404,
    closings_of,
    own_request_or_404,
    payable_requests,
    pending_closings,
    pending_requests,
    pot_history,
    pot_rows,
    request_or_404,
    requests_of,
    user_names,
)
from .schemas import (
    BATCH_STATUS_LABELS,
    CATEGORY_LABELS,
    CLOSING_STATUS_LABELS,
    RULE_LABELS,
    STATUS_LABELS,
    ApproveForm,
    BatchForm,
    ConfirmClosingForm,
    PaidForm,
    RefuseForm,
    RequestForm,
)

bp = tenant_blueprint("pots", __name__, kinds=("cooperative",), url_prefix="/pots", template_folder="templates")

register_member_page(_l("Savings pot: balance, history and requests"), "pots.member", permission="pots.view")


def _labels() -> dict:
    return {"category_labels": CATEGORY_LABELS, "status_labels": STATUS_LABELS, "rule_labels": RULE_LABELS,
            "closing_status_labels": CLOSING_STATUS_LABELS, "batch_status_labels": BATCH_STATUS_LABELS,
            "stage_labels": STAGE_LABELS, "Money": Money}


def _show_error(form, error) -> None:
    """Put an operation's message at its field (or at the form's first field)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        field = next((f for f in form if f.name != "csrf_token"), None)
    if field is None:
        form.form_errors.append(str(error))
        return
    field.errors = [*field.errors, str(error)]


# --- the coordinator's and treasurer's pages --------------------------------------------------


@bp.get("/")
@requires("pots.view")
def index():
    return render_template("pots/index.html", rows=pot_rows(), pending=pending_requests(),
                           closings=pending_closings(), **_labels())


def _member_page(member, status: int = 200, closing_forms: dict | None = None):
    closings = closings_of(member.id)
    requests = requests_of(member.id)
    return render_template(
        "pots/member.html", member=member, holds=pot_holds(member.id), history=pot_history(member.id),
        requests=requests, closings=closings,
        closing_forms=closing_forms or {c.id: ConfirmClosingForm(formdata=None) for c in closings},
        names=user_names([c.confirmed_by for c in closings]), **_labels()), status


@bp.get("/members/<int:member_id>")
@requires("pots.view")
def member(member_id: int):
    return _member_page(member_or_404(member_id))


def _request_page(pot_request, member, *, status: int = 200, refuse_form=None, paid_form=None, approve_form=None):
    return render_template(
        "pots/request.html", pot_request=pot_request, member=member, holds=pot_holds(member.id),
        approve_form=approve_form or ApproveForm(formdata=None), refuse_form=refuse_form or RefuseForm(formdata=None),
        paid_form=paid_form or PaidForm(formdata=None, paid_on=amsterdam_today()),
        names=user_names([pot_request.decided_by, pot_request.requested_by]), **_labels()), status


@bp.get("/requests/<int:request_id>")
@requires("pots.view")
def request_show(request_id: int):
    pot_request, member = request_or_404(request_id)
    return _request_page(pot_request, member)


@bp.post("/requests/<int:request_id>/approve")
@requires("pots.decide")
def approve(request_id: int):
    pot_request, member = request_or_404(request_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _request_page(pot_request, member, status=400, approve_form=form)
    try:
        do_approve(pot_request, actor_id=current_user.id)
    except PotError as error:
        db.session.rollback()
        pot_request, member = request_or_404(request_id)
        form.form_errors.append(str(error))
        return _request_page(pot_request, member, status=409, approve_form=form)
    db.session.commit()
    flash(_("The request of %(name)s has been approved.", name=member.name), "info")
    return redirect(url_for("pots.request_show", request_id=request_id))


@bp.post("/requests/<int:request_id>/refuse")
@requires("pots.decide")
def refuse(request_id: int):
    pot_request, member = request_or_404(request_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return _request_page(pot_request, member, status=400, refuse_form=form)
    try:
        do_refuse(pot_request, reason=form.reason.data, actor_id=current_user.id)
    except PotError as error:
        db.session.rollback()
        pot_request, member = request_or_404(request_id)
        _show_error(form, error)
        return _request_page(pot_request, member, status=409 if error.field is None else 400, refuse_form=form)
    db.session.commit()
    flash(_("The request of %(name)s has been refused.", name=member.name), "info")
    return redirect(url_for("pots.request_show", request_id=request_id))


@bp.post("/requests/<int:request_id>/paid")
@requires("pots.payouts")
def request_paid(request_id: int):
    pot_request, member = request_or_404(request_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _request_page(pot_request, member, status=400, paid_form=form)
    try:
        do_mark_paid(pot_request, form.paid_on.data, current_user.id)
    except PotError as error:
        db.session.rollback()
        pot_request, member = request_or_404(request_id)
        _show_error(form, error)
        return _request_page(pot_request, member, status=409, paid_form=form)
    db.session.commit()
    flash(_("The payout has been marked paid."), "info")
    return redirect(url_for("pots.request_show", request_id=request_id))


def _send_attachment(pot_request) -> Response:
    path = attachment_path(pot_request.attachment_file)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=ATTACHMENT_MIMETYPES[pot_request.attachment_type], as_attachment=True,
                         download_name=pot_request.attachment_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/requests/<int:request_id>/invoice")
@requires("pots.decide")
def attachment(request_id: int):
    pot_request, _member = request_or_404(request_id)
    return _send_attachment(pot_request)


@bp.post("/closings/<int:closing_id>/confirm")
@requires("pots.decide")
def confirm_closing(closing_id: int):
    closing = closing_or_404(closing_id)
    member_id = closing.member_id
    form = ConfirmClosingForm()
    if not form.validate_on_submit():
        return _member_page(member_or_404(member_id), 400, {closing_id: form})
    try:
        do_confirm_closing(closing, note=form.note.data or "", actor_id=current_user.id)
    except PotError as error:
        db.session.rollback()
        _show_error(form, error)
        return _member_page(member_or_404(member_id), 409, {closing_id: form})
    db.session.commit()
    flash(_("What happens to the savings pot has been confirmed."), "info")
    return redirect(url_for("pots.member", member_id=member_id))


# --- payout batches ---------------------------------------------------------------------------


def _batches_page(form=None, status: int = 200):
    payable = payable_requests()
    if form is None:
        form = BatchForm(formdata=None, execution_date=amsterdam_today(), request_ids=[r.id for r, _m in payable])
    form.request_ids.choices = [(r.id, str(r.id)) for r, _m in payable]
    return render_template("pots/batches.html", form=form, payable=payable, batches=batches(),
                           batch_rows={b.id: batch_requests(b.id) for b in batches()},
                           paid_forms={b.id: PaidForm(formdata=None, paid_on=amsterdam_today()) for b in batches()},
                           **_labels()), status


@bp.get("/batches")
@requires("pots.payouts")
def batches_page():
    return _batches_page()


@bp.post("/batches")
@requires("pots.payouts")
def new_batch():
    form = BatchForm()
    form.request_ids.choices = [(r.id, str(r.id)) for r, _m in payable_requests()]
    if not form.validate_on_submit():
        return _batches_page(form, 400)
    if not form.request_ids.data:
        form.request_ids.errors = [_("Choose at least one request to pay.")]
        return _batches_page(form, 400)
    try:
        batch = do_create_batch(execution_date=form.execution_date.data, request_ids=form.request_ids.data,
                                actor_id=current_user.id)
    except PotError as error:
        db.session.rollback()
        _show_error(form, error)
        return _batches_page(form, 400)
    db.session.commit()
    flash(_("The payout batch has been made: download the SEPA file and give it to the bank."), "info")
    return redirect(url_for("pots.batches_page", _anchor=f"batch-{batch.id}"))


@bp.get("/batches/<int:batch_id>/sepa.xml")
@requires("pots.payouts")
def batch_file(batch_id: int):
    batch = batch_or_404(batch_id)
    response = Response(batch.sepa_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="payouts-{batch.id}.xml"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/batches/<int:batch_id>/paid")
@requires("pots.payouts")
def batch_paid(batch_id: int):
    batch = batch_or_404(batch_id)
    form = PaidForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _batches_page(status=400)
    do_mark_paid(batch, form.paid_on.data, current_user.id)
    db.session.commit()
    flash(_("The bank has paid this batch: its payouts are marked paid."), "info")
    return redirect(url_for("pots.batches_page", _anchor=f"batch-{batch_id}"))


# --- the member portal: the member's own pot --------------------------------------------------


@bp.get("/mine")
@requires("pots.request")
def mine():
    member = own_member()
    if member is None:
        return render_template("pots/mine.html", member=None, **_labels())
    today = amsterdam_today()
    closings = closings_of(member.id)
    return render_template("pots/mine.html", member=member, holds=pot_holds(member.id),
                           history=pot_history(member.id), requests=requests_of(member.id),
                           closing=closings[0] if closings and closings[0].status != "cancelled" else None,
                           can_ask=may_request(member, today), **_labels())


def _new_request_page(member, form, allowed, status: int = 200):
    return render_template("pots/new_request.html", member=member, form=form, allowed=allowed,
                           holds=pot_holds(member.id) if member is not None else None,
                           can_ask=member is not None and may_request(member, amsterdam_today()), **_labels()), status


@bp.route("/mine/requests/new", methods=["GET", "POST"])
@requires("pots.request")
def new_request():
    member = own_member()
    allowed = allowed_categories(member, amsterdam_today()) if member is not None else None
    form = RequestForm() if request.method == "POST" else RequestForm(formdata=None)
    form.set_categories(allowed)
    if request.method == "GET":
        return _new_request_page(member, form, allowed)
    if member is None or not form.validate_on_submit():
        return _new_request_page(member, form, allowed, 400)
    try:
        amount = Money.parse(form.amount.data)
    except MoneyError:
        form.amount.errors.append(_("Enter an amount like 125,50."))
        return _new_request_page(member, form, allowed, 400)
    upload = form.invoice.data
    data = upload.stream.read(ATTACHMENT_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else b""
    try:
        do_request(member, amount=amount, category=form.category.data, description=form.description.data,
                   supplier_name=form.supplier_name.data, supplier_iban=form.supplier_iban.data, attachment=data,
                   attachment_name=getattr(upload, "filename", "") or "", actor_id=current_user.id)
    except PotError as error:
        db.session.rollback()
        _show_error(form, error)
        return _new_request_page(own_member(), form, allowed, 400)
    db.session.commit()
    flash(_("Your request has been sent. The coordinator or treasurer will decide on it."), "info")
    return redirect(url_for("pots.mine"))


@bp.get("/mine/invoice")
@requires("pots.request")
def my_attachment():
    """The member's own invoice; the request is named in the query (?request=<id>)."""
    request_id = request.args.get("request", type=int)
    if request_id is None:
        abort(400)
    return _send_attachment(own_request_or_404(own_member(), request_id))
