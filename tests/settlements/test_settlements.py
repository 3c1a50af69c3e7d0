"""Closing a month: the settlement each municipality receives, the closed books, late
corrections in the next month, and what is owed going from owed to settled."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.agreements import Terms
from koepel.tenants.ledger import (
    ClosedMonth,
    JournalEntry,
    Line,
    account,
    balance,
    books_total,
    do_post,
    mismatched_balances,
)
from koepel.tenants.payments import BankLine
from koepel.tenants.settlements import (
    Settlement,
    SettlementError,
    SettlementLine,
    do_claim,
    do_close_month,
    do_pay,
    do_process,
    lines_of,
)
from tests.payments.support import Entry, camt053, import_file
from tests.settlements.support import earn, make_world

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def in_english(app, db_session):
    """Messages are matched in English (inside the test's app context, where the locale lives)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def world(db_session):
    """Anna (46), Bram (24) and Cas (date of birth unknown); the municipality pays all
    three's benefits."""
    return make_world(members={"Anna": date(1980, 5, 1), "Bram": date(2002, 3, 3), "Cas": None})


def close(world, month, today=TODAY):
    with tenant_context(world.cooperative_id):
        return do_close_month(month, actor_id=None, today=today)


def copies(world, month):
    """(the cooperative's copy, the municipality's copy) of the month's settlement."""
    with tenant_context(world.cooperative_id):
        own = db.session.scalar(select(Settlement).where(Settlement.month == month))
        own_lines = {line.member_name: line for line in lines_of(own)}
    with tenant_context(world.municipality_id):
        theirs = db.session.scalar(select(Settlement).where(Settlement.month == month))
        their_lines = {line.member_name: line for line in lines_of(theirs)}
    return own, own_lines, theirs, their_lines


def test_closing_a_month_sends_each_member_s_figures_to_the_municipality(world):
    earn(world, "Anna", date(2026, 9, 10), 400_00)
    earn(world, "Anna", date(2026, 9, 20), 400_00)  # 300,00 of it above the threshold of 500,00
    earn(world, "Bram", date(2026, 9, 15), 200_00)
    earn(world, "Anna", date(2026, 10, 2), 100_00)  # October: not in September's settlement
    close(world, SEP)
    own, lines, theirs, their_lines = copies(world, SEP)
    assert own.id == theirs.id and (own.side, theirs.side) == ("cooperative", "municipality")
    assert set(lines) == set(their_lines) == {"Anna", "Bram", "Cas"}  # Cas earned nothing: still reported
    anna = lines["Anna"]
    assert (anna.earned_cents, anna.cooperative_cents, anna.training_cents, anna.municipality_cents,
            anna.pot_cents) == (800_00, 80_00, 40_00, 75_00, 605_00)
    # The pot counts as income; the general disregard: 25% of it, at most 264,00 (2024 value).
    assert (anna.income_basis, anna.income_cents) == ("pot", 605_00)
    assert (anna.disregard_general_cents, anna.general_month, anna.general_note) == (151_25, 1, None)
    assert (anna.disregard_single_parent_cents, anna.disregard_medical_cents) == (75_62, 90_75)
    bram = lines["Bram"]
    assert (bram.earned_cents, bram.municipality_cents, bram.income_cents) == (200_00, 0, 170_00)
    assert (bram.disregard_general_cents, bram.general_note) == (0, "under_age")
    assert (lines["Cas"].earned_cents, lines["Cas"].general_note) == (0, "no_income")
    assert (own.earned_cents, own.municipality_cents, own.owed_cents, own.owed_status) == (
        1000_00, 75_00, 75_00, "owed")
    for name, line in lines.items():  # the municipality sees the same figures
        theirs_line = their_lines[name]
        assert theirs_line.id == line.id
        assert [getattr(theirs_line, c) for c in ("earned_cents", "pot_cents", "income_cents",
                                                  "disregard_general_cents")] == \
            [getattr(line, c) for c in ("earned_cents", "pot_cents", "income_cents", "disregard_general_cents")]
    with tenant_context(world.cooperative_id):
        assert db.session.scalar(select(ClosedMonth.month)) == SEP
        assert books_total() == Money(0) and mismatched_balances() == []


def test_a_closed_month_cannot_change_and_a_late_payment_goes_into_the_next_month(world):
    earn(world, "Anna", date(2026, 9, 10), 600_00)
    close(world, SEP)
    september = copies(world, SEP)[0]
    # Paid in September, but the statement arrives after the close.
    earn(world, "Anna", date(2026, 9, 28), 200_00, tag="LATE-1")
    with tenant_context(world.cooperative_id):
        entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "split")
                                  .order_by(JournalEntry.id.desc()).limit(1))
        assert (entry.on_date, entry.occurred_on) == (OCT, date(2026, 9, 28))
        # The database itself refuses an entry dated in the closed month.
        with pytest.raises(Exception, match="closed month"), db.session.begin_nested():
            db.session.add(JournalEntry(on_date=date(2026, 9, 30), kind="manual", description="back-dated",
                                        idempotency_key="back-dated"))
            db.session.flush()
    close(world, OCT)
    own, lines, theirs, _their_lines = copies(world, OCT)
    anna = lines["Anna"]
    assert (anna.earned_cents, anna.late_cents, anna.late_months) == (200_00, 200_00, "2026-09")
    # The split of the late payment used September's threshold: 600,00 + 200,00, 25% above 500,00.
    assert anna.municipality_cents == 50_00
    assert (own.late_cents, theirs.late_cents) == (200_00, 200_00)
    again = copies(world, SEP)[0]
    assert (again.earned_cents, again.owed_cents) == (september.earned_cents, september.owed_cents) == (
        600_00, 25_00)


