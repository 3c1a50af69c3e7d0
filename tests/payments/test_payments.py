"""Bank statements in, payments matched, posted and split over the waterfall."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.ledger import (
    JournalEntry,
    Line,
    account,
    balance,
    books_total,
    do_post,
    mismatched_balances,
)
from koepel.tenants.members import do_register_member
from koepel.tenants.payments import (
    BankLine,
    BankStatement,
    PaymentSplit,
    StatementError,
    do_ignore,
    do_import,
    do_match_invoice,
    do_split,
)
from koepel.tenants.pots import do_approve, do_create_batch
from tests.invoices.support import customer, issued, line
from tests.payments.support import Entry, camt053, import_file, mt940
from tests.pots.baseline import make_request

TODAY = amsterdam_today()


@pytest.fixture
def coop(db_session, baseline):
    """In cooperative A: a member whose benefit municipality is M (the baseline agreement:
    cooperative 10%, training 5%, municipality 25% above 500,00 a month), and a customer."""
    with tenant_context(baseline.coop_a.id):
        member = do_register_member(name="Paid Member", stage="intake", actor_id=None,
                                    benefit_municipality_id=baseline.municipality.id)
        buyer = customer("Fietsenmaker Klant")
        yield member, buyer


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def books_at_zero():
    assert books_total() == Money(0)
    assert mismatched_balances() == []


def held_by(kind: str, **party) -> int:
    return -balance(account(kind, **party)).cents


def test_camt053_pays_an_invoice_by_its_number_posts_and_splits(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)  # 45,00 + 21% VAT = 54,45
    bank_before = balance(account("bank")).cents
    result = import_file(camt053([Entry(5445, TODAY, f"Factuur {invoice.number} dank u", ref="R-1")]))
    assert (result.new_lines, result.matched, result.already_imported) == (1, 1, False)
    bank_line = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id))
    assert (bank_line.status, bank_line.invoice_id) == ("matched", invoice.id)
    assert invoice.status == "paid" and invoice.amount_paid_cents == 5445
    assert balance(account("bank")).cents - bank_before == 5445
    assert balance(account("receivable", customer_id=buyer.id)).cents == 0
    split = db.session.scalar(select(PaymentSplit).where(PaymentSplit.bank_line_id == bank_line.id))
    assert (split.status, split.received_cents, split.vat_cents, split.net_cents) == ("split", 5445, 945, 4500)
    assert (split.cooperative_cents, split.training_cents, split.municipality_cents, split.pot_cents) == (
        450, 225, 0, 3825)
    assert split.version_id is not None and split.rule["municipality_threshold_cents"] == 500_00
    assert held_by("member_pot", member_id=member.id) == 3825
    entry = db.session.get(JournalEntry, (split.tenant_id, split.entry_id))
    assert entry.idempotency_key == f"split:{bank_line.id}"
    books_at_zero()


def test_mt940_pays_an_invoice_by_its_number(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    result = import_file(mt940("54,45", "MT1", f"Factuur {invoice.number}"), "statement.sta")
    assert result.statement.format == "mt940"
    assert result.statement.account_iban == "NL91ABNA0417164300"
    assert (result.new_lines, result.matched) == (2, 1)  # the bank's costs are left for a person
    assert invoice.status == "paid"
    costs = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id,
                                                     BankLine.status == "unmatched"))
    assert costs.amount_cents == -1250 and costs.counterparty_name == "Bankkosten"
    books_at_zero()


def test_a_payment_without_the_number_is_matched_by_a_unique_amount_due(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, lines=[line(price=12_345, rate=0)], on=TODAY)
    import_file(camt053([Entry(12_345, TODAY, "bedankt voor het werk", ref="R-AMT")]))
    assert invoice.status == "paid"


def test_the_same_file_twice_changes_nothing(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    data = camt053([Entry(5445, TODAY, f"Factuur {invoice.number}", ref="R-TWICE")])
    import_file(data)
    counts = (entries(), db.session.scalar(select(func.count()).select_from(BankLine)))
    again = import_file(data)
    assert again.already_imported and again.new_lines == 0
    assert (entries(), db.session.scalar(select(func.count()).select_from(BankLine))) == counts
    assert db.session.scalar(select(func.count()).select_from(BankStatement).where(
        BankStatement.sha256 == again.statement.sha256)) == 1


def test_overlapping_statements_add_only_the_new_lines(coop):
    member, buyer = coop
    first, second = issued(member.id, buyer.id, on=TODAY), issued(member.id, buyer.id, on=TODAY)
    day = TODAY - timedelta(days=1)
    shared = Entry(5445, day, f"Factuur {first.number}")  # no bank reference: known by what it says
    one = import_file(camt053([Entry(777, day - timedelta(days=1), "iets anders"), shared], statement_id="P1"))
    two = import_file(camt053([shared, Entry(5445, TODAY, f"Factuur {second.number}")], statement_id="P2"))
    assert (one.new_lines, two.new_lines, two.known_lines) == (2, 1, 1)
    assert first.status == "paid" and second.status == "paid" and first.amount_paid_cents == 5445
    books_at_zero()


def test_two_identical_transfers_on_one_day_are_two_lines(coop):
    result = import_file(camt053([Entry(1000, TODAY, "contributie"), Entry(1000, TODAY, "contributie")]))
    assert result.new_lines == 2


@pytest.mark.parametrize("data, says", [
    (b"<?xml version='1.0'?><Document><BkToCstmrStmt><Stmt>", "XML cannot be read"),
    (b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>", "not a CAMT.053"),
    (b"date,amount,description\n2026-11-20,54.45,Factuur\n", "not a CAMT.053 (XML) or MT940"),
    (b"", "empty"),
])
def test_malformed_files_are_reported_and_store_nothing(coop, data, says):
    before = (entries(), db.session.scalar(select(func.count()).select_from(BankStatement)))
    with pytest.raises(StatementError) as raised:
        do_import(file_name="bad", data=data, actor_id=None)
    assert says in str(raised.value)
    assert (entries(), db.session.scalar(select(func.count()).select_from(BankStatement))) == before


def test_a_camt_entry_with_a_bad_amount_names_the_entry(coop):
    data = camt053([Entry(1000, TODAY, "goed", ref="G"), Entry(2000, TODAY, "fout", ref="F")])
    data = data.replace(b"<Amt Ccy=\"EUR\">20.00</Amt>", b"<Amt Ccy=\"EUR\">twintig</Amt>")
    with pytest.raises(StatementError) as raised:
        import_file(data)
    assert raised.value.problems == ["Entry 2: the amount (Amt) is missing or not a positive amount in euros."]
    assert db.session.scalar(select(func.count()).select_from(BankLine).where(BankLine.remittance == "goed")) == 0


def test_an_mt940_with_a_bad_amount_names_the_line_and_stores_nothing(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    before = entries()
    with pytest.raises(StatementError) as raised:
        import_file(mt940("54x45", "BAD", f"Factuur {invoice.number}"))
    assert raised.value.problems[0].startswith("Line 5: the transaction (:61:)")
    assert entries() == before and invoice.status == "sent"


def test_matching_by_hand_posts_and_splits_and_ignoring_posts_nothing(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    result = import_file(camt053([Entry(2000, TODAY, "aanbetaling", ref="H1"), Entry(999, TODAY, "rente", ref="H2")]))
    assert result.matched == 0
    first, second = db.session.scalars(select(BankLine).where(BankLine.statement_id == result.statement.id)
                                       .order_by(BankLine.id))
    do_match_invoice(first, invoice, actor_id=None)
    assert (first.status, invoice.status, invoice.amount_paid_cents) == ("matched", "partly_paid", 2000)
    split = db.session.scalar(select(PaymentSplit).where(PaymentSplit.bank_line_id == first.id))
    assert split.net_cents == 1653  # 2000 x 4500 / 5445 = 1652,89 -> half up
    before = entries()
    do_ignore(second, reason="Rente van de bank", actor_id=None)
    assert second.status == "ignored" and entries() == before
    books_at_zero()


def test_the_last_payment_carries_the_rest_of_the_net(coop):
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    import_file(camt053([Entry(2000, TODAY, f"{invoice.number} deel 1", ref="D1"),
                         Entry(3445, TODAY, f"{invoice.number} deel 2", ref="D2")]))
    nets = list(db.session.scalars(select(PaymentSplit.net_cents).where(PaymentSplit.invoice_id == invoice.id)
                                   .order_by(PaymentSplit.id)))
    assert nets == [1653, 2847] and sum(nets) == invoice.net_cents


def test_the_last_payment_in_a_later_statement_carries_the_rest_of_the_net(coop):
    """What earlier statements carried is read back from the database (a sum, which the
    driver returns as a decimal): the rest is still whole cents."""
    member, buyer = coop
    invoice = issued(member.id, buyer.id, on=TODAY)
    import_file(camt053([Entry(2000, TODAY, f"{invoice.number} deel 1", ref="L1")], statement_id="L1"))
    import_file(camt053([Entry(3445, TODAY, f"{invoice.number} deel 2", ref="L2")], statement_id="L2"))
    splits = list(db.session.scalars(select(PaymentSplit).where(PaymentSplit.invoice_id == invoice.id)
                                     .order_by(PaymentSplit.id)))
    assert [s.net_cents for s in splits] == [1653, 2847] and all(type(s.net_cents) is int for s in splits)
    assert [s.status for s in splits] == ["split", "split"] and invoice.status == "paid"
    books_at_zero()


def test_the_municipality_shares_only_what_lies_above_the_monthly_threshold(coop):
    member, buyer = coop
    day = TODAY  # both in this month, within the agreement (in force since 20 days ago)
    first = issued(member.id, buyer.id, lines=[line(price=40_000, rate=0)], on=TODAY)
    second = issued(member.id, buyer.id, lines=[line(price=30_000, rate=0)], on=TODAY)
    import_file(camt053([Entry(40_000, day, f"Factuur {first.number}", ref="T1"),
                         Entry(30_000, day, f"Factuur {second.number}", ref="T2")]))
    one, two = db.session.scalars(select(PaymentSplit).where(PaymentSplit.member_id == member.id)
                                  .order_by(PaymentSplit.id))
    assert (one.earned_before_cents, one.municipality_cents) == (0, 0)
    # 400 + 300 = 700 earned: 200 above the 500 threshold, 25% of it to the municipality.
    assert (two.earned_before_cents, two.municipality_cents) == (40_000, 5_000)
    assert two.cooperative_cents + two.training_cents + two.municipality_cents + two.pot_cents == 30_000
    assert held_by("municipality_owed", partner_tenant_id=member.benefit_municipality_id) >= 5_000
    books_at_zero()


def test_without_an_agreement_the_payment_waits_and_is_split_later(coop, baseline):
    _member, buyer = coop
    loner = do_register_member(name="No Agreement", stage="intake", actor_id=None)
    invoice = issued(loner.id, buyer.id, on=TODAY)
    earnings_before = balance(account("earnings")).cents
    import_file(camt053([Entry(5445, TODAY, f"Factuur {invoice.number}", ref="W1")]))
    split = db.session.scalar(select(PaymentSplit).where(PaymentSplit.invoice_id == invoice.id))
    assert split.status == "waiting" and split.entry_id is None
    # The net stays in earnings (credited there by the invoice, not moved on by the payment).
    assert balance(account("earnings")).cents == earnings_before
    assert do_split(split, actor_id=None) is False
    from koepel.tenants.members import do_update_member

    do_update_member(loner, benefit_municipality_id=baseline.municipality.id, actor_id=None)
    assert do_split(split, actor_id=None) is True
    assert split.status == "split" and split.pot_cents == 3825
    assert balance(account("earnings")).cents == earnings_before + 4500
    assert do_split(split, actor_id=None) is True  # once only
    assert held_by("member_pot", member_id=loner.id) == 3825
    books_at_zero()


def test_an_outgoing_line_marks_the_payout_batch_paid(coop):
    member, _buyer = coop
    do_post(lines=[Line(account("bank"), Money(5000)), Line(account("member_pot", member_id=member.id), Money(-5000))],
            on_date=TODAY, kind="manual", description="Earned", idempotency_key=f"pay-test-{member.id}")
    request = make_request(member.id, amount_cents=1500)
    do_approve(request, actor_id=None)
    batch = do_create_batch(execution_date=TODAY, request_ids=[request.id], actor_id=None)
    result = import_file(camt053([Entry(-1500, TODAY, "Uitbetaling spaarpot", ref="OUT1",
                                        msg_id=batch.message_id)]))
    assert result.matched == 1
    assert batch.status == "paid" and request.status == "paid"
    out = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id))
    assert out.batch_id == batch.id
    books_at_zero()


def test_an_outgoing_line_matches_a_batch_by_amount_and_date(coop):
    member, _buyer = coop
    do_post(lines=[Line(account("bank"), Money(5000)), Line(account("member_pot", member_id=member.id), Money(-5000))],
            on_date=TODAY, kind="manual", description="Earned", idempotency_key=f"pay-test2-{member.id}")
    request = make_request(member.id, amount_cents=1717)
    do_approve(request, actor_id=None)
    batch = do_create_batch(execution_date=TODAY, request_ids=[request.id], actor_id=None)
    import_file(camt053([Entry(-1717, TODAY + timedelta(days=1), "SEPA overboeking", ref="OUT2")]))
    assert batch.status == "paid"


def test_booking_date_in_the_statement_is_kept(coop):
    result = import_file(camt053([Entry(4242, date(2026, 3, 4), "iets", ref="DATE")]))
    found = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id))
    assert found.booking_date == date(2026, 3, 4) and found.counterparty_iban == "NL20INGB0001234567"
