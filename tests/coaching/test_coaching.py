"""Coaching: notes per conversation, goals with their progress history, who reads them,
the refusals with their messages, the audit rows, and the public read API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from koepel.platform.audit import AuditEvent
from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import SupportGrant
from koepel.platform.tenancy.operations import do_add_membership
from koepel.tenants.coaching import (
    CoachingError,
    CoachingNote,
    Goal,
    GoalUpdate,
    do_add_goal,
    do_add_note,
    do_edit_note,
    do_update_goal,
    goals_for,
    members_without_recent_coaching,
    next_appointment,
    notes_for,
)
from koepel.tenants.members import Member, do_register_member, do_transition
from tests.conftest import person_with_role

TODAY = amsterdam_today()


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def url(baseline, path: str, org=None) -> str:
    return f"/t/{(org or baseline.coop_a).slug}/coaching{path}"


def events(app, tenant_id, action) -> list[AuditEvent]:
    with app.app_context(), tenant_context(tenant_id):
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def notes_of(app, baseline, member_id) -> list[CoachingNote]:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return notes_for(member_id)


def goal_state(app, baseline, goal_id) -> tuple[Goal, list[GoalUpdate]]:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        goal = db.session.scalar(select(Goal).where(Goal.id == goal_id))
        updates = list(db.session.scalars(select(GoalUpdate).where(GoalUpdate.goal_id == goal_id)
                                          .order_by(GoalUpdate.id)))
        return goal, updates


def errors(page: str) -> list[str]:
    return re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>', page)


@pytest.fixture
def coach_client(baseline, as_user):
    return english(as_user(baseline.coach_ab))


@pytest.fixture
def member_a(baseline):
    return baseline.extra["member_a"]


# --- notes -----------------------------------------------------------------------------------


def test_the_coach_writes_a_note_and_it_shows_first(app, baseline, coach_client, member_a):
    response = coach_client.post(url(baseline, f"/members/{member_a}/notes"), data={
        "held_on": TODAY.isoformat(), "kind": "business_skills",
        "body": "  Talked about prices.\nAgreed: ask 45 euro an hour.  ",
        "next_appointment_on": (TODAY + timedelta(days=14)).isoformat(),
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/coaching/members/{member_a}#notes")

    notes = notes_of(app, baseline, member_a)
    newest = notes[0]
    assert newest.body == "Talked about prices.\nAgreed: ask 45 euro an hour."
    assert (newest.kind, newest.held_on, newest.coach_user_id) == ("business_skills", TODAY, baseline.coach_ab.id)
    assert newest.edited_at is None
    assert [n.held_on for n in notes] == sorted((n.held_on for n in notes), reverse=True)

    page = coach_client.get(url(baseline, f"/members/{member_a}")).get_data(as_text=True)
    assert page.index("Talked about prices.") < page.index("Baseline conversation A")
    assert (TODAY + timedelta(days=14)).strftime("%d-%m-%Y") in page.split('id="next-appointment"')[1][:200]

    added = events(app, baseline.coop_a.id, "coaching.note_added")[-1]
    assert added.object_id == str(newest.id) and added.actor_user_id == baseline.coach_ab.id
    assert added.details == {"member_id": member_a, "kind": "business_skills", "held_on": TODAY.isoformat()}
    assert "prices" not in str(added.details)  # the log is no copy of the file


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"body": "   "}, "body", "Write down what was discussed and agreed."),
    ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, "held_on", "cannot be in the future"),
    ({"held_on": ""}, "held_on", "Enter the date of the conversation."),
    ({"held_on": "31-02-2026"}, "held_on", "Enter a valid date."),
    ({"body": "x" * 4001}, "body", "under 4000 characters"),
    ({"kind": "therapy"}, "kind", "Choose the kind of coaching."),
    ({"next_appointment_on": (TODAY - timedelta(days=1)).isoformat()}, "next_appointment_on",
     "cannot be before this conversation"),
])
def test_a_note_that_cannot_be_stored_is_refused_at_its_field(app, baseline, coach_client, member_a, data, field,
                                                              message):
    before = len(notes_of(app, baseline, member_a))
    form = {"held_on": TODAY.isoformat(), "kind": "personal", "body": "Fine.", **data}
    response = coach_client.post(url(baseline, f"/members/{member_a}/notes"), data=form)
    assert response.status_code == 400
    found = dict(errors(response.get_data(as_text=True)))
    assert message in found.get(field, ""), found
    assert len(notes_of(app, baseline, member_a)) == before
    assert not events(app, baseline.coop_a.id, "coaching.note_added")[1:]  # only the baseline's


def test_the_author_corrects_a_note_and_the_correction_is_audited(app, baseline, coach_client, member_a):
    note_id = baseline.extra["coaching_note_a"]
    edit = url(baseline, f"/notes/{note_id}/edit")
    form = coach_client.get(edit)
    assert form.status_code == 200 and "Baseline conversation A" in form.get_data(as_text=True)

    response = coach_client.post(edit, data={"held_on": "2026-01-12", "kind": "personal",
                                             "body": "Baseline conversation A: the business plan, corrected."})
    assert response.status_code == 302
    note = notes_of(app, baseline, member_a)[-1]
    assert note.id == note_id and note.body.endswith("corrected.") and note.edited_at is not None
    edited = events(app, baseline.coop_a.id, "coaching.note_edited")
    assert len(edited) == 1 and edited[0].object_id == str(note_id)
    assert edited[0].details["fields"] == ["body"] and edited[0].details["by_author"] is True
    assert "corrected" not in str(edited[0].details)
    page = coach_client.get(url(baseline, f"/members/{member_a}")).get_data(as_text=True)
    assert "corrected on" in page

    # Saving it unchanged is no correction: no second audit row.
    again = coach_client.post(edit, data={"held_on": "2026-01-12", "kind": "personal", "body": note.body})
    assert again.status_code == 302
    assert len(events(app, baseline.coop_a.id, "coaching.note_edited")) == 1


def test_a_correction_cannot_move_the_conversation_after_the_day_it_was_written(app, baseline, coach_client):
    note_id = baseline.extra["coaching_note_a"]
    response = coach_client.post(url(baseline, f"/notes/{note_id}/edit"), data={
        "held_on": (TODAY + timedelta(days=1)).isoformat(), "kind": "personal", "body": "Moved."})
    assert response.status_code == 400
    assert "cannot be in the future" in dict(errors(response.get_data(as_text=True)))["held_on"]
    assert notes_of(app, baseline, baseline.extra["member_a"])[-1].held_on == date(2026, 1, 12)
    assert not events(app, baseline.coop_a.id, "coaching.note_edited")


def test_only_the_author_or_a_coordinator_corrects_a_note(app, baseline, as_user, member_a):
    """The coordinator wrote a note on member A; A's own coach reads it but may not change it."""
    coordinator = english(as_user(baseline.coordinator_a))
    coordinator.post(url(baseline, f"/members/{member_a}/notes"),
                     data={"held_on": TODAY.isoformat(), "kind": "personal", "body": "Coordinator's talk."})
    note = notes_of(app, baseline, member_a)[0]
    assert note.coach_user_id == baseline.coordinator_a.id

    coach = english(as_user(baseline.coach_ab))
    page = coach.get(url(baseline, f"/members/{member_a}")).get_data(as_text=True)
    assert "Coordinator&#39;s talk." in page or "Coordinator's talk." in page
    assert url(baseline, f"/notes/{note.id}/edit") not in page
    assert coach.get(url(baseline, f"/notes/{note.id}/edit")).status_code == 403
    refused = coach.post(url(baseline, f"/notes/{note.id}/edit"),
                         data={"held_on": TODAY.isoformat(), "kind": "personal", "body": "Changed by coach."})
    assert refused.status_code == 403
    assert notes_of(app, baseline, member_a)[0].body == "Coordinator's talk."

    # The coordinator corrects the coach's note.
    coach_note = baseline.extra["coaching_note_a"]
    done = coordinator.post(url(baseline, f"/notes/{coach_note}/edit"),
                            data={"held_on": "2026-01-12", "kind": "external", "body": "Baseline conversation A."})
    assert done.status_code == 302
    edited = events(app, baseline.coop_a.id, "coaching.note_edited")[-1]
    assert edited.actor_user_id == baseline.coordinator_a.id
    assert edited.details["fields"] == ["body", "kind"] and edited.details["by_author"] is False