@pytest.mark.parametrize("month, today, says", [
    (NOV, TODAY, "once it has ended"),
    (OCT, date(2026, 10, 31), "once it has ended"),
])
def test_a_month_is_closed_only_once_it_has_ended(world, month, today, says):
    with pytest.raises(SettlementError, match=says):
        close(world, month, today=today)


def test_months_are_closed_once_and_in_order(world):
    close(world, SEP)
    with pytest.raises(SettlementError, match="closed already"):
        close(world, SEP)
    with pytest.raises(SettlementError, match="in order: 10-2026 is next"):
        close(world, date(2026, 12, 1), today=date(2027, 1, 5))
    with tenant_context(world.cooperative_id):
        assert db.session.scalar(select(func.count()).select_from(ClosedMonth)) == 1
        assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1


def test_the_flat_amount_per_member_is_charged_once_a_month_from_what_the_pot_received(db_session):
    terms = Terms(cooperative_share_kind="flat_per_member", cooperative_flat=Money(25_00), training_pot_bp=0,
                  municipality_share_bp=0, income_for_benefit="net")
    world = make_world(terms, members={"Anna": date(1980, 5, 1), "Dirk": date(1975, 1, 1), "Els": date(1970, 1, 1)})
    earn(world, "Anna", date(2026, 9, 10), 300_00)
    earn(world, "Dirk", date(2026, 9, 11), 10_00)  # less than the flat amount
    close(world, SEP)
    lines = copies(world, SEP)[1]
    assert (lines["Anna"].flat_fee_cents, lines["Anna"].pot_cents, lines["Anna"].income_cents) == (25_00, 275_00,
                                                                                                   300_00)
    assert (lines["Dirk"].flat_fee_cents, lines["Dirk"].pot_cents) == (10_00, 0)
    assert lines["Els"].flat_fee_cents == 0  # no earnings, nothing charged
    with tenant_context(world.cooperative_id):
        assert -balance(account("cooperative")).cents == 35_00
        assert -balance(account("member_pot", member_id=world.members["Anna"])).cents == 275_00
        assert books_total() == Money(0)


def test_the_general_disregard_counts_six_consecutive_months(db_session):
    world = make_world()
    months = [date(2026, m, 1) for m in range(1, 9)]
    for month in months[:7]:
        earn(world, "Anna", month.replace(day=5), 100_00)
    for month in months:  # August: no income, so the count would start again
        close(world, month)
    seen = [(copies(world, m)[1]["Anna"].general_month, copies(world, m)[1]["Anna"].general_note) for m in months]
    assert seen == [(1, None), (2, None), (3, None), (4, None), (5, None), (6, None), (None, "period_over"),
                    (None, "no_income")]


def test_a_returned_pot_is_owed_to_the_municipality_in_the_month_it_is_returned(db_session):
    world = make_world(Terms(cooperative_share_kind="none", pot_on_leaving="return", income_for_benefit="none"))
    earn(world, "Anna", date(2026, 9, 3), 120_00)
    with tenant_context(world.cooperative_id):
        from koepel.tenants.members import Member, do_transition
        from koepel.tenants.pots import PotClosing, do_confirm_closing

        member = db.session.get(Member, (world.cooperative_id, world.members["Anna"]))
        do_transition(member, "stopped", on_date=date(2026, 9, 20), outcome="moved", reason="Moved away",
                      actor_id=None, today=date(2026, 9, 20))
        closing = db.session.scalar(select(PotClosing).where(PotClosing.member_id == member.id))
        do_confirm_closing(closing, actor_id=None, on_date=date(2026, 9, 21))
    close(world, SEP)
    own, lines = copies(world, SEP)[:2]
    assert (own.returned_pots_cents, own.municipality_cents, own.owed_cents) == (120_00, 0, 120_00)
    assert lines["Anna"].income_cents == 0  # the agreement counts nothing as income


