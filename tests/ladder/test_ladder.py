"""The participation ladder: measuring (and the refusals, which store nothing), when a
member is due again, the member's path as a chart, and who may see and measure."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from koepel.platform.audit import AuditEvent
from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, tenant_context
from koepel.tenants.ladder import (
    Measurement,
    do_measure,
    due_measurements,
    ladder_path,
    latest_rungs,
    rung_transitions,
)
from koepel.tenants.members import Member, do_register_member, do_transition
from tests.conftest import person_with_role

TODAY = date(2026, 6, 15)  # the due rules are checked against a fixed day


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def member_url(baseline, member_id, slug=None) -> str:
    return f"/t/{slug or baseline.coop_a.slug}/ladder/members/{member_id}"


def errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>', page))


def count_measurements(app, baseline, member_id) -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return db.session.scalar(select(func.count()).select_from(Measurement).where(Measurement.member_id == member_id))


@contextmanager
def signed_in(tenant_id: int, user_id: int):
    """Below HTTP, as a person with their roles in the tenant (for visible_members())."""
    from flask import current_app

    with current_app.test_request_context(), tenant_context(tenant_id, user_id):
        user = db.session.get(User, user_id)
        login_user(user)
        user.tenant_roles = frozenset(db.session.scalars(select(Membership.role).where(Membership.user_id == user_id)))
        yield user


def new_member(name: str, *, coach_id: int | None, on_date: date, stage: str = "intake") -> Member:
    return do_register_member(name=name, stage=stage, on_date=on_date, coach_user_id=coach_id, actor_id=None)


def measure(member: Member, rung: int, on: date) -> Measurement:
    return do_measure(member, rung=rung, measured_on=on, note="", actor_id=None, today=on)


# --- measuring ---------------------------------------------------------------------------


def test_a_coordinator_measures_a_member_and_the_page_shows_it(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    member_id = baseline.extra["member_a"]
    on = amsterdam_today() - timedelta(days=2)
    response = client.post(member_url(baseline, member_id), data={
        "rung": "4", "measured_on": on.isoformat(), "note": "Volunteers at the food bank\r\ntwice a week"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(member_url(baseline, member_id))
    with app.app_context(), tenant_context(baseline.coop_a.id):
        latest = ladder_path(member_id)[-1]
        assert (latest.rung, latest.measured_on, latest.measured_by_user_id) == (4, on, baseline.coordinator_a.id)
        assert latest.note == "Volunteers at the food bank\ntwice a week"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ladder.measured",
                                                           AuditEvent.object_id == str(member_id))
                                  .order_by(AuditEvent.id.desc()).limit(1))
        assert event.details == {"measurement_id": latest.id, "rung": 4, "measured_on": on.isoformat()}
        assert "note" not in event.details
    page = client.get(member_url(baseline, member_id)).get_data(as_text=True)
    row = page[page.index(f'id="measurement-{latest.id}"'):]
    row = row[:row.index("</tr>")]
    assert on.strftime("%d-%m-%Y") in row
    assert "4 · Unpaid work (volunteering, internship)" in row
    assert "Coordinator A" in row
    assert "Volunteers at the food bank<br>twice a week" in row
    assert "A measurement is not changed afterwards" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rung": "0"}, "rung", "Choose a rung from 1 to 6."),
        ({"rung": "7"}, "rung", "Choose a rung from 1 to 6."),
        ({"rung": "two"}, "rung", "Choose a rung from 1 to 6."),
        ({"rung": ""}, "rung", "Choose a rung from 1 to 6."),
        ({"measured_on": "tomorrow"}, "measured_on", "The date cannot be in the future."),
        ({"measured_on": ""}, "measured_on", "Enter the date of the measurement."),
        ({"measured_on": "1999-12-31"}, "measured_on", "Enter a date from the year 2000 on."),
        ({"note": "x" * 501}, "note", "Keep the note to at most 500 characters (now 501)."),
    ],
)
def test_a_wrong_measurement_is_refused_with_a_message_and_nothing_is_stored(app, baseline, as_user, data, field,
                                                                              message):
    client = english(as_user(baseline.coordinator_a))
    member_id = baseline.extra["member_a"]
    form = {"rung": "3", "measured_on": amsterdam_today().isoformat(), "note": "ok", **data}
    if form["measured_on"] == "tomorrow":
        form["measured_on"] = (amsterdam_today() + timedelta(days=1)).isoformat()
    before = count_measurements(app, baseline, member_id)
    response = client.post(member_url(baseline, member_id), data=form)
    assert response.status_code == 400
    assert errors(response.get_data(as_text=True)).get(field) == message
    assert count_measurements(app, baseline, member_id) == before


def test_a_note_of_500_characters_with_line_breaks_is_accepted(app, baseline, as_user):
    client = as_user(baseline.coordinator_a)
    member_id = baseline.extra["member_a"]
    note = "\r\n".join(["x" * 99] * 5) + "y"  # 504 as sent, 500 once a line break counts as one
    response = client.post(member_url(baseline, member_id),
                           data={"rung": "3", "measured_on": amsterdam_today().isoformat(), "note": note})
    assert response.status_code == 302
    assert count_measurements(app, baseline, member_id) == 2


def test_the_database_refuses_a_rung_outside_the_ladder(app, baseline):
    from sqlalchemy.exc import IntegrityError

    with app.app_context(), tenant_context(baseline.coop_a.id):
        db.session.add(Measurement(member_id=baseline.extra["member_a"], rung=7, measured_on=TODAY, note=""))
        with pytest.raises(IntegrityError, match="ck_ladder_measurements_rung"):
            db.session.flush()
        db.session.rollback()


# --- who may ------------------------------------------------------------------------------


def test_a_coach_sees_and_measures_their_own_member_only(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        other_id = new_member("Not Coached By Them", coach_id=baseline.coordinator_a.id, on_date=TODAY).id
        db.session.commit()
    client = as_user(baseline.coach_ab)
    assert client.get(member_url(baseline, baseline.extra["member_a"])).status_code == 200
    assert client.get(member_url(baseline, other_id)).status_code == 404
    response = client.post(member_url(baseline, other_id), data={"rung": "3", "measured_on": TODAY.isoformat()})
    assert response.status_code == 404
    assert count_measurements(app, baseline, other_id) == 0


def test_a_treasurer_may_not_see_the_ladder(app, baseline, as_user):
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "ladder-treasurer@test.example.org")
    client = as_user(treasurer)
    member_id = baseline.extra["member_a"]
    assert client.get(member_url(baseline, member_id)).status_code == 403
    assert client.get(f"/t/{baseline.coop_a.slug}/ladder/due").status_code == 403
    response = client.post(member_url(baseline, member_id), data={"rung": "3", "measured_on": TODAY.isoformat()})
    assert response.status_code == 403
    assert count_measurements(app, baseline, member_id) == 1


def test_the_member_themself_may_not_see_the_ladder_pages(baseline, as_user):
    assert as_user(baseline.member_a).get(member_url(baseline, baseline.extra["member_a"])).status_code == 403


def test_another_cooperatives_member_is_not_found(baseline, as_user):
    client = as_user(baseline.coordinator_a)
    assert client.get(member_url(baseline, baseline.extra["member_b"])).status_code == 404


# --- the chart ----------------------------------------------------------------------------


def test_the_page_draws_the_path_with_the_measurements_in_the_figures_table(app, baseline, as_user):
    member_id = baseline.extra["member_a"]
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = db.session.scalar(select(Member).where(Member.id == member_id))
        measure(member, 4, date(2026, 6, 1))
        db.session.commit()
    page = english(as_user(baseline.coach_ab)).get(member_url(baseline, member_id)).get_data(as_text=True)
    figure = page[page.index('<figure class="chart"'):page.index("</figure>")]
    assert 'class="chart-line"' in figure and " H" in figure  # a staircase: level, then step
    table = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', figure)
    assert table == [("12-01-2026", "2 · Social contacts outside the home (weekly)"),
                     ("01-06-2026", "4 · Unpaid work (volunteering, internship)")]
    # The axis names the six rungs (by number; the page lists them beside the chart).
    assert [t for t in re.findall(r'text-anchor="end">([^<]+)</text>', figure)] == ["1", "2", "3", "4", "5", "6"]
    assert "Paid work without support (self-employed counts)" in page


def test_a_member_never_measured_gets_an_empty_chart(app, baseline, as_user):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member_id = new_member("Fresh Intake", coach_id=baseline.coach_ab.id, on_date=amsterdam_today()).id
        db.session.commit()
    page = english(as_user(baseline.coach_ab)).get(member_url(baseline, member_id)).get_data(as_text=True)
    assert "No figures yet." in page
    assert "Not measured since the intake" in page


# --- due ----------------------------------------------------------------------------------


@pytest.fixture
def cohort(app, baseline):
    """Members of cooperative A, coached by coach_ab, in every situation of the due rules
    on TODAY (15-06-2026)."""
    coach = baseline.coach_ab.id
    with app.app_context(), tenant_context(baseline.coop_a.id):
        made = {}
        made["never"] = new_member("Never Measured", coach_id=coach, on_date=date(2026, 6, 1))
        made["intake_today"] = new_member("Intake Today", coach_id=coach, on_date=TODAY)
        for key, last in [("five_months_31_days", date(2026, 1, 16)), ("five_months", date(2026, 1, 15)),
                          ("six_months", date(2025, 12, 15)), ("six_months_and_a_day", date(2025, 12, 14)),
                          ("three_months", date(2026, 3, 15))]:
            made[key] = new_member(key.replace("_", " ").title(), coach_id=coach, on_date=date(2025, 11, 1))
            measure(made[key], 3, last)
        made["trial"] = new_member("In Trial", coach_id=coach, on_date=date(2025, 11, 1))
        measure(made["trial"], 2, date(2025, 11, 1))
        do_transition(made["trial"], "business_plan", on_date=date(2025, 12, 1), actor_id=None, today=TODAY)
        do_transition(made["trial"], "trial", on_date=date(2026, 2, 1), actor_id=None, today=TODAY)
        made["referred"] = new_member("Only Referred", coach_id=coach, on_date=date(2025, 11, 1), stage="referred")
        made["left"] = new_member("Left Us", coach_id=coach, on_date=date(2025, 11, 1))
        measure(made["left"], 2, date(2025, 11, 1))
        do_transition(made["left"], "stopped", on_date=date(2026, 1, 10), reason="Moved to Groningen",
                      outcome="moved", actor_id=None, today=TODAY)
        made["back"] = new_member("Came Back", coach_id=coach, on_date=date(2025, 10, 1))
        measure(made["back"], 3, date(2026, 5, 1))  # measured in the first journey...
        do_transition(made["back"], "stopped", on_date=date(2026, 5, 2), reason="Pause", outcome="own_choice",
                      actor_id=None, today=TODAY)
        do_transition(made["back"], "intake", on_date=date(2026, 6, 10), actor_id=None, today=TODAY)  # ...not since
        made["other_coach"] = new_member("Someone Elses", coach_id=baseline.coordinator_a.id, on_date=date(2026, 6, 1))
        db.session.commit()
        return {key: m.id for key, m in made.items()}


def due_by_member(baseline, user_id, today=TODAY) -> dict:
    with signed_in(baseline.coop_a.id, user_id):
        return {d.member.id: d for d in due_measurements(today)}


def test_who_is_due_at_the_boundaries(app, baseline, cohort):
    with app.app_context():
        due = due_by_member(baseline, baseline.coach_ab.id)
    never = due[cohort["never"]]
    assert (never.last, never.due_on, never.overdue, never.first) == (None, date(2026, 6, 1), True, True)
    today = due[cohort["intake_today"]]
    assert (today.due_on, today.overdue, today.first) == (TODAY, False, True)
    assert cohort["five_months_31_days"] not in due  # due on 16-07, 31 days ahead
    assert cohort["three_months"] not in due
    five = due[cohort["five_months"]]
    assert (five.due_on, five.overdue, five.first, five.last.rung) == (date(2026, 7, 15), False, False, 3)
    six = due[cohort["six_months"]]
    assert (six.due_on, six.overdue) == (TODAY, False)
    late = due[cohort["six_months_and_a_day"]]
    assert (late.due_on, late.overdue) == (date(2026, 6, 14), True)


def test_only_members_in_an_active_stage_are_due(app, baseline, cohort):
    with app.app_context():
        due = due_by_member(baseline, baseline.coach_ab.id)
    assert cohort["trial"] in due and due[cohort["trial"]].overdue  # last 01-11-2025: due 01-05-2026
    assert cohort["referred"] not in due
    assert cohort["left"] not in due
    back = due[cohort["back"]]  # measured before the new intake: due again from the intake
    assert (back.due_on, back.first, back.last.measured_on) == (date(2026, 6, 10), True, date(2026, 5, 1))


def test_the_due_list_covers_only_the_members_one_sees(app, baseline, cohort):
    with app.app_context():
        coach = due_by_member(baseline, baseline.coach_ab.id)
        coordinator = due_by_member(baseline, baseline.coordinator_a.id)
    assert cohort["other_coach"] not in coach
    assert cohort["other_coach"] in coordinator
    assert baseline.extra["member_b"] not in coordinator


def test_the_due_list_puts_the_overdue_first(app, baseline, cohort):
    with app.app_context():
        with signed_in(baseline.coop_a.id, baseline.coach_ab.id):
            due = due_measurements(TODAY)
    flags = [d.overdue for d in due]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    overdue = [d.due_on for d in due if d.overdue]
    assert overdue == sorted(overdue)


def test_the_due_page_lists_the_overdue_first(app, baseline, cohort, as_user):
    """The page runs on the real today, when the whole cohort is overdue; one member
    measured almost six months ago is due soon and comes after them."""
    from koepel.tenants.ladder.rungs import add_months

    real_today = amsterdam_today()
    with app.app_context(), tenant_context(baseline.coop_a.id):
        soon = new_member("Due Soon", coach_id=baseline.coach_ab.id, on_date=date(2025, 11, 1))
        measure(soon, 5, add_months(real_today, -6) + timedelta(days=10))
        soon_id = soon.id
        db.session.commit()
    page = english(as_user(baseline.coach_ab)).get(f"/t/{baseline.coop_a.slug}/ladder/due").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<tr id="due-(\d+)">', page)]
    assert not {cohort["referred"], cohort["left"], cohort["other_coach"]} & set(order)
    assert order[-1] == soon_id
    assert order.index(cohort["never"]) < order.index(cohort["intake_today"])  # due 01-06 before 15-06
    rows = {int(i): row for i, row in re.findall(r'<tr id="due-(\d+)">(.*?)</tr>', page, re.S)}
    assert "Overdue" in rows[cohort["never"]] and "Not measured since the intake" in rows[cohort["never"]]
    assert "Overdue" not in rows[soon_id] and ">Due<" in rows[soon_id]


# --- the public read API ------------------------------------------------------------------


def test_latest_rungs_and_transitions(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        one = new_member("Climber", coach_id=None, on_date=date(2025, 1, 6))
        two = new_member("Steady", coach_id=None, on_date=date(2025, 1, 6))
        for rung, on in [(1, date(2025, 1, 6)), (2, date(2025, 7, 1)), (4, date(2026, 1, 5)), (3, date(2026, 1, 5))]:
            measure(one, rung, on)  # two on 05-01-2026: the later one corrects the first
        for rung, on in [(3, date(2025, 6, 1)), (3, date(2026, 2, 1))]:
            measure(two, rung, on)
        rungs = latest_rungs()
        assert rungs[one.id] == 3 and rungs[two.id] == 3
        assert rungs[baseline.extra["member_a"]] == 2
        assert baseline.extra["member_b"] not in rungs  # another cooperative's
        assert latest_rungs([one.id]) == {one.id: 3}
        assert [m.rung for m in ladder_path(one.id)] == [1, 2, 4, 3]
        # 2026: Climber 2→4 and 4→3 (same day, in the order made), Steady 3→3; the
        # earlier measurement may lie before the period.
        assert rung_transitions(date(2026, 1, 1), date(2026, 12, 31)) == [(2, 4, 1), (3, 3, 1), (4, 3, 1)]
        assert rung_transitions(date(2025, 1, 1), date(2025, 12, 31)) == [(1, 2, 1)]
