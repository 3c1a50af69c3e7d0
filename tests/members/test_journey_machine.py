"""The journey cannot be driven into an invalid state: random step sequences (legal and
illegal stages, outcomes, empty and long explanations, dates before and after the last
step and in the future) against the pure rules and against the database, and the
table's CHECK constraints refuse an invalid state written directly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.members import JourneyError, JourneySettings, JourneyTransition, Member
from koepel.tenants.members.journey import REASON_MAX, check_transition
from koepel.tenants.members.operations import do_register_member, do_transition

TODAY = amsterdam_today()

# The journey of DOMAIN.md written out here on its own, so the rules are checked against
# the domain and not against themselves.
LEGAL = {
    "referred": {"intake", "stopped"},
    "intake": {"business_plan", "stopped"},
    "business_plan": {"trial", "stopped"},
    "trial": {"member", "stopped"},
    "member": {"outflow", "stopped"},
    "outflow": {"referred", "intake"},
    "stopped": {"referred", "intake"},
}
OUTFLOW_KINDS = {"regular_job", "own_business", "other_independence"}
STOP_REASONS = {"own_choice", "health", "moved", "no_fit", "other"}
END_STAGES = {"outflow", "stopped"}

stages = st.sampled_from(sorted(LEGAL) + ["nonsense", ""])
outcomes = st.one_of(st.none(), st.sampled_from(sorted(OUTFLOW_KINDS | STOP_REASONS)), st.just("bogus"))
reasons = st.sampled_from(["", "   ", "Because it is time.", "y" * REASON_MAX, "x" * (REASON_MAX + 1)])
# Days after the previous step (negative: before it), or days into the future.
moments = st.one_of(st.tuples(st.just("after"), st.integers(-20, 40)),
                    st.tuples(st.just("future"), st.integers(1, 5)),
                    st.tuples(st.just("today"), st.just(0)))


def refusals(current: str, target: str, on_date: date, last_date: date, outcome, reason: str) -> set[str]:
    """The fields at which the domain refuses this step (empty: the step is allowed)."""
    wrong = set()
    if target not in LEGAL.get(current, ()):
        wrong.add("to_stage")
    if on_date > TODAY or on_date < last_date:
        wrong.add("on_date")
    wanted = OUTFLOW_KINDS if target == "outflow" else STOP_REASONS if target == "stopped" else None
    if (wanted is not None and outcome not in wanted) or (wanted is None and outcome):
        wrong.add("outcome")
    if len(reason) > REASON_MAX or (target == "stopped" and not reason.strip()):
        wrong.add("reason")
    return wrong


class PureJourney(RuleBasedStateMachine):
    """The rules alone (`check_transition`) against a model of the member's state."""

    reached: set = set()  # (re-entry?, stage) of the steps made, over all examples

    def __init__(self):
        super().__init__()
        self.stage: str | None = None
        self.last_date: date | None = None
        self.steps = 0

    @initialize(start=st.sampled_from(["referred", "intake"]), days_ago=st.integers(60, 400))
    def register(self, start, days_ago):
        self.start(start, TODAY - timedelta(days=days_ago))
        self.stage, self.last_date, self.steps = start, TODAY - timedelta(days=days_ago), 1

    def start(self, stage: str, day: date) -> None:
        check_transition(None, stage, on_date=day, last_date=None, today=TODAY)

    def on_date(self, moment) -> date:
        kind, days = moment
        if kind == "future":
            return TODAY + timedelta(days=days)
        if kind == "today":
            return TODAY
        return self.last_date + timedelta(days=days)

    def attempt(self, target, on_date, outcome, reason) -> str | None:
        """Try the step; the field it was refused at, or None when it was made."""
        try:
            check_transition(self.stage, target, on_date=on_date, last_date=self.last_date, today=TODAY,
                             reason=reason, outcome=outcome)
        except JourneyError as error:
            return error.field or "?"
        return None

    @rule(to_stage=stages, moment=moments, outcome=outcomes, reason=reasons)
    def random_step(self, to_stage, moment, outcome, reason):
        self.step(to_stage, moment, outcome, reason)

    def step(self, target, moment, outcome, reason):
        on_date = self.on_date(moment)
        expected = refusals(self.stage, target, on_date, self.last_date, outcome, reason)
        refused_at = self.attempt(target, on_date, outcome, reason)
        if expected:
            assert refused_at in expected, (self.stage, target, on_date, outcome, reason, refused_at, expected)
        else:
            assert refused_at is None, (self.stage, target, on_date, outcome, reason, refused_at)
            type(self).reached.add((self.stage in END_STAGES, target))
            self.stage, self.last_date, self.steps = target, on_date, self.steps + 1

    @rule(data=st.data())
    def likely_step(self, data):
        """A step the journey allows more often than not (a random one rarely is), so the
        examples reach trials, outflow and re-entry; still with a wrong detail now and then."""
        to_stage = data.draw(st.sampled_from(sorted(LEGAL[self.stage])), label="to_stage")
        wanted = OUTFLOW_KINDS if to_stage == "outflow" else STOP_REASONS if to_stage == "stopped" else set()
        outcome = data.draw(st.one_of(st.sampled_from(sorted(wanted)) if wanted else st.none(), outcomes)
                            if data.draw(st.integers(0, 9), label="odd outcome") == 0 else
                            (st.sampled_from(sorted(wanted)) if wanted else st.none()), label="outcome")
        reason = data.draw(st.sampled_from(["Agreed in the meeting.", "Agreed in the meeting.", "Agreed.", "", "  ",
                                            "x" * (REASON_MAX + 1)]), label="reason")
        moment = data.draw(st.one_of(st.tuples(st.just("after"), st.integers(0, 10)), moments), label="moment")
        self.step(to_stage, moment, outcome, reason)

    @invariant()
    def the_model_is_a_valid_state(self):
        if self.stage is not None:
            assert self.stage in LEGAL and self.last_date <= TODAY


