"""Many payouts from one pot at the same moment, and one posting sent many times at once,
each from its own connection with real commits (in a cooperative of its own, removed
afterwards): the pot never goes below zero and a key posts once."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.ledger import (
    JournalEntry,
    Line,
    Overdrawn,
    account,
    do_post,
    held,
    mismatched_balances,
)
from koepel.tenants.members import do_register_member
from tests.conftest import purge_tenant, run_at_once

THREADS = 8


@pytest.fixture
def scratch_pot(_session_app, baseline, admin_dsn):
    """A committed cooperative with one member whose pot holds 10,00: (tenant id, member id)."""
    with _session_app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug=f"pot-race-{uuid.uuid4().hex[:10]}", name="Pot Race",
                                  status="active")
        tenant_id = tenant.id
        try:
            with tenant_context(tenant_id):
                member_id = do_register_member(name="Pot Owner", stage="intake", actor_id=None).id
                do_post(lines=[Line(account("bank"), Money(1000)), Line(account("member_pot", member_id=member_id),
                                                                         Money(-1000))],
                        on_date=date(2026, 3, 1), kind="manual", description="earned", idempotency_key="seed")
            db.session.commit()
        finally:
            db.session.remove()
    yield tenant_id, member_id
    purge_tenant(admin_dsn, tenant_id)


def at_once(app, tenant_id, work) -> list[str]:
    return run_at_once(app, tenant_id, work, threads=THREADS, done="posted", refusals={Overdrawn: "overdrawn"})


def test_parallel_payouts_never_overdraw_the_pot(_session_app, scratch_pot):
    tenant_id, member_id = scratch_pot

    def pay_out(index):
        do_post(lines=[Line(account("member_pot", member_id=member_id), Money(300)), Line(account("payouts_due"), Money(-300))],
                on_date=date(2026, 3, 2), kind="payout", description="tools", idempotency_key=f"payout-{index}")

    outcomes = at_once(_session_app, tenant_id, pay_out)
    assert sorted(outcomes) == ["overdrawn"] * (THREADS - 3) + ["posted"] * 3  # 3 x 3,00 fit in 10,00
    with _session_app.app_context(), tenant_context(tenant_id):
        assert held(account("member_pot", member_id=member_id)) == Money(100)
        assert mismatched_balances() == []
        db.session.remove()


def test_one_posting_sent_many_times_at_once_posts_once(_session_app, scratch_pot):
    tenant_id, member_id = scratch_pot

    def same(_index):
        do_post(lines=[Line(account("bank"), Money(250)), Line(account("member_pot", member_id=member_id), Money(-250))],
                on_date=date(2026, 3, 2), kind="payment", description="the same bank line", idempotency_key="bank:line-1")

    assert at_once(_session_app, tenant_id, same) == ["posted"] * THREADS
    with _session_app.app_context(), tenant_context(tenant_id):
        posted = db.session.scalar(select(func.count()).select_from(JournalEntry)
                                   .where(JournalEntry.idempotency_key == "bank:line-1"))
        assert posted == 1 and held(account("member_pot", member_id=member_id)) == Money(1250)
        db.session.remove()
