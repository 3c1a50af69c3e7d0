"""Helpers for the agreement tests: signed-in clients in English, the terms form, and
checks below the HTTP layer in a tenant's scope."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


@contextmanager
def in_tenant(app, tenant_id, user_id=None):
    """A tenant's scope in an app context of its own (never shared with a request's)."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context

    with app.app_context(), tenant_context(tenant_id, user_id):
        yield db.session


def form_data(**overrides) -> dict:
    """The terms form filled in the way people type: Dutch amounts and percentages."""
    from datetime import timedelta

    from koepel.platform.dates import amsterdam_today

    data = {
        "valid_from": (amsterdam_today() + timedelta(days=8)).isoformat(), "cooperative_share_kind": "percentage", "cooperative_share": "12,5",
        "cooperative_flat": "", "training_pot_share": "5", "municipality_share": "20",
        "municipality_threshold": "450,00", "pot_categories": ["tools", "training"],
        "pot_on_leaving": "keep_for_period", "keep_months": "6", "exempt_from_job_applications": "y",
        "exempt_from_reintegration": "y", "coordination_hours": "7,5", "housing_contribution": "1.250,00",
        "notes": "Agreed at the meeting of 12 November.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def agreement_url(slug: str, suffix: str = "") -> str:
    return f"/t/{slug}/agreements/{suffix}"


def redirected_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.search(r"/agreements/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def copies(app, agreement_id: int, *tenant_ids) -> dict:
    """Each tenant's copy: {tenant id: (agreement columns, [version columns by number])}."""
    from sqlalchemy import select

    from koepel.tenants.agreements import Agreement, AgreementVersion

    columns = lambda obj: {c.key: getattr(obj, c.key) for c in obj.__table__.columns}  # noqa: E731
    found = {}
    for tenant_id in tenant_ids:
        with in_tenant(app, tenant_id) as session:
            agreement = session.scalar(select(Agreement).where(Agreement.id == agreement_id))
            if agreement is None:
                found[tenant_id] = None
                continue
            versions = session.scalars(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id)
                                       .order_by(AgreementVersion.number)).all()
            found[tenant_id] = (columns(agreement), [columns(v) for v in versions])
    return found


@pytest.fixture
def coordinator_a(as_user, baseline):
    return english(as_user(baseline.coordinator_a))


@pytest.fixture
def official_b(as_user, baseline):
    """Policy advisor (and client manager) of municipality N, in English."""
    return english(as_user(baseline.official_b))
