"""Funding accountability (verantwoording): what a municipality funds under an agreement
(coordination hours, housing) per subsidy period, what the cooperative records against
it, and budget against actual, on both sides of the border."""

from .budget import Funded, MonthBudget, format_hours, month_budget, period_budget
from .models import RECORD_KINDS, FundingPeriod, FundingRecord
from .operations import (
    RECORD_GRACE_DAYS,
    FundingError,
    closes_on,
    do_open_period,
    do_record_hours,
    do_record_housing,
    do_set_granted,
    do_withdraw_record,
    is_closed,
)
from .queries import Accountability, MonthRow, accountability, periods
from .views import bp, bp_cooperative, bp_municipality

__all__ = [
    "RECORD_GRACE_DAYS", "RECORD_KINDS", "Accountability", "Funded", "FundingError", "FundingPeriod", "FundingRecord",
    "MonthBudget", "MonthRow", "accountability", "bp", "bp_cooperative", "bp_municipality", "closes_on",
    "do_open_period", "do_record_hours", "do_record_housing", "do_set_granted", "do_withdraw_record", "format_hours",
    "is_closed", "month_budget", "period_budget", "periods",
]
