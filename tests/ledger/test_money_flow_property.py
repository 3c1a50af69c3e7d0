"""The whole money flow in random order, through the real operations against PostgreSQL:
invoices (random lines, VAT rates, KOR on and off), bank statements paying them (in full
or in part, the same file twice, by hand), splits (also of payments that waited for an
agreement), requests from the savings pots (also for more than the pot holds), approvals
and refusals, payout batches paid by hand or by the bank statement, reversals, costs and
credit notes. After every step, read fresh from the database: every entry balances,
no pot is below zero, the trial balance is zero, cached balances equal their lines,
every account holds what the domain rows say it must, an invoice is never paid above its
total, and a payment is split at most once.

Each example runs in a cooperative of its own inside a savepoint that is rolled back.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text
from sqlalchemy.orm import aliased

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.agreements import (
    POT_CATEGORIES,
    Agreement,
    AgreementVersion,
    do_accept_version,
    do_propose_version,
    terms_on,
)
from koepel.tenants.books import BooksError, do_record_cost, do_reverse_cost
from koepel.tenants.books.models import COST_CATEGORIES, Cost
from koepel.tenants.invoices import (
    OPEN_STATUSES,
    Invoice,
    InvoiceError,
    amount_due,
    do_create_customer,
    do_create_draft,
    do_credit,
    do_issue,
    do_update_invoice_settings,
)
from koepel.tenants.ledger import (
    NEVER_OVERDRAWN,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    LedgerError,
    balance_from_lines,
    books_total,
    do_reverse,
    mismatched_balances,
    trial_balance,
)
from koepel.tenants.members import Member, do_register_member, do_update_member
from koepel.tenants.payments import (
    BankLine,
    PaymentError,
    PaymentSplit,
    do_match_invoice,
    do_split,
    do_split_waiting,
)
from koepel.tenants.pots import (
    PayoutBatch,
    PotError,
    PotRequest,
    do_approve,
    do_create_batch,
    do_mark_paid,
    do_refuse,
    do_request,
    pot_holds,
)
from koepel.tenants.settlements import Settlement, SettlementLine, do_close_month
from tests.ledger.flow_support import (
    AGREED_DAYS_AGO,
    TODAY,
    agree,
    balances_by_key,
    expected_balances,
    invoice_lines,
    ledger_snapshot,
    new_cooperative,
    paid_by_lines,
    terms_strategy,
    unbalanced_entries,
)
from tests.payments.support import Entry, camt053, import_file

PDF = b"%PDF-1.4\n% supplier invoice\n"
IBAN = "NL02ABNA0123456789"
_refs = itertools.count(1)


def ref(tag: str) -> str:
    return f"FLOW-{tag}-{next(_refs)}"


def exists(model, *where):
    """A precondition: the cooperative has such a row (so the rule has something to act on)."""
    return lambda machine: machine.started() and bool(machine.ids(model, *where))


def unreversed_splits():
    reversal = aliased(JournalEntry)
    return list(db.session.scalars(select(JournalEntry.id).where(
        JournalEntry.kind == "split", ~select(reversal.id).where(reversal.reverses_entry_id == JournalEntry.id)
        .exists()).order_by(JournalEntry.id)))


ISSUED = (Invoice.kind == "invoice", Invoice.status != "draft")
OPEN = (Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES))
WAITING_REQUEST = (PotRequest.status == "requested",)
APPROVED = (PotRequest.status == "approved",)


class MoneyFlow(RuleBasedStateMachine):
    municipality_ids: tuple[int, int] = (0, 0)  # M (agreed at the start) and N (agreed by a rule)

    # --- setting up --------------------------------------------------------------------------

    @initialize(terms=terms_strategy(), kor=st.booleans(),
                opening=st.tuples(invoice_lines, invoice_lines))
    def start(self, terms, kor, opening):
        self.savepoint = db.session.begin_nested()
        self.scope = contextlib.ExitStack()
        m, _n = self.municipality_ids
        self.tenant_id = new_cooperative(m, terms)
        self.scope.enter_context(tenant_context(self.tenant_id))
        do_update_invoice_settings(kor=kor, payment_term_days=30, reminder_after_days=7, actor_id=None)
        # Two members paid by M's agreement, one whose municipality is not known yet
        # (their payments wait for a split until it is).
        self.members = [do_register_member(name=f"Lid {i}", stage="intake", actor_id=None,
                                           benefit_municipality_id=m if i < 2 else None).id for i in range(3)]
        self.customers = [do_create_customer(name=f"Klant {i}", street="Markt 5", postal_code="2611 GS",
                                             city="Delft", country="NL", is_business=True, actor_id=None).id
                          for i in range(2)]
        self.agreed_with_n = False
        self.new_version = False
        self.moves = self.costs = self.reversals = 0
        # The first weeks' sales, paid in full by one statement: the pots start with money,
        # so the steps that spend from them are reached within a short run.
        sold = [self.sell(member, 0, lines) for member, lines in enumerate(opening)]
        result = import_file(camt053([Entry(invoice.total_cents, TODAY - timedelta(days=AGREED_DAYS_AGO - 1),
                                            f"Factuur {invoice.number}", ref=ref("OPEN")) for invoice in sold],
                                     statement_id=ref("S")))
        assert result.matched == len(sold)

    def sell(self, member, customer, lines) -> Invoice:
        draft = do_create_draft(member_id=self.members[member], customer_id=self.customers[customer],
                                delivery_date=TODAY, lines=lines, actor_id=None)
        return do_issue(draft, today=TODAY, actor_id=None)

    def get(self, model, object_id):
        return db.session.get(model, (self.tenant_id, object_id))

    def ids(self, model, *where) -> list[int]:
        return list(db.session.scalars(select(model.id).where(*where).order_by(model.id)))

    def refused(self, error_type, action, field: str | None = "*"):
        """Run `action` as a view would, expecting `error_type` (at `field` unless "*"):
        the books must be exactly as before, then the unit of work is rolled back."""
        before = ledger_snapshot()
        step = db.session.begin_nested()
        with pytest.raises(error_type) as caught:
            action()
        assert str(caught.value).strip(), "a refusal says why"
        if field != "*":
            assert caught.value.field == field
        assert ledger_snapshot() == before, "a refused action moved money"
        step.rollback()
        assert ledger_snapshot() == before

    # --- invoices ------------------------------------------------------------------------------

    @rule(member=st.integers(0, 2), customer=st.integers(0, 1), lines=invoice_lines,
          kor=st.one_of(st.none(), st.booleans()))
    def issue_invoice(self, member, customer, lines, kor):
        if kor is not None:  # the cooperative switched the small-business scheme on or off
            do_update_invoice_settings(kor=kor, payment_term_days=30, reminder_after_days=7, actor_id=None)
        invoice = self.sell(member, customer, lines)
        assert invoice.status == "sent" and invoice.total_cents == invoice.net_cents + invoice.vat_cents > 0
        assert invoice.vat_cents == 0 or not invoice.kor

    @precondition(exists(Invoice, *ISSUED, Invoice.status != "cancelled"))
    @rule(data=st.data())
    def credit_invoice(self, data):
        """A credit note cancels an issued invoice (also one paid in part or in full); a
        second credit note for it is refused."""
        issued = self.ids(Invoice, *ISSUED, Invoice.status != "cancelled")
        invoice = self.get(Invoice, data.draw(st.sampled_from(issued), label="invoice"))
        note = do_credit(invoice, reason="Verkeerd gefactureerd", today=TODAY, actor_id=None)
        assert (note.kind, note.total_cents, note.vat_cents) == ("credit_note", -invoice.total_cents,
                                                                  -invoice.vat_cents)
        assert invoice.status == "cancelled"
        self.refused(InvoiceError, lambda: do_credit(invoice, reason="Nogmaals", today=TODAY, actor_id=None))

    # --- payments coming in --------------------------------------------------------------------

    def open_invoices(self) -> list[int]:
        return self.ids(Invoice, *OPEN)

    @precondition(exists(Invoice, *OPEN))
    @rule(data=st.data(), days_ago=st.integers(0, AGREED_DAYS_AGO - 1), twice=st.booleans())
    def pay_invoice(self, data, days_ago, twice):
        """A statement with a transfer naming the invoice's number: in full or in part."""
        invoice = self.get(Invoice, data.draw(st.sampled_from(self.open_invoices()), label="invoice"))
        due = amount_due(invoice).cents
        amount = data.draw(st.one_of(st.just(due), st.integers(1, due)), label="amount")
        paid_before = invoice.amount_paid_cents
        statement = camt053([Entry(amount, TODAY - timedelta(days=days_ago), f"Factuur {invoice.number}",
                                   ref=ref("IN"))], statement_id=ref("S"))
        result = import_file(statement)
        assert (result.new_lines, result.matched, result.already_imported) == (1, 1, False)
        line = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id))
        assert (line.status, line.invoice_id) == ("matched", invoice.id)
        invoice = self.get(Invoice, invoice.id)
        assert invoice.amount_paid_cents == paid_before + amount
        assert invoice.status == ("paid" if amount == due else "partly_paid")
        if twice:
            before = ledger_snapshot()
            again = import_file(statement)
            assert again.already_imported and again.new_lines == 0
            assert ledger_snapshot() == before

    @rule(cents=st.integers(1, 200_000), days_ago=st.integers(0, AGREED_DAYS_AGO - 1))
    def unnamed_transfer(self, cents, days_ago):
        """Money in without an invoice number: matched only when exactly one open invoice
        has this amount due, else left for a person."""
        exact = [i for i in self.open_invoices() if amount_due(self.get(Invoice, i)).cents == cents]
        result = import_file(camt053([Entry(cents, TODAY - timedelta(days=days_ago), "Bedankt", ref=ref("ANON"))],
                                     statement_id=ref("S")))
        line = db.session.scalar(select(BankLine).where(BankLine.statement_id == result.statement.id))
        if len(exact) == 1:
            assert (line.status, line.invoice_id) == ("matched", exact[0])
        else:
            assert line.status == "unmatched" and line.entry_id is None

    @precondition(exists(BankLine, BankLine.status == "unmatched", BankLine.amount_cents > 0))
    @rule(data=st.data())
    def match_by_hand(self, data):
        """A person matches a line left over to an invoice; one that is not open, or owes
        less than the line brings, is refused."""
        lines = self.ids(BankLine, BankLine.status == "unmatched", BankLine.amount_cents > 0)
        invoices = self.ids(Invoice, Invoice.status != "draft")
        line = self.get(BankLine, data.draw(st.sampled_from(lines), label="line"))
        fitting = [i for i in self.open_invoices() if amount_due(self.get(Invoice, i)).cents >= line.amount_cents]
        if fitting and data.draw(st.booleans(), label="fitting"):
            invoices = fitting
        invoice = self.get(Invoice, data.draw(st.sampled_from(invoices), label="invoice"))
        if invoice.kind == "invoice" and invoice.status in OPEN_STATUSES and line.amount_cents <= amount_due(
                invoice).cents:
            paid_before = invoice.amount_paid_cents
            do_match_invoice(line, invoice, actor_id=None)
            assert line.status == "matched" and invoice.amount_paid_cents == paid_before + line.amount_cents
        else:
            self.refused(PaymentError, lambda: do_match_invoice(line, invoice, actor_id=None), "invoice_id")

    # --- splits --------------------------------------------------------------------------------

    # Capped, so the few-argument rules do not crowd out the long paths through the pots.
    @precondition(lambda self: self.started() and self.moves < 2)
    @rule(member=st.sampled_from((1, 2)), to_n=st.booleans())
    def set_municipality(self, member, to_n):
        """The municipality that pays the member's benefit becomes known (or changes)."""
        self.moves += 1
        m, n = self.municipality_ids
        do_update_member(self.get(Member, self.members[member]), benefit_municipality_id=n if to_n else m,
                         actor_id=None)

    @precondition(lambda self: not self.agreed_with_n)
    @rule(terms=terms_strategy())
    def agree_with_n(self, terms):
        _m, n = self.municipality_ids
        agree(self.tenant_id, n, terms)
        self.agreed_with_n = True

    @precondition(lambda self: not self.new_version)
    @rule(terms=terms_strategy(), days_ago=st.integers(0, AGREED_DAYS_AGO - 1))
    def new_version_with_m(self, terms, days_ago):
        """From a later date M's agreement has other terms: payments before it are split by
        the first version, those from it by the new one."""
        m, _n = self.municipality_ids
        agreement = db.session.scalar(select(Agreement).where(Agreement.partner_tenant_id == m))
        version = do_propose_version(agreement, terms=terms, valid_from=TODAY - timedelta(days=days_ago),
                                     actor_id=None)
        version_id = version.id
        with tenant_context(m):
            do_accept_version(db.session.get(AgreementVersion, (m, version_id)), actor_id=None)
        self.new_version = True

    @rule()
    def split_waiting(self):
        """Payments that waited for an agreement are split once there is one (by the version
        valid on their date); asking again splits nothing twice."""
        def splittable(split_id):
            split = self.get(PaymentSplit, split_id)
            municipality = self.get(Member, split.member_id).benefit_municipality_id
            return municipality is not None and terms_on(municipality, split.paid_on) is not None

        waiting = self.ids(PaymentSplit, PaymentSplit.status == "waiting")
        expected = sum(1 for split_id in waiting if splittable(split_id))
        assert do_split_waiting(actor_id=None) == expected
        before = ledger_snapshot()
        assert do_split_waiting(actor_id=None) == 0
        for split_id in self.ids(PaymentSplit, PaymentSplit.status == "split"):  # split once, whatever asks again
            assert do_split(self.get(PaymentSplit, split_id), actor_id=None)
        assert ledger_snapshot() == before

    @precondition(lambda self: self.started() and self.reversals < 2 and bool(unreversed_splits()))
    @rule(data=st.data())
    def reverse_split(self, data):
        """Money going back is the reversal of the split it came in with; refused when a pot
        has spent what the reversal would take from it. (At most twice an example: more would
        empty the pots before anything is spent from them.)"""
        self.reversals += 1
        entry = self.get(JournalEntry, data.draw(st.sampled_from(unreversed_splits()), label="entry"))
        lines = db.session.execute(select(LedgerAccount.kind, LedgerAccount.id, JournalLine.amount_cents).join(
            JournalLine, JournalLine.account_id == LedgerAccount.id).where(JournalLine.entry_id == entry.id)).all()
        fits = all(-balance_from_lines(account_id).cents >= -cents
                   for kind, account_id, cents in lines if kind in NEVER_OVERDRAWN)
        if not fits:
            self.refused(LedgerError, lambda: do_reverse(entry, reason="Terugbetaald aan de klant", actor_id=None))
            return
        undone = do_reverse(entry, reason="Terugbetaald aan de klant", actor_id=None)
        assert undone.reverses_entry_id == entry.id
        assert do_reverse(entry, reason="Nogmaals", actor_id=None).id == undone.id  # reversed once
        self.refused(LedgerError, lambda: do_reverse(undone, reason="Terug", actor_id=None))

    # --- spending from the pots ----------------------------------------------------------------

    @rule(member=st.integers(0, 2), asking=st.sampled_from(("within", "within", "within", "over", "purpose")),
          data=st.data())
    def request(self, member, asking, data):
        """A member asks: within what the pot holds, more than it holds, or for a purpose
        (refused unless the agreement allows it)."""
        person = self.get(Member, self.members[member])
        municipality = person.benefit_municipality_id
        terms = terms_on(municipality, TODAY) if municipality else None
        purposes = terms.pot_categories if terms is not None and asking != "purpose" else POT_CATEGORIES
        category = data.draw(st.sampled_from(purposes), label="category")
        over = asking == "over"
        holds = pot_holds(person.id).cents

        def ask(cents):
            return do_request(person, amount=Money(cents), category=category, description="Gereedschap",
                              supplier_name="Gereedschap BV", supplier_iban=IBAN, attachment=PDF, actor_id=None)

        if terms is None or category not in terms.pot_categories:
            self.refused(PotError, lambda: ask(1), "category")
        elif over or holds == 0:
            self.refused(PotError, lambda: ask(holds + data.draw(st.integers(1, 10_000), label="over")), "amount")
        else:
            asked = ask(data.draw(st.integers(1, holds), label="cents"))
            assert asked.status == "requested" and pot_holds(person.id).cents == holds

    @precondition(exists(PotRequest, *WAITING_REQUEST))
    @rule(data=st.data(), decision=st.sampled_from(("approve", "approve", "approve", "refuse", "refuse_blank")))
    def decide(self, data, decision):
        """Approved when the pot holds the amount now (other approvals came first), else
        refused and the request keeps waiting; refused with a reason, never without one."""
        waiting = self.ids(PotRequest, *WAITING_REQUEST)
        asked = self.get(PotRequest, data.draw(st.sampled_from(waiting), label="request"))
        if decision == "refuse_blank":
            self.refused(PotError, lambda: do_refuse(asked, reason="  ", actor_id=None), "reason")
        elif decision == "refuse":
            do_refuse(asked, reason="Niet voor het bedrijf", actor_id=None)
            assert asked.status == "refused"
            self.refused(PotError, lambda: do_approve(asked, actor_id=None), None)  # decided once
        elif asked.amount_cents <= (holds := pot_holds(asked.member_id).cents):
            do_approve(asked, actor_id=None)
            assert asked.status == "approved"
            assert pot_holds(asked.member_id).cents == holds - asked.amount_cents
        else:
            self.refused(PotError, lambda: do_approve(asked, actor_id=None), None)
            assert self.get(PotRequest, asked.id).status == "requested"

    @precondition(exists(PotRequest, *APPROVED, PotRequest.batch_id.is_(None)))
    @rule(data=st.data(), days_ahead=st.integers(0, 5))
    def make_batch(self, data, days_ahead):
        approved = self.ids(PotRequest, *APPROVED, PotRequest.batch_id.is_(None))
        chosen = data.draw(st.lists(st.sampled_from(approved), min_size=1, unique=True), label="requests")
        batch = do_create_batch(execution_date=TODAY + timedelta(days=days_ahead), request_ids=chosen, actor_id=None)
        assert batch.total_cents == sum(self.get(PotRequest, i).amount_cents for i in chosen)
        self.refused(PotError, lambda: do_create_batch(execution_date=TODAY, request_ids=chosen, actor_id=None),
                     "request_ids")

    @precondition(exists(PotRequest, *APPROVED))
    @rule(data=st.data(), how=st.sampled_from(("statement", "by_hand", "single")))
    def paid_out(self, data, how):
        """The bank paid a batch (its statement line names the SEPA message, or a person
        says so), or a person marks one approved request paid (also one in an unpaid batch)."""
        created = self.ids(PayoutBatch, PayoutBatch.status == "created")
        if how == "single" or not created:
            asked = self.get(PotRequest, data.draw(st.sampled_from(self.ids(PotRequest, *APPROVED)), label="request"))
            do_mark_paid(asked, TODAY, None)
            assert asked.status == "paid"
            return
        batch = self.get(PayoutBatch, data.draw(st.sampled_from(created), label="batch"))
        if how == "statement":
            result = import_file(camt053([Entry(-batch.total_cents, TODAY, "SEPA batch", ref=ref("OUT"),
                                                msg_id=batch.message_id, name="Coop")], statement_id=ref("S")))
            assert result.matched == 1
        else:
            do_mark_paid(batch, TODAY, None)
        batch = self.get(PayoutBatch, batch.id)
        assert batch.status == "paid"
        assert set(db.session.scalars(select(PotRequest.status).where(PotRequest.batch_id == batch.id))) == {"paid"}
        before = ledger_snapshot()
        do_mark_paid(batch, TODAY, None)  # the same news again changes nothing
        assert ledger_snapshot() == before

    # --- the cooperative's own costs -----------------------------------------------------------

    @precondition(lambda self: self.started() and self.costs < 3)
    @rule(cents=st.integers(1, 50_000), data=st.data(), twice=st.booleans())
    def record_cost(self, cents, data, twice):
        self.costs += 1
        vat = data.draw(st.integers(0, cents - 1), label="vat")
        category = data.draw(st.sampled_from(COST_CATEGORIES), label="category")
        key = ref("COST")

        def record():
            return do_record_cost(on_date=TODAY, category=category,
                                  supplier="Verhuurder", description="Huur", amount=Money(cents), vat=Money(vat),
                                  idempotency_key=key, actor_id=None)

        first = record()
        if twice:  # the form sent twice
            before = ledger_snapshot()
            assert record().id == first.id
            assert ledger_snapshot() == before

    @precondition(exists(Cost))
    @rule(data=st.data())
    def reverse_cost(self, data):
        costs = self.ids(Cost)
        cost = self.get(Cost, data.draw(st.sampled_from(costs), label="cost"))
        if db.session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_entry_id == cost.entry_id)):
            self.refused(BooksError, lambda: do_reverse_cost(cost, reason="Dubbel", actor_id=None))
        else:
            do_reverse_cost(cost, reason="Dubbel geboekt", actor_id=None)

    # --- the monthly close ---------------------------------------------------------------------

    @rule(months_back=st.integers(0, 1))
    def close_month(self, months_back):
        """A month closes (its settlements add up: what is owed is the municipality's
        shares and the returned pots), or is refused (closed already, or not over yet)
        and moves no money."""
        first = TODAY.replace(day=1)
        month = first if months_back == 0 else (first - timedelta(days=1)).replace(day=1)
        before = ledger_snapshot()
        step = db.session.begin_nested()
        try:
            do_close_month(month, actor_id=None)
        except ValueError as error:
            assert str(error).strip() and ledger_snapshot() == before
            step.rollback()
            return
        for settlement in db.session.scalars(select(Settlement).where(Settlement.month == month)):
            lines = db.session.scalars(select(SettlementLine).where(
                SettlementLine.settlement_id == settlement.id)).all()
            assert settlement.owed_cents == sum(line.municipality_cents for line in lines) + \
                settlement.returned_pots_cents
            assert settlement.earned_cents == sum(line.earned_cents for line in lines)

    # --- what always holds, read fresh from the database ---------------------------------------

    def started(self) -> bool:
        return hasattr(self, "tenant_id")

    @invariant()
    def database_rules_hold_now(self):
        """The deferred checks (an entry balances) run now, not only at the final commit."""
        if self.started():
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    @invariant()
    def every_entry_balances(self):
        if self.started():
            assert unbalanced_entries() == []

    @invariant()
    def no_pot_below_zero(self):
        if not self.started():
            return
        pots = db.session.scalars(select(LedgerAccount).where(LedgerAccount.kind.in_(NEVER_OVERDRAWN))
                                  .execution_options(populate_existing=True)).all()
        for pot in pots:
            assert pot.balance_cents <= 0 and balance_from_lines(pot.id).cents <= 0, pot.key

    @invariant()
    def trial_balance_is_zero(self):
        if not self.started():
            return
        assert sum(row.balance.cents for row in trial_balance()) == 0
        assert books_total() == Money(0)
        assert mismatched_balances() == []

    @invariant()
    def every_account_holds_what_the_domain_says(self):
        if self.started():
            assert balances_by_key() == expected_balances()

    @invariant()
    def invoices_never_paid_above_their_total(self):
        if not self.started():
            return
        for invoice in db.session.scalars(select(Invoice).where(Invoice.kind == "invoice")
                                          .execution_options(populate_existing=True)):
            assert 0 <= invoice.amount_paid_cents <= invoice.total_cents, invoice.number
            assert invoice.amount_paid_cents == paid_by_lines(invoice.id), invoice.number
            if invoice.status in ("sent", "partly_paid", "paid"):
                assert (invoice.status == "paid") == (invoice.amount_paid_cents == invoice.total_cents)

    @invariant()
    def a_payment_is_split_at_most_once(self):
        if not self.started():
            return
        twice = db.session.execute(select(JournalEntry.source_id).where(JournalEntry.kind == "split")
                                   .group_by(JournalEntry.source_id).having(func.count() > 1)).all()
        assert twice == []
        matched = self.ids(BankLine, BankLine.status == "matched", BankLine.invoice_id.is_not(None))
        assert sorted(db.session.scalars(select(PaymentSplit.bank_line_id))) == matched
        for split in db.session.scalars(select(PaymentSplit).execution_options(populate_existing=True)):
            shares = split.cooperative_cents + split.training_cents + split.municipality_cents + split.pot_cents
            assert shares == (split.net_cents if split.status == "split" else 0)
            assert (split.entry_id is not None) == (split.status == "split" and split.net_cents > 0)

    def teardown(self):
        if self.started():
            self.savepoint.rollback()
            self.scope.close()


def test_random_money_flows_keep_the_books(app, db_session, baseline):
    MoneyFlow.municipality_ids = (baseline.municipality.id, baseline.municipality_b.id)
    # A request context and English: refusals are lazy texts, read here to prove they say why.
    with app.test_request_context(), force_locale("en"):
        run_state_machine_as_test(MoneyFlow, settings=settings(
            max_examples=25, stateful_step_count=30, deadline=None, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))

