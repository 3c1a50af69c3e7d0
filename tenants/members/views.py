"""The member pages of a cooperative: the list, registering, a member's page with the
journey, editing, assigning a coach and the portal account, the journey's settings.

Thin handlers: load the member through `member_or_404` (who-sees-whom), validate the
form, call an operation, commit once, redirect with a message. Bad input shows the page
again with the messages at their fields (status 400) and changes nothing.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy.request import tenant_blueprint

from .access import member_or_404, visible_members
from .journey import OUTCOME_LABELS, STAGE_LABELS, STAGES, JourneyError, allowed_next
from .models import Member
from .operations import (
    PHOTO_MAX_BYTES,
    MemberError,
    do_assign_coach,
    do_link_account,
    do_register_member,
    do_set_business_photo,
    do_set_trial_end,
    do_transition,
    do_update_member,
    do_update_settings,
    photo_path,
    remove_photo_file,
)
from .pages import member_page_links
from .queries import (
    coaches,
    counts_by_stage,
    member_rows,
    municipalities,
    person_email,
    person_name,
    portal_accounts,
    settings_values,
    timeline,
    trial_flag,
)
from .schemas import (
    LANGUAGE_LABELS,
    NONE,
    REFERRAL_LABELS,
    AssignForm,
    EditMemberForm,
    MemberFilterForm,
    NewMemberForm,
    SettingsForm,
    TransitionForm,
    TrialEndForm,
)

bp = tenant_blueprint("members", __name__, kinds=("cooperative",), url_prefix="/members", template_folder="templates")


def _labels() -> dict:
    return {"stage_labels": STAGE_LABELS, "outcome_labels": OUTCOME_LABELS, "language_labels": LANGUAGE_LABELS,
            "referral_labels": REFERRAL_LABELS}


def _show_error(form, error) -> None:
    """Put an operation's message at its field (or at the form's first field)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        field = next(iter(form))
        if field.name == "csrf_token":
            field = list(form)[1]
    field.errors = [*field.errors, str(error)]


# --- the list -------------------------------------------------------------------------------


@bp.get("/")
@requires("members.view")
def index():
    form = MemberFilterForm(request.args)
    status = 200
    stage = search = None
    if request.args and not form.validate():
        status = 400
    elif request.args:
        stage, search = form.stage.data or None, form.q.data or None
    counts = counts_by_stage(visible_members())
    return render_template(
        "members/index.html", form=form, counts=counts, total=sum(counts.values()), stage=stage, search=search,
        rows=member_rows(visible_members(), stage=stage, search=search) if status == 200 else [],
        stages=STAGES, **_labels(),
    ), status


# --- registering ----------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires("members.edit")
def new():
    form = NewMemberForm(coaches=coaches(), municipalities=municipalities())
    if request.method == "GET":
        return _new_page(form)
    if not form.validate_on_submit():
        return _new_page(form, 400)
    coach_id = form.coach_id()
    if coach_id is None and current_user.has_role("coach"):
        coach_id = current_user.id  # a coach registers the members they will coach
    try:
        member = do_register_member(
            **form.member_fields(), stage=form.stage.data, on_date=form.on_date.data, coach_user_id=coach_id,
            business=form.business_fields(), actor_id=current_user.id, today=amsterdam_today(),
        )
    except MemberError as error:
        db.session.rollback()
        _show_error(form, error)
        return _new_page(form, 400)
    db.session.commit()
    flash(_("%(name)s has been registered.", name=member.name), "info")
    if db.session.scalar(visible_members().where(Member.id == member.id)) is None:
        return redirect(url_for("members.index"))  # registered for another coach
    return redirect(url_for("members.show", member_id=member.id))


def _new_page(form, status: int = 200):
    return render_template("members/new.html", form=form, **_labels()), status


# --- a member's page --------------------------------------------------------------------------


def _show_page(member: Member, status: int = 200, *, transition_form=None, trial_form=None, assign_form=None):
    today = amsterdam_today()
    settings = settings_values()
    if transition_form is None:
        transition_form = TransitionForm(stage=member.stage, formdata=None)
    if trial_form is None:
        trial_form = TrialEndForm(formdata=None, trial_ends_on=member.trial_ends_on)
    if assign_form is None and can("members.assign"):
        assign_form = _assign_form(member, formdata=None)
    return render_template(
        "members/show.html",
        member=member,
        business=member.business,
        coach_name=person_name(member.coach_user_id),
        account_name=person_name(member.user_id),
        account_email=person_email(member.user_id),
        benefit_municipality=dict(municipalities()).get(member.benefit_municipality_id),
        steps=timeline(member.id),
        allowed=allowed_next(member.stage),
        trial_days=trial_flag(member, today, settings.trial_warning_days),
        transition_form=transition_form,
        trial_form=trial_form,
        assign_form=assign_form,
        member_links=member_page_links(member.id),
        **_labels(),
    ), status


def _assign_form(member: Member, formdata=None) -> AssignForm:
    known = coaches()
    if member.coach_user_id is not None and member.coach_user_id not in {i for i, _ in known}:
        known.append((member.coach_user_id, person_name(member.coach_user_id) or "?"))  # lost the role since
    accounts = portal_accounts()
    if member.user_id is not None and member.user_id not in {i for i, _ in accounts}:
        accounts.append((member.user_id, person_name(member.user_id) or "?"))
    kwargs = {} if formdata is not None else {
        "coach_user_id": str(member.coach_user_id) if member.coach_user_id else NONE,
        "user_id": str(member.user_id) if member.user_id else NONE,
    }
    return AssignForm(formdata=formdata, coaches=known, accounts=accounts, **kwargs)