# --- goals -----------------------------------------------------------------------------------


def test_a_goal_is_set_and_its_progress_has_a_history(app, baseline, coach_client, member_a):
    target = TODAY + timedelta(days=90)
    response = coach_client.post(url(baseline, f"/members/{member_a}/goals"), data={
        "title": "Ten regular customers", "description": "From the market stall.", "target_on": target.isoformat()})
    assert response.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        goal_id = db.session.scalar(select(Goal.id).where(Goal.title == "Ten regular customers"))
    assert response.headers["Location"].endswith(f"#goal-{goal_id}")
    goal, updates = goal_state(app, baseline, goal_id)
    assert (goal.status, goal.progress, goal.target_on, goal.created_by_user_id) == (
        "open", 0, target, baseline.coach_ab.id)
    assert [(u.progress, u.status) for u in updates] == [(0, "open")]

    progress = url(baseline, f"/goals/{goal_id}/progress")
    assert coach_client.post(progress, data={"progress": "40", "status": "open", "note": "Four so far."}).status_code == 302
    assert coach_client.post(progress, data={"progress": "70", "status": "open", "note": ""}).status_code == 302
    goal, updates = goal_state(app, baseline, goal_id)
    assert [(u.progress, u.note) for u in updates] == [(0, ""), (40, "Four so far."), (70, "")]
    assert goal.progress == updates[-1].progress == 70
    assert {u.by_user_id for u in updates} == {baseline.coach_ab.id}

    page = coach_client.get(url(baseline, f"/goals/{goal_id}"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<progress value="70" max="100"' in text and "70% done" in text
    history = text.split("<tbody>")[-1]  # the history table, the latest step first
    assert history.index("70%") < history.index("40%") < history.index("Four so far.") < history.index("Goal set")
    assert '<figure class="chart"' in text

    member_page = coach_client.get(url(baseline, f"/members/{member_a}")).get_data(as_text=True)
    assert "Ten regular customers" in member_page and '<progress value="70"' in member_page

    audit = [e for e in events(app, baseline.coop_a.id, "coaching.goal_updated") if e.object_id == str(goal_id)]
    assert [e.details["after"] for e in audit] == [{"progress": 40, "status": "open"},
                                                    {"progress": 70, "status": "open"}]
    assert audit[0].details["before"] == {"progress": 0, "status": "open"}
    assert [e.object_id for e in events(app, baseline.coop_a.id, "coaching.goal_added")][-1] == str(goal_id)


def test_achieving_a_goal_makes_it_complete_and_dropping_needs_a_reason(app, baseline, coach_client):
    goal_id = baseline.extra["coaching_goal_a"]
    progress = url(baseline, f"/goals/{goal_id}/progress")

    refused = coach_client.post(progress, data={"progress": "20", "status": "dropped", "note": ""})
    assert refused.status_code == 400
    assert dict(errors(refused.get_data(as_text=True)))["note"] == "Say why the goal is dropped."
    assert goal_state(app, baseline, goal_id)[0].status == "open"

    assert coach_client.post(progress, data={"progress": "20", "status": "dropped",
                                             "note": "Chose another business."}).status_code == 302
    goal, _ = goal_state(app, baseline, goal_id)
    assert goal.status == "dropped"
    assert coach_client.post(progress, data={"progress": "50", "status": "achieved", "note": ""}).status_code == 302
    goal, updates = goal_state(app, baseline, goal_id)
    assert (goal.status, goal.progress) == ("achieved", 100)
    assert [(u.status, u.progress) for u in updates][-2:] == [("dropped", 20), ("achieved", 100)]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"progress": "120"}, "progress", "The progress is a percentage from 0 to 100."),
    ({"progress": "-5"}, "progress", "The progress is a percentage from 0 to 100."),
    ({"progress": "veel"}, "progress", "Enter a whole number from 0 to 100."),
    ({"progress": ""}, "progress", "Enter the progress as a percentage from 0 to 100."),
    ({"status": "forgotten"}, "status", "Choose the status of the goal."),
    ({"progress": "20", "note": ""}, "progress", "Change the progress or the status, or add a note."),
])
def test_progress_that_cannot_be_recorded_is_refused_at_its_field(app, baseline, coach_client, data, field, message):
    goal_id = baseline.extra["coaching_goal_a"]
    form = {"progress": "50", "status": "open", "note": "", **data}
    response = coach_client.post(url(baseline, f"/goals/{goal_id}/progress"), data=form)
    assert response.status_code == 400
    assert dict(errors(response.get_data(as_text=True))).get(field) == message
    goal, updates = goal_state(app, baseline, goal_id)
    assert (goal.progress, len(updates)) == (20, 2)
    assert not events(app, baseline.coop_a.id, "coaching.goal_updated")[1:]  # only the baseline's


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": "  "}, "title", "Enter the goal."),
    ({"title": "x" * 201}, "title", "under 200 characters"),
    ({"target_on": (TODAY - timedelta(days=1)).isoformat()}, "target_on", "The target date cannot be in the past."),
])
def test_a_goal_that_cannot_be_set_is_refused_at_its_field(app, baseline, coach_client, member_a, data, field,
                                                          message):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        before = len(goals_for(member_a))
    response = coach_client.post(url(baseline, f"/members/{member_a}/goals"), data={"title": "Goal", **data})
    assert response.status_code == 400
    assert message in dict(errors(response.get_data(as_text=True))).get(field, "")
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert len(goals_for(member_a)) == before


