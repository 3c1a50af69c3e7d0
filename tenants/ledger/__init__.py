"""The cooperative's books: double-entry in integer cents, enforced by the database."""

from .models import ACCOUNT_KINDS, NEVER_OVERDRAWN, JournalEntry, JournalLine, LedgerAccount
from .operations import LedgerError, Line, Overdrawn, account, do_post, do_reverse
from .queries import (
    account_history,
    balance,
    balance_from_lines,
    books_total,
    entry_lines,
    held,
    mismatched_balances,
    trial_balance,
)

__all__ = [
    "ACCOUNT_KINDS", "NEVER_OVERDRAWN", "JournalEntry", "JournalLine", "LedgerAccount", "LedgerError", "Line",
    "Overdrawn", "account", "account_history", "balance", "balance_from_lines", "books_total", "do_post",
    "do_reverse", "entry_lines", "held", "mismatched_balances", "trial_balance",
]
