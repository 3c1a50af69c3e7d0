"""Permissions in one place: every tenant route declares one, and the role × route matrix
derived from the declaration and `app.url_map` holds when exercised."""

from __future__ import annotations

from datetime import timedelta

import pytest

from koepel.platform.account.operations import do_request_erasure
from koepel.platform.auth import User
from koepel.platform.auth.permissions import PERMISSIONS, SUPPORT_ROLE
from koepel.platform.db import db, utcnow
from koepel.platform.jobs import JobRun
from koepel.platform.people.models import Invitation
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import ROLES_BY_KIND
from tests.conftest import baseline_modules, person_with_role, sign_in

TENANT_ARG = "tenant_slug"
# Routes under /t/<tenant_slug>/ that need no permission, with the reason. (Public pages
# outside any tenant — /start, /invitations/<token> — carry `public_reason` instead.)
NO_PERMISSION: dict[str, str] = {}
# Blueprints whose routes exist only in one kind of tenant (besides those made with
# `tenant_blueprint(kinds=...)`, which say so themselves).
KINDS_BY_BLUEPRINT = {"umbrella": ("umbrella",)}


def blueprint_kinds(app, endpoint: str, kind: str) -> tuple[str, ...]:
    name = endpoint.partition(".")[0]
    blueprint = app.blueprints.get(name)
    return getattr(blueprint, "tenant_kinds", None) or KINDS_BY_BLUEPRINT.get(name, (kind,))


def tenant_rules(app):
    return [r for r in app.url_map.iter_rules() if TENANT_ARG in r.arguments]


def test_every_tenant_route_declares_a_permission(app):
    missing = []
    for rule in tenant_rules(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "permission", None) is None and rule.endpoint not in NO_PERMISSION:
            missing.append(rule.endpoint)
    assert not missing, f"tenant routes without @requires(...): {missing}"


def test_every_declared_permission_is_known_and_names_real_roles(app):
    known_roles = {r for roles in ROLES_BY_KIND.values() for r in roles} | {SUPPORT_ROLE}
    for name, roles in PERMISSIONS.items():
        assert roles <= known_roles, (name, roles - known_roles)
    for rule in tenant_rules(app):
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        assert permission is None or permission in PERMISSIONS


def test_routes_outside_tenants_that_take_no_permission_say_why(app):
    """Public pages outside a tenant (sign-up, invitation link) are marked with a reason."""
    for endpoint in ("onboarding.start", "onboarding.done", "people.accept"):
        assert getattr(app.view_functions[endpoint], "public_reason", ""), endpoint


READ_ONLY = {"workspace.view", "people.view", "audit.view", "organisation.status", "members.view", "referrals.view",
             "referrals.incoming", "ladder.view", "meetings.view", "agreements.view", "pots.view",
             "invoices.view", "payments.view", "books.view", "settlements.view",
             "placements.view", "placements.retention", "funding.view",
             "outcomes.view", "outcomes.peers"}


def test_support_access_never_reaches_a_changing_permission(app):
    """The synthetic support role holds only reading permissions, and every route that
    asks one of those answers GET only."""
    assert {name for name, roles in PERMISSIONS.items() if SUPPORT_ROLE in roles} <= READ_ONLY
    for rule in tenant_rules(app):
        if getattr(app.view_functions[rule.endpoint], "permission", None) in READ_ONLY:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


# Endpoints whose allowed use changes or removes the person acted on: a person per role.
OWN_TARGET = ("people.change_roles", "people.confirm_erasure")


