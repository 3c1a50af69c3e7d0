"""Sign-in, sign-out, the tenant picker, languages and the per-tenant user loader."""

from flask import session

from tests.conftest import comparable, csrf_token, sign_in


def test_the_login_page_is_dutch_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Inloggen bij Koepel" in page
    assert "E-mailadres" in page


def test_a_wrong_password_is_refused_with_a_clear_message_and_no_session(client, baseline):
    response = client.post("/login", data={"email": baseline.coordinator_a.email, "password": "wrong"})
    assert response.status_code == 400
    assert "Het e-mailadres of het wachtwoord is onjuist." in response.get_data(as_text=True)
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 302  # still signed out


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, baseline):
    unknown = client.post("/login", data={"email": "nobody@test.example.org", "password": "whatever"})
    wrong = client.post("/login", data={"email": baseline.coordinator_a.email, "password": "whatever"})
    assert unknown.status_code == wrong.status_code == 400
    assert comparable(unknown.get_data(as_text=True)).replace("nobody@test.example.org", "E") == \
        comparable(wrong.get_data(as_text=True)).replace(baseline.coordinator_a.email, "E")


def test_empty_and_malformed_input_gets_messages_per_field(client):
    response = client.post("/login", data={"email": "not-an-address", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vul een geldig e-mailadres in." in page
    assert "Vul uw wachtwoord in." in page


def test_email_is_matched_case_insensitively(client, baseline):
    response = client.post("/login", data={"email": baseline.coordinator_a.email.upper(), "password": baseline.coordinator_a.password})
    assert response.status_code == 302


def test_a_person_with_one_organisation_lands_on_its_home(client, baseline):
    sign_in(client, baseline.coordinator_a)
    response = client.get("/")
    assert response.headers["Location"] == f"/t/{baseline.coop_a.slug}/"
    home = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Coöperatie A" in home
    assert "Sociale coöperatie" in home


def test_a_person_with_several_organisations_chooses_one(client, baseline):
    sign_in(client, baseline.advisor)
    response = client.get("/")
    assert response.headers["Location"] == "/tenants"
    page = client.get("/tenants").get_data(as_text=True)
    assert f'href="/t/{baseline.municipality.slug}/"' in page
    assert f'href="/t/{baseline.coop_a.slug}/"' in page
    assert f'href="/t/{baseline.coop_b.slug}/"' not in page


def test_each_tenant_kind_lands_on_its_own_home(as_user, baseline):
    pages = {
        "municipality": as_user(baseline.advisor).get(f"/t/{baseline.municipality.slug}/"),
        "umbrella": as_user(baseline.umbrella_admin).get(f"/t/{baseline.umbrella.slug}/"),
        "cooperative": as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/"),
    }
    assert all(p.status_code == 200 for p in pages.values())
    assert "De werkomgeving van uw gemeente" in pages["municipality"].get_data(as_text=True)
    assert "De beheerder van het platform" in pages["umbrella"].get_data(as_text=True)
    assert "De werkomgeving van uw sociale coöperatie" in pages["cooperative"].get_data(as_text=True)


def test_roles_count_only_in_the_tenant_of_the_request(app, baseline):
    """The advisor coordinates cooperative A and advises the municipality: on each
    tenant's URL the user loader hands out that tenant's role alone."""
    from flask_login import current_user

    client = app.test_client()
    sign_in(client, baseline.advisor)
    seen = {}
    for slug in (baseline.municipality.slug, baseline.coop_a.slug):
        with client:
            assert client.get(f"/t/{slug}/").status_code == 200
            seen[slug] = set(current_user.tenant_roles)
    assert seen == {baseline.municipality.slug: {"policy_advisor"}, baseline.coop_a.slug: {"coordinator"}}


def test_signing_in_starts_a_fresh_session(app, baseline):
    client = app.test_client()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker before sign-in"
    sign_in(client, baseline.coordinator_a)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"] == str(baseline.coordinator_a.id)


def test_only_same_site_paths_are_followed_after_sign_in(client, baseline):
    data = {"email": baseline.coordinator_a.email, "password": baseline.coordinator_a.password}
    evil = client.post("/login", data={**data, "next": "https://evil.example/"})
    assert evil.headers["Location"] == "/"
    client.post("/logout")
    protocol_relative = client.post("/login", data={**data, "next": "//evil.example/x"})
    assert protocol_relative.headers["Location"] == "/"
    client.post("/logout")
    local = client.post("/login", data={**data, "next": f"/t/{baseline.coop_a.slug}/audit/"})
    assert local.headers["Location"] == f"/t/{baseline.coop_a.slug}/audit/"


def test_signing_out_ends_the_session(client, baseline):
    sign_in(client, baseline.coordinator_a)
    assert client.get("/logout").status_code == 405  # only by a form post
    assert client.post("/logout").status_code == 302
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 302


def test_an_inactive_account_cannot_sign_in(app, client, baseline):
    from koepel.platform.auth import User
    from koepel.platform.db import db

    with app.app_context():
        db.session.get(User, baseline.member_a.id).is_active_account = False
        db.session.commit()
    response = client.post("/login", data={"email": baseline.member_a.email, "password": baseline.member_a.password})
    assert response.status_code == 400


def test_the_language_switch_changes_the_pages_and_is_remembered_for_the_person(app, client, baseline):
    from koepel.platform.auth import User
    from koepel.platform.db import db

    sign_in(client, baseline.coordinator_a)
    response = client.post("/language", data={"lang": "en", "next": f"/t/{baseline.coop_a.slug}/"})
    assert response.headers["Location"] == f"/t/{baseline.coop_a.slug}/"
    page = client.get(f"/t/{baseline.coop_a.slug}/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign out" in page
    with app.app_context():
        assert db.session.get(User, baseline.coordinator_a.id).language == "en"


def test_an_unknown_language_changes_nothing(client):
    client.post("/language", data={"lang": "xx"})
    with client:
        client.get("/login")
        assert "lang" not in session


def test_forms_are_protected_against_cross_site_requests(app, client, baseline):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post("/login", data={"email": baseline.coordinator_a.email, "password": baseline.coordinator_a.password})
        assert forged.status_code == 400
        assert "Het formulier is verlopen" in forged.get_data(as_text=True)
        token = csrf_token(client.get("/login").get_data(as_text=True))
        genuine = client.post("/login", data={"email": baseline.coordinator_a.email,
                                              "password": baseline.coordinator_a.password, "csrf_token": token})
        assert genuine.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_session_cookie_is_httponly_and_samesite(client, baseline):
    response = sign_in(client, baseline.coordinator_a)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_stored_as_argon2_hashes(db_session, baseline):
    from koepel.platform.auth import User

    stored = db_session.get(User, baseline.coordinator_a.id).password_hash
    assert stored.startswith("$argon2id$") and baseline.coordinator_a.password not in stored
