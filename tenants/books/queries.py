"""Read models of the books pages: the trial balance, an account's history with a running
balance, a member's pot statement for a month, the VAT figures per quarter, the journal
for the bookkeeper (CSV) and the list of costs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant
from koepel.tenants.invoices import Customer, Invoice, InvoiceSettings, compute_totals, vat_rates_on
from koepel.tenants.ledger import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    account_history,
    mismatched_balances,
)
from koepel.tenants.ledger import trial_balance as ledger_trial_balance
from koepel.tenants.members import Member

from .models import Cost
from .operations import ENTRY_KIND

KIND_LABELS = {
    "bank": _l("Bank"),
    "receivable": _l("Receivable"),
    "vat_payable": _l("VAT payable"),
    "earnings": _l("Members' earnings (to be split)"),
    "cooperative": _l("Cooperative's share (income)"),
    "costs": _l("Cooperative's costs"),
    "training_pot": _l("Training pot"),
    "municipality_owed": _l("Owed to the municipality"),
    "member_pot": _l("Savings pot"),
    "payouts_due": _l("Payouts due"),
}


# --- account names ---------------------------------------------------------------------------


def account_names(accounts: Iterable[LedgerAccount]) -> dict[int, str]:
    """A readable name per account id: the kind, and for a party's account whose it is
    (the member of a pot, the municipality owed, the customer of a receivable)."""
    accounts = list(accounts)
    member_ids = {a.member_id for a in accounts if a.member_id is not None}
    tenant_ids = {a.partner_tenant_id for a in accounts if a.partner_tenant_id is not None}
    customer_ids = {a.customer_id for a in accounts if a.customer_id is not None}
    members = dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(member_ids))).all()) \
        if member_ids else {}
    tenants = dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids))).all()) \
        if tenant_ids else {}
    customers = dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))).all()) \
        if customer_ids else {}
    names = {}
    for a in accounts:
        label = str(KIND_LABELS.get(a.kind, a.kind))
        party = (members.get(a.member_id) if a.member_id is not None else
                 tenants.get(a.partner_tenant_id) if a.partner_tenant_id is not None else
                 customers.get(a.customer_id) if a.customer_id is not None else None)
        names[a.id] = f"{label}: {party}" if party else label
    return names


def account_or_404(account_id: int) -> LedgerAccount:
    """The tenant's account (another tenant's is not found: row-level security)."""
    found = db.session.scalar(select(LedgerAccount).where(LedgerAccount.id == account_id)
                              .execution_options(populate_existing=True))
    if found is None:
        abort(404)
    return found


# --- trial balance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceRow:
    account: LedgerAccount
    name: str
    debit: Money
    credit: Money


@dataclass(frozen=True)
class TrialBalance:
    rows: list[BalanceRow]
    debit_total: Money
    credit_total: Money
    mismatches: list[tuple[str, Money, Money]]  # (account name, cached, from lines)

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total


def trial_balance() -> TrialBalance:
    ledger_rows = ledger_trial_balance()
    names = account_names(r.account for r in ledger_rows)
    rows = [BalanceRow(r.account, names[r.account.id], Money(max(r.balance.cents, 0)), Money(max(-r.balance.cents, 0)))
            for r in ledger_rows]
    rows.sort(key=lambda r: (list(KIND_LABELS).index(r.account.kind) if r.account.kind in KIND_LABELS else 99,
                             r.name.lower()))
    mismatched = mismatched_balances()
    mismatch_names = account_names(a for a, _c, _l in mismatched)
    return TrialBalance(rows, Money(sum(r.debit.cents for r in rows)), Money(sum(r.credit.cents for r in rows)),
                        [(mismatch_names[a.id], cached, lines) for a, cached, lines in mismatched])


# --- an account's history --------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    entry: JournalEntry
    amount: Money  # debit positive
    balance_after: Money  # debit positive


def history_with_balance(account: LedgerAccount, limit: int = 200) -> list[HistoryRow]:
    """Newest first, each line with the account's balance right after it (worked back
    from the current balance)."""
    running = Money(account.balance_cents)
    rows = []
    for entry, amount in account_history(account.id, limit=limit):
        rows.append(HistoryRow(entry, amount, running))
        running = running - amount
    return rows


# --- a member's pot statement ----------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    on_date: date
    entry_id: int
    description: str
    amount: Money  # into the pot positive, out of it negative


@dataclass(frozen=True)
class PotStatement:
    member: Member
    first_day: date
    last_day: date
    opening: Money  # what the pot held at the start of the month
    movements: list[Movement]

    @property
    def paid_in(self) -> Money:
        return Money(sum(m.amount.cents for m in self.movements if m.amount.cents > 0))

    @property
    def paid_out(self) -> Money:
        return Money(-sum(m.amount.cents for m in self.movements if m.amount.cents < 0))

    @property
    def closing(self) -> Money:
        return self.opening + Money(sum(m.amount.cents for m in self.movements))


def month_bounds(year: int, month: int) -> tuple[date, date] | None:
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        return None
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def pot_statement(member: Member, year: int, month: int) -> PotStatement | None:
    """None for a month that does not exist. A pot holds its credit balance, so every
    amount is the line's amount with its sign turned."""
    bounds = month_bounds(year, month)
    if bounds is None:
        return None
    first, last = bounds
    pot_id = db.session.scalar(select(LedgerAccount.id).where(LedgerAccount.kind == "member_pot",
                                                              LedgerAccount.member_id == member.id))
    if pot_id is None:
        return PotStatement(member, first, last, Money(0), [])
    joined = (select(JournalEntry, JournalLine.amount_cents)
              .join(JournalLine, (JournalLine.entry_id == JournalEntry.id)
                    & (JournalLine.tenant_id == JournalEntry.tenant_id))
              .where(JournalLine.account_id == pot_id))
    opening = db.session.scalar(
        select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
        .join(JournalEntry, (JournalLine.entry_id == JournalEntry.id) & (JournalLine.tenant_id == JournalEntry.tenant_id))
        .where(JournalLine.account_id == pot_id, JournalEntry.on_date < first))
    movements = [Movement(entry.on_date, entry.id, entry.description, Money(-cents))
                 for entry, cents in db.session.execute(
                     joined.where(JournalEntry.on_date >= first, JournalEntry.on_date <= last)
                     .order_by(JournalEntry.on_date, JournalEntry.id, JournalLine.id)).all()]
    return PotStatement(member, first, last, Money(-int(opening)), movements)


