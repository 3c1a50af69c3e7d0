"""Invitations: a coordinator invites, the link creates or attaches the account, and
expired, revoked, used and tampered links say so plainly."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from koepel.platform.db import db, utcnow
from koepel.platform.people.models import Invitation
from koepel.platform.tenancy import Membership, tenant_context
from tests.conftest import PASSWORD, Person, person_with_role, queued_mails, sign_in

NEW_PASSWORD = "een lang en goed wachtwoord"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def invite(app, client, slug, email, role="coach"):
    response = client.post(f"/t/{slug}/people/invite", data={"email": email, "role": role})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    mail = [m for m in queued_mails(app) if m["to"] == email][-1]
    link = re.search(r"http://localhost(/invitations/[^\s<\"]+)", mail["text"]).group(1)
    return link, mail


def roles_of(app, tenant_id, user_id):
    with app.app_context(), tenant_context(tenant_id):
        return set(db.session.scalars(select(Membership.role).where(Membership.user_id == user_id)))


def test_a_new_person_accepts_with_a_new_account_and_lands_in_the_tenant(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    link, mail = invite(app, coordinator, baseline.coop_a.slug, "nieuwe.coach@test.example.org")
    assert "Coöperatie A" in mail["subject"] and "Coöperatie A" in mail["text"] and link in mail["html"]
    visitor = english(app.test_client())
    page = visitor.get(link)
    assert page.status_code == 200 and "Create your account" in page.get_data(as_text=True)
    response = visitor.post(link, data={"name": "Nieuwe Coach", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{baseline.coop_a.slug}/"
    assert visitor.get(f"/t/{baseline.coop_a.slug}/").status_code == 200
    # The link is used up.
    again = english(app.test_client()).get(link)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def test_a_weak_password_or_mismatch_is_refused_per_field_and_nothing_is_stored(app, baseline, as_user):
    link, _ = invite(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, "zwak@test.example.org")
    visitor = english(app.test_client())
    weak = visitor.post(link, data={"name": "Zwak", "password": "password", "password_confirm": "password"})
    assert weak.status_code == 400
    mismatch = visitor.post(link, data={"name": "", "password": NEW_PASSWORD, "password_confirm": "anders"})
    page = mismatch.get_data(as_text=True)
    assert mismatch.status_code == 400 and "Enter your name." in page and "not the same" in page
    from koepel.platform.auth import User

    with app.app_context():
        assert User.by_email("zwak@test.example.org") is None
    assert visitor.get(link).status_code == 200  # still usable


def test_an_existing_account_signs_in_and_accepts(app, baseline, as_user):
    link, mail = invite(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, baseline.coordinator_b.email)
    client = english(app.test_client())
    assert "sign in" in client.get(link).get_data(as_text=True).lower()
    sign_in(client, baseline.coordinator_b)
    confirm = client.get(link)
    assert confirm.status_code == 200 and "Accept the invitation" in confirm.get_data(as_text=True)
    accepted = client.post(link)
    assert accepted.status_code == 302
    assert roles_of(app, baseline.coop_a.id, baseline.coordinator_b.id) == {"coach"}


def test_someone_else_signed_in_cannot_take_the_invitation(app, baseline, as_user):
    link, _ = invite(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, baseline.coordinator_b.email)
    other = english(as_user(baseline.member_a))
    assert other.post(link).status_code == 409
    assert roles_of(app, baseline.coop_a.id, baseline.coordinator_b.id) == set()
    link2, _ = invite(app, as_user(baseline.coordinator_a), baseline.coop_a.slug, "niemand@test.example.org")
    assert other.post(link2, data={"name": "X", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 409


def test_tampered_and_unknown_links_say_so(app, baseline):
    client = english(app.test_client())
    token = baseline.invitation_a_token
    assert client.get(f"/invitations/{token}").status_code == 200  # the real one works
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", "a.b.c"):
        response = client.get(f"/invitations/{bad}")
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)


def test_an_expired_invitation_says_so(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        invitation = db.session.get(Invitation, (baseline.coop_a.id, baseline.invitation_a))
        invitation.created_at = utcnow() - timedelta(days=8)
        invitation.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    response = english(app.test_client()).get(f"/invitations/{baseline.invitation_a_token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_a_revoked_invitation_says_so_and_revoking_twice_is_refused(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    assert coordinator.post(f"/t/{baseline.coop_a.slug}/people/invitations/{baseline.invitation_a}/revoke").status_code == 302
    response = english(app.test_client()).get(f"/invitations/{baseline.invitation_a_token}")
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)
    again = coordinator.post(f"/t/{baseline.coop_a.slug}/people/invitations/{baseline.invitation_a}/revoke",
                             follow_redirects=True)
    assert again.status_code == 200
    # Another tenant's invitation under one's own slug: 404.
    assert coordinator.post(f"/t/{baseline.coop_a.slug}/people/invitations/{baseline.invitation_b}/revoke").status_code == 404


def test_inviting_again_replaces_the_open_link(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    first, _ = invite(app, coordinator, baseline.coop_a.slug, "twee@test.example.org")
    second, _ = invite(app, coordinator, baseline.coop_a.slug, "twee@test.example.org")
    client = english(app.test_client())
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_bad_invitations_get_a_message_per_field(app, baseline, as_user):
    coordinator = english(as_user(baseline.coordinator_a))
    slug = baseline.coop_a.slug
    cases = [
        ({"email": "geen-adres", "role": "coach"}, "Enter a valid email address."),
        ({"email": "x@test.example.org", "role": "policy_advisor"}, "Not a valid choice"),
        ({"email": baseline.member_a.email, "role": "member"}, "already has this role"),
    ]
    for data, message in cases:
        response = coordinator.post(f"/t/{slug}/people/invite", data=data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), (data, message)
    assert queued_mails(app) == []


def test_the_invitation_row_is_readable_only_through_its_token(app_role_dsn, baseline):
    """Without a tenant, the app role sees exactly the invitation whose hash it names."""
    import psycopg

    from koepel.platform.people.operations import token_hash

    with psycopg.connect(app_role_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM invitations").fetchone()[0] == 0
        conn.execute("SELECT set_config('app.invitation_token', %s, true)", (token_hash(baseline.invitation_a_token),))
        rows = conn.execute("SELECT tenant_id, id FROM invitations").fetchall()
        assert rows == [(baseline.coop_a.id, baseline.invitation_a)]
        assert conn.execute("UPDATE invitations SET role = 'member'").rowcount == 0
        conn.rollback()


def test_a_person_from_another_tenant_cannot_be_managed_here(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    slug = baseline.coop_a.slug
    assert coordinator.post(f"/t/{slug}/people/{baseline.coordinator_b.id}/roles", data={"roles": ["coach"]}).status_code == 404
    assert coordinator.post(f"/t/{slug}/people/{baseline.coordinator_b.id}/two-factor/reset").status_code == 404
    assert roles_of(app, baseline.coop_a.id, baseline.coordinator_b.id) == set()


def test_roles_are_changed_and_removed_on_the_people_page(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    slug = baseline.coop_a.slug
    page = coordinator.get(f"/t/{slug}/people/").get_data(as_text=True)
    assert baseline.member_a.email in page and "invitee-a@test.example.org" in page
    assert coordinator.post(f"/t/{slug}/people/{baseline.member_a.id}/roles",
                            data={"roles": ["member", "treasurer"]}).status_code == 302
    assert roles_of(app, baseline.coop_a.id, baseline.member_a.id) == {"member", "treasurer"}
    assert coordinator.post(f"/t/{slug}/people/{baseline.member_a.id}/roles", data={"remove": "treasurer"}).status_code == 302
    assert roles_of(app, baseline.coop_a.id, baseline.member_a.id) == {"member"}
    bad = coordinator.post(f"/t/{slug}/people/{baseline.member_a.id}/roles", data={"roles": ["umbrella_admin"]})
    assert bad.status_code == 400
    assert roles_of(app, baseline.coop_a.id, baseline.member_a.id) == {"member"}


def test_the_coordinator_resets_a_persons_two_factor_with_an_audit_row(app, baseline, as_user):
    with app.app_context():
        finance = person_with_role(baseline.municipality.id, "finance", "financien@test.example.org")
    assert finance.totp_secret
    advisor = as_user(baseline.advisor)
    response = advisor.post(f"/t/{baseline.municipality.slug}/people/{finance.id}/two-factor/reset")
    assert response.status_code == 302
    from koepel.platform.audit import AuditEvent
    from koepel.platform.auth import User

    with app.app_context():
        assert not db.session.get(User, finance.id).has_two_factor
        with tenant_context(baseline.municipality.id):
            assert db.session.scalar(select(AuditEvent).where(
                AuditEvent.action == "user.two_factor_reset", AuditEvent.object_id == str(finance.id)))
    # At the next sign-in the person must enrol again.
    client = app.test_client()
    sign_in(client, Person(finance.id, finance.email, PASSWORD))
    assert client.get(f"/t/{baseline.municipality.slug}/").status_code == 302
