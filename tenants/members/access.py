"""Who sees which member: one lookup for every package, one uniform "not found".

Coordinators and treasurers see every member of their cooperative; a coach sees the
members assigned to them; a member (or candidate) sees only themselves. Anything else
is a 404, the same as a member of another tenant.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, select

from koepel.platform.auth.permissions import SUPPORT_ROLE
from koepel.platform.db import db

from .models import Member

SEES_ALL = ("coordinator", "treasurer", SUPPORT_ROLE)


def sees_all_members() -> bool:
    return current_user.is_authenticated and current_user.has_role(*SEES_ALL)


def visible_members() -> Select:
    """`select(Member)` narrowed to the members the signed-in person may see."""
    query = select(Member)
    if sees_all_members():
        return query
    if current_user.is_authenticated and current_user.has_role("coach"):
        return query.where(Member.coach_user_id == current_user.id)
    if current_user.is_authenticated and current_user.has_role("member", "candidate"):
        return query.where(Member.user_id == current_user.id)
    return query.where(false())


def member_or_404(member_id: int, *, for_update: bool = False) -> Member:
    query = visible_members().where(Member.id == member_id)
    if for_update:
        query = query.with_for_update()
    member = db.session.scalar(query)
    if member is None:
        abort(404)
    return member


def own_member() -> Member | None:
    """The member record of the signed-in person in this cooperative (the portal's subject)."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Member).where(Member.user_id == current_user.id))
