"""Links by mail: verify the address, reset a password. Signed, hashed, expiring, single-use;
expired, reused or tampered links say so plainly (never a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.auth.models import AccountToken
from koepel.platform.auth.operations import do_send_verification
from koepel.platform.auth.tokens import issue_token
from koepel.platform.db import db, utcnow
from tests import mail_support
from tests.mail_support import link_in, load_user, make_person, parts

# Fixtures shared by the identity tests.
fresh_limits = mail_support.fresh_limits
outbox = mail_support.outbox

pytestmark = pytest.mark.usefixtures("fresh_limits")
NEW_PASSWORD = "een nieuwe lange zin"


def _verification_link(app, person, outbox) -> str:
    with app.test_request_context():
        do_send_verification(db.session.get(User, person.id))
        db.session.commit()
    mails = outbox(person.email)
    assert len(mails) == 1
    return link_in(mails[0], "/account/verify/")


def test_the_coordinator_verifies_the_email_and_signs_in(app, client, outbox):
    person = make_person(app, verified=False)
    link = _verification_link(app, person, outbox)
    assert client.post("/login", data={"email": person.email, "password": person.password}).status_code == 400
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert load_user(app, person.id).email_verified_at is not None
    assert client.post("/login", data={"email": person.email, "password": person.password}).status_code == 302
    # Used once: the second time it says so.
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "al gebruikt" in again.get_data(as_text=True) or "already been used" in again.get_data(as_text=True)


def test_only_a_hash_of_the_link_is_stored(app, outbox):
    person = make_person(app, verified=False)
    link = _verification_link(app, person, outbox)
    with app.app_context():
        rows = db.session.scalars(select(AccountToken).where(AccountToken.user_id == person.id)).all()
    assert len(rows) == 1 and len(rows[0].token_hash) == 64
    assert rows[0].token_hash not in link
    assert timedelta(hours=47) < rows[0].expires_at - rows[0].created_at <= timedelta(hours=48)


@pytest.mark.parametrize("token,status", [
    ("garbage", 400),
    ("a" * 5000, 400),
    ("eyJ0IjoiIn0.ZZZZZZ.aaaaaaaaaaaaaaaaaaaaaaaaaaa", 400),
    ("%00%ff", 400),
])
def test_tampered_or_malformed_links_are_refused_plainly(client, token, status):
    for path in (f"/account/verify/{token}", f"/account/reset/{token}"):
        response = client.get(path)
        assert response.status_code == status, path
        assert "Deze link werkt niet" in response.get_data(as_text=True) or "This link does not work" in response.get_data(as_text=True)
    assert client.post(f"/account/reset/{token}", data={"password": NEW_PASSWORD}).status_code == status


def test_a_link_signed_for_one_purpose_does_not_work_for_the_other(app, client, outbox):
    person = make_person(app, verified=False)
    link = _verification_link(app, person, outbox)
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/account/reset/{token}").status_code == 400


def test_an_expired_link_says_so(app, client):
    person = make_person(app)
    with app.test_request_context():
        user = db.session.get(User, person.id)
        token = issue_token(user, "reset_password", now=utcnow() - timedelta(hours=2))
        db.session.commit()
    response = client.get(f"/account/reset/{token}")
    assert response.status_code == 410
    assert client.post(f"/account/reset/{token}", data={"password": NEW_PASSWORD}).status_code == 410


# --- forgotten password -------------------------------------------------------------------


def test_forgot_answers_the_same_whether_or_not_the_address_exists(app, client, outbox):
    person = make_person(app)
    known = client.post("/account/forgot", data={"email": person.email})
    unknown = client.post("/account/forgot", data={"email": "nobody-here@identity.example.org"})
    assert known.status_code == unknown.status_code == 200
    from tests.conftest import comparable

    assert comparable(known.get_data(as_text=True)) == comparable(unknown.get_data(as_text=True))
    assert len(outbox(person.email)) == 1
    assert outbox("nobody-here@identity.example.org") == []


def test_forgot_validates_its_field(client):
    for data in ({}, {"email": "not an address"}, {"email": "a" * 300 + "@example.org"}):
        response = client.post("/account/forgot", data=data)
        assert response.status_code == 400
        assert 'class="field-error"' in response.get_data(as_text=True)


def test_reset_sets_a_new_password_once_and_ends_sessions(app, outbox):
    person = make_person(app, language="en")
    signed_in = app.test_client()
    assert signed_in.post("/login", data={"email": person.email, "password": person.password}).status_code == 302
    client = app.test_client()
    client.post("/account/forgot", data={"email": person.email})
    client.post("/account/forgot", data={"email": person.email})  # a second link
    mails = outbox(person.email)
    assert [m["Subject"] for m in mails] == ["Choose a new password for Koepel"] * 2
    first, second = (link_in(m, "/account/reset/") for m in mails)
    text, html = parts(mails[0])
    assert "60 minutes" in text and 'lang="en"' in html and first in html

    assert client.get(first).status_code == 200
    weak = client.post(first, data={"password": "wachtwoord1"})
    assert weak.status_code == 400 and "field-error" in weak.get_data(as_text=True)
    missing = client.post(first, data={})
    assert missing.status_code == 400
    too_long = client.post(first, data={"password": "x" * 129 + "yz"})
    assert too_long.status_code == 400
    assert load_user(app, person.id).password_changed_at is None  # nothing half-done

    response = client.post(first, data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get(first).status_code == 410  # used
    assert client.get(second).status_code == 410  # the other open link is spent too
    assert signed_in.get("/account/").status_code == 302  # the old session ended
    assert client.post("/login", data={"email": person.email, "password": NEW_PASSWORD}).status_code == 302
    assert [m["Subject"] for m in outbox(person.email)][-1] == "Your Koepel password was changed"


def test_forgot_is_limited_per_account(app, client):
    person = make_person(app)
    statuses = [client.post("/account/forgot", data={"email": person.email}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_reset_marks_the_address_verified(app, client, outbox):
    person = make_person(app, verified=False)
    client.post("/account/forgot", data={"email": person.email})
    link = link_in(outbox(person.email)[0], "/account/reset/")
    client.post(link, data={"password": NEW_PASSWORD})
    assert load_user(app, person.id).email_verified_at is not None
