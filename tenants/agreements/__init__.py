"""Agreements between a cooperative and a municipality, in versions valid from a date.

For the money that follows (invoices, payments, the split, the monthly close):
`terms_on(municipality_tenant_id, on_date)` in a cooperative's context and
`terms_with(cooperative_tenant_id, on_date)` in a municipality's give the `Terms` in force
on a date (None when there are none); `Terms.split(amount, earned_this_month_before)`
divides one received amount over the waterfall.
"""

from .models import (
    AGREEMENT_STATUSES,
    SIDES,
    VERSION_STATUSES,
    Agreement,
    AgreementVersion,
)
from .operations import (
    BACKDATE_DAYS,
    AgreementError,
    check_terms,
    do_accept_version,
    do_propose_agreement,
    do_propose_version,
    do_reject_version,
    do_withdraw_version,
)
from .queries import agreements, in_force, open_proposal, terms_on, terms_with
from .terms import (
    COOPERATIVE_SHARE_KINDS,
    POT_CATEGORIES,
    POT_ON_LEAVING,
    Split,
    Terms,
    format_percent,
    parse_percent,
)
from .views import bp

__all__ = [
    "AGREEMENT_STATUSES", "BACKDATE_DAYS", "COOPERATIVE_SHARE_KINDS", "POT_CATEGORIES", "POT_ON_LEAVING", "SIDES",
    "VERSION_STATUSES", "Agreement", "AgreementError", "AgreementVersion", "Split", "Terms", "agreements", "bp",
    "check_terms", "do_accept_version", "do_propose_agreement", "do_propose_version", "do_reject_version",
    "do_withdraw_version", "format_percent", "in_force", "open_proposal", "parse_percent", "terms_on", "terms_with",
]
