"""Reading the books: balances, the trial balance, an account's history, and the check
that the cached balances match their lines."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money

from .models import JournalEntry, JournalLine, LedgerAccount


def balance(account: LedgerAccount) -> Money:
    """Debit positive (a pot's holding is `-balance(pot)`; see `held`)."""
    return Money(db.session.scalar(select(LedgerAccount.balance_cents).where(LedgerAccount.id == account.id)))


def held(account: LedgerAccount) -> Money:
    """What a liability holds for its party (a savings pot, what a municipality is owed)."""
    return -balance(account)


def balance_from_lines(account_id: int) -> Money:
    return Money(int(db.session.scalar(
        select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(JournalLine.account_id == account_id))))


@dataclass(frozen=True)
class TrialBalanceRow:
    account: LedgerAccount
    balance: Money


def trial_balance() -> list[TrialBalanceRow]:
    # populate_existing: balances are moved by the database, not through these objects.
    accounts = db.session.scalars(select(LedgerAccount).order_by(LedgerAccount.kind, LedgerAccount.key)
                                  .execution_options(populate_existing=True))
    return [TrialBalanceRow(a, Money(a.balance_cents)) for a in accounts]


def books_total() -> Money:
    """The sum of every line of the tenant: zero, always."""
    return Money(int(db.session.scalar(select(func.coalesce(func.sum(JournalLine.amount_cents), 0)))))


def mismatched_balances() -> list[tuple[LedgerAccount, Money, Money]]:
    """(account, cached, from its lines) wherever the two differ: an empty list is the check."""
    sums = dict(db.session.execute(
        select(JournalLine.account_id, func.sum(JournalLine.amount_cents)).group_by(JournalLine.account_id)).all())
    return [(a, Money(a.balance_cents), Money(int(sums.get(a.id, 0))))
            for a in db.session.scalars(select(LedgerAccount).execution_options(populate_existing=True))
            if a.balance_cents != int(sums.get(a.id, 0))]


def account_history(account_id: int, limit: int = 200) -> list[tuple[JournalEntry, Money]]:
    rows = db.session.execute(
        select(JournalEntry, JournalLine.amount_cents)
        .join(JournalLine, (JournalLine.entry_id == JournalEntry.id) & (JournalLine.tenant_id == JournalEntry.tenant_id))
        .where(JournalLine.account_id == account_id)
        .order_by(JournalEntry.on_date.desc(), JournalEntry.id.desc()).limit(limit)
    ).all()
    return [(entry, Money(cents)) for entry, cents in rows]


def entry_lines(entry_id: int) -> list[tuple[LedgerAccount, Money]]:
    rows = db.session.execute(
        select(LedgerAccount, JournalLine.amount_cents)
        .join(JournalLine, (JournalLine.account_id == LedgerAccount.id) & (JournalLine.tenant_id == LedgerAccount.tenant_id))
        .where(JournalLine.entry_id == entry_id).order_by(JournalLine.id)
    ).all()
    return [(a, Money(cents)) for a, cents in rows]