def test_processed_claimed_paid_by_the_bank_and_settled_on_both_sides(world):
    earn(world, "Anna", date(2026, 9, 10), 900_00)  # 25% of 400,00 above the threshold: 100,00
    close(world, SEP)
    with tenant_context(world.municipality_id):
        theirs = db.session.scalar(select(Settlement))
        do_process(theirs, actor_id=None)
        with pytest.raises(SettlementError) as bad:
            do_claim(theirs, reference="F-2026-0031", iban="NL00 BANK 0000 0000 00", actor_id=None)
        assert bad.value.field == "iban"
        do_claim(theirs, reference="F-2026-0031", iban="NL02 ABNA 0123 4567 89", actor_id=None)
        settlement_id = theirs.id
    with tenant_context(world.cooperative_id):
        own = db.session.get(Settlement, (world.cooperative_id, settlement_id))
        assert (own.status, own.owed_status, own.claim_reference, own.claim_iban) == (
            "processed", "invoiced", "F-2026-0031", "NL02ABNA0123456789")
        own = do_pay(own, execution_date=TODAY.replace(year=2030), actor_id=None)
        assert own.owed_status == "paying"
        assert f"<EndToEndId>{own.end_to_end_id}</EndToEndId>" in own.payment_file
        assert "<InstdAmt Ccy=\"EUR\">100.00</InstdAmt>" in own.payment_file
        owed_before = balance(account("municipality_owed", partner_tenant_id=world.municipality_id)).cents
        assert owed_before == -100_00
        statement = camt53_paying(own.end_to_end_id, 100_00)
        result = import_file(statement, "paid.xml")
        assert result.matched == 1
        assert balance(account("municipality_owed", partner_tenant_id=world.municipality_id)).cents == 0
        assert import_file(statement, "paid.xml").already_imported  # the same file again: nothing more
        own = db.session.get(Settlement, (world.cooperative_id, settlement_id), populate_existing=True)
        assert (own.owed_status, own.settled_on) == ("settled", date(2026, 11, 20))
        paid = db.session.get(JournalEntry, (world.cooperative_id, own.paid_entry_id))
        assert paid.kind == "municipality_payment"
        line = db.session.scalar(select(BankLine).where(BankLine.end_to_end_id == own.end_to_end_id))
        assert (line.status, line.entry_id) == ("matched", paid.id)
        assert books_total() == Money(0)
    with tenant_context(world.municipality_id):
        theirs = db.session.get(Settlement, (world.municipality_id, settlement_id))
        assert (theirs.owed_status, theirs.settled_on, theirs.paid_entry_id) == ("settled", date(2026, 11, 20), None)


def camt53_paying(end_to_end: str, cents: int) -> bytes:
    return camt053([Entry(-cents, date(2026, 11, 20), "Afrekening", ref="OUT-1", e2e=end_to_end,
                          name="Gemeente", iban="NL02ABNA0123456789")], statement_id="OUT")


def test_steps_out_of_turn_are_refused_and_change_nothing(world):
    earn(world, "Anna", date(2026, 9, 10), 900_00)
    close(world, SEP)
    with tenant_context(world.cooperative_id):
        own = db.session.scalar(select(Settlement))
        with pytest.raises(SettlementError, match="Only the municipality"):
            do_process(own, actor_id=None)
        with pytest.raises(SettlementError, match="once the municipality has claimed"):
            do_pay(own, execution_date=TODAY.replace(year=2030), actor_id=None)
    with tenant_context(world.municipality_id):
        theirs = db.session.scalar(select(Settlement))
        with pytest.raises(SettlementError, match="invoice number"):
            do_claim(theirs, reference="=cmd|' /C calc'!A0", iban="NL02ABNA0123456789", actor_id=None)
        assert theirs.owed_status == "owed"
        with pytest.raises(SettlementError, match="Only the cooperative"):
            do_pay(theirs, execution_date=TODAY.replace(year=2030), actor_id=None)


def test_settlement_lines_never_change(world, app_role_dsn):
    close(world, SEP)
    import psycopg

    with psycopg.connect(app_role_dsn) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(world.cooperative_id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE settlement_lines SET earned_cents = 0")


def test_a_manual_entry_posted_into_a_closed_month_lands_on_the_first_open_day(world):
    close(world, SEP)
    with tenant_context(world.cooperative_id):
        entry = do_post(lines=[Line(account("bank"), Money(500)), Line(account("costs"), Money(-500))],
                        on_date=date(2026, 9, 15), kind="manual", description="bank correction",
                        idempotency_key="late-correction")
        assert (entry.on_date, entry.occurred_on) == (OCT, date(2026, 9, 15))
        assert db.session.scalar(select(func.count()).select_from(SettlementLine)) == 3
