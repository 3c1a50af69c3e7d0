"""The composition root: the only module that wires every package into one app."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g
from flask_login import current_user
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import koepel.migrations
import koepel.platform.audit.jobs  # noqa: F401 - job kinds are declared where they live
from koepel.platform import account, onboarding, parameters, people
from koepel.platform.audit.labels import describe_action
from koepel.platform.audit.views import bp as audit_bp
from koepel.platform.auth import can
from koepel.platform.auth.login import init_app as init_login
from koepel.platform.auth.login import login_manager
from koepel.platform.auth.queries import my_tenants
from koepel.platform.auth.views import bp as auth_bp
from koepel.platform.config import Settings
from koepel.platform.db import db
from koepel.platform.http import errors, i18n, logs, security
from koepel.platform.http.health import bp as health_bp
from koepel.platform.jobs import JOB_KINDS
from koepel.platform.jobs.queue import init_app as init_queue
from koepel.platform.jobs.views import bp as jobs_bp
from koepel.platform.tenancy.request import init_app as init_tenancy
from koepel.platform.umbrella.views import bp as umbrella_bp
from koepel.services import outcomes  # noqa: F401 - its table and job belong to the schema and the worker
from koepel.services.outcomes import views as outcomes_views
from koepel.tenants import (
    agreements,
    books,
    coaching,
    funding,
    invoices,
    ladder,
    ledger,  # noqa: F401 - its models belong to the schema before it has pages
    meetings,
    member_transfer,
    members,
    online_payments,
    payments,
    placements,
    portal,
    pots,
    referrals,
    settlements,
    workspace,
)

MIGRATIONS_DIR = str(Path(koepel.migrations.__file__).parent)
BLUEPRINTS = (
    auth_bp, health_bp, jobs_bp, audit_bp, umbrella_bp, account.bp, people.bp, onboarding.bp, parameters.bp, workspace.bp,
    members.bp, referrals.bp, referrals.bp_incoming, ladder.bp, coaching.bp, meetings.bp, member_transfer.bp, portal.bp,
    agreements.bp, invoices.bp, pots.bp, books.bp, payments.bp, online_payments.bp, online_payments.public_bp,
    settlements.bp, settlements.bp_cooperative, settlements.bp_municipality, placements.bp,
    funding.bp, funding.bp_cooperative, funding.bp_municipality, outcomes_views.bp, outcomes_views.bp_umbrella,
)

csrf = CSRFProtect()
migrate = Migrate()


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(settings.flask_config())
    app.config.update(overrides)

    if app.config["TRUSTED_PROXY_HOPS"]:
        # Behind N proxies the client's address (for the audit log) and scheme come
        # from the X-Forwarded-* headers those proxies set.
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    logs.configure(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    init_login(app)
    i18n.init_app(app)
    init_tenancy(app, login_manager)
    errors.init_app(app)
    security.init_app(app)  # headers, CSP, abuse limits, the dev mail page
    init_queue(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.context_processor(_shell_context)

    # A forked rq work-horse must not share its parent's database connections.
    os.register_at_fork(after_in_child=lambda: _dispose_engines(app))
    return app


def _shell_context() -> dict:
    """What every page's layout uses: the tenant, permissions, the switcher, labels."""
    return {
        "can": can,
        "tenant": g.get("tenant"),
        "my_tenants": lambda: my_tenants() if current_user.is_authenticated else [],
        "audit_action": describe_action,
        "job_title": lambda kind: str(JOB_KINDS[kind].title) if kind in JOB_KINDS else kind,
    }


def _dispose_engines(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
