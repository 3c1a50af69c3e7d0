"""Helpers of the online payment tests."""

from __future__ import annotations

from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.tenants.online_payments import OnlinePayment
from koepel.tenants.payments import PaymentSplit

from .fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe


def switch_on(app, monkeypatch) -> FakeStripe:
    """The platform with Stripe keys and Stripe answering offline; returns the fake."""
    fake = FakeStripe()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.extensions, "stripe_http_client", fake)
    return fake


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def split_of(link: OnlinePayment) -> PaymentSplit | None:
    return db.session.scalar(select(PaymentSplit).where(PaymentSplit.online_payment_id == link.id))
