"""The cooperative's books: double-entry in integer cents, enforced by the database."""

from .models import (
    ACCOUNT_KINDS,
    NEVER_OVERDRAWN,
    ClosedMonth,
    JournalEntry,
    JournalLine,
    LedgerAccount,
)
from .operations import (
    AlreadyPosted,
    LedgerError,
    Line,
    Overdrawn,
    Posting,
    account,
    do_close_period,
    do_post,
    do_post_many,
    do_reverse,
    first_open_day,
    lock_period,
)
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
    "AlreadyPosted", "Posting", "do_post_many",
    "ACCOUNT_KINDS", "NEVER_OVERDRAWN", "ClosedMonth", "JournalEntry", "JournalLine", "LedgerAccount", "LedgerError", "Line",
    "Overdrawn", "account", "account_history", "balance", "balance_from_lines", "books_total", "do_close_period", "do_post",
    "do_reverse", "entry_lines", "first_open_day", "lock_period", "held", "mismatched_balances", "trial_balance",
]
