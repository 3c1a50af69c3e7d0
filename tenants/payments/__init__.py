"""Payments: bank statements (CAMT.053, MT940) imported once, their lines matched to
invoices and payouts, each received payment posted and split over the waterfall by the
agreement in force on its date (DOMAIN.md "The money (the waterfall)")."""

from .models import (
    LINE_STATUSES,
    SPLIT_STATUSES,
    STATEMENT_FORMATS,
    BankLine,
    BankStatement,
    PaymentSplit,
)
from .operations import (
    ImportResult,
    PaymentError,
    StatementError,
    auto_match,
    do_ignore,
    do_import,
    do_match_invoice,
    do_match_payout,
    do_split,
    do_split_waiting,
    earned_before,
    lock_payments,
    net_of_payment,
)
from .parsers import ParsedLine, ParsedStatement, parse
from .views import bp

__all__ = [
    "LINE_STATUSES", "SPLIT_STATUSES", "STATEMENT_FORMATS", "BankLine", "BankStatement", "ImportResult",
    "ParsedLine", "ParsedStatement", "PaymentError", "PaymentSplit", "StatementError", "auto_match", "bp",
    "do_ignore", "do_import", "do_match_invoice", "do_match_payout", "do_split", "do_split_waiting",
    "earned_before", "lock_payments", "net_of_payment", "parse",
]
