"""Referral pages: a municipality's referrals (`bp`) and a cooperative's incoming ones
(`bp_incoming`). Thin handlers: load in the tenant's scope, check, call an operation,
commit once, redirect."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.db import db
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.members import OUTCOME_LABELS, STAGE_LABELS

from .forms import DecideForm, DeclineForm, ReferralForm
from .operations import (
    ReferralError,
    by_idempotency_key,
    do_accept_referral,
    do_decline_referral,
    do_send_referral,
    do_withdraw_referral,
    new_idempotency_key,
)
from .queries import (
    active_cooperatives,
    incoming_or_404,
    incoming_referrals,
    person_name,
    referral_history,
    referral_or_404,
    referrals,
    tenant_name,
)

# The municipality's side (sending) and the cooperative's side (receiving) are pages of
# different kinds of tenant: two blueprints, each 404 in the other kind.
bp = tenant_blueprint("referrals", __name__, kinds=("municipality",), url_prefix="/referrals",
                      template_folder="templates")
bp_incoming = tenant_blueprint("referrals_incoming", __name__, kinds=("cooperative",),
                               url_prefix="/incoming-referrals", template_folder="templates")

STATUS_LABELS = {
    "sent": _l("Sent, awaiting an answer"),
    "pending": _l("Awaiting your answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}


# What a status change reads as in a referral's history.
EVENT_LABELS = {
    "sent": _l("Sent to the cooperative"),
    "accepted": _l("Accepted by the cooperative"),
    "declined": _l("Declined by the cooperative"),
    "withdrawn": _l("Withdrawn"),
}


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "event_labels": EVENT_LABELS, "stage_labels": STAGE_LABELS,
            "outcome_labels": OUTCOME_LABELS}


bp.context_processor(_labels)
bp_incoming.context_processor(_labels)


def _add_error(form, error: ReferralError) -> list[str]:
    """Put an operation's message at its field; returns the messages without a field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None or error.field == "idempotency_key":
        return [str(error)]
    field.errors = [*field.errors, str(error)]
    return []


# --- the municipality ---------------------------------------------------------------------


@bp.get("/")
@requires("referrals.view")
def index():
    return render_template("referrals/index.html", rows=referrals())


def _new_page(form, status=200, errors=()):
    return render_template("referrals/new.html", form=form, errors=list(errors)), status


@bp.route("/new", methods=["GET", "POST"])
@requires("referrals.send")
def new():
    form = ReferralForm(active_cooperatives())
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        return _new_page(form)
    if not form.validate_on_submit():
        return _new_page(form, 400, form.idempotency_key.errors)
    earlier = by_idempotency_key(form.idempotency_key.data)
    if earlier is not None:
        # The same form sent twice (a double click, a reload): one referral.
        flash(_("This referral had already been sent."), "info")
        return redirect(url_for("referrals.show", referral_id=earlier.id))
    try:
        referral = do_send_referral(
            resident_name=form.resident_name.data, resident_email=form.resident_email.data,
            resident_phone=form.resident_phone.data, resident_date_of_birth=form.resident_date_of_birth.data,
            client_reference=form.client_reference.data, target_tenant_id=form.target_id(),
            handover=form.handover.data, consent=form.consent.data, share_contact=form.share_contact.data,
            share_date_of_birth=form.share_date_of_birth.data, share_handover=form.share_handover.data,
            idempotency_key=form.idempotency_key.data, actor_id=current_user.id, notify=True,
        )
    except ReferralError as error:
        db.session.rollback()
        return _new_page(form, 400, _add_error(form, error))
    referral_id = referral.id
    db.session.commit()
    flash(_("The referral has been sent to the cooperative."), "info")
    return redirect(url_for("referrals.show", referral_id=referral_id))


def _show_page(referral, status=200, errors=()):
    return render_template(
        "referrals/show.html", referral=referral, history=referral_history(referral.id),
        cooperative=tenant_name(referral.target_tenant_id), recorded_by=person_name(referral.consent_recorded_by),
        errors=list(errors), form=DecideForm(),
    ), status


@bp.get("/<int:referral_id>")
@requires("referrals.view")
def show(referral_id: int):
    return _show_page(referral_or_404(referral_id))


@bp.post("/<int:referral_id>/withdraw")
@requires("referrals.send")
def withdraw(referral_id: int):
    referral = referral_or_404(referral_id)
    if not DecideForm().validate_on_submit():
        return _show_page(referral, 400, [_("The form has expired. Open it again.")])
    try:
        do_withdraw_referral(referral, actor_id=current_user.id)
    except ReferralError as error:
        db.session.rollback()
        return _show_page(referral_or_404(referral_id), 409, [str(error)])
    db.session.commit()
    flash(_("The referral has been withdrawn. The cooperative keeps only the name."), "info")
    return redirect(url_for("referrals.show", referral_id=referral_id))


# --- the cooperative ----------------------------------------------------------------------


@bp_incoming.get("/", endpoint="index")
@requires("referrals.incoming")
def index_incoming():
    return render_template("referrals/incoming_index.html", rows=incoming_referrals())


def _member_url(member_id: int | None) -> str | None:
    if member_id is None or "members.show" not in current_app.view_functions:
        return None
    return url_for("members.show", member_id=member_id)


def _incoming_page(incoming, status=200, decline_form=None, errors=()):
    return render_template(
        "referrals/incoming_show.html", incoming=incoming, member_url=_member_url(incoming.member_id),
        decide_form=DecideForm(), decline_form=decline_form or DeclineForm(formdata=None), errors=list(errors),
    ), status


@bp_incoming.get("/<int:incoming_referral_id>", endpoint="show")
@requires("referrals.incoming")
def show_incoming(incoming_referral_id: int):
    return _incoming_page(incoming_or_404(incoming_referral_id))


@bp_incoming.post("/<int:incoming_referral_id>/accept")
@requires("referrals.decide")
def accept(incoming_referral_id: int):
    incoming = incoming_or_404(incoming_referral_id)
    if not DecideForm().validate_on_submit():
        return _incoming_page(incoming, 400, errors=[_("The form has expired. Open it again.")])
    try:
        do_accept_referral(incoming, actor_id=current_user.id, notify=True)
    except ReferralError as error:
        db.session.rollback()
        return _incoming_page(incoming_or_404(incoming_referral_id), 409, errors=[str(error)])
    db.session.commit()
    flash(_("The referral has been accepted: the resident is now in the journey as referred."), "info")
    return redirect(url_for("referrals_incoming.show", incoming_referral_id=incoming_referral_id))


@bp_incoming.post("/<int:incoming_referral_id>/decline")
@requires("referrals.decide")
def decline(incoming_referral_id: int):
    incoming = incoming_or_404(incoming_referral_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _incoming_page(incoming, 400, decline_form=form)
    try:
        do_decline_referral(incoming, reason=form.reason.data, actor_id=current_user.id, notify=True)
    except ReferralError as error:
        db.session.rollback()
        incoming = incoming_or_404(incoming_referral_id)
        return _incoming_page(incoming, 400 if error.field else 409, decline_form=form,
                              errors=_add_error(form, error))
    db.session.commit()
    flash(_("The referral has been declined; the municipality receives your reason."), "info")
    return redirect(url_for("referrals_incoming.show", incoming_referral_id=incoming_referral_id))
