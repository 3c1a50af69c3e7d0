"""Read models of the placements: who sees which, the lists, retention, and the outcomes a
municipality counts.

Coordinators and coaches (and umbrella support) see every placement of the employer
cooperative; an employer sees only the placements at the employers whose contact they
are, and only those participants and employers. Anything else is a 404, the same as an
object of another tenant.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, func, select

from koepel.platform.auth.permissions import SUPPORT_ROLE
from koepel.platform.db import db
from koepel.platform.tenancy.models import Tenant

from .models import Employer, Participant, Placement
from .rules import END_REASONS, lasted, mark_date, reached

SEES_ALL = ("coordinator", "coach", SUPPORT_ROLE)


def sees_all_placements() -> bool:
    return current_user.is_authenticated and current_user.has_role(*SEES_ALL)


def _own_employers() -> Select:
    return select(Employer.id).where(Employer.contact_user_id == current_user.id)


def visible_employers() -> Select:
    query = select(Employer)
    if sees_all_placements():
        return query
    if current_user.is_authenticated and current_user.has_role("employer"):
        return query.where(Employer.id.in_(_own_employers()))
    return query.where(false())


def visible_placements() -> Select:
    query = select(Placement)
    if sees_all_placements():
        return query
    if current_user.is_authenticated and current_user.has_role("employer"):
        return query.where(Placement.employer_id.in_(_own_employers()))
    return query.where(false())


def visible_participants() -> Select:
    query = select(Participant)
    if sees_all_placements():
        return query
    if current_user.is_authenticated and current_user.has_role("employer"):
        placed = select(Placement.participant_id).where(Placement.employer_id.in_(_own_employers()))
        return query.where(Participant.id.in_(placed))
    return query.where(false())


def _one_or_404(query: Select):
    found = db.session.scalar(query)
    if found is None:
        abort(404)
    return found


def placement_or_404(placement_id: int) -> Placement:
    return _one_or_404(visible_placements().where(Placement.id == placement_id))


def employer_or_404(employer_id: int) -> Employer:
    return _one_or_404(visible_employers().where(Employer.id == employer_id))


def participant_or_404(participant_id: int) -> Participant:
    return _one_or_404(visible_participants().where(Participant.id == participant_id))


@dataclass(frozen=True)
class PlacementLine:
    placement: Placement
    participant_name: str
    employer_name: str


def placement_lines(*, status: str | None = None, employer_id: int | None = None,
                    participant_id: int | None = None) -> list[PlacementLine]:
    """The placements the signed-in person sees, filtered; the latest start first."""
    query = (
        visible_placements().add_columns(Participant.name, Employer.name)
        .join(Participant, (Participant.tenant_id == Placement.tenant_id) & (Participant.id == Placement.participant_id))
        .join(Employer, (Employer.tenant_id == Placement.tenant_id) & (Employer.id == Placement.employer_id))
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    if status == "active":
        query = query.where(Placement.end_date.is_(None))
    elif status == "ended":
        query = query.where(Placement.end_date.is_not(None))
    if employer_id is not None:
        query = query.where(Placement.employer_id == employer_id)
    if participant_id is not None:
        query = query.where(Placement.participant_id == participant_id)
    return [PlacementLine(p, participant, employer) for p, participant, employer in db.session.execute(query).all()]


def employer_lines() -> list[tuple[Employer, int, int]]:
    """(employer, active placements, all placements) for the employers the person sees."""
    counts = (
        select(Placement.employer_id, func.count().label("total"),
               func.count().filter(Placement.end_date.is_(None)).label("active"))
        .group_by(Placement.employer_id).subquery()
    )
    query = (
        visible_employers().add_columns(func.coalesce(counts.c.active, 0), func.coalesce(counts.c.total, 0))
        .outerjoin(counts, counts.c.employer_id == Employer.id)
        .order_by(func.lower(Employer.name), Employer.id)
    )
    return [(e, active, total) for e, active, total in db.session.execute(query).all()]


def participant_lines() -> list[tuple[Participant, int]]:
    """(participant, active placements) for the participants the person sees, by name."""
    active = (
        select(Placement.participant_id, func.count().label("active"))
        .where(Placement.end_date.is_(None)).group_by(Placement.participant_id).subquery()
    )
    query = (
        visible_participants().add_columns(func.coalesce(active.c.active, 0))
        .outerjoin(active, active.c.participant_id == Participant.id)
        .order_by(func.lower(Participant.name), Participant.id)
    )
    return [(p, n) for p, n in db.session.execute(query).all()]


def employer_choices() -> list[tuple[int, str]]:
    return [(e.id, e.name) for e in db.session.scalars(visible_employers().order_by(func.lower(Employer.name),
                                                                                       Employer.id))]


def participant_choices() -> list[tuple[int, str]]:
    return [(p.id, f"{p.name} (#{p.id})") for p in db.session.scalars(
        visible_participants().order_by(func.lower(Participant.name), Participant.id))]


def municipalities() -> list[tuple[int, str]]:
    """The active municipalities of the federation (whose benefit a participant may receive)."""
    return [(t.id, t.name) for t in db.session.scalars(
        select(Tenant).where(Tenant.kind == "municipality", Tenant.status == "active").order_by(Tenant.name))]


def all_placements() -> list[Placement]:
    """Every placement of this employer cooperative (for retention: the coordinator's page)."""
    return list(db.session.scalars(select(Placement).order_by(Placement.start_date, Placement.id)))


@dataclass(frozen=True)
class PlacementOutcomes:
    """What an employer cooperative's placements add to a municipality's outcomes over a
    period: placements of participants whose benefit that municipality pays."""

    started: int = 0  # start date within the period
    active: int = 0  # started by the period's end and not ended by then
    ended: dict[str, int] = field(default_factory=dict)  # end date within the period, per reason
    reached_6: int = 0  # 6-month mark within the period
    lasted_6: int = 0
    reached_12: int = 0
    lasted_12: int = 0


def placement_outcomes(municipality_tenant_id: int, first: date, last: date) -> PlacementOutcomes:
    """The counts for one municipality and the period `first`..`last` (both included).

    Call it inside the employer cooperative's tenant context; it reads, never writes. A
    placement counts towards "reached"/"lasted" in the period where its 6- or 12-month
    mark falls (see `rules` for what lasted means), so periods side by side add up."""
    if last < first:
        raise ValueError("the period ends before it starts")
    placements = list(db.session.scalars(
        select(Placement)
        .join(Participant, (Participant.tenant_id == Placement.tenant_id) & (Participant.id == Placement.participant_id))
        .where(Participant.benefit_municipality_id == municipality_tenant_id, Placement.start_date <= last)
    ))
    ended = Counter(p.end_reason for p in placements if p.end_date is not None and first <= p.end_date <= last)
    counts = {}
    for months in (6, 12):
        due = [p for p in placements if first <= mark_date(p.start_date, months) and reached(p, months, last)]
        counts[f"reached_{months}"] = len(due)
        counts[f"lasted_{months}"] = sum(1 for p in due if lasted(p, months))
    return PlacementOutcomes(
        started=sum(1 for p in placements if p.start_date >= first),
        active=sum(1 for p in placements if p.end_date is None or p.end_date > last),
        ended={reason: ended[reason] for reason in END_REASONS if ended[reason]},
        **counts,
    )
