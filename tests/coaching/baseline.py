"""Coaching rows of the baseline: a note and a goal (with its history) for the baseline
member of cooperative A and of B, written by their coach (coach_ab)."""

from __future__ import annotations

from datetime import date

ORDER = 30

OBJECT_IDS = {
    "note_id": lambda b: (b.extra["coaching_note_a"], b.extra["coaching_note_b"]),
    "goal_id": lambda b: (b.extra["coaching_goal_a"], b.extra["coaching_goal_b"]),
}


def _coaching_of(member_id: int, coach_id: int, suffix: str) -> dict:
    from koepel.tenants.coaching import do_add_goal, do_add_note, do_update_goal

    member = _member(member_id)
    note = do_add_note(member, held_on=date(2026, 1, 12), kind="personal",
                       body=f"Baseline conversation {suffix.upper()}: the business plan.", actor_id=coach_id)
    goal = do_add_goal(member, title=f"Baseline goal {suffix.upper()}: first customer", actor_id=coach_id)
    do_update_goal(goal, progress=20, status="open", note="A quote was sent.", actor_id=coach_id)
    return {f"coaching_note_{suffix}": note.id, f"coaching_goal_{suffix}": goal.id}


def _member(member_id: int):
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.tenants.members import Member

    return db.session.scalar(select(Member).where(Member.id == member_id))


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context

    made = {}
    coach = people["coach_ab"].id
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id, coach):
            made.update(_coaching_of(extra[f"member_{suffix}"], coach, suffix))
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """A note by the matrix's coach and a goal, of a member that coach coaches."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.coaching import do_add_goal, do_add_note
    from koepel.tenants.members import do_register_member

    coach = people["coach"].id
    with tenant_context(tenant.id, coach):
        member = do_register_member(name="Matrix Coached Member", stage="intake", coach_user_id=coach, actor_id=None)
        note = do_add_note(member, held_on=date(2026, 1, 12), kind="business_skills", body="Matrix conversation.",
                           actor_id=coach)
        goal = do_add_goal(member, title="Matrix goal", actor_id=coach)
    # member_id stays the members package's matrix member (coached by the same coach).
    return {"note_id": note.id, "goal_id": goal.id}
