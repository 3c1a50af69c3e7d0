"""Helpers for the funding tests: signed-in clients in English and a tenant's scope."""

from __future__ import annotations

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


@pytest.fixture
def coordinator_a(as_user, baseline):
    return english(as_user(baseline.coordinator_a))


@pytest.fixture
def advisor(as_user, baseline):
    """Policy advisor of municipality M (and coordinator of A)."""
    return english(as_user(baseline.advisor))


@pytest.fixture
def official_b(as_user, baseline):
    """Policy advisor and client manager of municipality N."""
    return english(as_user(baseline.official_b))
