"""Sign-in done properly: verified address, lockout, two steps with two-factor, enforced
enrolment, sessions ended by a password change, abuse limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import session

from koepel.platform.auth import User
from koepel.platform.db import db, utcnow
from tests import mail_support
from tests.mail_support import PASSWORD, load_user, make_person, parts, totp_now

# Fixtures shared by the identity tests.
fresh_limits = mail_support.fresh_limits
outbox = mail_support.outbox

pytestmark = pytest.mark.usefixtures("fresh_limits")
WRONG = "The email address or password is not correct."


def post_login(client, person, password=None):
    return client.post("/login", data={"email": person.email, "password": password or person.password})


def test_an_unverified_address_cannot_sign_in_and_may_ask_for_the_link_again(app, client, outbox):
    person = make_person(app, verified=False)
    response = post_login(client, person)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'action="/account/verify/resend"' in page
    assert client.get("/account/").status_code == 302  # not signed in

    assert client.post("/account/verify/resend", data={"email": person.email}).status_code == 302
    mails = outbox(person.email)
    assert len(mails) == 1
    text, _html = parts(mails[0])
    assert "/account/verify/" in text


def test_a_wrong_password_for_an_unverified_address_says_nothing_about_verification(app, client):
    person = make_person(app, verified=False)
    page = post_login(client, person, "not the password at all").get_data(as_text=True)
    assert "/account/verify/resend" not in page


def test_five_failures_lock_the_account_for_15_minutes_and_mail_its_owner(app, client, outbox):
    person = make_person(app, language="en")
    for attempt in range(5):
        response = post_login(client, person, f"wrong password {attempt}")
        assert response.status_code == 400
    user = load_user(app, person.id)
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - utcnow() <= timedelta(minutes=15)
    mails = outbox(person.email)
    assert [m["Subject"] for m in mails] == ["Your Koepel account is locked for a while"]
    text, html = parts(mails[0])
    assert "15 minutes" in text and "/account/forgot" in text and 'lang="en"' in html

    # The right password now gets the same answer as a wrong one.
    locked = client.post("/login", data={"email": person.email, "password": person.password})
    assert locked.status_code in (400, 429)
    assert client.get("/account/").status_code == 302


def test_a_locked_account_gets_the_generic_message(app, client, baseline):
    person = make_person(app)
    with app.app_context():
        db.session.get(User, person.id).locked_until = utcnow() + timedelta(minutes=10)
        db.session.commit()
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 400
    unknown = client.post("/login", data={"email": "nobody@identity.example.org", "password": "whatever it is"})
    assert _message(response) == _message(unknown)


def _message(response):
    page = response.get_data(as_text=True)
    return page[page.index('class="field-error"'):].split("</p>", 1)[0].split(">", 1)[1]


def test_success_resets_the_failure_count(app, client):
    person = make_person(app)
    for _ in range(3):
        post_login(client, person, "wrong password here")
    assert load_user(app, person.id).failed_sign_ins == 3
    assert post_login(client, person).status_code == 302
    assert load_user(app, person.id).failed_sign_ins == 0


def test_sign_in_attempts_are_limited_per_account(app, client):
    person = make_person(app)
    other = app.test_client()
    statuses = [post_login(client if i % 2 else other, person, f"wrong {i} password").status_code for i in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    response = post_login(client, person, "another wrong one")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Te veel pogingen" in page  # the translated 429 page


def test_sign_in_attempts_are_limited_per_address(app, client):
    people = [make_person(app) for _ in range(11)]
    statuses = [post_login(client, p, "wrong password x").status_code for p in people]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_successful_sign_ins_do_not_count_against_the_limits(app):
    person = make_person(app)
    for _ in range(12):
        assert post_login(app.test_client(), person).status_code == 302


# --- two-factor -------------------------------------------------------------------------


def test_with_two_factor_sign_in_has_two_steps_and_the_first_grants_nothing(app, client, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach")], two_factor=True)
    response = post_login(client, person)
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-factor"
    # Half signed in: no page opens.
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 302
    assert client.get("/account/").status_code == 302
    with client.session_transaction() as s:
        assert "_user_id" not in s

    assert client.post("/login/two-factor", data={"code": "000000" if totp_now(person.totp_secret) != "000000" else "111111"}).status_code == 400
    response = client.post("/login/two-factor", data={"code": totp_now(person.totp_secret)})
    assert response.status_code == 302
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 200


def test_a_recovery_code_signs_in_once(app, baseline):
    from koepel.platform.auth.two_factor import do_enable_two_factor

    person = make_person(app, roles=[(baseline.coop_a.id, "member")])
    with app.test_request_context():
        import pyotp

        secret = pyotp.random_base32()
        codes = do_enable_two_factor(db.session.get(User, person.id), secret, pyotp.TOTP(secret).now())
        db.session.commit()
    first = app.test_client()
    post_login(first, person)
    assert first.post("/login/two-factor", data={"code": codes[0]}).status_code == 302
    second = app.test_client()
    post_login(second, person)
    assert second.post("/login/two-factor", data={"code": codes[0]}).status_code == 400


def test_the_code_step_expires(app, client, baseline):
    person = make_person(app, two_factor=True)
    post_login(client, person)
    with client.session_transaction() as s:
        s["two_factor_pending"]["at"] -= 3600
        s.modified = True
    response = client.post("/login/two-factor", data={"code": totp_now(person.totp_secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account/").status_code == 302


def test_the_code_step_without_a_password_step_sends_to_sign_in(client):
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login/two-factor", data={"code": "123456"}).status_code == 302


@pytest.mark.parametrize("role_tenant,role", [("municipality", "policy_advisor"), ("umbrella", "umbrella_staff"),
                                              ("municipality", "finance")])
def test_a_role_that_requires_two_factor_can_only_enrol(app, client, baseline, role_tenant, role):
    org = getattr(baseline, role_tenant)
    person = make_person(app, roles=[(org.id, role)])
    assert post_login(client, person).status_code == 302
    for path in (f"/t/{org.slug}/", "/tenants", "/account/", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
    assert client.post("/account/profile", data={"name": "X", "language": "en"}).status_code == 302
    assert load_user(app, person.id).name != "X"

    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    with client.session_transaction() as s:
        from koepel.platform.auth.two_factor import decrypt_secret

        with app.app_context():
            secret = decrypt_secret(s["two_factor_setup"])
    import pyotp

    response = client.post("/account/two-factor/enable", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", response.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get(f"/t/{org.slug}/").status_code == 200
    # Shown once: the page of two-factor settings does not show them again.
    assert codes[0] not in client.get("/account/two-factor").get_data(as_text=True)


def test_optional_two_factor_is_not_forced(app, client, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "coach")])
    post_login(client, person)
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 200


# --- sessions ---------------------------------------------------------------------------


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, baseline):
    person = make_person(app, roles=[(baseline.coop_a.id, "member")])
    here, elsewhere = app.test_client(), app.test_client()
    post_login(here, person)
    post_login(elsewhere, person)
    assert elsewhere.get("/account/").status_code == 200
    response = here.post("/account/password", data={"current_password": person.password, "new_password": "another good passphrase"})
    assert response.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    assert post_login(app.test_client(), person, "another good passphrase").status_code == 302
    assert post_login(app.test_client(), person, PASSWORD).status_code == 400


def test_the_session_is_rotated_at_sign_in(app, client):
    person = make_person(app)
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    post_login(client, person)
    with client:
        client.get("/account/")
        assert "planted" not in session
        assert session["_epoch"] == 0
