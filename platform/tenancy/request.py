"""Resolve the tenant of a request from its URL (`/t/<tenant_slug>/…`).

Order matters and is the isolation story of a request: find the tenant by slug, put it
in context (so the user loader sees only that tenant's memberships), then require a
signed-in person who holds a role there. A tenant that does not exist, is archived, or
where the person has no role all answer the same 404.

Then the tenant's status and the kind of access decide what the request may do, here in
one place rather than in every view:

- support access: umbrella staff without a role in the tenant but with an open support
  grant (opened through `umbrella_scope(reason)`) get the synthetic, read-only `support`
  role. Only GET/HEAD; every page they open is written to the tenant's audit log.
- pending or rejected (an application): the only page is the application's status page.
- suspended: people still sign in and read; every change is refused with the reason.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Flask, abort, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from sqlalchemy import select

from .context import activate, deactivate
from .guard import OWN_MEMBERSHIPS
from .models import Membership, Tenant

TENANT_ARG = "tenant_slug"
TENANT_PREFIX = f"/t/<{TENANT_ARG}>"
HIDDEN_STATUSES = ("archived",)
APPLICATION_STATUSES = ("pending", "rejected")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
APPLICATION_STATUS_ENDPOINT = "onboarding.status"
UMBRELLA_STAFF_ROLES = ("umbrella_admin", "umbrella_staff")
SUPPORT_ROLE = "support"


def tenant_blueprint(name: str, import_name: str, *, kinds: tuple[str, ...], url_prefix: str = "", **options) -> Blueprint:
    """A blueprint under `/t/<tenant_slug>/` whose pages exist only in tenants of `kinds`.

    In a tenant of another kind every route answers 404, as for a page that does not
    exist (a municipality has no member pages). `bp.tenant_kinds` tells the tests.
    """
    bp = Blueprint(name, import_name, url_prefix=f"{TENANT_PREFIX}{url_prefix}", **options)
    bp.tenant_kinds = tuple(kinds)

    @bp.before_request
    def only_in_its_kinds():
        if g.get("tenant") is None or g.tenant.kind not in bp.tenant_kinds:
            abort(404)

    return bp


class Refused(Exception):
    """A change refused because of the tenant's status; rendered as a 403 with the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def init_app(app: Flask, login_manager: LoginManager) -> None:
    @app.url_value_preprocessor
    def pull_tenant_slug(endpoint, values):
        g.tenant_slug = values.pop(TENANT_ARG, None) if values else None

    @app.url_defaults
    def add_tenant_slug(endpoint, values):
        if TENANT_ARG in values or not g.get("tenant"):
            return
        if app.url_map.is_endpoint_expecting(endpoint, TENANT_ARG):
            values[TENANT_ARG] = g.tenant.slug

    @app.before_request
    def enter_scope():
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.tenant = None
        g.support_grant = None
        user_id = session.get("_user_id")
        g.scope_token = activate(None, int(user_id) if user_id else None)
        slug = g.get("tenant_slug")
        if slug is None:
            return None
        tenant = Tenant.by_slug(slug)
        if tenant is not None and tenant.status not in HIDDEN_STATUSES:
            _switch_scope(tenant.id, user_id)
        else:
            tenant = None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if tenant is not None and not current_user.tenant_roles:
            g.support_grant = _support_grant(current_user.id)
            if g.support_grant is not None:
                current_user.tenant_roles = frozenset({SUPPORT_ROLE})
        if tenant is None or not current_user.tenant_roles:
            _switch_scope(None, user_id)  # the 404 page renders outside that tenant
            abort(404)
        g.tenant = tenant
        return _status_rules(tenant)

    def _switch_scope(tenant_id, user_id):
        deactivate(g.scope_token)
        g.scope_token = activate(tenant_id, int(user_id) if user_id else None)

    @app.teardown_request
    def leave_scope(exc):
        token = g.pop("scope_token", None)
        if token is not None:
            deactivate(token)

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        from koepel.platform.http.errors import render_error

        return render_error(403, exc.message)


def _support_grant(user_id: int):
    """An open support grant of this umbrella staff member for the request's tenant."""
    from koepel.platform.db import db

    from .operations import open_support_grant_for

    still_staff = db.session.scalar(
        select(Membership.id)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Tenant.kind == "umbrella", Membership.user_id == user_id, Membership.role.in_(UMBRELLA_STAFF_ROLES))
        .limit(1)
        .execution_options(**{OWN_MEMBERSHIPS: True})
    )
    return open_support_grant_for(user_id) if still_staff else None


def _status_rules(tenant: Tenant):
    from koepel.platform.audit import record
    from koepel.platform.db import db

    from .operations import latest_status_change

    changing = request.method not in SAFE_METHODS
    if g.support_grant is not None:
        if changing:
            raise Refused(_("Support access is read-only."))
        record("support.page_viewed", object_type="support_grant", object_id=g.support_grant.id,
               details={"path": request.path[:300]})
        db.session.commit()  # on record even if the page itself fails
    if tenant.status in APPLICATION_STATUSES and request.endpoint != APPLICATION_STATUS_ENDPOINT:
        if changing:
            raise Refused(_("This organisation has not been approved yet."))
        return redirect(url_for(APPLICATION_STATUS_ENDPOINT))
    if tenant.status == "suspended" and changing:
        change = latest_status_change(tenant.id)
        reason = change.reason if change is not None and change.reason else _("no reason was given")
        raise Refused(_("This organisation is suspended: %(reason)s", reason=reason))
    return None
