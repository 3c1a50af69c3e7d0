from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import Membership


@dataclass(frozen=True)
class TeamMember:
    name: str
    email: str
    roles: tuple[str, ...]


def team() -> list[TeamMember]:
    """The people of the current tenant with their roles there."""
    rows = db.session.execute(
        select(User.id, User.name, User.email, Membership.role)
        .join(User, User.id == Membership.user_id)
        .order_by(User.name, Membership.role)
    ).all()
    people: dict[int, TeamMember] = {}
    for user_id, name, email, role in rows:
        known = people.get(user_id)
        people[user_id] = TeamMember(name, email, (known.roles if known else ()) + (role,))
    return list(people.values())


def my_recent_jobs(user_id: int, limit: int = 5) -> list[JobRun]:
    return list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.requested_by == user_id)
            .order_by(JobRun.created_at.desc())
            .limit(limit)
        )
    )
