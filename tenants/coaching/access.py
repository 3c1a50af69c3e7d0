"""Who reads whose coaching: the coordinator every member's, a coach their own members'.

Narrower than the member file: a person who is both treasurer and coach sees the
member list of a treasurer, but the coaching only of the members they coach. Notes and
goals are found through their member, so another member's (or tenant's) is the same
404 as one that does not exist.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from koepel.platform.db import db
from koepel.tenants.members import Member, visible_members

from .models import CoachingNote, Goal


def sees_all_coaching() -> bool:
    return current_user.is_authenticated and current_user.has_role("coordinator")


def coached_members():
    """`select(Member)` narrowed to the members whose coaching the signed-in person reads."""
    query = visible_members()
    if not sees_all_coaching():
        query = query.where(Member.coach_user_id == current_user.id)
    return query


def coached_member_or_404(member_id: int) -> Member:
    member = db.session.scalar(coached_members().where(Member.id == member_id))
    if member is None:
        abort(404)
    return member


def note_or_404(note_id: int) -> tuple[CoachingNote, Member]:
    note = db.session.scalar(select(CoachingNote).where(CoachingNote.id == note_id))
    if note is None:
        abort(404)
    return note, coached_member_or_404(note.member_id)


def goal_or_404(goal_id: int) -> tuple[Goal, Member]:
    goal = db.session.scalar(select(Goal).where(Goal.id == goal_id))
    if goal is None:
        abort(404)
    return goal, coached_member_or_404(goal.member_id)


def may_edit_note(note: CoachingNote) -> bool:
    """Its author corrects a note; a coordinator may too."""
    return current_user.is_authenticated and (note.coach_user_id == current_user.id or sees_all_coaching())
