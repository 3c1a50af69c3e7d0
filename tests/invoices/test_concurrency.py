"""Many invoices issued at the same moment, each from its own connection with real
commits (in a cooperative of its own, removed afterwards): the numbers are 1..N with no
gap and no duplicate."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.invoices import Invoice, do_issue
from koepel.tenants.ledger import books_total, mismatched_balances
from koepel.tenants.members import do_register_member
from tests.conftest import purge_tenant, run_at_once
from tests.invoices.support import customer, draft

THREADS = 8


@pytest.fixture
def scratch_drafts(_session_app, baseline, admin_dsn):
    """A committed cooperative with THREADS drafts: (tenant id, draft ids)."""
    with _session_app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug=f"invoice-race-{uuid.uuid4().hex[:10]}",
                                  name="Invoice Race", status="active")
        tenant_id = tenant.id
        try:
            with tenant_context(tenant_id):
                db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number="87654321",
                                             vat_number="NL004495445B01", iban="NL91ABNA0417164300",
                                             street="Markt 2", postal_code="2611 GW", city="Delft",
                                             municipality_ids=[], other_municipalities=[]))
                member_id = do_register_member(name="Race Member", stage="intake", actor_id=None).id
                buyer = customer()
                ids = [draft(member_id, buyer.id).id for _ in range(THREADS)]
            db.session.commit()
        finally:
            db.session.remove()
    yield tenant_id, ids
    purge_tenant(admin_dsn, tenant_id)


def test_invoices_issued_at_once_get_numbers_without_gaps_or_duplicates(_session_app, scratch_drafts):
    tenant_id, ids = scratch_drafts

    def issue(index):
        invoice = db.session.get(Invoice, (tenant_id, ids[index]))
        do_issue(invoice, today=date(2026, 5, 1), actor_id=None)

    # Nothing may be refused: an exception ends its thread without an outcome.
    outcomes = run_at_once(_session_app, tenant_id, issue, threads=THREADS, done="issued", refusals={})
    assert outcomes == ["issued"] * THREADS
    with _session_app.app_context(), tenant_context(tenant_id):
        numbers = sorted(db.session.scalars(select(Invoice.number)))
        assert numbers == [f"2026-{n:04d}" for n in range(1, THREADS + 1)]
        assert books_total().cents == 0 and mismatched_balances() == []
        db.session.remove()
