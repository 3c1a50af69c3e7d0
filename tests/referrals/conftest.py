"""Helpers for the referral tests: signed-in clients in English, the form, checks below
the HTTP layer in a tenant's scope (in an app context of their own, never shared with
a request's)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

HANDOVER = "Wants to start a bike repair business at home; a workshop and a mentor would help."


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


@pytest.fixture
def manager(as_user, baseline):
    """The client manager of municipality M, in English."""
    return english(as_user(baseline.client_manager))


@pytest.fixture
def coordinator(as_user, baseline):
    """The coordinator of cooperative A, in English."""
    return english(as_user(baseline.coordinator_a))


@contextmanager
def in_tenant(app, tenant_id, user_id=None):
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context

    with app.app_context(), tenant_context(tenant_id, user_id):
        yield db.session


def form_data(baseline, **overrides) -> dict:
    from koepel.tenants.referrals import new_idempotency_key

    data = {
        "resident_name": "Fenna Visser", "resident_email": "fenna@resident.example.org",
        "resident_phone": "06 9876 5432", "resident_date_of_birth": "1984-03-09",
        "client_reference": "KM-2026-0042", "target_tenant_id": str(baseline.coop_a.id), "handover": HANDOVER,
        "consent": "y", "share_contact": "y", "share_date_of_birth": "y", "share_handover": "y",
        "idempotency_key": new_idempotency_key(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def referrals_url(baseline, suffix="") -> str:
    return f"/t/{baseline.municipality.slug}/referrals/{suffix}"


def incoming_url(baseline, suffix="") -> str:
    return f"/t/{baseline.coop_a.slug}/incoming-referrals/{suffix}"


def sent_id(response) -> int:
    """The referral's id from the redirect after sending."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/referrals/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def incoming_of(app, baseline, referral_id: int, cooperative_id: int | None = None):
    """(the municipality's referral, the cooperative's incoming row) as plain dicts."""
    from sqlalchemy import select

    from koepel.tenants.referrals import IncomingReferral, Referral

    columns = lambda obj: {c.key: getattr(obj, c.key) for c in obj.__table__.columns}  # noqa: E731
    with in_tenant(app, baseline.municipality.id) as session:
        referral = session.scalar(select(Referral).where(Referral.id == referral_id))
        sent = columns(referral)
    with in_tenant(app, cooperative_id or sent["target_tenant_id"]) as session:
        incoming = session.scalar(select(IncomingReferral).where(IncomingReferral.link_key == sent["link_key"]))
        received = columns(incoming) if incoming is not None else None
    return sent, received
