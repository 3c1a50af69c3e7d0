"""Platform administration by umbrella staff, inside the umbrella's own tenant
(`/t/<umbrella>/admin/…`).

Writes to another tenant (status, invitations, support grants) run in the app session
with that tenant in context, audited there and in the umbrella's log. Reads of another
tenant's data are opened with `umbrella_scope(reason)`, so they are on record too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from koepel.platform.account.models import ErasureRequest
from koepel.platform.account.operations import (
    ERASURE_MESSAGES,
    ErasureError,
    do_cancel_erasure,
    do_confirm_erasure,
    pending_erasure_requests,
)
from koepel.platform.audit.forms import FederationAuditForm
from koepel.platform.audit.queries import page_of_events
from koepel.platform.auth import User, requires
from koepel.platform.auth.two_factor import do_reset_two_factor
from koepel.platform.db import db
from koepel.platform.jobs import do_enqueue
from koepel.platform.people.operations import InvitationError, do_invite
from koepel.platform.tenancy import Membership, Tenant, tenant_context, umbrella_scope
from koepel.platform.tenancy.operations import (
    TenancyError,
    do_change_status,
    do_close_support_grant,
    do_create_tenant,
    do_open_support_grant,
)
from koepel.platform.tenancy.request import TENANT_PREFIX

from .forms import (
    AdminInviteForm,
    DecisionForm,
    NewTenantForm,
    StatusForm,
    SupportForm,
    TenantFilterForm,
)
from .queries import (
    all_tenants,
    failed_jobs,
    municipalities,
    pending_applications,
    search_tenants,
    tenant_detail,
)

bp = Blueprint("umbrella", __name__, url_prefix=f"{TENANT_PREFIX}/admin", template_folder="templates")


@bp.before_request
def umbrella_only():
    # Umbrella staff roles exist only in the umbrella's tenant; other kinds have no admin.
    if g.get("tenant") is None or g.tenant.kind != "umbrella":
        abort(404)


def _target(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or tenant.kind == "umbrella":
        abort(404)
    return tenant


def _notify(tenant: Tenant, action: str, reason: str | None) -> None:
    from koepel.platform.onboarding.operations import notify_decision

    notify_decision(tenant, action, reason)


# --- organisations ---------------------------------------------------------------------------


def _tenants_page(new_form=None, status=200):
    filters = TenantFilterForm(request.args, municipalities=municipalities())
    if request.args and not filters.validate():
        return render_template("umbrella/tenants.html", filters=filters, tenants=None,
                               new_form=new_form or NewTenantForm()), 400
    municipality = filters.municipality.data if request.args else ""
    tenants = search_tenants(
        q=filters.q.data if request.args else None, kind=filters.kind.data or None,
        status=filters.status.data or None, municipality_id=int(municipality) if municipality else None,
    )
    return render_template("umbrella/tenants.html", filters=filters, tenants=tenants,
                           new_form=new_form or NewTenantForm()), status


@bp.get("/tenants")
@requires("umbrella.tenants")
def tenants():
    return _tenants_page()


@bp.post("/tenants")
@requires("umbrella.tenants.manage")
def create_tenant():
    form = NewTenantForm()
    if not form.validate_on_submit():
        return _tenants_page(form, 400)
    try:
        tenant = do_create_tenant(kind=form.kind.data, slug=form.slug.data, name=form.name.data,
                                  status="active", actor_id=current_user.id)
        do_invite(tenant, email=form.email.data, role=form.role.data, actor_id=current_user.id)
    except (TenancyError, InvitationError) as exc:
        db.session.rollback()
        form.slug.errors.append(str(exc)) if isinstance(exc, TenancyError) else form.email.errors.append(str(exc))
        return _tenants_page(form, 400)
    db.session.commit()
    flash(_("%(name)s has been created and %(email)s has been invited.", name=tenant.name, email=form.email.data), "info")
    return redirect(url_for("umbrella.tenant", tenant_id=tenant.id))


def _detail_page(tenant: Tenant, status=200, **forms):
    detail = tenant_detail(tenant, "Organisation administration: detail page", current_user.id)
    return render_template(
        "umbrella/tenant.html", detail=detail,
        status_form=forms.get("status_form") or StatusForm(),
        support_form=forms.get("support_form") or SupportForm(),
        invite_form=forms.get("invite_form") or AdminInviteForm(tenant.roles),
    ), status


@bp.get("/tenants/<int:tenant_id>")
@requires("umbrella.tenants")
def tenant(tenant_id: int):
    return _detail_page(_target(tenant_id))


@bp.post("/tenants/<int:tenant_id>/people/<int:user_id>/two-factor/reset")
@requires("umbrella.reset_two_factor")
def reset_two_factor(tenant_id: int, user_id: int):
    """A person of any organisation lost their phone: umbrella staff reset it, on record
    in that organisation's audit log."""
    target = _target(tenant_id)
    with tenant_context(target.id, current_user.id):
        holds_a_role = db.session.scalar(select(Membership.id).where(Membership.user_id == user_id).limit(1))
    if holds_a_role is None:
        abort(404)
    do_reset_two_factor(user_id, actor_id=current_user.id, tenant_id=target.id)
    db.session.commit()
    flash(_("Two-factor sign-in has been reset; the person sets it up again at the next sign-in."), "info")
    return redirect(url_for("umbrella.tenant", tenant_id=target.id))


