from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from koepel.platform.auth import User, can
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.http.charts import Chart, bar_chart, line_chart
from koepel.platform.jobs import JobRun
from koepel.platform.tenancy import Membership
from koepel.tenants.agreements import agreements
from koepel.tenants.coaching import members_without_recent_coaching
from koepel.tenants.ladder import DueMeasurement, due_measurements
from koepel.tenants.members import (
    STAGE_LABELS,
    STAGES,
    Member,
    counts_by_stage,
    members_over_time,
    trials_ending,
    visible_members,
)
from koepel.tenants.referrals import REFERRAL_STATUSES, pending_incoming_count, referrals
from koepel.tenants.settlements import awaiting


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


@dataclass(frozen=True)
class CooperativeDashboard:
    """What a coordinator looks at first: where members are, what needs doing."""

    today: date
    by_stage_chart: Chart
    trials_ending: list[Member]
    due: list[DueMeasurement]
    over_time_chart: Chart
    pending_referrals: int | None
    without_recent_coaching: list[Member]


def cooperative_dashboard(today: date | None = None) -> CooperativeDashboard:
    today = today or amsterdam_today()
    counts = counts_by_stage(visible_members())
    by_stage = [(str(STAGE_LABELS[stage]), counts.get(stage, 0)) for stage in STAGES]
    over_time = [(format_date(day, "MMM yy"), count) for day, count in members_over_time(12, today=today)]
    return CooperativeDashboard(
        today=today,
        by_stage_chart=bar_chart(by_stage, title=_("Members by stage")),
        trials_ending=trials_ending(today),
        due=due_measurements(today) if can("ladder.view") else [],
        over_time_chart=line_chart(over_time, title=_("Active members at the end of each month")),
        pending_referrals=pending_incoming_count() if can("referrals.incoming") else None,
        without_recent_coaching=members_without_recent_coaching(today=today) if can("coaching.view") else [],
    )


@dataclass(frozen=True)
class MunicipalityDashboard:
    """What waits for a municipality: agreements, referrals by status, settlements to process.
    A figure is None when this person may not see it."""

    agreements: int | None
    agreements_awaiting_answer: int | None
    referrals_by_status: dict[str, int] | None
    settlements_awaiting: int | None


def municipality_dashboard(today: date | None = None) -> MunicipalityDashboard:
    today = today or amsterdam_today()
    rows = agreements(today) if can("agreements.view") else None
    awaiting_answer = None if rows is None else sum(
        1 for row in rows if row.open_proposal is not None and row.open_proposal.proposed_by_side != row.agreement.side)
    by_status = None
    if can("referrals.view"):
        by_status = dict.fromkeys(REFERRAL_STATUSES, 0)
        for referral, _cooperative in referrals():
            by_status[referral.status] = by_status.get(referral.status, 0) + 1
    return MunicipalityDashboard(
        agreements=None if rows is None else len(rows),
        agreements_awaiting_answer=awaiting_answer,
        referrals_by_status=by_status,
        settlements_awaiting=awaiting("municipality") if can("settlements.view") else None,
    )
