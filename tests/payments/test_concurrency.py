"""The same bank file delivered twice at once, each import in its own connection with real
commits (in a cooperative of its own, removed afterwards): it is stored and posted once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.invoices import Invoice
from koepel.tenants.ledger import JournalEntry, books_total, mismatched_balances
from koepel.tenants.members import do_register_member
from koepel.tenants.payments import BankLine, BankStatement, PaymentSplit, do_import
from tests.conftest import purge_tenant, run_at_once
from tests.invoices.support import customer, issued
from tests.payments.support import Entry, camt053

THREADS = 6


@pytest.fixture
def scratch(_session_app, baseline, admin_dsn):
    """A committed cooperative with an issued invoice: (tenant id, invoice id, its file)."""
    with _session_app.app_context():
        tenant = do_create_tenant(kind="cooperative", slug=f"pay-race-{uuid.uuid4().hex[:10]}", name="Pay Race",
                                  status="active")
        tenant_id = tenant.id
        try:
            with tenant_context(tenant_id):
                db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number="87654321",
                                             vat_number="NL004495445B01", iban="NL91ABNA0417164300",
                                             street="Markt 2", postal_code="2611 GW", city="Delft",
                                             municipality_ids=[], other_municipalities=[]))
                member = do_register_member(name="Racer", stage="intake", actor_id=None)
                invoice = issued(member.id, customer("Race Customer").id, on=amsterdam_today())
                invoice_id, number, total = invoice.id, invoice.number, invoice.total_cents
            db.session.commit()
        finally:
            db.session.remove()
    data = camt053([Entry(total, amsterdam_today(), f"Factuur {number}", ref="RACE-1"),
                    Entry(500, amsterdam_today(), "iets", ref="RACE-2")])
    yield tenant_id, invoice_id, data
    purge_tenant(admin_dsn, tenant_id)


def test_the_same_file_imported_at_once_posts_once(_session_app, scratch):
    tenant_id, invoice_id, data = scratch
    results = []  # what each committed import said: the file was new, or known already

    def import_file(_index):
        result = do_import(file_name="race.xml", data=data, actor_id=None)
        results.append("again" if result.already_imported else "imported")

    outcomes = run_at_once(_session_app, tenant_id, import_file, threads=THREADS, done="committed", refusals={})
    assert outcomes == ["committed"] * THREADS
    assert sorted(results) == ["again"] * (THREADS - 1) + ["imported"]
    with _session_app.app_context(), tenant_context(tenant_id):
        assert db.session.scalar(select(func.count()).select_from(BankStatement)) == 1
        assert db.session.scalar(select(func.count()).select_from(BankLine)) == 2
        assert db.session.scalar(select(func.count()).select_from(PaymentSplit)) == 1
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)
                                 .where(JournalEntry.kind == "payment")) == 1
        invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        assert invoice.status == "paid" and invoice.amount_paid_cents == invoice.total_cents
        assert books_total().cents == 0 and mismatched_balances() == []
        db.session.remove()


def test_overlapping_files_imported_at_once_hold_each_line_once(_session_app, scratch):
    tenant_id, _invoice_id, data = scratch
    other = camt053([Entry(500, amsterdam_today(), "iets", ref="RACE-2"),
                     Entry(700, amsterdam_today(), "nog iets", ref="RACE-3")], statement_id="S2")
    payloads = (data, other)

    def import_file(index):
        do_import(file_name="overlap.xml", data=payloads[index], actor_id=None)

    outcomes = run_at_once(_session_app, tenant_id, import_file, threads=2, done="committed", refusals={})
    assert outcomes == ["committed"] * 2
    with _session_app.app_context(), tenant_context(tenant_id):
        assert db.session.scalar(select(func.count()).select_from(BankLine)) == 3
        db.session.remove()
