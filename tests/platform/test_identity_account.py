"""My account: details, password, download my data (a job with progress), erasure."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from koepel.platform.account.models import DataExport, ErasureRequest
from koepel.platform.audit import record
from koepel.platform.audit.models import AuditEvent
from koepel.platform.auth import User
from koepel.platform.auth.models import AccountToken, RecoveryCode
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, tenant_context
from tests import mail_support
from tests.mail_support import load_user, make_person, run_queue, totp_now

# Fixtures shared by the identity tests.
fresh_limits = mail_support.fresh_limits
outbox = mail_support.outbox

pytestmark = pytest.mark.usefixtures("fresh_limits")


def signed_in(app, person):
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 302
    if person.totp_secret:
        assert client.post("/login/two-factor", data={"code": totp_now(person.totp_secret)}).status_code == 302
    return client


def test_the_account_page_shows_my_organisations(app, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach"), (baseline.coop_b.id, "coach")])
    page = signed_in(app, person).get("/account/").get_data(as_text=True)
    assert f'href="/t/{baseline.coop_a.slug}/"' in page and f'href="/t/{baseline.coop_b.slug}/"' in page
    assert f'href="/t/{baseline.municipality.slug}/"' not in page


def test_the_account_page_needs_a_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_name_and_language_are_saved_and_validated(app):
    person = make_person(app)
    client = signed_in(app, person)
    assert client.post("/account/profile", data={"name": "Marieke Jansen", "language": "en"}).status_code == 302
    user = load_user(app, person.id)
    assert (user.name, user.language) == ("Marieke Jansen", "en")
    assert '<html lang="en">' in client.get("/account/").get_data(as_text=True)

    for data in ({"name": "", "language": "nl"}, {"name": "x" * 201, "language": "nl"},
                 {"name": "Ok", "language": "de"}, {}):
        response = client.post("/account/profile", data=data)
        assert response.status_code == 400, data
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert load_user(app, person.id).name == "Marieke Jansen"


def test_changing_the_password_needs_the_current_one_and_the_rules(app, outbox):
    person = make_person(app, language="en")
    client = signed_in(app, person)
    wrong = client.post("/account/password", data={"current_password": "not it at all", "new_password": "a fine new passphrase"})
    assert wrong.status_code == 400 and "Your current password is not correct." in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={"current_password": person.password, "new_password": "password123"})
    assert weak.status_code == 400 and "one of the most commonly used" in weak.get_data(as_text=True)
    missing = client.post("/account/password", data={})
    assert missing.status_code == 400
    assert load_user(app, person.id).password_changed_at is None
    ok = client.post("/account/password", data={"current_password": person.password, "new_password": "a fine new passphrase"})
    assert ok.status_code == 302
    assert load_user(app, person.id).password_changed_at is not None
    assert [m["Subject"] for m in outbox(person.email)] == ["Your Koepel password was changed"]


def test_optional_two_factor_can_be_turned_off_with_the_password_but_required_cannot(app, baseline):
    optional = make_person(app, roles=[(baseline.coop_a.id, "member")], two_factor=True)
    client = signed_in(app, optional)
    assert client.post("/account/two-factor/disable", data={"off-current_password": "wrong one here"}).status_code == 302
    assert load_user(app, optional.id).has_two_factor
    client.post("/account/two-factor/disable", data={"off-current_password": optional.password})
    assert not load_user(app, optional.id).has_two_factor

    required = make_person(app, roles=[(baseline.municipality.id, "policy_advisor")], two_factor=True)
    client = signed_in(app, required)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "/account/two-factor/disable" not in page
    client.post("/account/two-factor/disable", data={"off-current_password": required.password})
    assert load_user(app, required.id).has_two_factor


def test_a_wrong_enrolment_code_changes_nothing(app):
    person = make_person(app)
    client = signed_in(app, person)
    client.get("/account/two-factor")
    for code in ("000000", "", "x" * 100):
        response = client.post("/account/two-factor/enable", data={"code": code})
        assert response.status_code == 400
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert not load_user(app, person.id).has_two_factor


# --- download my data ---------------------------------------------------------------------


def test_download_my_data_builds_a_zip_with_my_events_from_each_of_my_tenants(app, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach"), (baseline.coop_b.id, "coach")])
    other = make_person(app, roles=[(baseline.coop_a.id, "coach")])
    with app.app_context():
        for tenant_id, actor in ((baseline.coop_a.id, person.id), (baseline.coop_b.id, person.id),
                                 (baseline.coop_a.id, other.id)):
            with tenant_context(tenant_id, actor):
                record("test.something_done", object_type="thing", object_id=tenant_id)
        db.session.commit()
    client = signed_in(app, person)
    response = client.post("/account/export")
    assert response.status_code == 302
    export_url = response.headers["Location"]
    page = client.get(export_url).get_data(as_text=True)
    assert "<progress" in page and "job.js" in page and "/status" in page
    assert client.get(export_url + "/status").get_json()["status"] == "queued"

    run_queue(app)
    status = client.get(export_url + "/status").get_json()
    assert status["status"] == "finished" and status["progress"]["percent"] == 100 and status["has_download"]
    download = client.get(export_url + "/download")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = set(archive.namelist())
    assert {"me.json", "me.csv", "memberships.json", "memberships.csv", "audit_events.json", "audit_events.csv"} <= names
    me = json.loads(archive.read("me.json"))
    assert me["email"] == person.email and "password_hash" not in me and "totp_secret_encrypted" not in me
    assert not any("argon2" in archive.read(n).decode() for n in names)
    memberships = json.loads(archive.read("memberships.json"))
    assert sorted(m["tenant"] for m in memberships) == sorted([baseline.coop_a.slug, baseline.coop_b.slug])
    events = [e for e in json.loads(archive.read("audit_events.json")) if e["action"] == "test.something_done"]
    assert sorted(e["tenant"] for e in events) == sorted([baseline.coop_a.slug, baseline.coop_b.slug])
    assert "test.something_done" in archive.read("audit_events.csv").decode()

    # Another person cannot see or download it.
    stranger = signed_in(app, other)
    for suffix in ("", "/status", "/download"):
        assert stranger.get(export_url + suffix).status_code == 404


def test_an_unknown_export_is_a_404(app):
    client = signed_in(app, make_person(app))
    for path in ("/account/export/999999", "/account/export/999999/status", "/account/export/999999/download"):
        assert client.get(path).status_code == 404


# --- erasure -------------------------------------------------------------------------------


def test_erasure_is_asked_then_confirmed_by_umbrella_staff(app, baseline, outbox):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach"), (baseline.coop_b.id, "member")],
                         two_factor=True, language="en")
    staff = make_person(app, roles=[(baseline.umbrella.id, "umbrella_staff")], two_factor=True)
    client = signed_in(app, person)
    # Leave traces that must go: a reset link, recovery codes, an export.
    client.post("/account/forgot", data={"email": person.email})
    with app.app_context():
        from koepel.platform.auth.two_factor import do_regenerate_recovery_codes

        do_regenerate_recovery_codes(db.session.get(User, person.id))
        with tenant_context(baseline.coop_a.id, person.id):
            record("test.kept_for_the_record", object_type="thing", object_id=1)
        db.session.commit()
    client.post("/account/export")
    run_queue(app)

    assert client.post("/account/erasure", data={"erasure-current_password": "not my password"}).status_code == 400
    assert client.post("/account/erasure", data={"erasure-current_password": person.password}).status_code == 302
    with app.app_context():
        [request] = db.session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == person.id)).all()
        assert request.status == "pending"

    # Not staff: no such page.
    assert client.get(f"/t/{baseline.umbrella.slug}/admin/erasure-requests").status_code == 404
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/{request.id}/confirm").status_code == 404

    staff_client = signed_in(app, staff)
    page = staff_client.get(f"/t/{baseline.umbrella.slug}/admin/erasure-requests").get_data(as_text=True)
    assert person.email in page
    assert staff_client.post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/{request.id}/confirm").status_code == 302

    user = load_user(app, person.id)
    assert user.name == f"Verwijderde persoon #{person.id}"
    assert user.email == f"erased-{person.id}@invalid"
    assert not user.is_active and user.erased_at is not None
    assert user.totp_secret_encrypted is None and user.two_factor_enabled_at is None
    with app.app_context():
        assert db.session.scalars(select(AccountToken).where(AccountToken.user_id == person.id)).all() == []
        assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
        assert db.session.scalars(select(DataExport).where(DataExport.user_id == person.id)).all() == []
        assert db.session.get(ErasureRequest, request.id).status == "confirmed"
        for org in (baseline.coop_a, baseline.coop_b):
            with tenant_context(org.id):
                assert db.session.scalars(select(Membership).where(Membership.user_id == person.id)).all() == []
        with tenant_context(baseline.coop_a.id):
            kept = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_user_id == person.id)).all()
            assert "test.kept_for_the_record" in kept  # audit rows stay; they hold only the id
            erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.erased",
                                                                  AuditEvent.object_id == str(person.id))).all()
            assert [e.actor_user_id for e in erased] == [staff.id]
    assert [m["Subject"] for m in outbox(person.email)][-1] == "Your Koepel account has been erased"
    # The old session and the old password no longer work.
    assert client.get("/account/").status_code == 302
    assert app.test_client().post("/login", data={"email": person.email, "password": person.password}).status_code == 400


def test_staff_cannot_confirm_their_own_erasure_and_a_request_can_be_withdrawn(app, baseline):
    staff = make_person(app, roles=[(baseline.umbrella.id, "umbrella_staff")], two_factor=True)
    client = signed_in(app, staff)
    client.post("/account/erasure", data={"erasure-current_password": staff.password})
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id).where(ErasureRequest.user_id == staff.id))
    client.post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/{request_id}/confirm")
    assert load_user(app, staff.id).is_active
    assert client.post("/account/erasure/cancel").status_code == 302
    with app.app_context():
        assert db.session.get(ErasureRequest, request_id).status == "cancelled"


def test_the_last_coordinator_is_not_erased(app, baseline):
    from koepel.platform.tenancy.operations import do_create_tenant

    with app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug="alleen-coop", name="Alleen", status="active")
        db.session.commit()
        tenant_id = tenant.id
    person = make_person(app, roles=[(tenant_id, "coordinator")])
    staff = make_person(app, roles=[(baseline.umbrella.id, "umbrella_staff")], two_factor=True)
    signed_in(app, person).post("/account/erasure", data={"erasure-current_password": person.password})
    with app.app_context():
        request_id = db.session.scalar(select(ErasureRequest.id).where(ErasureRequest.user_id == person.id))
    page = signed_in(app, staff).post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/{request_id}/confirm", follow_redirects=True)
    assert load_user(app, person.id).is_active
    assert "laatste coördinator" in page.get_data(as_text=True) or "last coordinator" in page.get_data(as_text=True)


def test_unknown_erasure_requests_are_404(app, baseline):
    staff = make_person(app, roles=[(baseline.umbrella.id, "umbrella_staff")], two_factor=True)
    client = signed_in(app, staff)
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/999999/confirm").status_code == 404
    assert client.post(f"/t/{baseline.umbrella.slug}/admin/erasure-requests/999999/reject").status_code == 404
