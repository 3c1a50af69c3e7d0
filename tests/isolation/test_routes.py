"""Every route that names a tenant or an object, requested across the tenant border.

Routes are enumerated from `app.url_map`: a new route is covered without editing this
file. A route may be left out only through EXEMPT, with its reason. A URL parameter that
names an object needs an entry in OBJECT_IDS: which object of tenant A and of tenant B to
put in the URL. A route with a parameter missing there fails until one is added.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Baseline, baseline_modules, comparable

TENANT_ARG = "tenant_slug"

# endpoint -> why it is not requested across tenants
EXEMPT: dict[str, str] = {
    "static": "public stylesheet and scripts; names neither a tenant nor an object",
    "people.accept": "the public invitation link: the signed token is the credential and reads exactly its own "
                     "row (invitation_by_token policy); tampered, foreign and used tokens: tests/platform/test_org_invitations.py",
    # Umbrella administration names another tenant by design (the umbrella manages them all);
    # it exists only under the umbrella's slug. That every other tenant gets 404 on these
    # URLs, with A's and B's ids: tests/platform/test_org_umbrella.py.
    "umbrella.tenant": "umbrella administration of another tenant (see above)",
    "umbrella.change_status": "umbrella administration of another tenant (see above)",
    "umbrella.invite": "umbrella administration of another tenant (see above)",
    "umbrella.open_support": "umbrella administration of another tenant (see above)",
    "umbrella.close_support": "umbrella administration of another tenant (see above)",
    "umbrella.decide": "umbrella administration of another tenant (see above)",
    "umbrella.reset_two_factor": "umbrella administration of another tenant (see above); a person of "
                                 "another tenant: tests/platform/test_org_erasure_and_reset.py",
    # A person's own account (no tenant). The mailed links are public: the signed, hashed,
    # single-use token is the credential; tampered, expired and used links:
    # tests/platform/test_identity_links.py. Exports belong to one person, checked against
    # the signed-in person (someone else's is a 404): tests/platform/test_identity_account.py.
    "account.verify": "public email-verification link; the token is the credential (see above)",
    "account.reset": "public password-reset link; the token is the credential (see above)",
    "account.export_show": "the signed-in person's own data export; another person's is a 404 (see above)",
    "account.export_status": "the signed-in person's own data export; another person's is a 404 (see above)",
    "account.export_download": "the signed-in person's own data export; another person's is a 404 (see above)",
    "umbrella.erasure_confirm": "umbrella staff confirm a person's erasure request (account-wide, not a tenant's "
                                "object); tests/platform/test_identity_account.py",
    "umbrella.erasure_reject": "umbrella staff reject a person's erasure request (see above)",
}

# URL parameter -> (tenant A's object, tenant B's object)
OBJECT_IDS: dict[str, Callable[[Baseline], tuple[object, object]]] = {
    "job_id": lambda b: (b.job_a, b.job_b),
    # people pages: a person with a role only in A (B's coordinator for B), invitations
    "user_id": lambda b: (b.member_a.id, b.coordinator_b.id),
    "invitation_id": lambda b: (b.invitation_a, b.invitation_b),
}
# URL parameters that name no object (a file format): the same value in every tenant.
PLAIN_PARAMS: dict[str, str] = {}
# ... and those of the domain packages, declared beside their baseline rows.
for _module in baseline_modules():
    OBJECT_IDS.update(getattr(_module, "OBJECT_IDS", {}))
    PLAIN_PARAMS.update(getattr(_module, "PLAIN_PARAMS", {}))
for _name, _value in PLAIN_PARAMS.items():
    OBJECT_IDS[_name] = lambda b, v=_value: (v, v)

# Tenants that must never meet, a pair per kind with pages of its own: (tenant A, tenant
# B, a person of B). An object parameter's (A, B) in OBJECT_IDS are objects of the pair
# whose pages name it (a municipality's referral: of municipality A and B).
PAIRS = [("coop_a", "coop_b", "coordinator_b"), ("municipality", "municipality_b", "official_b"),
         ("employer_a", "employer_b", "employer_coordinator_b")]

METHODS_SKIPPED = {"HEAD", "OPTIONS"}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in EXEMPT]


def _tenant_rules(app):
    return [r for r in _rules(app) if TENANT_ARG in r.arguments]


def _object_args(rule) -> list[str]:
    return sorted(rule.arguments - {TENANT_ARG})


def _names_an_object(rule) -> bool:
    return any(arg not in PLAIN_PARAMS for arg in _object_args(rule))


def _url(app, rule, slug: str, objects: dict) -> str:
    with app.test_request_context():
        values = {arg: objects[arg] for arg in _object_args(rule)}
        if TENANT_ARG in rule.arguments:
            values[TENANT_ARG] = slug
        return app.url_for(rule.endpoint, **values)


def _objects(baseline: Baseline, rule, which: int) -> dict:
    return {arg: OBJECT_IDS[arg](baseline)[which] for arg in _object_args(rule)}


def _methods(rule) -> list[str]:
    return sorted(rule.methods - METHODS_SKIPPED)


def test_every_url_parameter_has_an_object_factory(app):
    missing = {
        f"{rule.endpoint}: <{arg}>"
        for rule in _rules(app)
        for arg in _object_args(rule)
        if arg not in OBJECT_IDS
    }
    assert not missing, f"add these parameters to OBJECT_IDS in {__file__}: {sorted(missing)}"


def test_every_route_that_names_an_object_also_names_its_tenant(app):
    untenanted = [r.rule for r in _rules(app) if _object_args(r) and TENANT_ARG not in r.arguments]
    assert not untenanted, f"routes naming an object without /t/<tenant_slug>/: {untenanted}"


def test_there_are_tenant_routes_to_check(app):
    assert len(_tenant_rules(app)) >= 5


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_another_tenants_urls_answer_404_everywhere(app, baseline, as_user, pair):
    """A person of B types A's URLs, with A's objects in them."""
    tenant_a, _tenant_b, person_b = pair
    client = as_user(getattr(baseline, person_b))
    answers = {}
    for rule in _tenant_rules(app):
        url = _url(app, rule, getattr(baseline, tenant_a).slug, _objects(baseline, rule, 0))
        for method in _methods(rule):
            answers[f"{method} {url}"] = client.open(url, method=method).status_code
    wrong = {k: v for k, v in answers.items() if v != 404}
    assert not wrong, f"expected 404 for tenant B's user on tenant A's URLs: {wrong}"


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_another_tenants_objects_under_ones_own_tenant_answer_404(app, baseline, as_user, pair):
    """A person of B, in B's own workspace, puts A's object ids in the URL."""
    _tenant_a, tenant_b, person_b = pair
    client = as_user(getattr(baseline, person_b))
    answers = {}
    for rule in _tenant_rules(app):
        if not _names_an_object(rule):
            continue
        url = _url(app, rule, getattr(baseline, tenant_b).slug, _objects(baseline, rule, 0))
        for method in _methods(rule):
            answers[f"{method} {url}"] = client.open(url, method=method).status_code
    assert answers, "no route with an object parameter was checked"
    wrong = {k: v for k, v in answers.items() if v != 404}
    assert not wrong, f"expected 404 for A's objects under B's slug: {wrong}"


def test_the_same_urls_work_for_their_own_tenant(app, baseline, as_user):
    """The control: the URLs above are real. For its owner each GET route answers
    something other than 404, so the 404s above come from isolation alone."""
    owners = [
        (as_user(baseline.coordinator_a), baseline.coop_a.slug, 0),
        (as_user(baseline.coordinator_b), baseline.coop_b.slug, 1),
        (as_user(baseline.client_manager), baseline.municipality.slug, 0),
        (as_user(baseline.employer_coordinator_a), baseline.employer_a.slug, 0),
        (as_user(baseline.umbrella_admin), baseline.umbrella.slug, None),
    ]
    unreachable = []
    for rule in _tenant_rules(app):
        if "GET" not in rule.methods:
            continue
        ok = False
        for client, slug, which in owners:
            if which is None and _names_an_object(rule):
                continue
            url = _url(app, rule, slug, _objects(baseline, rule, which or 0))
            if client.get(url).status_code != 404:
                ok = True
                break
        if not ok:
            unreachable.append(rule.rule)
    assert not unreachable, f"these routes 404 even for their own tenant: {unreachable}"


@pytest.mark.parametrize("slug", ["coop-a", "no-such-tenant"])
def test_signed_out_visitors_are_sent_to_sign_in_whether_or_not_the_tenant_exists(client, baseline, slug):
    response = client.get(f"/t/{slug}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_and_foreign_tenants_look_the_same(baseline, as_user):
    client = as_user(baseline.coordinator_b)
    foreign = client.get(f"/t/{baseline.coop_a.slug}/")
    missing = client.get("/t/no-such-tenant/")
    assert foreign.status_code == missing.status_code == 404
    # The pages differ only in the path typed (echoed in the language switch).
    foreign_page = comparable(foreign.get_data(as_text=True)).replace(baseline.coop_a.slug, "SLUG")
    missing_page = comparable(missing.get_data(as_text=True)).replace("no-such-tenant", "SLUG")
    assert foreign_page == missing_page


def test_a_foreign_tenants_page_lists_only_ones_own_tenants(baseline, as_user):
    """Inside tenant A's URL the tenant policy shows A's memberships; the switcher must
    still list only the tenants of the person signed in."""
    page = as_user(baseline.coordinator_b).get(f"/t/{baseline.coop_a.slug}/").get_data(as_text=True)
    assert f'href="/t/{baseline.coop_a.slug}/"' not in page
    assert "Coöperatie A" not in page
    own = as_user(baseline.coach_ab).get(f"/t/{baseline.coop_b.slug}/").get_data(as_text=True)
    assert f'href="/t/{baseline.coop_a.slug}/"' in own and f'href="/t/{baseline.coop_b.slug}/"' in own
    assert f'href="/t/{baseline.municipality.slug}/"' not in own
