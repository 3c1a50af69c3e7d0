"""The member portal (a member's own pages) and the coordinator's dashboard."""

from __future__ import annotations

import re
from datetime import time, timedelta

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.coaching import do_add_goal, do_add_note
from koepel.tenants.ladder import do_measure
from koepel.tenants.meetings import do_plan_meeting
from koepel.tenants.members import Member, do_register_member, do_transition
from koepel.tenants.pots import pot_holds
from koepel.tenants.referrals import do_send_referral
from tests.conftest import person_with_role

TODAY = amsterdam_today()


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def member_a(baseline) -> Member:
    return db.session.get(Member, (baseline.coop_a.id, baseline.extra["member_a"]))


def test_a_member_sees_their_own_status_goals_ladder_meetings_and_coach(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coach_ab.id):
        me = member_a(baseline)
        do_add_goal(me, title="Five repair customers", target_on=TODAY + timedelta(days=60), actor_id=baseline.coach_ab.id)
        do_add_note(me, held_on=TODAY, kind="personal", body="Talked about prices for flat tyres.",
                    next_appointment_on=TODAY + timedelta(days=5), actor_id=baseline.coach_ab.id)
        do_measure(me, rung=3, measured_on=TODAY, note="", actor_id=baseline.coach_ab.id)
        do_plan_meeting(title="Evening of sharing", day=TODAY + timedelta(days=3), start=time(19, 30), end=time(21, 0),
                        actor_id=baseline.coach_ab.id)
        other = do_register_member(name="Somebody Else", stage="intake", actor_id=None)
        do_add_goal(other, title="A goal of somebody else", actor_id=baseline.coach_ab.id)
        db.session.commit()
    client = english(as_user(baseline.member_a))
    page = client.get(f"/t/{baseline.coop_a.slug}/my/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Intake" in html and "Fietsen A" in html
    assert "Coach Ab" in html and baseline.coach_ab.email in html
    assert "Five repair customers" in html and "Talked about prices for flat tyres." in html
    assert "Evening of sharing" in html
    assert 'id="my-ladder-chart-title"' in html and "Organised activities (weekly)" in html
    assert "A goal of somebody else" not in html and "Somebody Else" not in html
    # The savings pot as the books hold it, with the way to ask to spend from it.
    with app.app_context(), tenant_context(baseline.coop_a.id):
        holds = pot_holds(baseline.extra["member_a"])
    assert holds > Money(0) and f'<p class="portal-pot">{holds.format()}</p>' in html
    assert f"/t/{baseline.coop_a.slug}/pots/mine/requests/new" in html


def test_the_trial_end_is_flagged_to_the_member(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        me = member_a(baseline)
        do_transition(me, "business_plan", on_date=TODAY - timedelta(days=100), actor_id=None, today=TODAY)
        do_transition(me, "trial", on_date=TODAY - timedelta(days=80), actor_id=None, today=TODAY)
        db.session.commit()
        ends = me.trial_ends_on
    html = english(as_user(baseline.member_a)).get(f"/t/{baseline.coop_a.slug}/my/").get_data(as_text=True)
    assert f"Your trial period ends on {ends.strftime('%d-%m-%Y')}" in html
    assert "flash-warning" in html


def test_an_account_not_linked_to_a_member_sees_how_to_get_linked(app, baseline, as_user):
    with app.app_context():
        candidate = person_with_role(baseline.coop_a.id, "candidate", "unlinked-candidate@test.example.org")
    page = english(as_user(candidate)).get(f"/t/{baseline.coop_a.slug}/my/")
    assert page.status_code == 200 and "not linked to your membership file" in page.get_data(as_text=True)


def test_members_and_candidates_land_on_their_page(baseline, as_user):
    response = as_user(baseline.member_a).get(f"/t/{baseline.coop_a.slug}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/t/{baseline.coop_a.slug}/my/")
    # A coach (also a person of the workspace) keeps the workspace home.
    assert as_user(baseline.coach_ab).get(f"/t/{baseline.coop_a.slug}/").status_code == 200


def test_the_portal_is_not_for_coordinators_and_does_not_exist_in_a_municipality(baseline, as_user):
    assert as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/my/").status_code == 403
    assert as_user(baseline.client_manager).get(f"/t/{baseline.municipality.slug}/my/").status_code == 404


def figures(html: str, chart_id: str) -> dict[str, str]:
    """The figures table of a chart: {row label: figure}."""
    figure = html.split(f'id="{chart_id}-title"')[1].split("</figure>")[0]
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', figure))


def test_the_coordinators_dashboard(app, baseline, as_user):
    with app.app_context():
        with tenant_context(baseline.coop_a.id):
            trial = do_register_member(name="Trial Ending Soon", stage="intake", on_date=TODAY - timedelta(days=120),
                                       actor_id=None, today=TODAY)
            do_transition(trial, "business_plan", on_date=TODAY - timedelta(days=110), actor_id=None, today=TODAY)
            do_transition(trial, "trial", on_date=TODAY - timedelta(days=85), actor_id=None, today=TODAY)
            do_register_member(name="Never Measured", stage="intake", actor_id=None)
        with tenant_context(baseline.municipality.id, baseline.client_manager.id):
            do_send_referral(resident_name="Waiting Resident", handover="Wants to start a bike repair shop.",
                             target_tenant_id=baseline.coop_a.id, consent=True, actor_id=baseline.client_manager.id)
        db.session.commit()
    html = english(as_user(baseline.coordinator_a)).get(f"/t/{baseline.coop_a.slug}/").get_data(as_text=True)
    by_stage = figures(html, "members-by-stage")
    # Baseline member A and "Never Measured" in intake, "Trial Ending Soon" in trial.
    assert by_stage["Intake"] == "2" and by_stage["Trial period"] == "1" and by_stage["Member"] == "0"
    assert "Trial Ending Soon" in html.split("Trial periods ending")[1].split("</section>")[0]
    due = html.split("Ladder measurements due")[1].split("</section>")[0]
    assert "Never Measured" in due and "Trial Ending Soon" in due
    assert "2 referrals await your decision." in html  # the baseline's and this one
    over_time = figures(html, "members-over-time")
    assert len(over_time) == 12 and list(over_time.values())[-1] == "3"  # twelve months, ending today


def test_a_coach_sees_the_dashboard_of_their_own_members_only(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        do_register_member(name="Not Coached By Ab", stage="intake", actor_id=None)
        db.session.commit()
    html = english(as_user(baseline.coach_ab)).get(f"/t/{baseline.coop_a.slug}/").get_data(as_text=True)
    assert figures(html, "members-by-stage")["Intake"] == "1"
    assert "Not Coached By Ab" not in html
