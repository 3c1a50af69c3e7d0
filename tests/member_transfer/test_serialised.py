"""Imports of one tenant run one at a time: the second waits for the first to commit, and
then finds its members present (so two imports of one file never both create them)."""

from __future__ import annotations

import threading

import psycopg

from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.member_transfer import do_run_import, do_start_import
from koepel.tenants.member_transfer.operations import IMPORT_LOCK_CLASS

from .helpers import csv_bytes, get_import, import_id_of, line, member_count, upload, work


def _queued_import(app, baseline, name: str) -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        import_id = do_start_import(file_name="leden.csv", data=csv_bytes([line(name=name)]),
                                    actor_id=baseline.coordinator_a.id).id
        db.session.commit()
    return import_id


def _run_in_thread(app, tenant_id: int, import_id: int) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            with app.app_context(), tenant_context(tenant_id):
                outcome["status"] = do_run_import(import_id).status
                db.session.commit()
        except Exception as error:  # pragma: no cover - shown by the assertion
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_import_waits_while_another_import_of_its_tenant_holds_the_lock(app, baseline, admin_dsn):
    import_id = _queued_import(app, baseline, "Wachtende Willem")
    with psycopg.connect(admin_dsn, autocommit=True) as other:
        # Another import of tenant A, in another transaction, is under way.
        other.execute("SELECT pg_advisory_lock(%s, %s)", (IMPORT_LOCK_CLASS, baseline.coop_a.id))
        try:
            thread, outcome = _run_in_thread(app, baseline.coop_a.id, import_id)
            thread.join(timeout=1.5)
            assert thread.is_alive(), f"the import did not wait for the lock: {outcome}"
        finally:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (IMPORT_LOCK_CLASS, baseline.coop_a.id))
        thread.join(timeout=30)
    assert not thread.is_alive() and outcome == {"status": "imported"}
    assert get_import(app, baseline.coop_a.id, import_id).created_count == 1


def test_the_lock_is_per_tenant(app, baseline, admin_dsn):
    import_id = _queued_import(app, baseline, "Vrije Vera")
    with psycopg.connect(admin_dsn, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (IMPORT_LOCK_CLASS, baseline.coop_b.id))
        try:
            thread, outcome = _run_in_thread(app, baseline.coop_a.id, import_id)
            thread.join(timeout=30)
            assert not thread.is_alive() and outcome == {"status": "imported"}
        finally:
            other.execute("SELECT pg_advisory_unlock(%s, %s)", (IMPORT_LOCK_CLASS, baseline.coop_b.id))


def test_the_same_file_uploaded_twice_before_either_ran_creates_its_members_once(app, baseline, as_user):
    data = csv_bytes([line(name="Xander Xu", email="xander@example.org"), line(name="Yara Yilmaz")])
    client = as_user(baseline.coordinator_a)
    before = member_count(app, baseline.coop_a.id)
    first = import_id_of(upload(client, baseline.coop_a.slug, data))
    second = import_id_of(upload(client, baseline.coop_a.slug, data))
    work(app)
    assert member_count(app, baseline.coop_a.id) == before + 2
    one, two = get_import(app, baseline.coop_a.id, first), get_import(app, baseline.coop_a.id, second)
    assert (one.created_count, one.present_count, two.created_count, two.present_count) == (2, 0, 0, 2)
