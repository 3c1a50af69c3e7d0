"""Self-onboarding: a cooperative signs up, waits, and is approved or rejected."""

from __future__ import annotations

from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile, TenantStatusChange
from tests.conftest import PASSWORD, Person, queued_mails, sign_in

GOOD = {
    "name": "Sociale Coöperatie De Fietsenmaker",
    "legal_form": "cooperatie_ua",
    "kvk_number": "1234 5678",
    "vat_number": "NL004495445B01",
    "iban": "NL91 ABNA 0417 1643 00",
    "street": "Markt 87",
    "postal_code": "2611gw",
    "city": "Delft",
    "other_municipalities": "Pijnacker-Nootdorp, Midden-Delfland",
    "coordinator_name": "Fenna Fietsenmaker",
    "email": "fenna@test.example.org",
    "password": "mijn coöperatie draait",
    "password_confirm": "mijn coöperatie draait",
}


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def apply(app, data=None, client=None):
    client = client or english(app.test_client())
    return client, client.post("/start", data={**GOOD, **(data or {})})


def verify(app, email):
    with app.app_context():
        user = User.by_email(email)
        from koepel.platform.db import utcnow

        user.email_verified_at = utcnow()
        db.session.commit()
        return user.id


def test_the_start_page_is_public_and_dutch(client, baseline):
    page = client.get("/start")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="nl">' in text and 'name="kvk_number"' in text
    assert "Gemeente M" in text  # the municipalities on the platform to choose from


def test_a_good_application_creates_a_pending_tenant_profile_and_coordinator(app, baseline):
    client, response = apply(app, {"municipality_ids": [str(baseline.municipality.id)]})
    assert response.status_code == 302 and response.headers["Location"] == "/start/done"
    assert "fenna@test.example.org" in client.get("/start/done").get_data(as_text=True)
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.name == GOOD["name"]))
        assert (tenant.slug, tenant.kind, tenant.status) == ("sociale-cooperatie-de-fietsenmaker", "cooperative", "pending")
        user = User.by_email("fenna@test.example.org")
        assert not user.is_verified
        with tenant_context(tenant.id):
            profile = db.session.scalar(select(TenantProfile))
            assert (profile.kvk_number, profile.vat_number, profile.iban, profile.postal_code) == (
                "12345678", "NL004495445B01", "NL91ABNA0417164300", "2611 GW")
            assert profile.municipality_ids == [baseline.municipality.id]
            assert profile.other_municipalities == ["Pijnacker-Nootdorp", "Midden-Delfland"]
            assert set(db.session.scalars(select(Membership.role).where(Membership.user_id == user.id))) == {"coordinator"}
            assert db.session.scalar(select(TenantStatusChange.action)) == "applied"
    mails = queued_mails(app)
    subjects = [m["subject"] for m in mails if m["to"] == "fenna@test.example.org"]
    assert len(subjects) == 2  # the confirmation and the address verification
    assert any(GOOD["name"] in s for s in subjects)


def test_the_applicant_sees_the_status_and_nothing_else_meanwhile(app, baseline):
    apply(app)
    user_id = verify(app, GOOD["email"])
    client = english(app.test_client())
    sign_in(client, Person(user_id, GOOD["email"], GOOD["password"]))
    slug = "sociale-cooperatie-de-fietsenmaker"
    home = client.get(f"/t/{slug}/")
    assert home.status_code == 302 and home.headers["Location"] == f"/t/{slug}/application"
    status = client.get(f"/t/{slug}/application").get_data(as_text=True)
    assert "Awaiting approval" in status
    assert client.get(f"/t/{slug}/people/").status_code == 302
    assert client.post(f"/t/{slug}/people/invite", data={"email": "x@test.example.org", "role": "coach"}).status_code == 403


def test_slugs_are_unique(app, baseline):
    apply(app)
    apply(app, {"email": "tweede@test.example.org"})
    with app.app_context():
        slugs = set(db.session.scalars(select(Tenant.slug).where(Tenant.name == GOOD["name"])))
    assert slugs == {"sociale-cooperatie-de-fietsenmaker", "sociale-cooperatie-de-fietsenmaker-2"}


