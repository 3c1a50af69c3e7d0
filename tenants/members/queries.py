"""Read models of the members and their journey: the member pages and the coordinator's dashboard.

Every query runs in the current tenant (the ORM guard and row-level security). Queries
that a page narrows to the members its reader may see take that narrowed select
(`visible_members()`) as `within`; without it they count the whole cooperative.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select

from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, Tenant

from .journey import ACTIVE_STAGES, DEFAULT_TRIAL_MONTHS, STAGES
from .models import Business, JourneySettings, JourneyTransition, Member
from .operations import COACH_ROLES

PORTAL_ROLES = ("member", "candidate")
DEFAULT_WARNING_DAYS = JourneySettings.__table__.c.trial_warning_days.default.arg


@dataclass(frozen=True)
class SettingsValues:
    trial_months: int
    trial_warning_days: int


@dataclass(frozen=True)
class MemberRow:
    """One line of the members list."""

    id: int
    name: str
    trade_name: str | None
    stage: str
    stage_since: date
    coach_name: str | None
    trial_ends_on: date | None


@dataclass(frozen=True)
class TimelineStep:
    """One step of a member's journey as the timeline shows it."""

    id: int
    on_date: date
    from_stage: str | None
    to_stage: str
    outcome: str | None
    reason: str
    actor_user_id: int | None
    actor_name: str | None


def settings_values() -> SettingsValues:
    """The tenant's journey settings, read only (the defaults when none were saved)."""
    row = db.session.scalar(select(JourneySettings))
    if row is None:
        return SettingsValues(DEFAULT_TRIAL_MONTHS, DEFAULT_WARNING_DAYS)
    return SettingsValues(row.trial_months, row.trial_warning_days)


def counts_by_stage(within: Select | None = None) -> dict[str, int]:
    """How many members are in each stage now (every stage present, in journey order)."""
    query = (within if within is not None else select(Member)).with_only_columns(Member.stage, func.count())
    found = dict(db.session.execute(query.group_by(Member.stage)).all())
    return {stage: found.get(stage, 0) for stage in STAGES}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def member_rows(within: Select | None = None, *, stage: str | None = None, search: str | None = None) -> list[MemberRow]:
    """The members list: optionally one stage and a search in the name or trade name."""
    query = (
        (within if within is not None else select(Member))
        .outerjoin(Business, and_(Business.tenant_id == Member.tenant_id, Business.member_id == Member.id))
        .outerjoin(User, User.id == Member.coach_user_id)
        .with_only_columns(Member.id, Member.name, Business.trade_name, Member.stage, Member.stage_since, User.name,
                           Member.trial_ends_on)
        .order_by(func.lower(Member.name), Member.id)
    )
    if stage:
        query = query.where(Member.stage == stage)
    if search and search.strip():
        pattern = f"%{_escape_like(search.strip())}%"
        query = query.where(or_(Member.name.ilike(pattern, escape="\\"),
                                Business.trade_name.ilike(pattern, escape="\\")))
    return [MemberRow(*row) for row in db.session.execute(query).all()]


def trials_ending(today: date | None = None) -> list[Member]:
    """Running trial periods that end within the warning window or have passed their end,
    soonest first."""
    today = today or amsterdam_today()
    horizon = today + timedelta(days=settings_values().trial_warning_days)
    return list(db.session.scalars(
        select(Member).where(Member.stage == "trial", Member.trial_ends_on <= horizon)
        .order_by(Member.trial_ends_on, func.lower(Member.name), Member.id)
    ))


def trial_flag(member: Member, today: date | None = None, warning_days: int | None = None) -> int | None:
    """Days until a running trial ends (negative: ended that many days ago) when it is to be
    flagged; None when the member is not in trial or the end is further away."""
    if member.stage != "trial" or member.trial_ends_on is None:
        return None
    today = today or amsterdam_today()
    warning_days = settings_values().trial_warning_days if warning_days is None else warning_days
    days = (member.trial_ends_on - today).days
    return days if days <= warning_days else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(months: int, today: date) -> list[date]:
    """The last day of each of the last `months` months, the current month's being today."""
    days = []
    year, month = today.year, today.month
    for _ in range(months):
        days.append(min(_month_end(year, month), today))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(days)


def members_over_time(months: int = 12, today: date | None = None) -> list[tuple[date, int]]:
    """Per month end, how many members were in an active stage on that day.

    Computed from the journey's transitions (a member's stage on a day is where its last
    step on or before that day led), so members who have left since still count for the
    months they were active.
    """
    if months < 1:
        return []
    today = today or amsterdam_today()
    days = month_ends(months, today)
    rows = db.session.execute(
        select(JourneyTransition.member_id, JourneyTransition.on_date, JourneyTransition.to_stage)
        .where(JourneyTransition.on_date <= days[-1])
        .order_by(JourneyTransition.on_date, JourneyTransition.id)
    ).all()
    stage_of: dict[int, str] = {}
    result = []
    index = 0
    for day in days:
        while index < len(rows) and rows[index].on_date <= day:
            stage_of[rows[index].member_id] = rows[index].to_stage
            index += 1
        result.append((day, sum(1 for stage in stage_of.values() if stage in ACTIVE_STAGES)))
    return result


def timeline(member_id: int) -> list[TimelineStep]:
    """Every step of the member's journey with who made it, newest first."""
    rows = db.session.execute(
        select(JourneyTransition, User.name)
        .outerjoin(User, User.id == JourneyTransition.actor_user_id)
        .where(JourneyTransition.member_id == member_id)
        .order_by(JourneyTransition.id.desc())
    ).all()
    return [
        TimelineStep(t.id, t.on_date, t.from_stage, t.to_stage, t.outcome, t.reason, t.actor_user_id, name)
        for t, name in rows
    ]


def _people_with_roles(roles: tuple[str, ...]) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.name, User.email)
        .where(User.id.in_(select(Membership.user_id).where(Membership.role.in_(roles))))
        .order_by(func.lower(User.name), User.id)
    ).all()]


def coaches() -> list[tuple[int, str]]:
    """The people of this cooperative who may coach a member: (user id, name)."""
    return [(user_id, name) for user_id, name, _email in _people_with_roles(COACH_ROLES)]


def portal_accounts() -> list[tuple[int, str]]:
    """Accounts of this cooperative with the role member or candidate, which a member's
    record may be linked to for the portal: (user id, "name (email)")."""
    return [(user_id, f"{name} ({email})") for user_id, name, email in _people_with_roles(PORTAL_ROLES)]


def person_name(user_id: int | None) -> str | None:
    """The name of an account (a coach, a linked portal account)."""
    if user_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == user_id))


def person_email(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(select(User.email).where(User.id == user_id))


def municipalities() -> list[tuple[int, str]]:
    """The active municipalities of the federation (whose benefit a member may keep)."""
    return [(t.id, t.name) for t in db.session.scalars(
        select(Tenant).where(Tenant.kind == "municipality", Tenant.status == "active").order_by(Tenant.name))]
