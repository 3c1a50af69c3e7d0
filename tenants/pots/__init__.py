"""The members' savings pots (spaarpot): spending requests, payouts by SEPA file, and a
leaving member's pot handled as the agreement says (DOMAIN.md "The money")."""

from .models import (
    BATCH_STATUSES,
    CLOSING_RULES,
    CLOSING_STATUSES,
    REQUEST_STATUSES,
    PayoutBatch,
    PotClosing,
    PotRequest,
)
from .operations import (
    PotError,
    allowed_categories,
    do_approve,
    do_confirm_closing,
    do_create_batch,
    do_mark_paid,
    do_refuse,
    do_request,
    may_request,
    pot_holds,
)
from .queries import pot_history, requests_of
from .views import bp

__all__ = [
    "BATCH_STATUSES", "CLOSING_RULES", "CLOSING_STATUSES", "REQUEST_STATUSES", "PayoutBatch", "PotClosing", "PotError",
    "PotRequest", "allowed_categories", "bp", "do_approve", "do_confirm_closing", "do_create_batch", "do_mark_paid",
    "do_refuse", "do_request", "may_request", "pot_history", "pot_holds", "requests_of",
]