def test_the_database_refuses_what_the_operations_refuse(app, baseline):
    """The CHECK constraints hold even without the operations."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context(), tenant_context(baseline.coop_a.id):
        cases = [
            Goal(member_id=baseline.extra["member_a"], title="Too far", progress=120, status="open"),
            Goal(member_id=baseline.extra["member_a"], title="Half done", progress=50, status="achieved"),
            CoachingNote(member_id=baseline.extra["member_a"], coach_user_id=baseline.coach_ab.id, kind="personal",
                         body="From the future.", held_on=TODAY + timedelta(days=2), created_at=utcnow()),
        ]
        for row in cases:
            savepoint = db.session.begin_nested()
            db.session.add(row)
            with pytest.raises(IntegrityError):
                db.session.flush()
            savepoint.rollback()


# --- who sees what ---------------------------------------------------------------------------


def _pages(baseline, member_id, note_id, goal_id) -> list[tuple[str, str]]:
    return [
        ("GET", url(baseline, f"/members/{member_id}")),
        ("POST", url(baseline, f"/members/{member_id}/notes")),
        ("POST", url(baseline, f"/members/{member_id}/goals")),
        ("GET", url(baseline, f"/notes/{note_id}/edit")),
        ("POST", url(baseline, f"/notes/{note_id}/edit")),
        ("GET", url(baseline, f"/goals/{goal_id}")),
        ("POST", url(baseline, f"/goals/{goal_id}/progress")),
    ]


def _answers(client, pages, data=None) -> set[int]:
    return {client.open(path, method=method, data=data or {}).status_code for method, path in pages}


def test_the_coordinator_and_the_members_coach_read_the_coaching(baseline, as_user, member_a):
    for person in (baseline.coordinator_a, baseline.coach_ab):
        client = as_user(person)
        for path in (f"/members/{member_a}", f"/goals/{baseline.extra['coaching_goal_a']}",
                     f"/notes/{baseline.extra['coaching_note_a']}/edit"):
            assert client.get(url(baseline, path)).status_code == 200, (person.email, path)


def test_the_coach_of_other_members_gets_404(app, baseline, as_user, member_a):
    with app.app_context():
        other_coach = person_with_role(baseline.coop_a.id, "coach", "coaching-other-coach@test.example.org")
    client = as_user(other_coach)
    pages = _pages(baseline, member_a, baseline.extra["coaching_note_a"], baseline.extra["coaching_goal_a"])
    assert _answers(client, pages, {"body": "x", "kind": "personal", "held_on": TODAY.isoformat()}) == {404}
    assert len(notes_of(app, baseline, member_a)) == 1


def test_a_treasurer_who_also_coaches_reads_only_the_coaching_of_their_own_members(app, baseline, as_user, member_a):
    """The member list of a treasurer is no key to the coaching of every member."""
    with app.app_context():
        person = person_with_role(baseline.coop_a.id, "treasurer", "coaching-treasurer-coach@test.example.org")
        do_add_membership(db.session.get(Tenant, baseline.coop_a.id), person.id, "coach")
        with tenant_context(baseline.coop_a.id):
            own = do_register_member(name="Own Coachee", stage="intake", coach_user_id=person.id, actor_id=None)
            own_id = own.id
        db.session.commit()
    client = as_user(person)
    assert client.get(url(baseline, f"/members/{member_a}")).status_code == 404
    assert client.get(url(baseline, f"/goals/{baseline.extra['coaching_goal_a']}")).status_code == 404
    assert client.get(url(baseline, f"/members/{own_id}")).status_code == 200


@pytest.mark.parametrize("role", ["treasurer", "member", "candidate"])
def test_treasurer_member_and_candidate_roles_are_refused(app, baseline, as_user, member_a, role):
    with app.app_context():
        person = person_with_role(baseline.coop_a.id, role, f"coaching-{role}@test.example.org")
    pages = _pages(baseline, member_a, baseline.extra["coaching_note_a"], baseline.extra["coaching_goal_a"])
    assert _answers(as_user(person), pages) == {403}


def test_the_member_themself_is_refused_the_coaches_pages(baseline, as_user, member_a):
    """member_a reads their own coaching through the member portal, not these pages."""
    pages = _pages(baseline, member_a, baseline.extra["coaching_note_a"], baseline.extra["coaching_goal_a"])
    assert _answers(as_user(baseline.member_a), pages) == {403}


def test_a_municipality_cannot_reach_the_coaching_pages(baseline, as_user, member_a):
    client = as_user(baseline.client_manager)
    pages = _pages(baseline, member_a, baseline.extra["coaching_note_a"], baseline.extra["coaching_goal_a"])
    assert _answers(client, pages) == {404}
    # Nor under its own slug: a municipality has no coaching pages.
    own = [(m, p.replace(f"/t/{baseline.coop_a.slug}/", f"/t/{baseline.municipality.slug}/")) for m, p in pages]
    assert _answers(client, own) == {404}


def test_support_access_is_refused_the_coaching(app, baseline, as_user, member_a):
    """Umbrella staff with an open support grant read the tenant, but not its coaching."""
    client = as_user(baseline.umbrella_admin)
    opened = client.post(f"/t/{baseline.umbrella.slug}/admin/tenants/{baseline.coop_a.id}/support",
                         data={"reason": "Vraag 77: coaching", "minutes": "60"})
    assert opened.status_code == 302
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(SupportGrant.id).where(SupportGrant.closed_at.is_(None)))
    assert client.get(f"/t/{baseline.coop_a.slug}/").status_code == 200  # the grant works
    for path in (f"/members/{member_a}", f"/goals/{baseline.extra['coaching_goal_a']}",
                 f"/notes/{baseline.extra['coaching_note_a']}/edit"):
        response = client.get(url(baseline, path))
        assert response.status_code == 403, path
        assert "Baseline conversation A" not in response.get_data(as_text=True)


def test_another_tenants_notes_and_goals_are_404_under_ones_own_slug(baseline, as_user):
    client = as_user(baseline.coordinator_a)
    pages = _pages(baseline, baseline.extra["member_b"], baseline.extra["coaching_note_b"],
                   baseline.extra["coaching_goal_b"])
    assert _answers(client, pages) == {404}


# --- the public API --------------------------------------------------------------------------


@pytest.fixture
def coached(app, baseline):
    """In cooperative A: member A's notes and goals, plus members with old, no and
    stopped coaching. Yields the ids; runs inside A's tenant context."""
    with app.app_context(), tenant_context(baseline.coop_a.id, baseline.coach_ab.id):
        coach = baseline.coach_ab.id
        member = db.session.scalar(select(Member).where(Member.id == baseline.extra["member_a"]))
        do_add_note(member, held_on=TODAY - timedelta(days=3), kind="personal", body="Recent.",
                    next_appointment_on=TODAY + timedelta(days=7), actor_id=coach)
        do_add_note(member, held_on=TODAY - timedelta(days=10), kind="external", body="With the trainer.",
                    next_appointment_on=TODAY + timedelta(days=30), actor_id=coach)
        achieved = do_add_goal(member, title="Registered at the KvK", actor_id=coach)
        do_update_goal(achieved, progress=100, status="achieved", note="Done.", actor_id=coach)
        soon = do_add_goal(member, title="A website", target_on=TODAY + timedelta(days=10), actor_id=coach)
        old = do_register_member(name="Aaron Old", stage="intake", coach_user_id=coach, actor_id=None)
        do_add_note(old, held_on=TODAY - timedelta(days=61), kind="personal", body="Long ago.", actor_id=coach)
        never = do_register_member(name="Nina Never", stage="intake", coach_user_id=None, actor_id=None)
        stopped = do_register_member(name="Sam Stopped", stage="intake", actor_id=None)
        do_transition(stopped, "stopped", reason="Moved", outcome="moved", actor_id=None)
        db.session.commit()
        yield {"member": member.id, "achieved": achieved.id, "soon": soon.id, "old": old.id, "never": never.id,
               "stopped": stopped.id}


