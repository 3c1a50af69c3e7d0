"""The monthly settlement between a cooperative and each municipality, and closing a month
in the books (DOMAIN.md "The municipality")."""

from .models import OWED_STATUSES, STATUSES, Settlement, SettlementLine
from .operations import (
    SettlementError,
    disregard,
    do_claim,
    do_close_month,
    do_pay,
    do_process,
    do_settle,
    next_month_to_close,
    settlement_paid_by,
)
from .queries import awaiting, lines_of, settlements
from .views import bp, bp_cooperative, bp_municipality

__all__ = [
    "OWED_STATUSES", "STATUSES", "Settlement", "SettlementError", "SettlementLine", "awaiting", "bp", "bp_cooperative", "bp_municipality", "disregard",
    "do_claim", "do_close_month", "do_pay", "do_process", "do_settle", "lines_of", "next_month_to_close",
    "settlement_paid_by", "settlements",
]
