"""Closing a month at the same moment as another close, or as a payment comes in, each
from its own connection with real commits (in tenants of their own, removed afterwards):
a month closes once, and a payment is either in the closed month's settlement or dated
in the next month, never lost and never in both."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.ledger import ClosedMonth, JournalEntry, books_total
from koepel.tenants.payments import PaymentSplit
from koepel.tenants.settlements import Settlement, SettlementError, do_close_month
from tests.conftest import purge_tenant, run_at_once
from tests.invoices.support import issued, line
from tests.payments.support import Entry, camt053, import_file
from tests.settlements.support import earn, make_world

SEP = date(2026, 9, 1)
TODAY = date(2026, 11, 23)


@pytest.fixture
def committed_world(_session_app, baseline, admin_dsn):
    with _session_app.app_context():
        try:
            world = make_world()
            earn(world, "Anna", date(2026, 9, 5), 700_00)
            db.session.commit()
        finally:
            db.session.remove()
    yield world
    purge_tenant(admin_dsn, world.cooperative_id)
    purge_tenant(admin_dsn, world.municipality_id)


def test_two_closes_at_once_close_the_month_once(_session_app, committed_world):
    world = committed_world
    outcomes = run_at_once(_session_app, world.cooperative_id,
                           lambda _index: do_close_month(SEP, actor_id=None, today=TODAY),
                           threads=4, done="closed", refusals={SettlementError: "refused"})
    assert sorted(outcomes) == ["closed"] + ["refused"] * 3
    with _session_app.app_context(), tenant_context(world.cooperative_id):
        assert db.session.scalar(select(func.count()).select_from(ClosedMonth)) == 1
        assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1
    with _session_app.app_context(), tenant_context(world.municipality_id):
        assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_payment_during_the_close_is_settled_in_exactly_one_month(_session_app, committed_world, attempt):
    world = committed_world
    with _session_app.app_context(), tenant_context(world.cooperative_id):
        invoice = issued(world.members["Anna"], world.customer_id, lines=[line(price=300_00, rate=0)],
                         on=date(2026, 9, 20), delivery_date=date(2026, 9, 20))
        statement = camt053([Entry(300_00, date(2026, 9, 29), f"Factuur {invoice.number}", ref=f"RACE-{attempt}")],
                            statement_id=f"RACE-{attempt}")
        db.session.commit()

    def work(index):
        if index == 0:
            do_close_month(SEP, actor_id=None, today=TODAY)
        else:
            import_file(statement, "race.xml")

    outcomes = run_at_once(_session_app, world.cooperative_id, work, threads=2, done="done", refusals={})
    assert outcomes == ["done", "done"]
    with _session_app.app_context(), tenant_context(world.cooperative_id):
        settled = db.session.scalar(select(Settlement.earned_cents))
        later = db.session.scalar(select(func.coalesce(func.sum(PaymentSplit.net_cents), 0)).join(
            JournalEntry, (JournalEntry.tenant_id == PaymentSplit.tenant_id) & (JournalEntry.id == PaymentSplit.entry_id))
            .where(JournalEntry.on_date >= date(2026, 10, 1)))
        assert settled + later == 1000_00  # 700,00 before and the 300,00 of the race
        assert settled in (700_00, 1000_00)
        assert books_total().cents == 0
