"""Health, error pages in both languages, JSON errors, permissions and structured logs."""

import json
import logging

import pytest

from tests.conftest import make_settings


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.fixture
def fresh_app(servers, database_url, tmp_path_factory):
    """A separate app for tests that add routes or change wiring."""
    from koepel.platform.app import create_app

    def make(**extra):
        return create_app(make_settings(servers, database_url, tmp_path_factory, **extra))

    return make


def test_healthz_answers_503_when_redis_is_unreachable(fresh_app):
    app = fresh_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["redis"].startswith("error")


def test_healthz_answers_503_when_the_database_is_unreachable(fresh_app):
    app = fresh_app(APP_DATABASE_URL="postgresql://koepel_app@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("error")


def test_404_page_in_dutch_and_english(client):
    dutch = client.get("/no/such/page")
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    english = client.get("/no/such/page")
    assert "Page not found" in english.get_data(as_text=True)


def test_500_page_says_what_happened_in_the_persons_language_and_logs_it(fresh_app, caplog):
    app = fresh_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("something broke")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Er is iets misgegaan" in page
    assert "something broke" not in page  # no internals shown
    assert any("something broke" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


@pytest.mark.parametrize("code,dutch", [(400, "Ongeldig verzoek"), (403, "Geen toegang"), (405, "Niet toegestaan")])
def test_error_pages_for_other_statuses_are_translated(fresh_app, code, dutch):
    from flask import abort

    app = fresh_app()

    @app.get("/status")
    def status():
        abort(code)

    response = app.test_client().get("/status")
    assert response.status_code == code
    assert dutch in response.get_data(as_text=True)


def test_json_clients_get_json_errors(as_user, baseline):
    client = as_user(baseline.coordinator_b)
    response = client.get(f"/t/{baseline.coop_a.slug}/jobs/{baseline.job_a}/status",
                          headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert set(response.json) == {"errors"}


def test_a_role_without_permission_gets_403_in_its_own_tenant(as_user, baseline):
    response = as_user(baseline.member_a).get(f"/t/{baseline.coop_a.slug}/audit/")
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


def test_the_admin_pages_exist_only_in_the_umbrella(as_user, baseline):
    coordinator = as_user(baseline.coordinator_a)
    assert coordinator.get(f"/t/{baseline.coop_a.slug}/admin/tenants").status_code == 404
    admin = as_user(baseline.umbrella_admin)
    page = admin.get(f"/t/{baseline.umbrella.slug}/admin/tenants")
    assert page.status_code == 200
    assert "Coöperatie A" in page.get_data(as_text=True) and "Gemeente M" in page.get_data(as_text=True)


def test_every_response_carries_a_request_id(client):
    response = client.get("/login", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"
    assert len(client.get("/login").headers["X-Request-ID"]) == 32


def test_json_logs_carry_request_id_tenant_and_extra_fields(app, baseline):
    from flask import g

    from koepel.platform.http.logs import JsonFormatter

    record = logging.LogRecord("koepel.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.status = 201
    with app.test_request_context("/"):
        g.request_id = "rid-1"
        g.tenant = type("T", (), {"slug": "coop-a"})()
        entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "rid-1"
    assert entry["tenant"] == "coop-a"
    assert entry["status"] == 201
    assert entry["level"] == "INFO"
    assert entry["time"].endswith("Z")
