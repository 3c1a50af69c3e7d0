"""What may not be sent is refused with a clear message at its field, and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.referrals import IncomingReferral, Referral, ReferralError, do_send_referral
from tests.referrals.conftest import HANDOVER, form_data, in_tenant, referrals_url


def counts(app, baseline) -> tuple[int, int]:
    with in_tenant(app, baseline.municipality.id) as session:
        sent = session.scalar(select(func.count()).select_from(Referral))
    with in_tenant(app, baseline.coop_a.id) as session:
        received = session.scalar(select(func.count()).select_from(IncomingReferral))
    return sent, received


def other_tenant(app, status: str, kind: str = "cooperative") -> int:
    with app.app_context():
        tenant = do_create_tenant(kind=kind, slug=f"refusal-{kind}-{status}", name=f"Refusal {status}", status=status)
        db.session.commit()
        return tenant.id


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"consent": None}, "consent", "A referral needs the resident's consent. Record it before sending."),
    ({"handover": "   "}, "handover", "Write a short hand-over: what the resident wants to do and what helps."),
    ({"handover": "x" * 1001}, "handover", "Keep the hand-over short: at most 1000 characters."),
    ({"resident_name": ""}, "resident_name", "Enter the resident's name."),
    ({"target_tenant_id": ""}, "target_tenant_id", "Choose an active cooperative."),
    ({"target_tenant_id": "suspended"}, "target_tenant_id", "Choose an active cooperative."),
    ({"target_tenant_id": "pending"}, "target_tenant_id", "Choose an active cooperative."),
    ({"target_tenant_id": "municipality"}, "target_tenant_id", "Choose an active cooperative."),
    ({"target_tenant_id": "not-a-number"}, "target_tenant_id", "Choose an active cooperative."),
    ({"resident_date_of_birth": "2999-01-01"}, "resident_date_of_birth", "Enter a date of birth in the past."),
], ids=["no-consent", "no-handover", "handover-too-long", "no-name", "no-cooperative", "suspended-cooperative",
        "pending-cooperative", "a-municipality", "garbage-cooperative", "born-in-the-future"])
def test_refused_with_a_message_at_the_field_and_no_change(app, baseline, manager, overrides, field, message):
    target = overrides.get("target_tenant_id")
    if target in ("suspended", "pending"):
        overrides = {**overrides, "target_tenant_id": str(other_tenant(app, target))}
    elif target == "municipality":
        overrides = {**overrides, "target_tenant_id": str(baseline.municipality_b.id)}
    before = counts(app, baseline)
    response = manager.post(referrals_url(baseline, "new"), data=form_data(baseline, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{message}' in html, html[html.find("<main"):][:4000]
    assert counts(app, baseline) == before
    # The form keeps what was typed.
    if overrides.get("resident_name", "x"):
        assert 'value="Fenna Visser"' in html


@pytest.mark.parametrize(("changes", "field"), [
    ({"consent": False}, "consent"),
    ({"handover": ""}, "handover"),
    ({"handover": "y" * 1001}, "handover"),
    ({"resident_name": " "}, "resident_name"),
    ({"resident_email": "not-an-address"}, "resident_email"),
    ({"resident_date_of_birth": date(2999, 1, 1)}, "resident_date_of_birth"),
    ({"target_tenant_id": None}, "target_tenant_id"),
    ({"idempotency_key": "short"}, "idempotency_key"),
])
def test_the_operation_refuses_on_its_own(app, db_session, baseline, changes, field):
    """The form is not the only guard: the operation checks every rule itself."""
    arguments = {"resident_name": "Fenna Visser", "handover": HANDOVER, "target_tenant_id": baseline.coop_a.id,
                 "consent": True, "actor_id": baseline.client_manager.id, **changes}
    with app.test_request_context(), tenant_context(baseline.municipality.id, baseline.client_manager.id):
        before = db_session.scalar(select(func.count()).select_from(Referral))
        with pytest.raises(ReferralError) as refused:
            do_send_referral(**arguments)
        assert refused.value.field == field
        assert db_session.scalar(select(func.count()).select_from(Referral)) == before


def test_the_operation_refuses_an_inactive_cooperative(app, db_session, baseline):
    suspended = do_create_tenant(kind="cooperative", slug="refusal-suspended-op", name="Suspended", status="suspended")
    with app.test_request_context(), force_locale("en"), tenant_context(baseline.municipality.id,
                                                                          baseline.client_manager.id):
        with pytest.raises(ReferralError, match="Choose an active cooperative.") as refused:
            do_send_referral(resident_name="Fenna Visser", handover=HANDOVER, target_tenant_id=suspended.id,
                             consent=True, actor_id=baseline.client_manager.id)
    assert refused.value.field == "target_tenant_id"


def test_only_a_municipality_sends_and_only_a_cooperative_accepts(db_session, baseline):
    from koepel.tenants.referrals import do_accept_referral

    with tenant_context(baseline.coop_b.id, baseline.coordinator_b.id):
        with pytest.raises(ReferralError):
            do_send_referral(resident_name="Fenna Visser", handover=HANDOVER, target_tenant_id=baseline.coop_a.id,
                             consent=True, actor_id=baseline.coordinator_b.id)
    with tenant_context(baseline.municipality.id, baseline.client_manager.id):
        with pytest.raises(ReferralError):
            do_accept_referral(db_session.get(Referral, (baseline.municipality.id, baseline.extra["referral_m"])),
                               actor_id=baseline.client_manager.id)
        assert db_session.get(Referral, (baseline.municipality.id, baseline.extra["referral_m"])).status == "sent"


def test_a_policy_advisor_reads_referrals_but_does_not_send(app, baseline, as_user):
    client = as_user(baseline.advisor)
    assert client.get(referrals_url(baseline)).status_code == 200
    assert client.get(referrals_url(baseline, str(baseline.extra["referral_m"]))).status_code == 200
    before = counts(app, baseline)
    assert client.post(referrals_url(baseline, "new"), data=form_data(baseline)).status_code == 403
    assert client.post(referrals_url(baseline, f"{baseline.extra['referral_m']}/withdraw")).status_code == 403
    assert counts(app, baseline) == before
