"""Referrals: a municipality refers a resident to a cooperative, with consent."""

from .models import (
    HANDOVER_MAX,
    INCOMING_STATUSES,
    REFERRAL_STATUSES,
    IncomingReferral,
    Referral,
    ReferralEvent,
)
from .operations import (
    ReferralError,
    do_accept_referral,
    do_decline_referral,
    do_send_referral,
    do_withdraw_referral,
    new_idempotency_key,
)
from .queries import incoming_referrals, open_referral_count, pending_incoming_count, referrals
from .views import bp, bp_incoming

__all__ = [
    "HANDOVER_MAX", "INCOMING_STATUSES", "REFERRAL_STATUSES", "IncomingReferral", "Referral", "ReferralError",
    "ReferralEvent", "bp", "bp_incoming", "do_accept_referral", "do_decline_referral", "do_send_referral",
    "do_withdraw_referral", "incoming_referrals", "new_idempotency_key", "open_referral_count",
    "pending_incoming_count", "referrals",
]