@bp.post("/tenants/<int:tenant_id>/status")
@requires("umbrella.tenants.manage")
def change_status(tenant_id: int):
    target = _target(tenant_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail_page(target, 400, status_form=form)
    try:
        do_change_status(target, form.action.data, reason=form.reason.data, actor_id=current_user.id)
    except TenancyError:
        db.session.rollback()
        db.session.refresh(target)
        form.reason.errors.append(_status_problem(target, form.action.data, form.reason.data))
        return _detail_page(target, 400, status_form=form)
    _notify(target, form.action.data, form.reason.data)
    db.session.commit()
    flash(_("The status of %(name)s has been changed.", name=target.name), "info")
    return redirect(url_for("umbrella.tenant", tenant_id=target.id))


def _status_problem(tenant: Tenant, action: str, reason: str | None) -> str:
    from koepel.platform.tenancy.operations import STATUS_TRANSITIONS

    sources, _target_status, reason_required = STATUS_TRANSITIONS[action]
    if tenant.status not in sources:
        return _("This change is not possible for an organisation with this status.")
    if reason_required and not (reason or "").strip():
        return _("Give a reason: the organisation's people will see it.")
    return _("This change is not possible.")


@bp.post("/tenants/<int:tenant_id>/invite")
@requires("umbrella.invite")
def invite(tenant_id: int):
    target = _target(tenant_id)
    form = AdminInviteForm(target.roles)
    if not form.validate_on_submit():
        return _detail_page(target, 400, invite_form=form)
    try:
        do_invite(target, email=form.email.data, role=form.role.data, actor_id=current_user.id)
    except InvitationError as exc:
        db.session.rollback()
        (getattr(form, exc.field).errors if exc.field else form.email.errors).append(str(exc))
        return _detail_page(target, 400, invite_form=form)
    db.session.commit()
    flash(_("Invitation sent to %(email)s.", email=form.email.data.strip()), "info")
    return redirect(url_for("umbrella.tenant", tenant_id=target.id))


@bp.post("/tenants/<int:tenant_id>/support")
@requires("umbrella.support_access")
def open_support(tenant_id: int):
    target = _target(tenant_id)
    form = SupportForm()
    if not form.validate_on_submit():
        return _detail_page(target, 400, support_form=form)
    try:
        with umbrella_scope(f"Support access: {form.reason.data}", tenant_id=target.id):
            do_open_support_grant(target, user_id=current_user.id, reason=form.reason.data, minutes=form.minutes.data)
    except TenancyError:
        db.session.rollback()
        form.reason.errors.append(_("Support access to this organisation is not possible."))
        return _detail_page(target, 400, support_form=form)
    db.session.commit()
    flash(_("Support access to %(name)s is open for %(num)d minutes, read-only.", name=target.name,
            num=form.minutes.data), "info")
    return redirect(url_for("workspace.home", tenant_slug=target.slug))


@bp.post("/tenants/<int:tenant_id>/support/<int:grant_id>/close")
@requires("umbrella.support_access")
def close_support(tenant_id: int, grant_id: int):
    target = _target(tenant_id)
    if do_close_support_grant(target, grant_id, actor_id=current_user.id) is None:
        abort(404)
    db.session.commit()
    flash(_("Support access has been closed."), "info")
    return redirect(url_for("umbrella.tenant", tenant_id=target.id))


# --- applications ------------------------------------------------------------------------------


@bp.get("/applications")
@requires("onboarding.review")
def applications():
    return render_template("umbrella/applications.html", applications=pending_applications(), form=DecisionForm())


@bp.post("/applications/<int:tenant_id>/decide")
@requires("onboarding.review")
def decide(tenant_id: int):
    target = _target(tenant_id)
    form = DecisionForm()
    problem = None
    if not form.validate_on_submit():
        problem = " ".join(e for errs in form.errors.values() for e in errs)
    else:
        try:
            do_change_status(target, form.decision.data, reason=form.reason.data, actor_id=current_user.id)
        except TenancyError:
            db.session.rollback()
            db.session.refresh(target)
            problem = _status_problem(target, form.decision.data, form.reason.data)
    if problem:
        return render_template("umbrella/applications.html", applications=pending_applications(), form=form,
                               problem=(target.id, problem)), 400
    _notify(target, form.decision.data, form.reason.data)
    db.session.commit()
    if form.decision.data == "approved":
        flash(_("%(name)s has been approved; the applicant has been emailed.", name=target.name), "info")
    else:
        flash(_("%(name)s has been rejected; the applicant has been emailed.", name=target.name), "info")
    return redirect(url_for("umbrella.applications"))


# --- the federation's audit log ----------------------------------------------------------------


def _federation_form(formdata):
    return FederationAuditForm(formdata, tenants=all_tenants())


@bp.get("/audit")
@requires("audit.federation")
def audit():
    form = _federation_form(request.args)
    if not request.args:
        return render_template("umbrella/audit.html", form=form, page=None, query={})
    if not form.validate():
        return render_template("umbrella/audit.html", form=form, page=None, query={}), 400
    if not (form.reason.data or "").strip():
        form.reason.errors.append(_("Give the reason for looking: it is written to the log first."))
        return render_template("umbrella/audit.html", form=form, page=None, query={}), 400
    filters = form.filters()
    with umbrella_scope(f"Federation audit log: {form.reason.data.strip()}", tenant_id=filters.tenant_id) as session:
        from koepel.platform.audit.models import AuditEvent

        page = page_of_events(filters, form.page.data or 1, session=session, columns=(AuditEvent, User.name))
        tenants = dict(session.execute(select(Tenant.id, Tenant.name)).all())
        session.expunge_all()
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("umbrella/audit.html", form=form, page=page, query=query, tenants=tenants)


@bp.post("/audit/export")
@requires("audit.federation")
def audit_export():
    form = _federation_form(request.form)
    if not form.validate() or not (form.reason.data or "").strip():
        if not (form.reason.data or "").strip():
            form.reason.errors.append(_("Give the reason for looking: it is written to the log first."))
        return render_template("umbrella/audit.html", form=form, page=None, query={}), 400
    run = do_enqueue("audit.export_federation_csv", form.filters().to_args(), form.reason.data.strip())
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=run.id))


