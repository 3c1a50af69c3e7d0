"""Resolve the tenant of a request from its URL (`/t/<tenant_slug>/…`).

Order matters and is the isolation story of a request: find the tenant by slug, put it
in context (so the user loader sees only that tenant's memberships), then require a
signed-in person who holds a role there. A tenant that does not exist, is archived, or
where the person has no role all answer the same 404.
"""

from __future__ import annotations

import uuid

from flask import Flask, abort, g, request, session
from flask_login import LoginManager, current_user

from .context import activate, deactivate
from .models import Tenant

TENANT_ARG = "tenant_slug"
TENANT_PREFIX = f"/t/<{TENANT_ARG}>"
HIDDEN_STATUSES = ("archived",)


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
        if tenant is None or not current_user.tenant_roles:
            _switch_scope(None, user_id)  # the 404 page renders outside that tenant
            abort(404)
        g.tenant = tenant
        return None

    def _switch_scope(tenant_id, user_id):
        deactivate(g.scope_token)
        g.scope_token = activate(tenant_id, int(user_id) if user_id else None)

    @app.teardown_request
    def leave_scope(exc):
        token = g.pop("scope_token", None)
        if token is not None:
            deactivate(token)