class DatabaseJourney(PureJourney):
    """The same steps through `do_transition` on one member in the database; each example
    runs in a savepoint that is rolled back afterwards."""

    def __init__(self):
        super().__init__()
        self.savepoint = db.session.begin_nested()
        self.member: Member | None = None
        self.trial_months = db.session.scalar(select(JourneySettings.trial_months)) or 3

    def start(self, stage: str, day: date) -> None:
        self.member = do_register_member(name="Hypothesis Member", stage=stage, on_date=day, actor_id=None, today=TODAY)

    def attempt(self, target, on_date, outcome, reason) -> str | None:
        try:
            do_transition(self.member, target, on_date=on_date, reason=reason, outcome=outcome, actor_id=None,
                          today=TODAY)
        except JourneyError as error:
            return error.field or "?"
        return None

    def teardown(self):
        self.savepoint.rollback()

    @invariant()
    def the_stored_journey_is_consistent(self):
        if self.member is None:
            return
        db.session.expire_all()
        member = db.session.scalar(select(Member).where(Member.id == self.member.id))
        steps = list(db.session.scalars(
            select(JourneyTransition).where(JourneyTransition.member_id == member.id).order_by(JourneyTransition.id)))
        # The model's state is the stored one; a refused step left both unchanged.
        assert (member.stage, len(steps), member.stage_since) == (self.stage, self.steps, self.last_date)
        assert member.stage == steps[-1].to_stage and member.stage_since == steps[-1].on_date
        assert steps[0].from_stage is None
        for previous, current in zip(steps, steps[1:], strict=False):
            assert current.from_stage == previous.to_stage
            assert current.to_stage in LEGAL[previous.to_stage]
            assert previous.on_date <= current.on_date
        for step in steps:
            assert step.on_date <= TODAY
            assert (step.outcome is not None) == (step.to_stage in END_STAGES)
            if step.to_stage == "outflow":
                assert step.outcome in OUTFLOW_KINDS
            if step.to_stage == "stopped":
                assert step.outcome in STOP_REASONS and step.reason.strip()
        assert (member.outcome is not None) == (member.stage in END_STAGES)
        assert member.outcome == steps[-1].outcome
        assert (member.trial_ends_on is not None) == (member.stage == "trial")
        if member.stage == "trial":
            assert member.trial_ends_on == add_months(member.stage_since, self.trial_months)