@bp.get("/<int:member_id>")
@requires("members.view")
def show(member_id: int):
    return _show_page(member_or_404(member_id))


@bp.post("/<int:member_id>/transition")
@requires("members.transition")
def transition(member_id: int):
    member = member_or_404(member_id)
    form = TransitionForm(stage=member.stage)
    if not form.validate_on_submit():
        return _show_page(member, 400, transition_form=form)
    try:
        step = do_transition(member, form.to_stage.data, on_date=form.on_date.data, reason=form.reason.data or "",
                             outcome=form.outcome.data or None, actor_id=current_user.id, today=amsterdam_today())
    except (JourneyError, MemberError) as error:
        db.session.rollback()
        _show_error(form, error)
        return _show_page(member_or_404(member_id), 400, transition_form=form)
    db.session.commit()
    flash(_("%(name)s is now in the stage “%(stage)s”.", name=member.name, stage=STAGE_LABELS[step.to_stage]), "info")
    return redirect(url_for("members.show", member_id=member_id))


@bp.post("/<int:member_id>/trial-end")
@requires("members.transition")
def trial_end(member_id: int):
    member = member_or_404(member_id)
    form = TrialEndForm()
    if not form.validate_on_submit():
        return _show_page(member, 400, trial_form=form)
    try:
        do_set_trial_end(member, form.trial_ends_on.data, actor_id=current_user.id)
    except MemberError as error:
        db.session.rollback()
        _show_error(form, error)
        return _show_page(member_or_404(member_id), 400, trial_form=form)
    db.session.commit()
    flash(_("The trial period now ends on %(date)s.", date=member.trial_ends_on.strftime("%d-%m-%Y")), "info")
    return redirect(url_for("members.show", member_id=member_id))


@bp.post("/<int:member_id>/assign")
@requires("members.assign")
def assign(member_id: int):
    member = member_or_404(member_id)
    form = _assign_form(member, formdata=request.form)
    if not form.validate_on_submit():
        return _show_page(member, 400, assign_form=form)
    coach_id, account_id = AssignForm.chosen(form.coach_user_id), AssignForm.chosen(form.user_id)
    try:
        if coach_id != member.coach_user_id:  # an unchanged coach who has since lost the role may stay
            do_assign_coach(member, coach_id, actor_id=current_user.id)
        do_link_account(member, account_id, actor_id=current_user.id)
    except MemberError as error:
        db.session.rollback()
        _show_error(form, error)
        return _show_page(member_or_404(member_id), 400, assign_form=form)
    db.session.commit()
    flash(_("The coach and portal account of %(name)s have been saved.", name=member.name), "info")
    return redirect(url_for("members.show", member_id=member_id))


# --- editing and the photo ------------------------------------------------------------------


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@requires("members.edit")
def edit(member_id: int):
    member = member_or_404(member_id)
    if request.method == "GET":
        return _edit_page(member, EditMemberForm(obj=_form_values(member), municipalities=municipalities()))
    form = EditMemberForm(municipalities=municipalities())
    if not form.validate_on_submit():
        return _edit_page(member, form, 400)
    business = form.business_fields()
    if member.business is not None and not business["trade_name"].strip():
        form.trade_name.errors.append(_("Enter the trade name."))
        return _edit_page(member, form, 400)
    upload = form.photo.data
    data = upload.stream.read(PHOTO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
    previous_photo = member.business.photo_file if member.business is not None else None
    try:
        do_update_member(member, business=business, actor_id=current_user.id, **form.member_fields())
        if data is not None:
            do_set_business_photo(member, data, actor_id=current_user.id)
    except MemberError as error:
        db.session.rollback()
        _show_error(form, error)
        return _edit_page(member_or_404(member_id), form, 400)
    new_photo = member.business.photo_file if member.business is not None else None
    db.session.commit()
    if previous_photo and new_photo != previous_photo:
        remove_photo_file(previous_photo)
    flash(_("The details of %(name)s have been saved.", name=member.name), "info")
    return redirect(url_for("members.show", member_id=member_id))


def _form_values(member: Member):
    class Values:
        pass

    values = Values()
    for key in ("name", "email", "phone", "date_of_birth", "municipality", "language", "referral_source"):
        setattr(values, key, getattr(member, key))
    values.benefit_municipality_id = str(member.benefit_municipality_id or "")
    values.household = member.household or ""
    for key in ("trade_name", "activity", "description"):
        setattr(values, key, getattr(member.business, key) if member.business is not None else "")
    return values


def _edit_page(member: Member, form, status: int = 200):
    return render_template("members/edit.html", member=member, business=member.business, form=form,
                           **_labels()), status


@bp.get("/<int:member_id>/photo")
@requires("members.view")
def photo(member_id: int):
    member = member_or_404(member_id)
    path = photo_path(member.business.photo_file if member.business is not None else None)
    if path is None:
        abort(404)
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- settings -------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@requires("members.settings")
def settings():
    current = settings_values()
    if request.method == "GET":
        form = SettingsForm(formdata=None, trial_months=current.trial_months,
                            trial_warning_days=current.trial_warning_days)
        return _settings_page(form)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    try:
        do_update_settings(trial_months=form.trial_months.data, trial_warning_days=form.trial_warning_days.data,
                           actor_id=current_user.id)
    except MemberError as error:
        db.session.rollback()
        _show_error(form, error)
        return _settings_page(form, 400)
    db.session.commit()
    flash(_("The journey settings have been saved."), "info")
    return redirect(url_for("members.settings"))


def _settings_page(form, status: int = 200):
    return render_template("members/settings.html", form=form, tenant_name=g.tenant.name), status
