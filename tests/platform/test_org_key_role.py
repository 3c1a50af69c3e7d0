"""A tenant never loses its last coordinator (policy advisor, platform administrator),
enforced in one operation, also when two changes happen at once."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import Membership, Tenant, tenant_context
from koepel.platform.tenancy.operations import LastKeyRole, do_remove_membership, do_set_roles


def test_the_last_coordinator_cannot_be_removed(db_session, baseline):
    coop_b = db.session.get(Tenant, baseline.coop_b.id)
    with pytest.raises(LastKeyRole):
        do_remove_membership(coop_b, baseline.coordinator_b.id, "coordinator", actor_id=baseline.coordinator_b.id)
    with pytest.raises(LastKeyRole):
        do_set_roles(coop_b, baseline.coordinator_b.id, {"coach"}, actor_id=baseline.coordinator_b.id)


def test_one_of_two_coordinators_may_go_but_then_not_the_other(db_session, baseline):
    coop_a = db.session.get(Tenant, baseline.coop_a.id)  # coordinator_a and advisor coordinate A
    do_remove_membership(coop_a, baseline.advisor.id, "coordinator", actor_id=baseline.coordinator_a.id)
    with pytest.raises(LastKeyRole):
        do_remove_membership(coop_a, baseline.coordinator_a.id, "coordinator", actor_id=baseline.coordinator_a.id)


@pytest.mark.parametrize("kind_key, person_key, role", [
    ("municipality", "advisor", "policy_advisor"),
    ("umbrella", "umbrella_admin", "umbrella_admin"),
])
def test_every_kind_keeps_its_key_role(db_session, baseline, kind_key, person_key, role):
    tenant = db.session.get(Tenant, getattr(baseline, kind_key).id)
    with pytest.raises(LastKeyRole):
        do_remove_membership(tenant, getattr(baseline, person_key).id, role, actor_id=None)


def test_the_people_page_refuses_with_a_clear_message(app, baseline, as_user):
    client = as_user(baseline.coordinator_b)
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/t/{baseline.coop_b.slug}/people/{baseline.coordinator_b.id}/roles", data={"roles": ["coach"]})
    assert response.status_code == 409
    assert "must keep at least one" in response.get_data(as_text=True)
    with app.app_context(), tenant_context(baseline.coop_b.id):
        roles = set(db.session.scalars(select(Membership.role).where(Membership.user_id == baseline.coordinator_b.id)))
    assert roles == {"coordinator"}


def test_two_changes_at_once_queue_up_on_the_key_role_lock(app, baseline, app_role_dsn):
    """While one unit of work removes a coordinator (locks held, not yet committed), a
    second one cannot read the coordinators to decide: it waits. Here it gives up after
    a short lock timeout, which proves it would have waited and then seen the result."""
    with app.app_context():
        coop_a = db.session.get(Tenant, baseline.coop_a.id)
        do_remove_membership(coop_a, baseline.advisor.id, "coordinator", actor_id=baseline.coordinator_a.id)
        # The first change holds its FOR UPDATE locks until its transaction ends.
        with psycopg.connect(app_role_dsn) as other:
            other.execute("SET lock_timeout = '300ms'")
            other.execute("SELECT set_config('app.tenant_id', %s, true)", (str(baseline.coop_a.id),))
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(
                    "SELECT user_id FROM memberships WHERE tenant_id = %s AND role = 'coordinator' FOR UPDATE",
                    (baseline.coop_a.id,),
                )
            other.rollback()
