"""The people page of a tenant and the public invitation link.

The blueprint has no url_prefix: the people pages live under the tenant
(`/t/<tenant_slug>/people/…`), the invitation link (`/invitations/<token>`) outside any
tenant, because the invitee has no role anywhere yet.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.account.operations import (
    ERASURE_MESSAGES,
    ErasureError,
    do_confirm_erasure,
    pending_erasure,
    pending_erasures,
)
from koepel.platform.auth import User, requires
from koepel.platform.auth.permissions import public
from koepel.platform.auth.two_factor import do_reset_two_factor
from koepel.platform.db import db
from koepel.platform.tenancy.operations import LastKeyRole, TenancyError, do_set_roles, key_role
from koepel.platform.tenancy.request import TENANT_PREFIX

from .forms import ROLE_LABELS, InviteForm, NewAccountForm, RolesForm
from .operations import (
    InvitationError,
    do_accept_invitation,
    do_invite,
    do_revoke_invitation,
    find_invitation,
    invitation_tenant,
)
from .queries import open_invitations, people, person

bp = Blueprint("people", __name__, template_folder="templates")
PEOPLE = f"{TENANT_PREFIX}/people"


def _page(invite_form=None, status=200, roles_errors=None):
    tenant = g.tenant
    return render_template(
        "people/index.html",
        people=people(),
        invitations=open_invitations(),
        invite_form=invite_form or InviteForm(tenant.roles),
        tenant_roles=tenant.roles,
        key_role=key_role(tenant),
        roles_errors=roles_errors or {},
        erasure_pending=pending_erasures([p.id for p in people()]),
    ), status


@bp.get(f"{PEOPLE}/")
@requires("people.view")
def index():
    return _page()


@bp.post(f"{PEOPLE}/invite")
@requires("people.invite")
def invite():
    form = InviteForm(g.tenant.roles)
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        do_invite(g.tenant, email=form.email.data, role=form.role.data, actor_id=current_user.id)
    except InvitationError as exc:
        db.session.rollback()
        (getattr(form, exc.field).errors if exc.field else form.email.errors).append(str(exc))
        return _page(form, 400)
    db.session.commit()
    flash(_("Invitation sent to %(email)s.", email=form.email.data.strip()), "info")
    return redirect(url_for("people.index"))


@bp.post(f"{PEOPLE}/<int:user_id>/roles")
@requires("people.change_roles")
def change_roles(user_id: int):
    who = person(user_id)
    if who is None:
        abort(404)
    form = RolesForm(g.tenant.roles)
    remove = request.form.get("remove")
    if remove is not None:
        wanted = set(who.roles) - {remove}
    elif form.validate_on_submit():
        wanted = set(form.roles.data or [])
    else:
        return _page(status=400, roles_errors={user_id: [e for errs in form.errors.values() for e in errs]})
    try:
        added, removed = do_set_roles(g.tenant, user_id, wanted, actor_id=current_user.id)
    except LastKeyRole:
        db.session.rollback()
        message = _("%(role)s: this organisation must keep at least one. Give the role to someone else first.",
                    role=ROLE_LABELS[key_role(g.tenant)])
        return _page(status=409, roles_errors={user_id: [message]})
    except TenancyError:
        db.session.rollback()
        return _page(status=400, roles_errors={user_id: [_("Choose roles that exist in this organisation.")]})
    db.session.commit()
    if not wanted:
        flash(_("%(name)s no longer has a role here.", name=who.name), "info")
    elif added or removed:
        flash(_("The roles of %(name)s have been changed.", name=who.name), "info")
    return redirect(url_for("people.index"))


@bp.post(f"{PEOPLE}/invitations/<int:invitation_id>/revoke")
@requires("people.invite")
def revoke(invitation_id: int):
    try:
        invitation = do_revoke_invitation(g.tenant, invitation_id, actor_id=current_user.id)
    except InvitationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("people.index"))
    if invitation is None:
        abort(404)
    db.session.commit()
    flash(_("The invitation for %(email)s has been revoked.", email=invitation.email), "info")
    return redirect(url_for("people.index"))


@bp.post(f"{PEOPLE}/<int:user_id>/two-factor/reset")
@requires("people.reset_two_factor")
def reset_two_factor(user_id: int):
    who = person(user_id)
    if who is None:
        abort(404)
    do_reset_two_factor(user_id, actor_id=current_user.id, tenant_id=g.tenant.id)
    db.session.commit()
    flash(_("Two-factor sign-in of %(name)s has been reset. They will set it up again the next time they sign in.",
            name=who.name), "info")
    return redirect(url_for("people.index"))


@bp.post(f"{PEOPLE}/<int:user_id>/erasure/confirm")
@requires("people.confirm_erasure")
def confirm_erasure(user_id: int):
    """A person of this organisation asked to be erased; one who answers for it confirms."""
    who = person(user_id)
    request_ = pending_erasure(user_id) if who is not None else None
    if request_ is None:
        abort(404)
    try:
        do_confirm_erasure(request_.id, actor_id=current_user.id)
    except ErasureError as error:
        db.session.rollback()
        flash(ERASURE_MESSAGES[error.reason](), "error")
        return redirect(url_for("people.index"))
    db.session.commit()
    flash(_("The person has been erased."), "info")
    return redirect(url_for("people.index"))


# --- the invitation link -------------------------------------------------------------------


def _invitation_page(state: str, status: int = 200, **context):
    return render_template("people/invitation.html", state=state, **context), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public("the invitee has no account or no role yet; the signed token is the permission")
def accept(token: str):
    invitation = find_invitation(token)
    if invitation is None:
        return _invitation_page("invalid", 404)
    tenant = invitation_tenant(invitation)
    state = invitation.state()
    if tenant is None or tenant.status not in ("pending", "active"):
        state = "closed"
    if state != "pending":
        return _invitation_page(state, 410 if state in ("expired", "revoked", "accepted", "closed") else 404,
                                invitation=invitation, inviting=tenant)
    context = {"invitation": invitation, "inviting": tenant, "role_label": ROLE_LABELS[invitation.role]}
    account = User.by_email(invitation.email)
    if account is not None:
        if not current_user.is_authenticated:
            return _invitation_page("sign_in", 200, next_url=request.path, **context)
        if current_user.id != account.id:
            return _invitation_page("other_account", 409, **context)
        if request.method == "POST":
            try:
                do_accept_invitation(invitation, current_user._get_current_object())
            except InvitationError as exc:
                db.session.rollback()
                return _invitation_page("problem", 409, message=str(exc), **context)
            db.session.commit()
            flash(_("You now have a role in %(name)s.", name=tenant.name), "info")
            return redirect(url_for("workspace.home", tenant_slug=tenant.slug))
        return _invitation_page("confirm", 200, **context)

    # No account yet: the person chooses a name and a password. Someone else signed in
    # on this browser signs out first: the new account is not theirs.
    if current_user.is_authenticated:
        return _invitation_page("other_account", 409, **context)
    form = NewAccountForm(invitation.email)
    if form.validate_on_submit():
        from koepel.platform.auth.operations import AccountError, do_create_user
        from koepel.platform.auth.views import complete_sign_in

        try:
            # The link arrived at this address: it is proven.
            user = do_create_user(email=invitation.email, name=form.name.data, password=form.password.data,
                                  language=_current_language(), verified=True)
            do_accept_invitation(invitation, user)
        except (AccountError, InvitationError) as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
            return _invitation_page("new_account", 400, form=form, **context)
        # complete_sign_in commits the account, the role and the used invitation at once.
        return complete_sign_in(user, url_for("workspace.home", tenant_slug=tenant.slug))
    return _invitation_page("new_account", 400 if request.method == "POST" else 200, form=form, **context)


def _current_language() -> str:
    from flask_babel import get_locale

    locale = str(get_locale() or "nl")
    return locale if locale in ("nl", "en") else "nl"