def test_notes_for_gives_the_latest_conversation_first(coached, baseline):
    notes = notes_for(coached["member"])
    assert [n.body for n in notes] == ["Recent.", "With the trainer.", "Baseline conversation A: the business plan."]
    assert [n.body for n in notes_for(coached["member"], limit=1)] == ["Recent."]
    assert notes_for(baseline.extra["member_b"]) == []  # B's member, in A's context: nothing


def test_goals_for_gives_open_goals_first(coached):
    goals = goals_for(coached["member"])
    assert [g.status for g in goals] == ["open", "open", "achieved"]
    assert goals[0].id == coached["soon"]  # the nearest target date first
    assert goals[-1].id == coached["achieved"] and goals[-1].progress == 100


def test_next_appointment_is_the_one_agreed_in_the_latest_conversation(coached):
    assert next_appointment(coached["member"]) == TODAY + timedelta(days=7)
    assert next_appointment(coached["member"], today=TODAY + timedelta(days=8)) is None  # passed
    assert next_appointment(coached["old"]) is None  # none agreed


def _as(app, user_id: int, roles: set[str]):
    """A request context signed in as `user_id` with `roles` (what the user loader gives)."""
    context = app.test_request_context()
    context.push()
    user = db.session.get(User, user_id)
    user.tenant_roles = frozenset(roles)
    g._login_user = user
    return context


