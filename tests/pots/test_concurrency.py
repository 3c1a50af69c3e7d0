"""Approvals at the same moment, each from its own connection with real commits (in a
cooperative of its own, removed afterwards): the pot never goes below zero, and one
request approved by many at once is approved (and posted) once."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.ledger import JournalEntry, Line, account, do_post, held, mismatched_balances
from koepel.tenants.members import do_register_member
from koepel.tenants.pots import PotError, PotRequest, do_approve
from tests.conftest import purge_tenant, run_at_once
from tests.pots.baseline import make_request

THREADS = 8


@pytest.fixture
def race(_session_app, baseline, admin_dsn):
    """A committed cooperative with a member whose pot holds 10,00 and THREADS requests of
    3,00 each: (tenant id, member id, request ids)."""
    with _session_app.app_context():
        tenant_id = do_create_tenant(kind="cooperative", slug=f"pot-approve-{uuid.uuid4().hex[:10]}",
                                     name="Pot Approvals", status="active").id
        try:
            with tenant_context(tenant_id):
                member_id = do_register_member(name="Pot Owner", stage="intake", actor_id=None).id
                do_post(lines=[Line(account("bank"), Money(1000)),
                               Line(account("member_pot", member_id=member_id), Money(-1000))],
                        on_date=date(2026, 3, 1), kind="manual", description="earned", idempotency_key="seed")
                request_ids = [make_request(member_id, amount_cents=300).id for _ in range(THREADS)]
            db.session.commit()
        finally:
            db.session.remove()
    yield tenant_id, member_id, request_ids
    purge_tenant(admin_dsn, tenant_id)


def at_once(app, tenant_id, work) -> list[str]:
    return run_at_once(app, tenant_id, work, threads=THREADS, done="approved", refusals={PotError: "refused"})


def test_approvals_at_once_never_overdraw_the_pot(_session_app, race):
    tenant_id, member_id, request_ids = race

    def approve(index):
        do_approve(db.session.get(PotRequest, (tenant_id, request_ids[index])), actor_id=None)

    outcomes = at_once(_session_app, tenant_id, approve)
    assert sorted(outcomes) == ["approved"] * 3 + ["refused"] * (THREADS - 3)  # 3 x 3,00 fit in 10,00
    with _session_app.app_context(), tenant_context(tenant_id):
        assert held(account("member_pot", member_id=member_id)) == Money(100)
        statuses = db.session.scalars(select(PotRequest.status).where(PotRequest.member_id == member_id)).all()
        assert sorted(statuses) == ["approved"] * 3 + ["requested"] * (THREADS - 3)
        assert mismatched_balances() == []
        db.session.remove()


def test_one_request_approved_by_many_at_once_is_approved_once(_session_app, race):
    tenant_id, member_id, request_ids = race

    def approve(_index):
        do_approve(db.session.get(PotRequest, (tenant_id, request_ids[0])), actor_id=None)

    outcomes = at_once(_session_app, tenant_id, approve)
    assert sorted(outcomes) == ["approved"] + ["refused"] * (THREADS - 1)
    with _session_app.app_context(), tenant_context(tenant_id):
        posted = db.session.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.idempotency_key == f"pot_request:{request_ids[0]}:approved"))
        assert posted == 1 and held(account("member_pot", member_id=member_id)) == Money(700)
        db.session.remove()
