"""Two decisions on the same proposal at the same moment: the lock on the agreement (the
cooperative's copy first, then the municipality's, in every operation) lets one through;
the other waits, sees the decision and is refused. No deadlock, whichever side acts.

Threads need their own connections and real commits, so this does not use the `app`
fixture (one rolled-back connection): it works in a cooperative and a municipality of
its own, committed here and removed completely afterwards.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.agreements import (
    AgreementError,
    AgreementVersion,
    do_accept_version,
    do_propose_agreement,
    do_withdraw_version,
)
from tests.conftest import purge_tenant, run_at_once

from .baseline import baseline_terms

HOLD_SECONDS = 0.5  # how long the first decision keeps its locks before it commits
DONE = {"accept": "accepted", "withdraw": "withdrawn"}


@pytest.fixture
def scratch_pair(_session_app, baseline, admin_dsn):
    """A committed cooperative and municipality with a committed proposal of the
    cooperative's: (cooperative id, municipality id, agreement id, version id)."""
    made = []
    with _session_app.app_context():
        try:
            for kind in ("cooperative", "municipality"):
                tenant = do_create_tenant(kind=kind, slug=f"race-{kind[:4]}-{uuid.uuid4().hex[:10]}",
                                          name=f"Race {kind}", status="active")
                made.append(tenant.id)
            db.session.commit()
            with tenant_context(made[0]):
                version = do_propose_agreement(partner_tenant_id=made[1], terms=baseline_terms(),
                                               valid_from=amsterdam_today() + timedelta(days=1), actor_id=None)
                ids = (version.agreement_id, version.id)
            db.session.commit()
        finally:
            db.session.remove()
    try:
        yield made[0], made[1], *ids
    finally:
        for tenant_id in made:
            purge_tenant(admin_dsn, tenant_id)


def _decide(action: str, tenant_id: int, version_id: int) -> None:
    version = db.session.get(AgreementVersion, (tenant_id, version_id))
    assert version.status == "proposed"  # both read the proposal before either decides
    if action == "accept":
        do_accept_version(version, actor_id=None)
    else:
        do_withdraw_version(version, actor_id=None)


@pytest.mark.parametrize("second", ["accept", "withdraw"])
def test_two_decisions_at_once_make_one(_session_app, scratch_pair, second):
    cooperative_id, municipality_id, agreement_id, version_id = scratch_pair
    # The municipality accepts; at the same moment it accepts again, or the cooperative withdraws.
    attempts = [("accept", municipality_id), (second, municipality_id if second == "accept" else cooperative_id)]
    waited: dict[int, float] = {}  # attempt -> seconds until it was refused
    decided: list[int] = []  # attempts whose decision went through (committed when the outcome says so)

    def attempt(index: int) -> None:
        action, tenant_id = attempts[index]
        started = time.monotonic()
        try:
            # The runner acts for the municipality; the cooperative's attempt acts for the
            # cooperative, in the same transaction (what across_border does too).
            with tenant_context(tenant_id):
                _decide(action, tenant_id, version_id)
                db.session.flush()
        except AgreementError:
            waited[index] = time.monotonic() - started
            raise
        decided.append(index)
        time.sleep(HOLD_SECONDS)  # decided, not committed yet: the locks are held

    outcomes = run_at_once(_session_app, municipality_id, attempt, threads=2, done="decided",
                           refusals={AgreementError: "refused"})
    assert sorted(outcomes) == ["decided", "refused"], outcomes
    assert len(decided) == 1 and list(waited) == [1 - decided[0]], (decided, waited)
    status = DONE[attempts[decided[0]][0]]
    assert next(iter(waited.values())) >= HOLD_SECONDS * 0.8, waited  # it waited for the lock, then saw the decision
    with _session_app.app_context():
        try:
            for tenant_id in (cooperative_id, municipality_id):
                with tenant_context(tenant_id):
                    statuses = db.session.scalars(select(AgreementVersion.status).where(
                        AgreementVersion.agreement_id == agreement_id)).all()
                    decisions = db.session.scalars(select(AuditEvent.action).where(
                        AuditEvent.object_type == "agreement_version", AuditEvent.object_id == str(version_id),
                        AuditEvent.action != "agreements.proposed",
                        AuditEvent.action != "agreements.proposal_received")).all()
                    assert statuses == [status], (tenant_id, statuses)
                    assert len(decisions) == 1, (tenant_id, decisions)  # decided once, on each side
        finally:
            db.session.remove()
