from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Membership

from .models import Invitation


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    roles: tuple[str, ...]
    has_two_factor: bool


def people() -> list[Person]:
    """The people of the current tenant with their roles there."""
    rows = db.session.execute(
        select(User, Membership.role).join(User, User.id == Membership.user_id).order_by(User.name, User.id, Membership.role)
    ).all()
    found: dict[int, Person] = {}
    for user, role in rows:
        known = found.get(user.id)
        found[user.id] = Person(user.id, user.name, user.email, (known.roles if known else ()) + (role,),
                                bool(getattr(user, "has_two_factor", False)))
    return list(found.values())


def person(user_id: int) -> Person | None:
    """One person of the current tenant; None for anyone without a role here."""
    return next((p for p in people() if p.id == user_id), None)


def open_invitations(limit: int = 200) -> list[Invitation]:
    """Invitations not yet accepted or revoked (expired ones too, so they can be resent)."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at.desc())
            .limit(limit)
        )
    )
