"""Online payment of invoices through Stripe (iDEAL, card) into the cooperative's own
Stripe account, settled by Stripe's signed webhook (once per event and per session).

`bp` (the cooperative's pages) and `public_bp` (`/stripe/webhook` and the pages a customer
returns to) are registered by the app; `current_link` gives an invoice's payment link for
whatever shows the invoice to the customer.
"""

from .models import LINK_STATUSES, OnlinePayment, OnlinePaymentSettings, StripeEvent
from .operations import (
    OnlinePaymentError,
    WebhookRefused,
    connected_account,
    current_link,
    do_create_link,
    do_set_account,
    handle_event,
    paid_online,
)
from .views import bp, public_bp

__all__ = [
    "LINK_STATUSES", "OnlinePayment", "OnlinePaymentError", "OnlinePaymentSettings", "StripeEvent", "WebhookRefused",
    "bp", "connected_account", "current_link", "do_create_link", "do_set_account", "handle_event", "paid_online",
    "public_bp",
]
