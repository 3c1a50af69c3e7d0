"""Agreement pages, the same in a cooperative and in a municipality: each side reads its
own copy. Thin handlers: load in the tenant's scope, check, call an operation, commit
once, redirect."""

from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy.request import tenant_blueprint

from .forms import (
    CATEGORY_LABELS,
    INCOME_LABELS,
    LEAVING_LABELS,
    SHARE_KIND_LABELS,
    DecideForm,
    NewAgreementForm,
    RejectForm,
    TermsForm,
)
from .operations import (
    AgreementError,
    do_accept_version,
    do_propose_agreement,
    do_propose_version,
    do_reject_version,
    do_withdraw_version,
)
from .queries import (
    agreement_or_404,
    agreements,
    in_force,
    latest_version,
    open_proposal,
    people_names,
    possible_partners,
    version_or_404,
    versions,
)
from .terms import Terms, format_hours, format_percent

# Both sides have the pages: the cooperative and the municipality see the same agreements.
bp = tenant_blueprint("agreements", __name__, kinds=("cooperative", "municipality"), url_prefix="/agreements",
                      template_folder="templates")

AGREEMENT_STATUS_LABELS = {
    "proposed": _l("Not agreed yet"),
    "active": _l("Agreed"),
}
VERSION_STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
SIDE_LABELS = {
    "cooperative": _l("the cooperative"),
    "municipality": _l("the municipality"),
}


@bp.context_processor
def _helpers() -> dict:
    return {
        "percent": format_percent, "hours": format_hours,
        "money": lambda cents: Money(cents).format() if cents is not None else "",
        "agreement_status_labels": AGREEMENT_STATUS_LABELS, "version_status_labels": VERSION_STATUS_LABELS,
        "side_labels": SIDE_LABELS, "share_kind_labels": SHARE_KIND_LABELS, "category_labels": CATEGORY_LABELS,
        "leaving_labels": LEAVING_LABELS, "income_labels": INCOME_LABELS,
    }


def _add_error(form, error: AgreementError) -> list[str]:
    """Put an operation's message at its field; returns the messages without a field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return [str(error)]
    field.errors = [*field.errors, str(error)]
    return []


def _next_month_start(today: date) -> date:
    return add_months(today.replace(day=1), 1)


@bp.get("/")
@requires("agreements.view")
def index():
    return render_template("agreements/index.html", rows=agreements(amsterdam_today()),
                           can_start=bool(possible_partners(g.tenant.kind)))


def _new_page(form, status=200, errors=()):
    return render_template("agreements/new.html", form=form, errors=list(errors)), status


@bp.route("/new", methods=["GET", "POST"])
@requires("agreements.propose")
def new():
    form = NewAgreementForm()
    form.set_partners(possible_partners(g.tenant.kind), g.tenant.kind)
    if request.method == "GET":
        form.fill(Terms(), _next_month_start(amsterdam_today()))
        return _new_page(form)
    if not form.validate_on_submit():
        return _new_page(form, 400)
    try:
        version = do_propose_agreement(partner_tenant_id=form.partner_id(), terms=form.terms(),
                                       valid_from=form.valid_from.data, actor_id=current_user.id)
    except AgreementError as error:
        db.session.rollback()
        return _new_page(form, 400, _add_error(form, error))
    agreement_id = version.agreement_id
    db.session.commit()
    flash(_("The agreement has been proposed. It is binding once the other side accepts it."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


def _show_page(agreement, status=200, errors=(), reject_form=None):
    today = amsterdam_today()
    rows = versions(agreement.id)
    current = in_force(agreement.id, today)
    names = people_names([v.proposed_by for v in rows] + [v.decided_by for v in rows])
    return render_template(
        "agreements/show.html", agreement=agreement, versions=rows, in_force=current,
        proposal=next((v for v in rows if v.status == "proposed"), None), names=names, today=today,
        decide_form=DecideForm(), reject_form=reject_form or RejectForm(formdata=None), errors=list(errors),
    ), status


@bp.get("/<int:agreement_id>")
@requires("agreements.view")
def show(agreement_id: int):
    return _show_page(agreement_or_404(agreement_id))


def _propose_page(agreement, form, status=200, errors=()):
    return render_template("agreements/propose.html", agreement=agreement, form=form, errors=list(errors),
                           in_force=in_force(agreement.id, amsterdam_today())), status


@bp.route("/<int:agreement_id>/propose", methods=["GET", "POST"])
@requires("agreements.propose")
def propose(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    if open_proposal(agreement.id) is not None:
        flash(_("There is an open proposal already: answer or withdraw it first."), "info")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = TermsForm()
    if request.method == "GET":
        today = amsterdam_today()
        base = in_force(agreement.id, today) or latest_version(agreement.id)
        start = _next_month_start(today)
        if base is not None and base.status == "accepted" and base.valid_from >= start:
            start = add_months(base.valid_from.replace(day=1), 1)
        form.fill(base.terms() if base is not None else Terms(), start)
        return _propose_page(agreement, form)
    if not form.validate_on_submit():
        return _propose_page(agreement, form, 400)
    try:
        do_propose_version(agreement, terms=form.terms(), valid_from=form.valid_from.data, actor_id=current_user.id)
    except AgreementError as error:
        db.session.rollback()
        agreement = agreement_or_404(agreement_id)
        if error.field is None:
            return _show_page(agreement, 409, [str(error)])
        return _propose_page(agreement, form, 400, _add_error(form, error))
    db.session.commit()
    flash(_("The new version has been proposed. It is binding once the other side accepts it."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/versions/<int:version_id>/accept")
@requires("agreements.decide")
def accept(agreement_id: int, version_id: int):
    agreement = agreement_or_404(agreement_id)
    version = version_or_404(agreement, version_id)
    if not DecideForm().validate_on_submit():
        return _show_page(agreement, 400, [_("The form has expired. Open it again.")])
    try:
        do_accept_version(version, actor_id=current_user.id)
    except AgreementError as error:
        db.session.rollback()
        return _show_page(agreement_or_404(agreement_id), 409, [str(error)])
    db.session.commit()
    flash(_("The version has been accepted: it applies from its start date, for both sides."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/versions/<int:version_id>/reject")
@requires("agreements.decide")
def reject(agreement_id: int, version_id: int):
    agreement = agreement_or_404(agreement_id)
    version = version_or_404(agreement, version_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _show_page(agreement, 400, reject_form=form)
    try:
        do_reject_version(version, reason=form.reason.data, actor_id=current_user.id)
    except AgreementError as error:
        db.session.rollback()
        agreement = agreement_or_404(agreement_id)
        return _show_page(agreement, 400 if error.field else 409, _add_error(form, error), reject_form=form)
    db.session.commit()
    flash(_("The version has been rejected; the other side sees your reason."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/versions/<int:version_id>/withdraw")
@requires("agreements.propose")
def withdraw(agreement_id: int, version_id: int):
    agreement = agreement_or_404(agreement_id)
    version = version_or_404(agreement, version_id)
    if not DecideForm().validate_on_submit():
        return _show_page(agreement, 400, [_("The form has expired. Open it again.")])
    try:
        do_withdraw_version(version, actor_id=current_user.id)
    except AgreementError as error:
        db.session.rollback()
        return _show_page(agreement_or_404(agreement_id), 409, [str(error)])
    db.session.commit()
    flash(_("The proposal has been withdrawn."), "info")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))
