"""Umbrella administration: the tenants list, detail, status changes, suspension as
read-only, new municipalities by invitation, and time-limited support access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.db import db, utcnow
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import SupportGrant, TenantStatusChange
from tests.conftest import queued_mails


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def admin(baseline, as_user):
    return english(as_user(baseline.umbrella_admin))


def events(app, tenant_id, action):
    with app.app_context(), tenant_context(tenant_id):
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_list_searches_and_filters(baseline, as_user):
    client = admin(baseline, as_user)
    base = f"/t/{baseline.umbrella.slug}/admin/tenants"
    def listed(query=""):
        return client.get(base + query).get_data(as_text=True).split("<tbody>")[-1]

    assert "Gemeente M</a>" in listed()
    by_name = listed("?q=coöperatie a")
    assert "Coöperatie A</a>" in by_name and "Coöperatie B" not in by_name and "Gemeente M" not in by_name
    by_kind = listed("?kind=municipality")
    assert "Gemeente M</a>" in by_kind and "Coöperatie A" not in by_kind
    assert "Coöperatie A" not in listed("?status=suspended")
    by_municipality = listed(f"?municipality={baseline.municipality.id}")
    assert "Coöperatie A</a>" in by_municipality and "Coöperatie B</a>" in by_municipality
    assert "Gemeente M</a>" not in by_municipality


@pytest.mark.parametrize("query", ["kind=castle", "status=gone", "municipality=abc", "q=" + "x" * 500])
def test_unknown_filters_are_a_400_with_a_message_not_a_500(baseline, as_user, query):
    response = admin(baseline, as_user).get(f"/t/{baseline.umbrella.slug}/admin/tenants?{query}")
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


def test_the_detail_shows_profile_people_history_and_audit_and_is_on_record(app, baseline, as_user):
    page = admin(baseline, as_user).get(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in ("12345671", "NL91ABNA0417164300", "coordinator_a@test.example.org", "Approved", "Gemeente M",
                     "Organisation created"):
        assert expected in text, expected
    assert "coordinator_b@test.example.org" not in text
    assert "Coöperatie B" not in text.split("<main", 1)[1]


@pytest.mark.parametrize("method, path", [
    ("GET", "tenants/{a}"), ("POST", "tenants/{a}/status"), ("POST", "tenants/{a}/invite"),
    ("POST", "tenants/{a}/support"), ("POST", "tenants/{a}/support/{grant}/close"),
    ("POST", "applications/{a}/decide"), ("GET", "tenants"), ("GET", "applications"), ("GET", "audit"),
])
def test_administration_exists_only_under_the_umbrella(baseline, as_user, method, path):
    """The umbrella routes the isolation suite exempts (they name another tenant by
    design): under any other tenant's slug, with A's or B's ids, they are a 404."""
    for person, slug in ((baseline.coordinator_b, baseline.coop_b.slug), (baseline.coordinator_a, baseline.coop_a.slug)):
        for tenant_id, grant in ((baseline.coop_a.id, baseline.grant_a), (baseline.coop_b.id, baseline.grant_b)):
            url = f"/t/{slug}/admin/" + path.format(a=tenant_id, grant=grant)
            assert as_user(person).open(url, method=method).status_code == 404, url
    # and umbrella staff cannot administer the umbrella itself through them
    url = f"/t/{baseline.umbrella.slug}/admin/" + path.format(a=baseline.umbrella.id, grant=1)
    if "{a}" in path:
        assert admin(baseline, as_user).open(url, method=method).status_code == 404


def test_suspension_makes_the_tenant_read_only_with_the_reason(app, baseline, as_user):
    client = admin(baseline, as_user)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/status"
    assert client.post(url, data={"action": "suspended"}).status_code == 400  # a reason is required
    assert client.post(url, data={"action": "suspended", "reason": "Facturen niet betaald"}).status_code == 302
    coordinator = english(as_user(baseline.coordinator_a))
    slug = baseline.coop_a.slug
    assert coordinator.get(f"/t/{slug}/").status_code == 200
    assert coordinator.get(f"/t/{slug}/people/").status_code == 200
    for path, data in ((f"/t/{slug}/people/invite", {"email": "x@test.example.org", "role": "coach"}),
                       (f"/t/{slug}/audit/export", {}),
                       (f"/t/{slug}/people/{baseline.member_a.id}/roles", {"roles": ["member", "coach"]})):
        refused = coordinator.post(path, data=data)
        assert refused.status_code == 403, path
        assert "This organisation is suspended: Facturen niet betaald" in refused.get_data(as_text=True)
    # Signing out and the language switch are outside the tenant: still possible.
    assert coordinator.post("/language", data={"lang": "nl"}).status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        change = db.session.scalar(select(TenantStatusChange).where(TenantStatusChange.action == "suspended"))
        assert (change.reason, change.changed_by, change.from_status) == ("Facturen niet betaald", baseline.umbrella_admin.id, "active")
    assert events(app, baseline.coop_a.id, "tenant.status_changed")
    assert events(app, baseline.umbrella.id, "tenant.status_changed")
    assert any(m["to"] == baseline.coordinator_a.email and "Facturen niet betaald" in m["text"] for m in queued_mails(app))
    # Reactivated: changes work again.
    assert client.post(url, data={"action": "reactivated"}).status_code == 302
    assert coordinator.post(f"/t/{slug}/people/invite", data={"email": "x@test.example.org", "role": "coach"}).status_code == 302