# --- VAT per quarter -------------------------------------------------------------------------


@dataclass
class Quarter:
    number: int
    first_day: date
    last_day: date
    # rate in basis points (None: no VAT charged under the KOR) -> [turnover excl. VAT, VAT charged]
    rates: dict[int | None, list[int]] = field(default_factory=dict)
    vat_on_costs: Money = Money(0)

    @property
    def turnover(self) -> Money:
        return Money(sum(net for net, _vat in self.rates.values()))

    @property
    def vat_charged(self) -> Money:
        return Money(sum(vat for _net, vat in self.rates.values()))

    @property
    def owed(self) -> Money:
        """What the cooperative pays the tax office (negative: what it gets back)."""
        return self.vat_charged - self.vat_on_costs

    def rate_rows(self) -> list[tuple[int | None, Money, Money]]:
        """Every rate valid in the quarter and every rate its invoices used, highest first
        (a rate changed by the parameters mid-year shows in the quarters it was used)."""
        used = {rate for rate in self.rates if rate is not None}
        keys = sorted(used | set(vat_rates_on(self.first_day)) | set(vat_rates_on(self.last_day)), reverse=True)
        keys += [None] if None in self.rates else []
        return [(rate, Money(self.rates.get(rate, [0, 0])[0]), Money(self.rates.get(rate, [0, 0])[1])) for rate in keys]


@dataclass(frozen=True)
class VatReport:
    year: int
    quarters: list[Quarter]
    kor: bool

    @property
    def turnover(self) -> Money:
        return Money(sum(q.turnover.cents for q in self.quarters))


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3


