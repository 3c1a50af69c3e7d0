"""Those who answer for an organisation confirm its people's erasure; umbrella staff
reset a person's two-factor in any organisation. Both on record in its audit log."""

from sqlalchemy import select

from koepel.platform.account.operations import do_request_erasure
from koepel.platform.audit import AuditEvent
from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, tenant_context


def ask_erasure(app, person):
    with app.app_context():
        do_request_erasure(db.session.get(User, person.id))
        db.session.commit()


def test_a_coordinator_confirms_the_erasure_a_member_asked_for(app, baseline, as_user):
    ask_erasure(app, baseline.member_a)
    coordinator = as_user(baseline.coordinator_a)
    page = coordinator.get(f"/t/{baseline.coop_a.slug}/people/").get_data(as_text=True)
    assert f"/people/{baseline.member_a.id}/erasure/confirm" in page
    response = coordinator.post(f"/t/{baseline.coop_a.slug}/people/{baseline.member_a.id}/erasure/confirm")
    assert response.status_code == 302
    with app.app_context():
        erased = db.session.get(User, baseline.member_a.id)
        assert erased.name == f"Verwijderde persoon #{baseline.member_a.id}" and not erased.is_active_account
        with tenant_context(baseline.coop_a.id):
            assert db.session.scalar(select(Membership.id).where(Membership.user_id == baseline.member_a.id)) is None
            actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(baseline.member_a.id))))
        assert "user.erased" in actions


def test_without_a_request_or_the_permission_nothing_is_erased(app, baseline, as_user):
    coordinator = as_user(baseline.coordinator_a)
    assert coordinator.post(f"/t/{baseline.coop_a.slug}/people/{baseline.member_a.id}/erasure/confirm").status_code == 404
    ask_erasure(app, baseline.member_a)
    member = as_user(baseline.coach_ab)
    assert member.post(f"/t/{baseline.coop_a.slug}/people/{baseline.member_a.id}/erasure/confirm").status_code == 403
    with app.app_context():
        assert db.session.get(User, baseline.member_a.id).is_active_account


def test_umbrella_staff_reset_two_factor_in_any_organisation_on_its_record(app, baseline, as_user):
    with app.app_context():
        assert db.session.get(User, baseline.advisor.id).has_two_factor
    admin = as_user(baseline.umbrella_admin)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/people/{baseline.advisor.id}/two-factor/reset"
    assert admin.post(url).status_code == 302
    with app.app_context():
        assert not db.session.get(User, baseline.advisor.id).has_two_factor
        with tenant_context(baseline.coop_a.id):
            reset = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.two_factor_reset")).all()
        assert [(e.object_id, e.actor_user_id) for e in reset] == [(str(baseline.advisor.id), baseline.umbrella_admin.id)]


def test_umbrella_reset_needs_a_person_of_that_organisation(app, baseline, as_user):
    admin = as_user(baseline.umbrella_admin)
    url = f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_b.id}/people/{baseline.advisor.id}/two-factor/reset"
    assert admin.post(url).status_code == 404
    with app.app_context():
        assert db.session.get(User, baseline.advisor.id).has_two_factor
