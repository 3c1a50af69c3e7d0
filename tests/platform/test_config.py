"""Configuration from the environment."""

import pytest

from koepel.platform.config import ConfigError, Settings


def test_web_and_workers_can_run_without_administrative_credentials():
    settings = Settings.from_env({
        "APP_DATABASE_URL": "postgresql://koepel_app:pw@db/koepel",
        "UMBRELLA_DATABASE_URL": "postgresql://koepel_umbrella:pw@db/koepel",
        "REDIS_URL": "redis://r/0",
    })
    assert settings.database_url == ""
    assert settings.app_database_url == "postgresql+psycopg://koepel_app:pw@db/koepel"


def test_without_any_database_url_the_message_says_what_to_set():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({"REDIS_URL": "redis://r/0"})


def test_trusted_proxy_hops_must_be_a_whole_number():
    base = {"DATABASE_URL": "postgresql://u@h/d", "REDIS_URL": "redis://r/0"}
    assert Settings.from_env(base).proxy_hops == 0
    assert Settings.from_env({**base, "TRUSTED_PROXY_HOPS": "2"}).proxy_hops == 2
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        Settings.from_env({**base, "TRUSTED_PROXY_HOPS": "two"})


def test_behind_a_trusted_proxy_the_audit_log_records_the_clients_address(servers, database_url, tmp_path_factory, baseline):
    from koepel.platform.app import create_app
    from koepel.platform.audit import record
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from tests.conftest import make_settings

    app = create_app(make_settings(servers, database_url, tmp_path_factory, TRUSTED_PROXY_HOPS="1"))

    @app.get("/probe")
    def probe():
        with tenant_context(baseline.coop_a.id):
            event = record("test.probe")
            address = event.ip_address
            db.session.rollback()
        return address

    response = app.test_client().get("/probe", headers={"X-Forwarded-For": "203.0.113.7"},
                                      environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.get_data(as_text=True) == "203.0.113.7"