def _objects(baseline, kind: str) -> dict:
    """An object of the tenant itself for each URL parameter."""
    now = utcnow()
    tenant = {"cooperative": baseline.coop_a, "municipality": baseline.municipality, "umbrella": baseline.umbrella,
              "employer_cooperative": baseline.employer_a}[kind]
    if kind == "cooperative":
        return {"job_id": baseline.job_a, "invitation_id": baseline.invitation_a,
                "tenant_id": baseline.coop_a.id, "grant_id": baseline.grant_a}
    from pathlib import Path

    from flask import current_app

    folder = Path(current_app.config["INSTANCE_PATH"]) / "exports" / str(tenant.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"matrix-{kind}.csv").write_text("matrix\n")
    with tenant_context(tenant.id):
        job = JobRun(kind="audit.export_csv", rq_job_id=f"matrix-{kind}", status="finished",
                     result={"file": f"matrix-{kind}.csv"})
        invitation = Invitation(email=f"matrix-invitee-{kind}@test.example.org", role=ROLES_BY_KIND[kind][-1],
                                token_hash=f"matrix-{kind}", created_at=now, expires_at=now + timedelta(days=7))
        db.session.add_all([job, invitation])
        db.session.flush()
        ids = {"job_id": job.id, "invitation_id": invitation.id}
    # An erasure request of a person of its own: confirming it removes that person.
    asking = person_with_role(baseline.coop_a.id, "member", f"matrix-{kind}-erasure@test.example.org")
    ids["request_id"] = do_request_erasure(db.session.get(User, asking.id)).id
    db.session.commit()
    return {**ids,
            "tenant_id": baseline.coop_a.id, "grant_id": baseline.grant_a}


@pytest.mark.parametrize("kind", ["cooperative", "municipality", "umbrella", "employer_cooperative"])
def test_the_role_route_matrix(app, baseline, kind):
    """For each route and each role of the tenant's kind, a person holding only that role
    gets 403 exactly when the declaration does not allow the role (and neither 403 nor
    404 when it does). Requests run outside the setup's app context: a shared one would
    share `g` (and the signed-in user cached there) between requests."""
    tenant = {"cooperative": baseline.coop_a, "municipality": baseline.municipality, "umbrella": baseline.umbrella,
              "employer_cooperative": baseline.employer_a}[kind]
    with app.app_context():
        objects = _objects(baseline, kind)
        people = {role: person_with_role(tenant.id, role, f"matrix-{kind}-{role}@test.example.org")
                  for role in ROLES_BY_KIND[kind]}
        # Each role acts on a person of its own: an allowed role change must not make
        # the person disappear for the next role's requests.
        # (The role change gets a person of its own too: it may remove every role.)
        # So does a confirmed erasure, and its person must have asked for it.
        targets = {(role, endpoint): person_with_role(
                       tenant.id, ROLES_BY_KIND[kind][-1], f"matrix-{kind}-{role}-{endpoint}@test.example.org")
                   for role in ROLES_BY_KIND[kind] for endpoint in OWN_TARGET + ("other",)}
        for (_role, endpoint), target in targets.items():
            if endpoint == "people.confirm_erasure":
                do_request_erasure(db.session.get(User, target.id))
        db.session.commit()
        for module in baseline_modules():
            if hasattr(module, "matrix_objects"):
                objects.update(module.matrix_objects(kind, db.session.get(Tenant, tenant.id), people))
        db.session.commit()
    rules = [r for r in tenant_rules(app) if kind in blueprint_kinds(app, r.endpoint, kind)]
    wrong = []
    for role in ROLES_BY_KIND[kind]:
        client = app.test_client()
        sign_in(client, people[role])
        for rule in rules:
            permission = app.view_functions[rule.endpoint].permission
            allowed = role in PERMISSIONS[permission]
            with app.test_request_context():
                target = targets[(role, rule.endpoint if rule.endpoint in OWN_TARGET else "other")]
                values = {**objects, "user_id": target.id}
                if rule.endpoint == "umbrella.reset_two_factor":
                    values["user_id"] = baseline.member_a.id  # a person of the tenant in tenant_id
                url = app.url_for(rule.endpoint, **{TENANT_ARG: tenant.slug},
                                  **{a: values[a] for a in rule.arguments - {TENANT_ARG}})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                code = client.open(url, method=method).status_code
                if allowed and code in (403, 404) or not allowed and code != 403:
                    wrong.append(f"{role} {method} {url} ({permission}): {code}")
    assert not wrong, "\n".join(wrong)