def test_members_without_recent_coaching(app, coached, baseline):
    context = _as(app, baseline.coordinator_a.id, {"coordinator"})
    try:
        names = [m.name for m in members_without_recent_coaching()]
        # never coached first, then the longest ago; stopped and recently coached members are not listed
        assert "Aaron Old" in names and "Nina Never" in names
        assert "Sam Stopped" not in names and "Baseline Member A" not in names
        assert names.index("Nina Never") < names.index("Aaron Old")
        assert "Aaron Old" not in [m.name for m in members_without_recent_coaching(days=90)]
    finally:
        context.pop()
    context = _as(app, baseline.coach_ab.id, {"coach"})
    try:
        # A coach sees their own members only: Nina has no coach.
        names = [m.name for m in members_without_recent_coaching()]
        assert "Aaron Old" in names and "Nina Never" not in names
    finally:
        context.pop()


def test_the_operations_refuse_with_a_field(app, baseline):
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = db.session.scalar(select(Member).where(Member.id == baseline.extra["member_a"]))
        with pytest.raises(CoachingError) as refused:
            do_add_note(member, held_on=TODAY, kind="personal", body="", actor_id=baseline.coach_ab.id)
        assert refused.value.field == "body"
        goal = db.session.scalar(select(Goal).where(Goal.id == baseline.extra["coaching_goal_a"]))
        with pytest.raises(CoachingError) as refused:
            do_update_goal(goal, progress=120, status="open", actor_id=baseline.coach_ab.id)
        assert refused.value.field == "progress"
        note = db.session.scalar(select(CoachingNote).where(CoachingNote.id == baseline.extra["coaching_note_a"]))
        with pytest.raises(CoachingError) as refused:
            do_edit_note(note, held_on=TODAY, kind="personal", body="x" * 4001, actor_id=baseline.coach_ab.id)
        assert refused.value.field == "body"
