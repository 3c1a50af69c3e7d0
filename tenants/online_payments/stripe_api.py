"""The calls to Stripe, with the official library: making a Checkout Session on the
cooperative's connected account, and reading a webhook's signed event.

Online payment is on when the platform has `STRIPE_SECRET_KEY` (and, for the webhook,
`STRIPE_WEBHOOK_SECRET`). The HTTP client Stripe's library uses can be swapped through
`app.extensions["stripe_http_client"]` (the tests answer as Stripe would, offline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from flask import current_app

HTTP_CLIENT_EXTENSION = "stripe_http_client"
PAYMENT_METHODS = ["ideal", "card"]
# Stripe retries a failed call itself (with the same idempotency key).
NETWORK_RETRIES = 2


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    amount_cents: int
    expires_at: datetime | None


def enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def webhook_secret() -> str:
    return current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""


def client() -> stripe.StripeClient | None:
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    return stripe.StripeClient(key, http_client=current_app.extensions.get(HTTP_CLIENT_EXTENSION),
                               max_network_retries=NETWORK_RETRIES)


def create_checkout_session(*, account: str, idempotency_key: str, amount_cents: int, description: str,
                            metadata: dict[str, str], customer_email: str | None, success_url: str,
                            cancel_url: str, locale: str = "nl") -> CheckoutSession:
    """A Checkout Session for one payment of `amount_cents` euro cents on the connected
    `account` (a direct charge: the money lands in the cooperative's Stripe balance).
    Raises stripe.StripeError when Stripe refuses or cannot be reached."""
    api = client()
    if api is None:
        raise RuntimeError("STRIPE_SECRET_KEY is not set")
    params: dict = {
        "mode": "payment",
        "payment_method_types": PAYMENT_METHODS,
        "line_items": [{
            "quantity": 1,
            "price_data": {"currency": "eur", "unit_amount": amount_cents, "product_data": {"name": description}},
        }],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": description},
        "client_reference_id": metadata.get("invoice_number") or None,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
    }
    if customer_email:
        params["customer_email"] = customer_email
    session = api.v1.checkout.sessions.create(
        params=params, options={"stripe_account": account, "idempotency_key": idempotency_key})
    expires = getattr(session, "expires_at", None)
    return CheckoutSession(
        id=session.id, url=session.url, amount_cents=int(session.amount_total),
        expires_at=datetime.fromtimestamp(int(expires), UTC) if expires else None,
    )


def verified_event(payload: bytes, signature: str | None) -> dict:
    """The event Stripe signed, as plain data. Raises stripe.SignatureVerificationError
    for a missing or wrong signature (or one too old), ValueError for a body that is not
    an event."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, webhook_secret())
    except (AttributeError, TypeError) as error:  # signed, but JSON that is not an object
        raise ValueError("not an event") from error
    data = event.to_dict()
    if not isinstance(data, dict):
        raise ValueError("not an event")
    return data
