"""Two administrators set the same parameter at the same moment: the per-name lock makes
the second wait and then see the first's period, so both changes land and the periods
still follow each other without overlap (without the lock, the second would close the
old period over the first's new one and the exclusion constraint would refuse it).

Threads need their own connections and real commits, so this test does not use the
`app` fixture. It works on a parameter name of its own (added to the catalog for the
test) and removes its rows and audit rows afterwards, as the database superuser.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, timedelta

import psycopg
import pytest

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.parameters import catalog, do_set_parameter, history
from koepel.platform.tenancy import tenant_context

HOLD_SECONDS = 0.5


@pytest.fixture
def race_name(_session_app, baseline, admin_dsn, monkeypatch):
    name = f"test.race_{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(catalog.KNOWN, name, catalog.Known(name, "count", "race"))
    with _session_app.app_context():
        try:
            with tenant_context(baseline.umbrella.id):
                do_set_parameter(name, date(2020, 1, 1), 1, "first value", actor_id=None)
            db.session.commit()
        finally:
            db.session.remove()
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn) as conn:
            conn.execute("SET LOCAL session_replication_role = replica")  # past the append-only trigger
            conn.execute("DELETE FROM audit_events WHERE action = 'parameters.changed' AND object_id = %s", (name,))
            conn.execute("DELETE FROM parameter_values WHERE name = %s", (name,))
        with psycopg.connect(admin_dsn) as conn:
            assert conn.execute("SELECT count(*) FROM parameter_values WHERE name = %s", (name,)).fetchone()[0] == 0


def test_two_changes_at_once_both_land_without_overlap(_session_app, baseline, race_name):
    today = amsterdam_today()
    starts = {"first": today + timedelta(days=100), "second": today + timedelta(days=200)}
    first_done = threading.Event()
    results: dict[str, str] = {}
    timings: dict[str, float] = {}

    def attempt(who: str) -> None:
        with _session_app.app_context():
            try:
                with tenant_context(baseline.umbrella.id, baseline.umbrella_admin.id):
                    if who == "second":
                        first_done.wait(timeout=20)  # the first holds its lock, uncommitted
                    started = time.monotonic()
                    do_set_parameter(race_name, starts[who], 2 if who == "first" else 3, f"by {who}",
                                     actor_id=baseline.umbrella_admin.id)
                    timings[who] = time.monotonic() - started
                    if who == "first":
                        first_done.set()
                        time.sleep(HOLD_SECONDS)
                    db.session.commit()
                    results[who] = "made"
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                results[who] = repr(error)
                first_done.set()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(who,)) for who in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == {"first": "made", "second": "made"}, results
    assert timings["second"] >= HOLD_SECONDS * 0.8, timings  # it waited for the first's commit
    with _session_app.app_context():
        try:
            rows = [(p.valid_from, p.valid_until, p.value) for p in history(race_name)]
        finally:
            db.session.remove()
    assert rows == [
        (date(2020, 1, 1), starts["first"], 1),
        (starts["first"], starts["second"], 2),
        (starts["second"], None, 3),
    ]
