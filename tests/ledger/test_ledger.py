"""The books: balanced, immutable, idempotent, and no pot below zero — in Python and,
below it, in the database itself."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from koepel.platform.config import OWNER_ROLE
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.ledger import (
    JournalEntry,
    LedgerError,
    Line,
    Overdrawn,
    account,
    books_total,
    do_post,
    do_reverse,
    held,
    mismatched_balances,
)
from koepel.tenants.members import do_register_member

DAY = date(2026, 3, 1)


def earn(member_id: int, cents: int, key: str) -> JournalEntry:
    return do_post(lines=[Line(account("bank"), Money(cents)), Line(account("member_pot", member_id=member_id), Money(-cents))],
                   on_date=DAY, kind="manual", description="earned", idempotency_key=key)


def pay_out(member_id: int, cents: int, key: str) -> JournalEntry:
    return do_post(lines=[Line(account("member_pot", member_id=member_id), Money(cents)),
                          Line(account("payouts_due"), Money(-cents))],
                   on_date=DAY, kind="payout", description="paid out", idempotency_key=key)


@pytest.fixture
def in_a(db_session, baseline):
    with tenant_context(baseline.coop_a.id, baseline.coordinator_a.id):
        yield baseline.extra["member_a"]


def test_a_posting_moves_balances_and_the_books_stay_at_zero(in_a):
    pot = account("member_pot", member_id=in_a)
    before = held(pot)
    earn(in_a, 5000, "t-earn")
    assert held(pot) == before + Money(5000)
    assert books_total() == Money(0) and mismatched_balances() == []


@pytest.mark.parametrize("amounts", [[100, -50], [100], [100, -100, 0]])
def test_unbalanced_or_empty_lines_are_refused_before_the_database(in_a, amounts):
    bank = account("bank")
    with pytest.raises(LedgerError):
        do_post(lines=[Line(bank, Money(c)) for c in amounts], on_date=DAY, kind="manual", description="x",
                idempotency_key="t-bad")
    assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.idempotency_key == "t-bad")) == 0


def test_the_same_key_posts_once_and_names_one_posting(in_a):
    first = earn(in_a, 700, "t-once")
    assert earn(in_a, 700, "t-once").id == first.id
    before = held(account("member_pot", member_id=in_a)) - Money(700)
    with pytest.raises(LedgerError, match="another posting"):
        earn(in_a, 701, "t-once")
    assert held(account("member_pot", member_id=in_a)) == before + Money(700)


def test_a_pot_never_goes_below_zero(in_a):
    pot = account("member_pot", member_id=in_a)
    holds = held(pot)
    with pytest.raises(Overdrawn):
        pay_out(in_a, holds.cents + 1, "t-too-much")
    assert held(pot) == holds
    pay_out(in_a, holds.cents, "t-all")
    assert held(pot) == Money(0)


def test_a_reversal_mirrors_the_entry_once(in_a):
    pot = account("member_pot", member_id=in_a)
    holds = held(pot)
    entry = earn(in_a, 2000, "t-to-reverse")
    reversal = do_reverse(entry, reason="Typed the wrong amount")
    assert held(pot) == holds and reversal.reverses_entry_id == entry.id
    assert do_reverse(entry, reason="again").id == reversal.id
    with pytest.raises(LedgerError):
        do_reverse(reversal, reason="undo the undo")
    with pytest.raises(LedgerError):
        do_reverse(entry, reason="  ")


def test_reversing_income_already_spent_would_overdraw_and_is_refused(in_a):
    entry = earn(in_a, 3000, "t-spent")
    pay_out(in_a, held(account("member_pot", member_id=in_a)).cents, "t-spend-it")  # all of it
    with pytest.raises(Overdrawn):
        do_reverse(entry, reason="Customer never paid")


# --- below the ORM: the database keeps the rules itself ---------------------------------


@pytest.fixture
def app_conn(app_role_dsn, baseline):
    with psycopg.connect(app_role_dsn) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(baseline.coop_a.id),))
        yield conn
        conn.rollback()


def test_an_unbalanced_entry_is_refused_at_commit(app_conn, baseline):
    pot = baseline.extra["pot_a"]
    entry = app_conn.execute(
        "INSERT INTO journal_entries (tenant_id, on_date, kind, description, idempotency_key, created_at) "
        "VALUES (%s, '2026-03-01', 'manual', 'raw', 'raw-unbalanced', now()) RETURNING id", (baseline.coop_a.id,)
    ).fetchone()[0]
    bank = app_conn.execute("SELECT id FROM ledger_accounts WHERE key = 'bank'").fetchone()[0]
    app_conn.execute("INSERT INTO journal_lines (tenant_id, entry_id, account_id, amount_cents) VALUES "
                     "(%s, %s, %s, 100), (%s, %s, %s, -99)", (baseline.coop_a.id, entry, bank, baseline.coop_a.id, entry, pot))
    with pytest.raises(psycopg.errors.CheckViolation, match="does not balance"):
        app_conn.commit()


def test_lines_cannot_be_added_to_an_entry_made_earlier(app_conn, baseline):
    bank = app_conn.execute("SELECT id FROM ledger_accounts WHERE key = 'bank'").fetchone()[0]
    with pytest.raises(psycopg.errors.CheckViolation, match="only when it is made"):
        app_conn.execute("INSERT INTO journal_lines (tenant_id, entry_id, account_id, amount_cents) VALUES "
                         "(%s, %s, %s, 5), (%s, %s, %s, -5)",
                         (baseline.coop_a.id, baseline.extra["entry_a"], bank) * 2)


@pytest.mark.parametrize("statement", [
    "UPDATE journal_lines SET amount_cents = amount_cents * 2",
    "DELETE FROM journal_entries",
    "UPDATE ledger_accounts SET balance_cents = 0",
])
def test_the_app_cannot_rewrite_the_books(app_conn, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(statement)


def test_even_the_owner_cannot_rewrite_entries(admin_dsn, baseline):
    with psycopg.connect(admin_dsn) as conn:
        conn.execute(f"SET ROLE {OWNER_ROLE}")
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(baseline.coop_a.id),))
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM journal_lines")
        conn.rollback()


# --- random sequences ---------------------------------------------------------------------


class Books(RuleBasedStateMachine):
    """Earnings, payouts and reversals in any order: the books stay at zero, cached
    balances match their lines, and every pot holds exactly what the model says (never
    below zero: a payout or reversal that would overdraw is refused and changes nothing)."""

    baseline = None

    @initialize()
    def start(self):
        self.savepoint = db.session.begin_nested()
        self.members = [do_register_member(name=f"Pot {i}", stage="intake", actor_id=None).id for i in range(3)]
        self.model = dict.fromkeys(self.members, 0)
        self.entries: list[tuple[JournalEntry, int, int]] = []  # (entry, member, effect on the pot)
        self.keys = 0

    def key(self) -> str:
        self.keys += 1
        return f"machine-{self.keys}"

    @rule(which=st.integers(0, 2), cents=st.integers(1, 50_000))
    def earn(self, which, cents):
        member = self.members[which]
        self.entries.append((earn(member, cents, self.key()), member, cents))
        self.model[member] += cents

    @rule(which=st.integers(0, 2), cents=st.integers(1, 60_000))
    def pay_out(self, which, cents):
        member = self.members[which]
        if cents > self.model[member]:
            with pytest.raises(Overdrawn):
                pay_out(member, cents, self.key())
        else:
            self.entries.append((pay_out(member, cents, self.key()), member, -cents))
            self.model[member] -= cents

    @rule(data=st.data())
    def reverse(self, data):
        open_entries = [e for e in self.entries if e[0].reverses_entry_id is None]
        if not open_entries:
            return
        entry, member, effect = data.draw(st.sampled_from(open_entries))
        if db.session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry.id)):
            return
        if self.model[member] - effect < 0:
            with pytest.raises(Overdrawn):
                do_reverse(entry, reason="machine")
        else:
            do_reverse(entry, reason="machine")
            self.model[member] -= effect

    @invariant()
    def books_balance(self):
        if not hasattr(self, "members"):
            return
        assert books_total() == Money(0)
        assert mismatched_balances() == []
        for member, cents in self.model.items():
            assert held(account("member_pot", member_id=member)) == Money(cents) >= Money(0)

    def teardown(self):
        if hasattr(self, "savepoint"):
            self.savepoint.rollback()


def test_random_sequences_keep_the_books(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        run = Books.TestCase
        run.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        run().runTest()
