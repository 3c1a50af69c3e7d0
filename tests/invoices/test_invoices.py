"""Invoices below the HTTP layer: totals and VAT per rate (and none under the KOR), the
number series, credit notes, the books, payments and refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.invoices import (
    Invoice,
    InvoiceError,
    amount_due,
    compute_totals,
    display_status,
    do_credit,
    do_issue,
    do_register_payment,
    do_update_draft,
    do_update_invoice_settings,
    invoice_by_number,
)
from koepel.tenants.invoices.operations import do_update_customer
from koepel.tenants.ledger import account, balance, books_total, entry_lines, mismatched_balances
from koepel.tenants.ledger.operations import by_idempotency_key
from tests.invoices.support import ISSUED_ON, customer, draft, issued, line


@pytest.fixture
def coop_a(db_session, baseline):
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        yield baseline.extra["member_a"]


def test_totals_are_per_rate_rounded_half_away_from_zero():
    # 3 x 0,35 at 21% and 1 x 0,50 at 21%: VAT on 1,55 = 0,3255 -> 0,33 (per rate, not per line: 0,22 + 0,11)
    totals = compute_totals([(2100, 105), (2100, 50), (900, 1250), (0, 1000)], kor=False)
    assert [(r.rate_bp, r.net.cents, r.vat.cents) for r in totals.rates] == [(2100, 155, 33), (900, 1250, 113), (0, 1000, 0)]
    assert (totals.net, totals.vat, totals.total) == (Money(2405), Money(146), Money(2551))
    # 0,50 at 9% = 0,045 -> 0,05 (half away from zero), and mirrored for a credit note
    assert compute_totals([(900, 50)], kor=False).vat == Money(5)
    assert compute_totals([(900, -50)], kor=False).vat == Money(-5)
    kor = compute_totals([(2100, 1000), (900, 500)], kor=True)
    assert kor.vat == Money(0) and kor.total == Money(1500) and [r.rate_bp for r in kor.rates] == [None]


def test_issuing_numbers_dates_and_freezes_the_invoice(coop_a):
    buyer = customer()
    invoice = issued(coop_a, buyer.id, [line("Fiets gerepareerd", 150, 4000, 2100), line("Band", 200, 1250, 900),
                                        line("Export", 100, 1000, 0)])
    # 1,5 x 40,00 = 60,00 at 21% (12,60); 2 x 12,50 = 25,00 at 9% (2,25); 10,00 at 0%
    assert (invoice.net_cents, invoice.vat_cents, invoice.total_cents) == (9500, 1485, 10985)
    assert invoice.number == "2026-0002"  # the baseline's invoice of 2026 is 2026-0001
    assert invoice.status == "sent" and invoice.issue_date == ISSUED_ON
    assert invoice.due_date == date(2026, 4, 1)  # 30 days
    assert invoice.parties["supplier"]["kvk_number"] == "12345671"
    assert invoice.parties["customer"]["name"] == "Bakkerij De Korenbloem"
    assert invoice_by_number("2026-0002").id == invoice.id
    # the customer's new address does not change the issued invoice
    do_update_customer(buyer, name="Bakkerij Nieuw", street="Plein 1", postal_code="2611 AA", city="Delft",
                       country="NL", email="", kvk_number="", vat_number="", is_business=True, actor_id=None)
    db.session.refresh(invoice)
    assert invoice.parties["customer"]["name"] == "Bakkerij De Korenbloem"
    with pytest.raises(InvoiceError):
        do_update_draft(invoice, member_id=coop_a, customer_id=buyer.id, delivery_date=ISSUED_ON, lines=[line()],
                        actor_id=None)
    with pytest.raises(InvoiceError):
        do_issue(invoice, today=ISSUED_ON, actor_id=None)


def test_kor_charges_no_vat(coop_a):
    do_update_invoice_settings(kor=True, payment_term_days=14, reminder_after_days=7, actor_id=None)
    invoice = issued(coop_a, customer().id, [line(price=10000, rate=2100), line("Taart", 100, 2000, 900)])
    assert invoice.kor and (invoice.net_cents, invoice.vat_cents, invoice.total_cents) == (12000, 0, 12000)
    assert invoice.due_date == date(2026, 3, 16)
    entry = by_idempotency_key(f"invoice:{invoice.id}")
    assert sorted(a.kind for a, _ in entry_lines(entry.id)) == ["earnings", "receivable"]  # no VAT line


def test_numbers_follow_each_other_per_year_and_a_deleted_draft_leaves_no_gap(coop_a):
    from koepel.tenants.invoices import do_delete_draft

    buyer = customer()
    first = issued(coop_a, buyer.id)
    do_delete_draft(draft(coop_a, buyer.id), actor_id=None)
    second = issued(coop_a, buyer.id)
    next_year = issued(coop_a, buyer.id, on=date(2027, 1, 2))
    assert (first.number, second.number, next_year.number) == ("2026-0002", "2026-0003", "2027-0001")


def test_issuing_posts_to_the_books(coop_a):
    buyer = customer()
    vat_before, earnings_before = balance(account("vat_payable")), balance(account("earnings"))
    invoice = issued(coop_a, buyer.id, [line(price=10000)])
    assert balance(account("receivable", customer_id=buyer.id)) == Money(12100)
    assert balance(account("vat_payable")) - vat_before == Money(-2100)
    assert balance(account("earnings")) - earnings_before == Money(-10000)
    assert books_total() == Money(0) and mismatched_balances() == []
    entry = by_idempotency_key(f"invoice:{invoice.id}")
    assert entry.kind == "invoice" and (entry.source_type, entry.source_id) == ("invoice", invoice.id)


def test_a_credit_note_cancels_the_invoice_with_its_own_number_and_the_mirror_posting(coop_a):
    buyer = customer()
    invoice = issued(coop_a, buyer.id, [line(price=10000), line("Taart", 300, 333, 900)])
    note = do_credit(invoice, reason="Dubbel gefactureerd", today=date(2026, 3, 5), actor_id=None)
    assert note.kind == "credit_note" and note.number == "2026-0003" and note.credits_invoice_id == invoice.id
    assert (note.net_cents, note.vat_cents, note.total_cents) == (-invoice.net_cents, -invoice.vat_cents,
                                                                  -invoice.total_cents)
    assert all(nl.amount_cents == -ol.amount_cents for nl, ol in zip(note.lines, invoice.lines, strict=True))
    assert invoice.status == "cancelled" and amount_due(invoice) == Money(0)
    assert balance(account("receivable", customer_id=buyer.id)) == Money(0)
    assert by_idempotency_key(f"credit_note:{note.id}").kind == "credit_note"
    assert books_total() == Money(0) and mismatched_balances() == []
    with pytest.raises(InvoiceError):
        do_credit(invoice, reason="again", today=date(2026, 3, 5), actor_id=None)
    with pytest.raises(InvoiceError) as refused:
        do_credit(issued(coop_a, buyer.id), reason="  ", today=date(2026, 3, 5), actor_id=None)
    assert refused.value.field == "reason"


def test_payments_move_the_status_and_overdue_is_derived(coop_a):
    invoice = issued(coop_a, customer().id, [line(price=10000)])  # 121,00, due 01-04-2026
    assert display_status(invoice, date(2026, 4, 1)) == "sent"
    assert display_status(invoice, date(2026, 4, 2)) == "overdue"
    do_register_payment(invoice, Money(2100), on_date=date(2026, 3, 10), actor_id=None)
    assert invoice.status == "partly_paid" and amount_due(invoice) == Money(10000)
    with pytest.raises(InvoiceError):
        do_register_payment(invoice, Money(10001), on_date=date(2026, 3, 11), actor_id=None)
    do_register_payment(invoice, Money(10000), on_date=date(2026, 3, 12), actor_id=None)
    assert invoice.status == "paid" and invoice.paid_on == date(2026, 3, 12) and amount_due(invoice) == Money(0)
    assert display_status(invoice, date(2026, 5, 1)) == "paid"
    with pytest.raises(InvoiceError):
        do_register_payment(invoice, Money(1), on_date=date(2026, 3, 13), actor_id=None)


@pytest.mark.parametrize("bad, field", [
    (line(description="  "), "lines-0-description"),
    (line(quantity=0), "lines-0-quantity"),
    (line(quantity=-100), "lines-0-quantity"),
    (line(rate=1900), "lines-0-vat_rate"),
])
def test_bad_lines_are_refused_and_nothing_is_stored(coop_a, bad, field):
    buyer = customer()
    before = db.session.scalars(select(Invoice.id)).all()
    with pytest.raises(InvoiceError) as refused:
        draft(coop_a, buyer.id, [bad])
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalars(select(Invoice.id)).all() == before


@pytest.mark.parametrize("fields, field", [
    ({"vat_number": "NL123456789B02"}, "vat_number"),
    ({"vat_number": "BE0123456788"}, "vat_number"),
    ({"kvk_number": "1234"}, "kvk_number"),
    ({"postal_code": "12345"}, "postal_code"),
    ({"email": "not-an-address"}, "email"),
])
def test_a_customer_with_bad_details_is_refused(coop_a, fields, field):
    with pytest.raises(InvoiceError) as refused:
        customer(**fields)
    assert refused.value.field == field


def test_valid_btw_ids_are_kept_compact(coop_a):
    assert customer(vat_number="nl 0044.95.445.B01").vat_number == "NL004495445B01"
    assert customer("Belgian", country="BE", postal_code="1000", vat_number="BE 0403.170.701").vat_number == \
        "BE0403170701"


def test_the_database_refuses_a_line_whose_amount_does_not_match(coop_a):
    from sqlalchemy.exc import IntegrityError

    invoice = draft(coop_a, customer().id)
    invoice.lines[0].amount_cents += 1
    with pytest.raises(IntegrityError, match="ck_invoice_lines_amount_computed"):
        db.session.flush()
    db.session.rollback()