# derandomize: the same examples every run, so the check below that every stage was
# reached cannot pass one run and fail the next.
SETTINGS = {"stateful_step_count": 20, "deadline": None, "database": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]}


# Every stage was stepped into, and a journey was re-entered after it ended.
EVERY_STAGE = {(False, stage) for stage in LEGAL if stage != "referred"} | {(True, "intake"), (True, "referred")}


def test_the_rules_never_allow_an_invalid_step():
    PureJourney.reached = set()
    run_state_machine_as_test(PureJourney, settings=settings(max_examples=300, **SETTINGS))
    assert EVERY_STAGE <= PureJourney.reached, EVERY_STAGE - PureJourney.reached


def test_the_database_never_reaches_an_invalid_state(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        DatabaseJourney.reached = set()
        run_state_machine_as_test(DatabaseJourney, settings=settings(max_examples=60, **{**SETTINGS, "stateful_step_count": 30}))
        assert EVERY_STAGE <= DatabaseJourney.reached, EVERY_STAGE - DatabaseJourney.reached
        # Every example was rolled back.
        assert db.session.scalar(select(Member.id).where(Member.name == "Hypothesis Member")) is None


# --- the CHECK constraints ----------------------------------------------------------------------


VALID = {"name": "Direct Write", "language": "nl", "referral_source": "municipality", "stage": "intake",
         "stage_since": date(2026, 1, 1)}


@pytest.mark.parametrize("changes, constraint", [
    ({"stage": "outflow"}, "ck_members_outcome_on_end"),
    ({"stage": "stopped"}, "ck_members_outcome_on_end"),
    ({"outcome": "health"}, "ck_members_outcome_on_end"),
    ({"stage": "trial"}, "ck_members_trial_end_in_trial"),
    ({"trial_ends_on": date(2026, 4, 1)}, "ck_members_trial_end_in_trial"),
    ({"stage": "graduated"}, "ck_members_stage"),
    ({"stage": "outflow", "outcome": "lottery"}, "ck_members_outcome"),
    ({"name": " Padded "}, "ck_members_name_present"),
    ({"referral_source": "friend"}, "ck_members_referral_source"),
])
def test_the_members_table_refuses_an_invalid_state_written_directly(db_session, baseline, changes, constraint):
    with tenant_context(baseline.coop_a.id):
        with pytest.raises(IntegrityError, match=constraint):
            with db.session.begin_nested():
                db.session.add(Member(**{**VALID, **changes}))
                db.session.flush()


@pytest.mark.parametrize("sql, constraint", [
    ("UPDATE members SET stage = 'outflow' WHERE id = :id", "ck_members_outcome_on_end"),
    ("UPDATE members SET stage = 'trial' WHERE id = :id", "ck_members_trial_end_in_trial"),
    ("UPDATE members SET outcome = 'moved' WHERE id = :id", "ck_members_outcome_on_end"),
])
def test_an_update_past_the_operations_is_refused_too(db_session, baseline, sql, constraint):
    with tenant_context(baseline.coop_a.id):
        with pytest.raises(IntegrityError, match=constraint):
            with db.session.begin_nested():
                db.session.execute(text(sql), {"id": baseline.extra["member_a"]})
        assert db.session.scalar(select(Member.stage).where(Member.id == baseline.extra["member_a"])) == "intake"


def test_a_transition_to_an_unknown_stage_is_refused_by_the_table(db_session, baseline):
    with tenant_context(baseline.coop_a.id):
        with pytest.raises(IntegrityError, match="ck_journey_transitions_to_stage"):
            with db.session.begin_nested():
                db.session.add(JourneyTransition(member_id=baseline.extra["member_a"], from_stage="intake",
                                                 to_stage="graduated", on_date=date(2026, 2, 1), reason=""))
                db.session.flush()
