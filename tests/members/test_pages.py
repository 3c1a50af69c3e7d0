"""The member pages: the list, registering, a member's page and journey, editing, the photo,
assigning a coach and account, the trial's end and the journey settings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from koepel.platform.audit import AuditEvent
from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.members import JourneySettings, Member
from tests.conftest import person_with_role
from tests.members.images import JPEG, png
from tests.members.support import english, load_member, make_member, members_url

TODAY = amsterdam_today()


def _member_count(app, tenant_id: int) -> int:
    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).select_from(Member))


def _actions(app, tenant_id: int, action: str) -> int:
    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _options(page: str, select_name: str) -> list[str]:
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {select_name}"
    return re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))


NEW_MEMBER = {
    "name": "Fatima El Amrani", "email": "fatima@example.org", "phone": "06 1234 5678", "date_of_birth": "1984-03-02",
    "municipality": "Delft", "language": "ar", "referral_source": "municipality",
    "trade_name": "Naaiatelier Fatima", "activity": "Sewing and alterations", "description": "Repairs clothes.",
    "stage": "referred", "on_date": (TODAY - timedelta(days=3)).isoformat(), "coach_user_id": "",
}


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_members_with_stage_coach_and_counts(app, baseline, as_user):
    make_member(app, baseline.coop_a.id, stage="trial", name="Listed Trialist", coach_id=baseline.coach_ab.id,
                business={"trade_name": "Trial Bakery"})
    client = english(as_user(baseline.coordinator_a))
    page = client.get(members_url(baseline, "/")).get_data(as_text=True)
    assert "Baseline Member A" in page and "Fietsen A" in page
    assert "Listed Trialist" in page and "Trial Bakery" in page and "Trial period" in page
    assert "Coach Ab" in page
    assert "Baseline Member B" not in page  # the other cooperative
    assert re.search(r'id="count-trial">(\d+)<', page).group(1) != "0"
    assert 'href="/t/coop-a/members/new"' in page  # members.edit may register


def test_the_list_filters_by_stage_and_searches_names(app, baseline, as_user):
    make_member(app, baseline.coop_a.id, stage="business_plan", name="Planner Jansen")
    client = as_user(baseline.coordinator_a)
    page = client.get(members_url(baseline, "/"), query_string={"stage": "business_plan"}).get_data(as_text=True)
    assert "Planner Jansen" in page and "Baseline Member A" not in page
    page = client.get(members_url(baseline, "/"), query_string={"q": "jans"}).get_data(as_text=True)
    assert "Planner Jansen" in page and "Baseline Member A" not in page
    page = client.get(members_url(baseline, "/"), query_string={"q": "fietsen"}).get_data(as_text=True)
    assert "Baseline Member A" in page and "Planner Jansen" not in page  # the trade name counts too
    page = client.get(members_url(baseline, "/"), query_string={"q": "%"}).get_data(as_text=True)
    assert "Planner Jansen" not in page  # a wildcard is a character, not a pattern


def test_an_unknown_stage_filter_is_a_400_with_a_message(baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    response = client.get(members_url(baseline, "/"), query_string={"stage": "nonsense"})
    assert response.status_code == 400
    assert "Choose a stage from the list." in response.get_data(as_text=True)


# --- registering ----------------------------------------------------------------------------


def test_a_coordinator_registers_a_member_with_a_business(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    form = client.get(members_url(baseline, "/new")).get_data(as_text=True)
    assert "bsn" not in form.lower().replace("(bsn)", "")  # a sentence says it is never stored; no field
    assert not re.search(r'name="[^"]*(bsn|citizen)[^"]*"', form, re.I)
    response = client.post(members_url(baseline, "/new"), data={**NEW_MEMBER, "coach_user_id": str(baseline.coach_ab.id)})
    assert response.status_code == 302
    member_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    member, steps = load_member(app, baseline.coop_a.id, member_id)
    assert (member.name, member.email, member.municipality, member.language) == (
        "Fatima El Amrani", "fatima@example.org", "Delft", "ar")
    assert member.date_of_birth == date(1984, 3, 2)
    assert member.stage == "referred" and member.stage_since == TODAY - timedelta(days=3)
    assert member.coach_user_id == baseline.coach_ab.id
    assert member.business.trade_name == "Naaiatelier Fatima"
    assert [(s.from_stage, s.to_stage, s.actor_user_id) for s in steps] == [(None, "referred", baseline.coordinator_a.id)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fatima El Amrani" in page and "Naaiatelier Fatima" in page


def test_a_coach_who_registers_without_choosing_becomes_the_coach(app, baseline, as_user):
    client = as_user(baseline.coach_ab)
    response = client.post(members_url(baseline, "/new"), data={**NEW_MEMBER, "stage": "intake"})
    assert response.status_code == 302
    member_id = int(response.headers["Location"].rsplit("/", 1)[1])
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert member.coach_user_id == baseline.coach_ab.id and member.stage == "intake"


@pytest.mark.parametrize("changes, field_message", [
    ({"on_date": "31-02-2026"}, "Enter a date as dd-mm-yyyy."),
    ({"on_date": "yesterday"}, "Enter a date as dd-mm-yyyy."),
    ({"on_date": (TODAY + timedelta(days=2)).isoformat()}, "The date cannot be in the future."),
    ({"on_date": "1899-05-01"}, "Enter a date after 01-01-2000."),
    ({"on_date": ""}, "Enter the date."),
    ({"date_of_birth": (TODAY + timedelta(days=1)).isoformat()}, "Enter a date of birth in the past."),
    ({"date_of_birth": "2-30-1980"}, "Enter a date as dd-mm-yyyy."),
    ({"name": "  "}, "Enter the name."),
    ({"email": "not-an-address"}, "Enter a valid email address."),
    ({"stage": "member"}, "A journey starts with a referral or an intake."),
    ({"coach_user_id": "999999"}, "Choose a coach of this cooperative."),
])
def test_bad_registrations_are_refused_with_a_message_and_change_nothing(app, baseline, as_user, changes,
                                                                        field_message):
    before = _member_count(app, baseline.coop_a.id)
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, "/new"), data={**NEW_MEMBER, **changes})
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert _member_count(app, baseline.coop_a.id) == before


def test_a_date_typed_the_dutch_way_is_understood(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    day = TODAY - timedelta(days=10)
    response = client.post(members_url(baseline, "/new"), data={**NEW_MEMBER, "on_date": day.strftime("%d-%m-%Y")})
    assert response.status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert member.stage_since == day


# --- a member's page and the journey -----------------------------------------------------------


def test_the_member_page_shows_details_business_coach_account_and_the_timeline(baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    page = client.get(members_url(baseline, f"/{baseline.extra['member_a']}")).get_data(as_text=True)
    assert "Baseline Member A" in page and "Fietsen A" in page and "Bike repairs" in page
    assert "Coach Ab" in page and "member_a@test.example.org" in page  # coach and portal account
    assert 'id="stage">Intake<' in page
    assert f'src="/t/coop-a/members/{baseline.extra["member_a"]}/photo"' in page
    # The timeline, newest first, with the date, the step, who and why.
    timeline = page[page.index('id="timeline"'):]
    assert timeline.index("12-01-2026") < timeline.index("05-01-2026")
    assert "Referred → Intake" in timeline and "Start: Referred" in timeline
    assert "by Coach Ab" in timeline and "First talk went well" in timeline
    # Only the allowed next stages are offered.
    assert _options(page, "to_stage") == ["business_plan", "stopped"]
    assert "More about this member" in page


def test_an_allowed_step_is_recorded_with_who_and_why(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="intake", coach_id=baseline.coach_ab.id)
    client = as_user(baseline.coach_ab)
    day = TODAY - timedelta(days=1)
    response = client.post(members_url(baseline, f"/{member_id}/transition"),
                           data={"to_stage": "business_plan", "on_date": day.isoformat(), "reason": "Plan started"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/members/{member_id}")
    member, steps = load_member(app, baseline.coop_a.id, member_id)
    assert member.stage == "business_plan" and member.stage_since == day
    last = steps[-1]
    assert (last.from_stage, last.to_stage, last.reason, last.actor_user_id) == (
        "intake", "business_plan", "Plan started", baseline.coach_ab.id)
    assert _actions(app, baseline.coop_a.id, "members.transitioned") >= 1


@pytest.mark.parametrize("data, message, field", [
    ({"to_stage": "member"}, "From “Intake” the journey cannot go to “Member”.", "to_stage"),
    ({"to_stage": "trial"}, "From “Intake” the journey cannot go to “Trial period”.", "to_stage"),
    ({"to_stage": "nowhere"}, "This stage does not exist.", "to_stage"),
    ({"to_stage": "stopped", "outcome": "own_choice", "reason": "   "}, "Say why the journey stops.", "reason"),
    ({"to_stage": "stopped", "reason": "Moved to Groningen"}, "Choose the outcome.", "outcome"),
    ({"to_stage": "business_plan", "outcome": "health"}, "Only outflow and stopping have an outcome.", "outcome"),
    ({"to_stage": "business_plan", "on_date": "2026-13-01"}, "Enter a date as dd-mm-yyyy.", "on_date"),
    ({"to_stage": "business_plan", "on_date": (TODAY + timedelta(days=1)).isoformat()},
     "The date cannot be in the future.", "on_date"),
    ({"to_stage": "business_plan", "on_date": "2020-01-01"}, "The date cannot be before the previous step", "on_date"),
    ({}, "Choose the next stage.", "to_stage"),
])
def test_a_refused_step_shows_the_reason_at_its_field_and_changes_nothing(app, baseline, as_user, data, message,
                                                                         field):
    member_id = make_member(app, baseline.coop_a.id, stage="intake", start=TODAY - timedelta(days=30))
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, f"/{member_id}/transition"),
                           data={"on_date": TODAY.isoformat(), **data})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message in error.group(1).replace("&#34;", '"'), page[page.find("field-error") - 300:][:800]
    member, steps = load_member(app, baseline.coop_a.id, member_id)
    assert member.stage == "intake" and len(steps) == 1


def test_outflow_needs_its_outcome_and_keeps_it(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="member")
    client = english(as_user(baseline.coordinator_a))
    page = client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    assert _options(page, "to_stage") == ["outflow", "stopped"]
    assert {"regular_job", "own_business", "other_independence", "own_choice"} <= set(_options(page, "outcome"))
    refused = client.post(members_url(baseline, f"/{member_id}/transition"), data={"to_stage": "outflow",
                                                                                  "on_date": TODAY.isoformat()})
    assert refused.status_code == 400 and "Choose the outcome." in refused.get_data(as_text=True)
    assert load_member(app, baseline.coop_a.id, member_id)[0].stage == "member"
    done = client.post(members_url(baseline, f"/{member_id}/transition"),
                       data={"to_stage": "outflow", "outcome": "own_business", "on_date": TODAY.isoformat()})
    assert done.status_code == 302
    member, steps = load_member(app, baseline.coop_a.id, member_id)
    assert (member.stage, member.outcome, steps[-1].outcome) == ("outflow", "own_business", "own_business")
    page = client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    assert "To an own business outside the cooperative" in page
    assert _options(page, "to_stage") == ["referred", "intake"]  # re-entry


def test_stopping_with_a_reason_ends_the_journey(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="business_plan")
    client = as_user(baseline.coordinator_a)
    response = client.post(members_url(baseline, f"/{member_id}/transition"), data={
        "to_stage": "stopped", "outcome": "health", "reason": "Needs rest first", "on_date": TODAY.isoformat()})
    assert response.status_code == 302
    member, steps = load_member(app, baseline.coop_a.id, member_id)
    assert (member.stage, member.outcome, steps[-1].reason) == ("stopped", "health", "Needs rest first")


# --- the trial period ---------------------------------------------------------------------------


@pytest.mark.parametrize("days, expected", [
    (10, "Trial ends on {date}, in 10 days."),
    (1, "Trial ends on {date}, in 1 day."),
    (0, "Trial ends today ({date})."),
    (-4, "Trial ended 4 days ago ({date})."),
])
def test_a_trial_ending_soon_or_past_is_flagged(app, baseline, as_user, days, expected):
    from koepel.tenants.members import do_set_trial_end

    member_id = make_member(app, baseline.coop_a.id, stage="trial", start=TODAY - timedelta(days=60))
    ends = TODAY + timedelta(days=days)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        do_set_trial_end(db.session.get(Member, (baseline.coop_a.id, member_id)), ends, actor_id=None)
        db.session.commit()
    page = english(as_user(baseline.coordinator_a)).get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    flag = re.search(r'id="trial-flag"[^>]*>(.*?)</p>', page, re.S)
    assert flag and expected.format(date=ends.strftime("%d-%m-%Y")) in " ".join(flag.group(1).split())


def test_a_trial_ending_beyond_the_warning_window_is_not_flagged(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="trial")  # started a week ago: ends in ~3 months
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    page = english(as_user(baseline.coordinator_a)).get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    assert 'id="trial-flag"' not in page
    assert f"The trial period ends on {member.trial_ends_on.strftime('%d-%m-%Y')}." in page


def test_the_warning_window_is_the_cooperatives_setting(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="trial", start=TODAY - timedelta(days=60))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        from koepel.tenants.members import do_set_trial_end, do_update_settings

        do_set_trial_end(db.session.get(Member, (baseline.coop_a.id, member_id)), TODAY + timedelta(days=40),
                         actor_id=None)
        db.session.commit()
    client = english(as_user(baseline.coordinator_a))
    assert 'id="trial-flag"' not in client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        do_update_settings(trial_months=3, trial_warning_days=45, actor_id=None)
        db.session.commit()
    assert "in 40 days" in client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)


def test_the_end_of_a_running_trial_can_be_moved(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="trial")
    client = english(as_user(baseline.coordinator_a))
    later = TODAY + timedelta(days=120)
    response = client.post(members_url(baseline, f"/{member_id}/trial-end"), data={"trial_ends_on": later.isoformat()})
    assert response.status_code == 302
    assert load_member(app, baseline.coop_a.id, member_id)[0].trial_ends_on == later
    assert _actions(app, baseline.coop_a.id, "members.trial_end_changed") >= 1
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    refused = client.post(members_url(baseline, f"/{member_id}/trial-end"),
                          data={"trial_ends_on": member.stage_since.isoformat()})
    assert refused.status_code == 400 and "The trial must end after it started." in refused.get_data(as_text=True)
    bad = client.post(members_url(baseline, f"/{member_id}/trial-end"), data={"trial_ends_on": "someday"})
    assert bad.status_code == 400 and "Enter a date as dd-mm-yyyy." in bad.get_data(as_text=True)
    assert load_member(app, baseline.coop_a.id, member_id)[0].trial_ends_on == later


def test_only_a_running_trial_has_an_end_to_move(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, f"/{baseline.extra['member_a']}/trial-end"),
                           data={"trial_ends_on": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 400
    assert "Only a running trial period has an end date." in response.get_data(as_text=True)


# --- settings -------------------------------------------------------------------------------


def test_a_new_trial_length_applies_to_the_next_trial(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, stage="business_plan")
    client = english(as_user(baseline.coordinator_a))
    page = client.get(members_url(baseline, "/settings")).get_data(as_text=True)
    assert 'name="trial_months"' in page
    response = client.post(members_url(baseline, "/settings"), data={"trial_months": "6", "trial_warning_days": "30"})
    assert response.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        settings = db.session.scalar(select(JourneySettings))
        assert (settings.trial_months, settings.trial_warning_days) == (6, 30)
    day = TODAY - timedelta(days=1)
    client.post(members_url(baseline, f"/{member_id}/transition"), data={"to_stage": "trial", "on_date": day.isoformat()})
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert member.stage == "trial" and member.trial_ends_on == add_months(day, 6)
    assert _actions(app, baseline.coop_a.id, "members.settings_changed") >= 1


@pytest.mark.parametrize("data, message", [
    ({"trial_months": "13", "trial_warning_days": "21"}, "A trial period lasts 1 to 12 months."),
    ({"trial_months": "0", "trial_warning_days": "21"}, "A trial period lasts 1 to 12 months."),
    ({"trial_months": "3", "trial_warning_days": "91"}, "Flag a trial's end 1 to 90 days ahead."),
    ({"trial_months": "three", "trial_warning_days": "21"}, "Enter a whole number."),
    ({}, "Enter the number of months."),
])
def test_bad_settings_are_refused_and_change_nothing(app, baseline, as_user, data, message):
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, "/settings"), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    with app.app_context(), tenant_context(baseline.coop_a.id):
        settings = db.session.scalar(select(JourneySettings))
        assert (settings.trial_months, settings.trial_warning_days) == (3, 21)


# --- who sees whom ------------------------------------------------------------------------------


def test_a_coach_sees_only_their_own_members(app, baseline, as_user):
    own = make_member(app, baseline.coop_a.id, name="Coached By Ab", coach_id=baseline.coach_ab.id)
    other = make_member(app, baseline.coop_a.id, name="Coached By Coordinator", coach_id=baseline.coordinator_a.id)
    client = as_user(baseline.coach_ab)
    page = client.get(members_url(baseline, "/")).get_data(as_text=True)
    assert "Coached By Ab" in page and "Coached By Coordinator" not in page
    assert client.get(members_url(baseline, f"/{own}")).status_code == 200
    for method, suffix in [("GET", ""), ("GET", "/edit"), ("POST", "/edit"), ("GET", "/photo"),
                           ("POST", "/transition"), ("POST", "/trial-end")]:
        assert client.open(members_url(baseline, f"/{other}{suffix}"), method=method).status_code == 404, suffix
    response = client.post(members_url(baseline, f"/{other}/transition"),
                           data={"to_stage": "business_plan", "on_date": TODAY.isoformat()})
    assert response.status_code == 404
    assert load_member(app, baseline.coop_a.id, other)[0].stage == "intake"


def test_a_treasurer_sees_every_member_but_cannot_move_them(app, baseline, as_user):
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "treasurer-members@test.example.org")
    other = make_member(app, baseline.coop_a.id, name="Coached By Coordinator", coach_id=baseline.coordinator_a.id)
    client = as_user(treasurer)
    page = client.get(members_url(baseline, "/")).get_data(as_text=True)
    assert "Coached By Coordinator" in page and "Baseline Member A" in page
    assert 'href="/t/coop-a/members/new"' not in page
    page = client.get(members_url(baseline, f"/{other}")).get_data(as_text=True)
    assert 'name="to_stage"' not in page and 'name="coach_user_id"' not in page
    response = client.post(members_url(baseline, f"/{other}/transition"),
                           data={"to_stage": "business_plan", "on_date": TODAY.isoformat()})
    assert response.status_code == 403
    assert client.get(members_url(baseline, f"/{other}/edit")).status_code == 403
    assert load_member(app, baseline.coop_a.id, other)[0].stage == "intake"


def test_a_member_of_the_cooperative_has_no_member_pages(baseline, as_user):
    client = as_user(baseline.member_a)
    assert client.get(members_url(baseline, "/")).status_code == 403
    assert client.get(members_url(baseline, f"/{baseline.extra['member_a']}")).status_code == 403


def test_another_cooperatives_member_is_not_found(baseline, as_user):
    client = as_user(baseline.coordinator_b)
    assert client.get(members_url(baseline, f"/{baseline.extra['member_a']}", tenant=baseline.coop_b)).status_code == 404
    assert client.get(members_url(baseline, f"/{baseline.extra['member_b']}", tenant=baseline.coop_b)).status_code == 200


# --- editing and the photo ------------------------------------------------------------------


def _edit_data(member, **changes) -> dict:
    data = {"name": member.name, "email": member.email or "", "phone": member.phone or "", "date_of_birth": "",
            "municipality": member.municipality or "", "language": member.language,
            "referral_source": member.referral_source,
            "trade_name": member.business.trade_name if member.business else "",
            "activity": member.business.activity if member.business else "",
            "description": member.business.description if member.business else ""}
    return {**data, **changes}


def test_editing_changes_the_person_and_the_business(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id, coach_id=baseline.coach_ab.id)
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    client = as_user(baseline.coach_ab)
    page = client.get(members_url(baseline, f"/{member_id}/edit")).get_data(as_text=True)
    assert 'value="Test Member"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(members_url(baseline, f"/{member_id}/edit"), data=_edit_data(
        member, name="Test Member-Bakker", phone="015 123 4567", date_of_birth="1979-11-30",
        trade_name="Bakker Fietsen", activity="Bikes"))
    assert response.status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (member.name, member.phone, member.date_of_birth) == ("Test Member-Bakker", "015 123 4567", date(1979, 11, 30))
    assert (member.business.trade_name, member.business.activity) == ("Bakker Fietsen", "Bikes")
    assert _actions(app, baseline.coop_a.id, "members.updated") >= 1


@pytest.mark.parametrize("changes, message", [
    ({"date_of_birth": "30-30-1980"}, "Enter a date as dd-mm-yyyy."),
    ({"date_of_birth": (TODAY + timedelta(days=5)).isoformat()}, "Enter a date of birth in the past."),
    ({"name": ""}, "Enter the name."),
    ({"trade_name": ""}, "Enter the trade name."),
    ({"language": "xx"}, "Choose a language from the list."),
])
def test_bad_edits_are_refused_and_change_nothing(app, baseline, as_user, changes, message):
    member_id = make_member(app, baseline.coop_a.id, business={"trade_name": "Keep Me"})
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, f"/{member_id}/edit"),
                           data=_edit_data(member, phone="099 999", **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    after, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (after.name, after.phone, after.business.trade_name) == ("Test Member", None, "Keep Me")


def _upload(client, baseline, member, data: bytes, filename: str):
    return client.post(members_url(baseline, f"/{member.id}/edit"), content_type="multipart/form-data",
                       data={**_edit_data(member), "photo": (BytesIO(data), filename)})


@pytest.mark.parametrize("data, filename, mimetype", [(png(3, 2), "shop.png", "image/png"),
                                                     (JPEG, "shop.JPG", "image/jpeg"),
                                                     (png(), "named-wrongly.jpg", "image/png")])
def test_a_photo_upload_is_stored_and_served(app, baseline, as_user, data, filename, mimetype):
    member_id = make_member(app, baseline.coop_a.id, business={"trade_name": "Photo Shop"})
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    client = as_user(baseline.coordinator_a)
    assert client.get(members_url(baseline, f"/{member_id}/photo")).status_code == 404  # none yet
    assert _upload(client, baseline, member, data, filename).status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    stored = Path(app.instance_path) / "uploads" / str(baseline.coop_a.id) / "businesses" / member.business.photo_file
    assert stored.read_bytes() == data
    assert re.fullmatch(r"[0-9a-f]{32}\.(png|jpg)", member.business.photo_file)  # never the uploaded name
    served = client.get(members_url(baseline, f"/{member_id}/photo"))
    assert served.status_code == 200 and served.data == data and served.mimetype == mimetype
    assert _actions(app, baseline.coop_a.id, "members.photo_changed") >= 1
    # A new photo replaces the old file.
    assert _upload(client, baseline, member, png(5, 5), "new.png").status_code == 302
    assert not stored.exists()


@pytest.mark.parametrize("data, filename, message", [
    (b"Just some text, not a picture at all.\n", "fake.png", "Upload a photo as a PNG or JPEG image."),
    (b"GIF89a" + b"\x00" * 20, "anim.gif", "Upload a photo as a PNG or JPEG image."),
    (png() + b"\x00" * (2 * 1024 * 1024), "huge.png", "The photo may be at most 2 MB."),
])
def test_a_photo_that_is_not_a_small_png_or_jpeg_is_refused(app, baseline, as_user, data, filename, message):
    member_id = make_member(app, baseline.coop_a.id, business={"trade_name": "Photo Shop"})
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    client = english(as_user(baseline.coordinator_a))
    response = _upload(client, baseline, member, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    after, _ = load_member(app, baseline.coop_a.id, member_id)
    assert after.business.photo_file is None
    folder = Path(app.instance_path) / "uploads" / str(baseline.coop_a.id) / "businesses"
    assert not folder.exists() or not any(p.read_bytes() == data for p in folder.iterdir())  # nothing written


def test_a_photo_needs_a_business(app, baseline, as_user):
    member_id = make_member(app, baseline.coop_a.id)
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    client = english(as_user(baseline.coordinator_a))
    response = _upload(client, baseline, member, png(), "shop.png")
    assert response.status_code == 400
    assert "Enter the trade name of the business first." in response.get_data(as_text=True)
    assert load_member(app, baseline.coop_a.id, member_id)[0].business is None


# --- coach and portal account -------------------------------------------------------------------


def test_the_coordinator_assigns_a_coach_and_links_the_portal_account(app, baseline, as_user):
    with app.app_context():
        candidate = person_with_role(baseline.coop_a.id, "candidate", "candidate-members@test.example.org", "Kandidaat")
    member_id = make_member(app, baseline.coop_a.id, name="Needs A Coach")
    client = as_user(baseline.coordinator_a)
    page = client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    assert str(baseline.coach_ab.id) in _options(page, "coach_user_id")
    assert str(baseline.member_a.id) not in _options(page, "coach_user_id")
    assert str(candidate.id) in _options(page, "user_id") and str(baseline.coach_ab.id) not in _options(page, "user_id")
    response = client.post(members_url(baseline, f"/{member_id}/assign"),
                           data={"coach_user_id": str(baseline.coach_ab.id), "user_id": str(candidate.id)})
    assert response.status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (member.coach_user_id, member.user_id) == (baseline.coach_ab.id, candidate.id)
    # The coach now sees the member.
    assert as_user(baseline.coach_ab).get(members_url(baseline, f"/{member_id}")).status_code == 200
    response = client.post(members_url(baseline, f"/{member_id}/assign"), data={"coach_user_id": "none",
                                                                               "user_id": "none"})
    assert response.status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (member.coach_user_id, member.user_id) == (None, None)


@pytest.mark.parametrize("data, message", [
    ({}, "Choose a coach or “No coach”."),
    ({"coach_user_id": "none", "user_id": "{coach}"},
     "Choose an account of this cooperative with the role member or candidate."),
    ({"coach_user_id": "{member}", "user_id": "none"}, "Choose a coach of this cooperative."),
    ({"coach_user_id": "none", "user_id": "{member}"}, "This account already belongs to another member."),
])
def test_a_bad_assignment_is_refused_and_changes_nothing(app, baseline, as_user, data, message):
    member_id = make_member(app, baseline.coop_a.id, coach_id=baseline.coach_ab.id)
    ids = {"coach": baseline.coach_ab.id, "member": baseline.member_a.id}
    client = english(as_user(baseline.coordinator_a))
    response = client.post(members_url(baseline, f"/{member_id}/assign"),
                           data={k: v.format(**ids) for k, v in data.items()})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (member.coach_user_id, member.user_id) == (baseline.coach_ab.id, None)


def test_a_coach_cannot_assign(baseline, as_user):
    client = as_user(baseline.coach_ab)
    response = client.post(members_url(baseline, f"/{baseline.extra['member_a']}/assign"),
                           data={"coach_user_id": "none", "user_id": "none"})
    assert response.status_code == 403


def test_a_coach_who_lost_the_role_stays_until_someone_else_is_chosen(app, baseline, as_user):
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_remove_membership

    with app.app_context():
        former = person_with_role(baseline.coop_a.id, "coach", "former-coach@test.example.org", "Former Coach")
        candidate = person_with_role(baseline.coop_a.id, "candidate", "candidate-assign@test.example.org")
    member_id = make_member(app, baseline.coop_a.id, coach_id=former.id)
    with app.app_context():
        do_remove_membership(db.session.get(Tenant, baseline.coop_a.id), former.id, "coach", actor_id=None)
        db.session.commit()
    client = as_user(baseline.coordinator_a)
    page = client.get(members_url(baseline, f"/{member_id}")).get_data(as_text=True)
    assert f'<option selected value="{former.id}">Former Coach</option>' in page
    response = client.post(members_url(baseline, f"/{member_id}/assign"),
                           data={"coach_user_id": str(former.id), "user_id": str(candidate.id)})
    assert response.status_code == 302
    member, _ = load_member(app, baseline.coop_a.id, member_id)
    assert (member.coach_user_id, member.user_id) == (former.id, candidate.id)


def test_the_municipality_that_pays_the_benefit_is_one_of_the_federation(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    form = client.get(members_url(baseline, "/new")).get_data(as_text=True)
    assert set(_options(form, "benefit_municipality_id")) >= {"", str(baseline.municipality.id),
                                                              str(baseline.municipality_b.id)}
    assert str(baseline.coop_b.id) not in _options(form, "benefit_municipality_id")
    response = client.post(members_url(baseline, "/new"),
                           data={**NEW_MEMBER, "benefit_municipality_id": str(baseline.municipality.id)})
    member_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert load_member(app, baseline.coop_a.id, member_id)[0].benefit_municipality_id == baseline.municipality.id
    assert "Gemeente M" in client.get(response.headers["Location"]).get_data(as_text=True)
    before = _member_count(app, baseline.coop_a.id)
    refused = client.post(members_url(baseline, "/new"), data={**NEW_MEMBER, "benefit_municipality_id": str(baseline.coop_b.id)})
    assert refused.status_code == 400 and _member_count(app, baseline.coop_a.id) == before