def test_impossible_status_changes_are_refused_plainly(baseline, as_user):
    client = admin(baseline, as_user)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/status"
    assert client.post(url, data={"action": "reactivated"}).status_code == 400  # not suspended
    assert client.post(url, data={"action": "explode", "reason": "x"}).status_code == 400
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/999999/status", data={"action": "archived"}).status_code == 404


def test_archiving_hides_the_tenant(app, baseline, as_user):
    client = admin(baseline, as_user)
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_b.id}/status",
                       data={"action": "archived", "reason": "Opgeheven"}).status_code == 302
    assert as_user(baseline.coordinator_b).get(f"/t/{baseline.coop_b.slug}/").status_code == 404


def test_umbrella_staff_may_not_suspend_only_the_administrator(app, baseline, as_user):
    from tests.conftest import person_with_role, sign_in

    with app.app_context():
        staff = person_with_role(baseline.umbrella.id, "umbrella_staff", "staf@test.example.org")
    client = app.test_client()
    sign_in(client, staff)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/status"
    assert client.post(url, data={"action": "suspended", "reason": "x"}).status_code == 403
    # (The detail page opens umbrella_scope, whose audit row names the actor: in the test's
    # transaction the umbrella connection cannot see this uncommitted person.)
    assert client.get(f"/t/{baseline.umbrella.slug}/admin/tenants").status_code == 200


def test_a_municipality_is_created_with_an_invitation(app, baseline, as_user):
    client = admin(baseline, as_user)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants"
    data = {"kind": "municipality", "name": "Gemeente Delft", "slug": "gemeente-delft",
            "email": "beleid@delft.test.example.org", "role": "policy_advisor"}
    wrong_role = client.post(url, data={**data, "role": "coordinator"})
    assert wrong_role.status_code == 400 and "does not exist in this kind" in wrong_role.get_data(as_text=True)
    taken = client.post(url, data={**data, "slug": baseline.coop_a.slug})
    assert taken.status_code == 400 and "taken" in taken.get_data(as_text=True)
    bad_slug = client.post(url, data={**data, "slug": "Gemeente Delft!"})
    assert bad_slug.status_code == 400
    response = client.post(url, data=data)
    assert response.status_code == 302
    with app.app_context():
        tenant = Tenant.by_slug("gemeente-delft")
        assert (tenant.kind, tenant.status) == ("municipality", "active")
    assert any(m["to"] == "beleid@delft.test.example.org" and "/invitations/" in m["text"] for m in queued_mails(app))


def test_umbrella_staff_invite_into_any_tenant(app, baseline, as_user):
    client = admin(baseline, as_user)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_b.id}/invite"
    assert client.post(url, data={"email": "nieuw@test.example.org", "role": "policy_advisor"}).status_code == 400
    assert client.post(url, data={"email": "nieuw@test.example.org", "role": "treasurer"}).status_code == 302
    assert events(app, baseline.coop_b.id, "invitation.sent")


def test_support_access_is_read_only_time_limited_and_visible_to_the_tenant(app, baseline, as_user):
    client = admin(baseline, as_user)
    slug = baseline.coop_a.slug
    assert client.get(f"/t/{slug}/").status_code == 404  # no role, no grant
    support_url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/support"
    assert client.post(support_url, data={"reason": "", "minutes": "60"}).status_code == 400
    assert client.post(support_url, data={"reason": "Vraag 1234: factuur", "minutes": "7"}).status_code == 400
    response = client.post(support_url, data={"reason": "Vraag 1234: factuur", "minutes": "60"})
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{slug}/"
    home = client.get(f"/t/{slug}/")
    assert home.status_code == 200 and "Support access, read-only" in home.get_data(as_text=True)
    assert client.get(f"/t/{slug}/audit/").status_code == 200
    assert client.get(f"/t/{slug}/people/").status_code == 200
    refused = client.post(f"/t/{slug}/people/invite", data={"email": "x@test.example.org", "role": "coach"})
    assert refused.status_code == 403 and "read-only" in refused.get_data(as_text=True)
    assert client.post(f"/t/{slug}/audit/export").status_code == 403
    # The tenant sees the grant with its reason and every page opened.
    opened = events(app, baseline.coop_a.id, "support.grant_opened")
    assert opened and opened[0].details["reason"] == "Vraag 1234: factuur"
    viewed = {e.details["path"] for e in events(app, baseline.coop_a.id, "support.page_viewed")}
    assert {f"/t/{slug}/", f"/t/{slug}/audit/", f"/t/{slug}/people/"} <= viewed
    log = as_user(baseline.coordinator_a).get(f"/t/{slug}/audit/").get_data(as_text=True)
    assert "Vraag 1234: factuur" in log
    # Only for this tenant: B stays closed.
    assert client.get(f"/t/{baseline.coop_b.slug}/").status_code == 404
    # When the time is up, the door closes.
    with app.app_context(), tenant_context(baseline.coop_a.id):
        for grant in db.session.scalars(select(SupportGrant).where(SupportGrant.closed_at.is_(None))):
            grant.created_at = utcnow() - timedelta(hours=2)
            grant.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"/t/{slug}/").status_code == 404


def test_a_support_grant_can_be_closed_early(app, baseline, as_user):
    client = admin(baseline, as_user)
    client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/support",
                data={"reason": "Korte vraag", "minutes": "15"})
    with app.app_context(), tenant_context(baseline.coop_a.id):
        grant_id = db.session.scalar(select(SupportGrant.id).where(SupportGrant.reason == "Korte vraag"))
    close = client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/support/{grant_id}/close")
    assert close.status_code == 302
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 404
    assert events(app, baseline.coop_a.id, "support.grant_closed")
    # another tenant's grant id under A: 404
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/support/{baseline.grant_b}/close").status_code in (302, 404)