def vat_report(year: int) -> VatReport:
    """Per quarter: the turnover and VAT per rate of the invoices and credit notes issued
    in it (VAT per invoice and rate, as on the invoice), the VAT paid on the cooperative's
    costs (their entries and reversals), and what is owed."""
    quarters = []
    for q in range(4):
        first = date(year, 3 * q + 1, 1)
        following = date(year + 1, 1, 1) if q == 3 else date(year, 3 * q + 4, 1)
        quarters.append(Quarter(q + 1, first, date.fromordinal(following.toordinal() - 1)))
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.status != "draft", Invoice.issue_date >= date(year, 1, 1), Invoice.issue_date <= date(year, 12, 31)))
    for invoice in invoices:
        totals = compute_totals(((line.vat_rate_bp, line.amount_cents) for line in invoice.lines), kor=invoice.kor)
        quarter = quarters[_quarter_of(invoice.issue_date)]
        for row in totals.rates:
            sums = quarter.rates.setdefault(row.rate_bp, [0, 0])
            sums[0] += row.net.cents
            sums[1] += row.vat.cents
    cost_entry = aliased(JournalEntry)
    cost_entries = select(cost_entry.id).where(cost_entry.kind == ENTRY_KIND).scalar_subquery()
    vat_lines = db.session.execute(
        select(JournalEntry.on_date, JournalLine.amount_cents)
        .join(JournalLine, (JournalLine.entry_id == JournalEntry.id) & (JournalLine.tenant_id == JournalEntry.tenant_id))
        .join(LedgerAccount, (LedgerAccount.id == JournalLine.account_id)
              & (LedgerAccount.tenant_id == JournalLine.tenant_id))
        .where(LedgerAccount.kind == "vat_payable", JournalEntry.on_date >= date(year, 1, 1),
               JournalEntry.on_date <= date(year, 12, 31),
               (JournalEntry.kind == ENTRY_KIND) | JournalEntry.reverses_entry_id.in_(cost_entries))).all()
    for on_date, cents in vat_lines:
        quarter = quarters[_quarter_of(on_date)]
        quarter.vat_on_costs = quarter.vat_on_costs + Money(cents)
    return VatReport(year, quarters, invoice_settings_kor())


def invoice_settings_kor() -> bool:
    """Whether the cooperative uses the small-business scheme (read only: a GET writes nothing)."""
    return bool(db.session.scalar(select(InvoiceSettings.kor)))


# --- the journal for the bookkeeper ----------------------------------------------------------


def plain_amount(cents: int) -> str:
    """1234,56 (no currency sign or thousands separator: a number to a Dutch spreadsheet)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units},{rest:02d}"


def journal_header() -> list[str]:
    return [_("Date"), _("Entry"), _("Kind"), _("Description"), _("Account kind"), _("Account"), _("Debit"),
            _("Credit")]


def journal_rows(first: date, last: date) -> Iterator[list[object]]:
    rows = db.session.execute(
        select(JournalEntry, JournalLine.amount_cents, LedgerAccount)
        .join(JournalLine, (JournalLine.entry_id == JournalEntry.id) & (JournalLine.tenant_id == JournalEntry.tenant_id))
        .join(LedgerAccount, (LedgerAccount.id == JournalLine.account_id)
              & (LedgerAccount.tenant_id == JournalLine.tenant_id))
        .where(JournalEntry.on_date >= first, JournalEntry.on_date <= last)
        .order_by(JournalEntry.on_date, JournalEntry.id, JournalLine.id)).all()
    names = account_names({a.id: a for _e, _c, a in rows}.values())
    for entry, cents, account in rows:
        yield [entry.on_date, entry.id, entry.kind, entry.description, account.kind, names[account.id],
               plain_amount(cents) if cents > 0 else "", plain_amount(-cents) if cents < 0 else ""]


# --- costs -----------------------------------------------------------------------------------


def costs(limit: int = 200) -> list[tuple[Cost, JournalEntry | None]]:
    """The latest costs, each with its reversal (None while it stands)."""
    reversal = aliased(JournalEntry)
    return [(cost, rev) for cost, rev in db.session.execute(
        select(Cost, reversal).outerjoin(reversal, (reversal.reverses_entry_id == Cost.entry_id)
                                         & (reversal.tenant_id == Cost.tenant_id))
        .order_by(Cost.on_date.desc(), Cost.id.desc()).limit(limit)).all()]


def cost_or_404(cost_id: int) -> Cost:
    found = db.session.scalar(select(Cost).where(Cost.id == cost_id))
    if found is None:
        abort(404)
    return found