def test_bad_input_gets_a_message_per_field_and_stores_nothing(app, baseline):
    bad = {
        "kvk_number": "1234", "vat_number": "NL123456789B99", "iban": "NL91ABNA0417164301",
        "postal_code": "12345", "email": baseline.coordinator_a.email, "password": "password",
        "password_confirm": "password", "name": "", "legal_form": "nv",
    }
    _, response = apply(app, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("A KvK number has 8 digits", "not a valid Dutch VAT number", "not a valid IBAN",
                    "not a valid Dutch postal code", "already an account with this email address",
                    "Enter the name of the cooperative.", "Not a valid choice"):
        assert message in page, message
    with app.app_context():
        assert db.session.scalar(select(Tenant).where(Tenant.status == "pending")) is None
    assert queued_mails(app) == []


def test_garbage_never_gives_a_500(app, baseline):
    for data in ({"municipality_ids": ["abc"]}, {"municipality_ids": ["999999"]}, {"kvk_number": "x" * 5000},
                 {"iban": "☃"}, {"vat_number": ""}):
        _, response = apply(app, data)
        assert response.status_code == 400, data


def test_a_signed_in_person_applies_as_themselves(app, baseline, as_user):
    client = english(as_user(baseline.coach_ab))
    assert 'name="password"' not in client.get("/start").get_data(as_text=True)
    data = {k: v for k, v in GOOD.items() if k not in ("coordinator_name", "email", "password", "password_confirm")}
    response = client.post("/start", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/t/sociale-cooperatie-de-fietsenmaker/application"
    assert "Awaiting approval" in client.get(response.headers["Location"]).get_data(as_text=True)


def _pending(app):
    apply(app)
    with app.app_context():
        return db.session.scalar(select(Tenant).where(Tenant.name == GOOD["name"])).id


def test_umbrella_staff_see_the_queue_and_approve(app, baseline, as_user):
    tenant_id = _pending(app)
    staff = english(as_user(baseline.umbrella_admin))
    queue = staff.get(f"/t/{baseline.umbrella.slug}/admin/applications")
    assert queue.status_code == 200 and GOOD["name"] in queue.get_data(as_text=True)
    response = staff.post(f"/t/{baseline.umbrella.slug}/admin/applications/{tenant_id}/decide", data={"decision": "approved"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Tenant, tenant_id).status == "active"
        with tenant_context(tenant_id):
            change = db.session.scalar(select(TenantStatusChange).where(TenantStatusChange.action == "approved"))
            assert change.changed_by == baseline.umbrella_admin.id
    mail = [m for m in queued_mails(app) if m["to"] == GOOD["email"]][-1]
    assert "approved" in mail["subject"] or "goedgekeurd" in mail["subject"]
    # The coordinator now works in the active tenant.
    user_id = verify(app, GOOD["email"])
    client = app.test_client()
    sign_in(client, Person(user_id, GOOD["email"], GOOD["password"]))
    assert client.get("/t/sociale-cooperatie-de-fietsenmaker/").status_code == 200


def test_rejection_needs_a_reason_which_the_applicant_sees(app, baseline, as_user):
    tenant_id = _pending(app)
    staff = english(as_user(baseline.umbrella_admin))
    url = f"/t/{baseline.umbrella.slug}/admin/applications/{tenant_id}/decide"
    no_reason = staff.post(url, data={"decision": "rejected"})
    assert no_reason.status_code == 400 and "Give a reason" in no_reason.get_data(as_text=True)
    assert staff.post(url, data={"decision": "rejected", "reason": "Geen sociale coöperatie"}).status_code == 302
    mail = [m for m in queued_mails(app) if m["to"] == GOOD["email"]][-1]
    assert "Geen sociale coöperatie" in mail["text"]
    user_id = verify(app, GOOD["email"])
    client = english(app.test_client())
    sign_in(client, Person(user_id, GOOD["email"], GOOD["password"]))
    status = client.get("/t/sociale-cooperatie-de-fietsenmaker/application").get_data(as_text=True)
    assert "rejected" in status and "Geen sociale coöperatie" in status
    # Deciding twice is refused, not a 500.
    assert staff.post(url, data={"decision": "approved"}).status_code == 400


def test_only_umbrella_staff_decide(app, baseline, as_user):
    tenant_id = _pending(app)
    response = as_user(baseline.coordinator_a).post(
        f"/t/{baseline.coop_a.slug}/admin/applications/{tenant_id}/decide", data={"decision": "approved"})
    assert response.status_code == 404
    assert PASSWORD  # (the baseline password is unchanged by this module)
