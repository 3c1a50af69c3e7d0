"""Security headers and the content security policy on every response; the dev mail page."""

from __future__ import annotations

from pathlib import Path

import pytest

from koepel.platform.app import create_app
from tests.conftest import make_settings, sign_in
from tests.mail_support import make_person

ROOT = Path(__file__).resolve().parents[2]


def _assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "img-src 'self' data:",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'", "object-src 'none'"):
        assert directive in csp, directive
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/login", "/account/forgot", "/no-such-page", "/healthz", "/static/koepel.css"])
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    _assert_security_headers(response)
    # The test environment is not development: HSTS is sent.
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_have_them_too(app, client, baseline):
    sign_in(client, make_person(app, roles=[(baseline.coop_a.id, "coordinator")]))
    _assert_security_headers(client.get(f"/t/{baseline.coop_a.slug}/"))


def test_no_template_has_inline_script_or_style():
    """The CSP forbids inline scripts and styles; mail templates are not web pages."""
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if "/mail/" in str(path) or ".venv" in path.parts:
            continue
        text = path.read_text()
        if "<script>" in text or "<script " in text and "src=" not in text.split("<script", 1)[1].split(">", 1)[0]:
            offenders.append(str(path))
        if " style=" in text or "<style" in text or " onclick=" in text or " onload=" in text:
            offenders.append(str(path))
    assert offenders == []


def test_session_cookie_is_http_only_and_same_site_lax(app, client):
    person = make_person(app)
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_sends_no_hsts_and_production_has_secure_cookies(servers, database_url, tmp_path_factory):
    dev = create_app(make_settings(servers, database_url, tmp_path_factory, KOEPEL_ENV="development"))
    response = dev.test_client().get("/static/koepel.css")
    assert "Strict-Transport-Security" not in response.headers
    assert "Content-Security-Policy" in response.headers
    prod = create_app(make_settings(servers, database_url, tmp_path_factory, KOEPEL_ENV="production"))
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in prod.test_client().get("/static/koepel.css").headers


def test_the_dev_mail_page_exists_only_in_development_and_test_without_mail_url(servers, database_url, tmp_path_factory):
    def status(**env):
        app = create_app(make_settings(servers, database_url, tmp_path_factory, **env))
        with app.app_context():
            return app.test_client().get("/dev/mail").status_code

    assert status(KOEPEL_ENV="development") == 200
    assert status(KOEPEL_ENV="test") == 200
    assert status(KOEPEL_ENV="development", MAIL_URL="smtp://127.0.0.1:2525") == 404
    assert status(KOEPEL_ENV="production", SECRET_KEY="x" * 32) == 404
