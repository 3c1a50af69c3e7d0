"""Read models: a member's notes and goals, a goal's history, and what the member
portal and the coordinator dashboard ask of coaching.

`notes_for`, `goals_for` and `next_appointment` read one member of the current tenant
and do not decide who may: the caller does (the portal passes the member's own record,
the coaching pages a member from `coached_member_or_404`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, nulls_first, select

from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.tenants.members import ACTIVE_STAGES, Member, visible_members

from .models import CoachingNote, Goal, GoalUpdate

_STATUS_ORDER = case({"open": 0, "achieved": 1}, value=Goal.status, else_=2)


def notes_for(member_id: int, limit: int | None = None) -> list[CoachingNote]:
    """The member's coaching notes, the most recent conversation first."""
    query = (select(CoachingNote).where(CoachingNote.member_id == member_id)
             .order_by(CoachingNote.held_on.desc(), CoachingNote.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def goals_for(member_id: int) -> list[Goal]:
    """The member's goals: open first (nearest target date first), then achieved, then dropped."""
    return list(db.session.scalars(
        select(Goal).where(Goal.member_id == member_id)
        .order_by(_STATUS_ORDER, Goal.target_on.asc().nulls_last(), Goal.id)
    ))


def next_appointment(member_id: int, today: date | None = None) -> date | None:
    """The next appointment agreed in the latest conversation, unless it has passed."""
    agreed = db.session.scalar(
        select(CoachingNote.next_appointment_on).where(CoachingNote.member_id == member_id)
        .order_by(CoachingNote.held_on.desc(), CoachingNote.id.desc()).limit(1)
    )
    if agreed is None or agreed < (today or amsterdam_today()):
        return None
    return agreed


def members_without_recent_coaching(days: int = 60, today: date | None = None) -> list[Member]:
    """Members the signed-in person sees, in an active stage, without a conversation in
    the last `days` days: never coached first, then the longest ago."""
    since = (today or amsterdam_today()) - timedelta(days=days)
    last = (select(CoachingNote.member_id, func.max(CoachingNote.held_on).label("held_on"))
            .group_by(CoachingNote.member_id).subquery())
    query = (visible_members().outerjoin(last, last.c.member_id == Member.id)
             .where(Member.stage.in_(ACTIVE_STAGES))
             .where((last.c.held_on.is_(None)) | (last.c.held_on < since))
             .order_by(nulls_first(last.c.held_on.asc()), Member.name, Member.id))
    return list(db.session.scalars(query))


# --- the pages ------------------------------------------------------------------------------


def names(user_ids) -> dict[int, str]:
    """Display names of the people who wrote notes and updates."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def coach_name(member: Member) -> str | None:
    return names([member.coach_user_id]).get(member.coach_user_id) if member.coach_user_id else None


@dataclass(frozen=True)
class MemberCoaching:
    member: Member
    coach: str | None
    notes: list[CoachingNote]
    goals: list[Goal]
    next_appointment: date | None
    authors: dict[int, str]


def member_coaching(member: Member) -> MemberCoaching:
    notes = notes_for(member.id)
    return MemberCoaching(
        member=member,
        coach=coach_name(member),
        notes=notes,
        goals=goals_for(member.id),
        next_appointment=next_appointment(member.id),
        authors=names(n.coach_user_id for n in notes),
    )


def goal_history(goal: Goal) -> tuple[list[GoalUpdate], dict[int, str]]:
    """The goal's updates, the latest first, with the names of who recorded them."""
    updates = list(db.session.scalars(
        select(GoalUpdate).where(GoalUpdate.goal_id == goal.id).order_by(GoalUpdate.id.desc())
    ))
    return updates, names([u.by_user_id for u in updates] + [goal.created_by_user_id])
