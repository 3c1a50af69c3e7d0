"""The read models of the member pages and the coordinator's dashboard."""

from __future__ import annotations

from datetime import date, timedelta

from koepel.platform.tenancy import tenant_context
from koepel.tenants.members import (
    do_register_member,
    do_set_trial_end,
    do_transition,
    do_update_settings,
)
from koepel.tenants.members.queries import (
    coaches,
    counts_by_stage,
    members_over_time,
    month_ends,
    portal_accounts,
    timeline,
    trials_ending,
)
from tests.conftest import person_with_role

TODAY = date(2026, 6, 15)


def _journey(name: str, steps: list[tuple[str, date, str | None]], actor_id=None):
    """A member walked through `steps` ((stage, date, outcome)), the first being its start."""
    (stage, day, _), *rest = steps
    member = do_register_member(name=name, stage=stage, on_date=day, actor_id=actor_id, today=TODAY)
    for stage, day, outcome in rest:
        reason = "Stopping" if stage == "stopped" else ""
        do_transition(member, stage, on_date=day, outcome=outcome, reason=reason, actor_id=actor_id, today=TODAY)
    return member


def test_month_ends_end_with_today():
    assert month_ends(3, date(2026, 3, 10)) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 10)]
    assert month_ends(2, date(2026, 1, 31)) == [date(2025, 12, 31), date(2026, 1, 31)]


def test_members_over_time_counts_active_members_at_each_month_end_also_those_who_left(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        before = [count for _, count in members_over_time(12, today=TODAY)]
        _journey("Left For A Job", [
            ("intake", date(2025, 9, 10), None), ("business_plan", date(2025, 10, 1), None),
            ("trial", date(2025, 11, 1), None), ("member", date(2026, 1, 15), None),
            ("outflow", date(2026, 3, 20), "regular_job"),
        ])
        _journey("Came Back", [
            ("referred", date(2025, 8, 5), None), ("intake", date(2025, 12, 1), None),
            ("stopped", date(2026, 2, 10), "health"), ("intake", date(2026, 4, 2), None),
        ])
        points = members_over_time(12, today=TODAY)
    assert [day for day, _ in points] == [
        date(2025, 7, 31), date(2025, 8, 31), date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30),
        date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31), date(2026, 6, 15),
    ]
    added = [count - earlier for (_, count), earlier in zip(points, before, strict=True)]
    #        Jul Aug Sep Oct Nov Dec Jan Feb Mar Apr May Jun
    assert added == [0, 0, 1, 1, 1, 2, 2, 1, 0, 1, 1, 1]


def test_members_over_time_sees_only_its_own_cooperative(db_session, baseline):
    with tenant_context(baseline.coop_b.id):
        before = members_over_time(2, today=TODAY)
    with tenant_context(baseline.coop_a.id):
        _journey("Only In A", [("intake", date(2026, 5, 1), None)])
    with tenant_context(baseline.coop_b.id):
        assert members_over_time(2, today=TODAY) == before


def test_counts_by_stage_has_every_stage(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        before = counts_by_stage()
        _journey("Counted", [("referred", date(2026, 5, 1), None), ("stopped", date(2026, 5, 2), "moved")])
        after = counts_by_stage()
    assert list(after) == ["referred", "intake", "business_plan", "trial", "member", "outflow", "stopped"]
    assert {k: after[k] - before[k] for k in after} == {**dict.fromkeys(after, 0), "stopped": 1}


def test_trials_ending_lists_the_flagged_trials_soonest_first(db_session, baseline):
    today = date.today()
    with tenant_context(baseline.coop_a.id):
        do_update_settings(trial_months=3, trial_warning_days=14, actor_id=None)
        made = {}
        for name, ends in [("Ends In 10", 10), ("Ended 3 Ago", -3), ("Ends In 14", 14), ("Ends In 15", 15),
                           ("Ends In 60", 60)]:
            start = today - timedelta(days=40)
            member = do_register_member(name=name, stage="intake", on_date=start - timedelta(days=20), actor_id=None)
            do_transition(member, "business_plan", on_date=start - timedelta(days=10), actor_id=None)
            do_transition(member, "trial", on_date=start, actor_id=None)
            do_set_trial_end(member, today + timedelta(days=ends), actor_id=None)
            made[name] = member.id
        not_in_trial = do_register_member(name="Not In Trial", stage="intake", actor_id=None)
        found = [m.name for m in trials_ending(today) if m.id in made.values() or m.id == not_in_trial.id]
    assert found == ["Ended 3 Ago", "Ends In 10", "Ends In 14"]


def test_the_timeline_is_newest_first_with_the_actors_name(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        member = _journey("Timed", [("intake", date(2026, 1, 1), None), ("business_plan", date(2026, 2, 1), None)],
                          actor_id=baseline.coordinator_a.id)
        do_transition(member, "stopped", on_date=date(2026, 2, 1), outcome="no_fit", reason="Not now",
                      actor_id=baseline.coach_ab.id, today=TODAY)
        steps = timeline(member.id)
    assert [(s.from_stage, s.to_stage, s.outcome, s.actor_name) for s in steps] == [
        ("business_plan", "stopped", "no_fit", "Coach Ab"),
        ("intake", "business_plan", None, "Coordinator A"),
        (None, "intake", None, "Coordinator A"),
    ]
    assert steps[0].reason == "Not now" and steps[0].on_date == date(2026, 2, 1)


def test_coaches_and_portal_accounts_are_the_cooperatives_people_with_those_roles(app, baseline):
    with app.app_context():
        candidate = person_with_role(baseline.coop_a.id, "candidate", "candidate-q@test.example.org", "Cand Idate")
        coach_b = person_with_role(baseline.coop_b.id, "coach", "coach-b-only@test.example.org", "Only B Coach")
        with tenant_context(baseline.coop_a.id):
            coach_ids = {user_id for user_id, _ in coaches()}
            accounts = dict(portal_accounts())
    assert {baseline.coach_ab.id, baseline.coordinator_a.id, baseline.advisor.id} <= coach_ids
    assert baseline.member_a.id not in coach_ids and coach_b.id not in coach_ids
    assert accounts[candidate.id] == "Cand Idate (candidate-q@test.example.org)"
    assert baseline.member_a.id in accounts and baseline.coach_ab.id not in accounts
