"""Stripe, offline: an HTTP client for the official library that answers Checkout Session
creation as Stripe does (the same idempotency key gives the same session), records every
request, and can be told to fail; and webhook payloads signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_koepel_test_secret"
SECRET_KEY = "sk_test_koepel_offline"
_ids = itertools.count(1)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    params: dict  # the form body, flattened keys as Stripe reads them: "line_items[0][quantity]"


@dataclass
class FakeStripe(stripe.HTTPClient):
    name = "koepel-fake"
    requests: list[Recorded] = field(default_factory=list)
    fail_with: tuple[int, dict] | None = None  # (status, error body) to answer every call with
    _sessions_by_key: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__()
        self._lock = threading.Lock()

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        params = dict(parse_qsl(post_data.decode() if isinstance(post_data, bytes) else (post_data or ""),
                                keep_blank_values=True))
        with self._lock:
            self.requests.append(Recorded(method.upper(), urlsplit(url).path, dict(headers or {}), params))
            if self.fail_with is not None:
                status, body = self.fail_with
                return json.dumps(body), status, {"Request-Id": "req_fail"}
            if method.lower() == "post" and urlsplit(url).path == "/v1/checkout/sessions":
                key = (headers or {}).get("Idempotency-Key")
                session = self._sessions_by_key.get(key) if key else None
                if session is None:
                    session = self._session(params)
                    if key:
                        self._sessions_by_key[key] = session
                return json.dumps(session), 200, {"Request-Id": f"req_{next(_ids)}", "Idempotency-Key": key or ""}
        return json.dumps({"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}}), 404, {}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError

    def close(self):
        pass

    @staticmethod
    def _session(params: dict) -> dict:
        number = next(_ids)
        session_id = f"cs_test_{number:06d}koepel"
        amount = int(params["line_items[0][price_data][unit_amount]"]) * int(params["line_items[0][quantity]"])
        metadata = {k[len("metadata["):-1]: v for k, v in params.items() if k.startswith("metadata[")}
        return {
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"),
            "amount_total": amount, "currency": params["line_items[0][price_data][currency]"],
            "payment_status": "unpaid", "status": "open", "metadata": metadata,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "expires_at": int(time.time()) + 24 * 3600, "created": int(time.time()),
        }

    def checkout_calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"]


def session_event(session_id: str, *, account: str, tenant_id: int, invoice_id: int, amount_cents: int,
                  event_type: str = "checkout.session.completed", payment_status: str = "paid",
                  event_id: str | None = None, currency: str = "eur", created: int | None = None,
                  invoice_number: str = "") -> dict:
    """A Checkout Session event of a connected account, shaped as Stripe sends it."""
    return {
        "id": event_id or f"evt_test_{next(_ids):06d}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "account": account,
        "created": created or int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": {
            "id": session_id, "object": "checkout.session", "mode": "payment", "amount_total": amount_cents,
            "currency": currency, "payment_status": payment_status, "status": "complete",
            "payment_intent": f"pi_test_{session_id[-10:]}",
            "metadata": {"tenant_id": str(tenant_id), "invoice_id": str(invoice_id),
                         "invoice_number": invoice_number},
        }},
    }


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header, computed as Stripe does: HMAC-SHA256 over
    "<timestamp>.<payload>" with the endpoint's secret."""
    timestamp = timestamp or int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signed(event: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
    """(body, headers) of a webhook delivery."""
    body = json.dumps(event).encode()
    return body, {"Stripe-Signature": signature(body, secret), "Content-Type": "application/json"}