# --- erasure requests ------------------------------------------------------------------------


@bp.get("/erasure-requests")
@requires("umbrella.erasure")
def erasure_requests():
    return render_template("umbrella/erasure_requests.html", requests=pending_erasure_requests())


@bp.post("/erasure-requests/<int:request_id>/confirm")
@requires("umbrella.erasure")
def erasure_confirm(request_id: int):
    if db.session.get(ErasureRequest, request_id) is None:
        abort(404)
    try:
        do_confirm_erasure(request_id, actor_id=current_user.id)
    except ErasureError as error:
        db.session.rollback()
        flash(ERASURE_MESSAGES[error.reason](), "error")
        return redirect(url_for("umbrella.erasure_requests"))
    db.session.commit()
    flash(_("The person has been erased."), "info")
    return redirect(url_for("umbrella.erasure_requests"))


@bp.post("/erasure-requests/<int:request_id>/reject")
@requires("umbrella.erasure")
def erasure_reject(request_id: int):
    if db.session.get(ErasureRequest, request_id) is None:
        abort(404)
    try:
        do_cancel_erasure(request_id, actor_id=current_user.id)
    except ErasureError as error:
        flash(ERASURE_MESSAGES[error.reason](), "error")
        return redirect(url_for("umbrella.erasure_requests"))
    db.session.commit()
    flash(_("The request has been rejected."), "info")
    return redirect(url_for("umbrella.erasure_requests"))


@bp.get("/jobs/failed")
@requires("umbrella.jobs")
def jobs_failed():
    return render_template("umbrella/jobs_failed.html", jobs=failed_jobs())
