"""Invitations: issue, revoke, find by the link's token, accept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import get_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, text

from koepel.platform.audit import record
from koepel.platform.auth import User
from koepel.platform.db import db, utcnow
from koepel.platform.mail import external_url, send_mail
from koepel.platform.tenancy import Membership, Tenant, tenant_context
from koepel.platform.tenancy.guard import INVITATION_TOKEN
from koepel.platform.tenancy.models import ROLES_BY_KIND
from koepel.platform.tenancy.operations import do_add_membership

from .models import INVITATION_DAYS, Invitation

SALT = "koepel.invitation"
# Invitations can be accepted while the tenant is one of these.
OPEN_STATUSES = ("pending", "active")


class InvitationError(ValueError):
    """An invitation that cannot be issued, revoked or accepted; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _language() -> str:
    locale = get_locale()
    return str(locale) if locale is not None and str(locale) in ("nl", "en") else "nl"


def do_invite(tenant: Tenant, *, email: str, role: str, actor_id: int | None) -> tuple[Invitation, str]:
    """Invite `email` to `role` in `tenant` and mail the link (after commit).

    A pending invitation of the same address for the same role is replaced (its link
    stops working): inviting again is how a lost mail is resent. Returns the invitation
    and the token of its link (for the mail; only its hash is stored).
    """
    from flask_babel import gettext as _

    email = (email or "").strip()
    if "@" not in email[1:]:
        raise InvitationError(_("Enter a valid email address."), "email")
    if role not in ROLES_BY_KIND[tenant.kind]:
        raise InvitationError(_("This role does not exist in this kind of organisation."), "role")
    if tenant.status not in OPEN_STATUSES:
        raise InvitationError(_("This organisation cannot invite people now."))
    existing = User.by_email(email)
    now = utcnow()
    token = _serializer().dumps(secrets.token_urlsafe(24))
    with tenant_context(tenant.id, actor_id):
        if existing is not None and db.session.scalar(
            select(Membership.id).where(Membership.user_id == existing.id, Membership.role == role)
        ):
            raise InvitationError(_("This person already has this role here."), "email")
        for old in db.session.scalars(
            select(Invitation).where(
                db.func.lower(Invitation.email) == email.lower(), Invitation.role == role,
                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            ).with_for_update()
        ):
            old.revoked_at, old.revoked_by = now, actor_id
        invitation = Invitation(
            email=email, role=role, token_hash=token_hash(token), invited_by=actor_id,
            created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        db.session.add(invitation)
        db.session.flush()
        record("invitation.sent", object_type="invitation", object_id=invitation.id,
               details={"email": email, "role": role})
    inviter = db.session.get(User, actor_id) if actor_id else None
    send_mail(
        to=email, template="invitation", language=existing.language if existing else _language(),
        tenant_name=tenant.name, role=role, inviter=inviter.name if inviter else None,
        link=external_url("people.accept", token=token), expires_at=invitation.expires_at,
        has_account=existing is not None,
    )
    return invitation, token


def do_revoke_invitation(tenant: Tenant, invitation_id: int, *, actor_id: int) -> Invitation | None:
    """None when the tenant has no such invitation (the caller answers 404)."""
    from flask_babel import gettext as _

    with tenant_context(tenant.id, actor_id):
        invitation = db.session.get(Invitation, (tenant.id, invitation_id), with_for_update=True)
        if invitation is None:
            return None
        if invitation.state() != "pending":
            raise InvitationError(_("Only an open invitation can be revoked."))
        invitation.revoked_at, invitation.revoked_by = utcnow(), actor_id
        db.session.flush()
        record("invitation.revoked", object_type="invitation", object_id=invitation.id,
               details={"email": invitation.email, "role": invitation.role})
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The invitation of a link, or None for a tampered or unknown one.

    Read without a tenant in context through the `invitation_by_token` policy: the
    transaction is told the token's hash and may see exactly that row.
    """
    try:
        _serializer().loads(token)
    except BadSignature:
        return None
    digest = token_hash(token)
    db.session.execute(text("SELECT set_config('app.invitation_token', :h, true)"), {"h": digest})
    return db.session.scalar(
        select(Invitation).where(Invitation.token_hash == digest).execution_options(**{INVITATION_TOKEN: True})
    )


def invitation_tenant(invitation: Invitation) -> Tenant | None:
    return db.session.get(Tenant, invitation.tenant_id)


def do_accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Give `user` the invitation's role; the invitation is used up.

    Locks the invitation first: the same link used twice at once gives the role once.
    """
    from flask_babel import gettext as _

    tenant = invitation_tenant(invitation)
    if tenant is None or tenant.status not in OPEN_STATUSES:
        raise InvitationError(_("This organisation no longer accepts this invitation."))
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise InvitationError(_("This invitation is for another email address."))
    with tenant_context(tenant.id, user.id):
        locked = db.session.get(Invitation, (tenant.id, invitation.id), with_for_update=True, populate_existing=True)
        if locked is None or locked.state() != "pending":
            raise InvitationError(_("This invitation can no longer be used."))
        locked.accepted_at, locked.accepted_by = utcnow(), user.id
        db.session.flush()
        record("invitation.accepted", object_type="invitation", object_id=locked.id,
               details={"email": locked.email, "role": locked.role})
    return do_add_membership(tenant, user.id, invitation.role, actor_id=user.id)
