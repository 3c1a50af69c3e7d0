"""Read models of the participation ladder: a member's path, who is due, transitions."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import distinct_on

from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.http.charts import Chart, Tick, line_chart
from koepel.tenants.members import ACTIVE_STAGES, JourneyTransition, Member, visible_members

from .models import Measurement
from .rungs import RUNG_LABELS, RUNGS, is_listed, is_overdue, next_due


@dataclass(frozen=True)
class MeasurementRow:
    measurement: Measurement
    measured_by: str | None  # the name of who measured


@dataclass(frozen=True)
class DueMeasurement:
    member: Member
    last: Measurement | None  # the latest measurement, if any
    due_on: date
    overdue: bool
    first: bool  # not measured since the (latest) intake


def ladder_path(member_id: int) -> list[Measurement]:
    """The member's measurements, oldest first (same day: in the order they were made)."""
    return list(db.session.scalars(
        select(Measurement).where(Measurement.member_id == member_id)
        .order_by(Measurement.measured_on, Measurement.id)
    ))


def measurement_rows(member_id: int) -> list[MeasurementRow]:
    """The member's measurements with who measured them, newest first (for the page)."""
    rows = db.session.execute(
        select(Measurement, User.name).outerjoin(User, User.id == Measurement.measured_by_user_id)
        .where(Measurement.member_id == member_id)
        .order_by(Measurement.measured_on.desc(), Measurement.id.desc())
    ).all()
    return [MeasurementRow(m, name) for m, name in rows]


def ladder_chart(member_id: int) -> Chart:
    """The member's path as a staircase over the dates of the measurements."""
    points = [(format_date(m.measured_on, "dd-MM-yyyy"), m.rung) for m in ladder_path(member_id)]
    chart = line_chart(points, title=_("Path on the participation ladder"), low=1, high=6,
                       y_labels={r: f"{r} · {RUNG_LABELS[r]}" for r in RUNGS}, step=True)
    if chart.empty:
        return chart
    # The figures table reads the full rung names; the narrow axis (44 pixels) gets the
    # rung numbers, and the page lists the rungs beside the chart.
    ticks = tuple(Tick(str(rung), tick.position) for rung, tick in zip(RUNGS, chart.y_ticks, strict=True))
    return dataclasses.replace(chart, y_ticks=ticks)


def latest_measurements(member_ids: list[int] | None = None) -> dict[int, Measurement]:
    """member id -> the member's latest measurement (all members of the tenant, or those)."""
    query = (select(Measurement).ext(distinct_on(Measurement.member_id))
             .order_by(Measurement.member_id, Measurement.measured_on.desc(), Measurement.id.desc()))
    if member_ids is not None:
        query = query.where(Measurement.member_id.in_(member_ids))
    return {m.member_id: m for m in db.session.scalars(query)}


def latest_rungs(member_ids: list[int] | None = None) -> dict[int, int]:
    """member id -> the rung of the latest measurement. Not narrowed to the members the
    signed-in person sees: a caller showing it to a person narrows the ids."""
    return {member_id: m.rung for member_id, m in latest_measurements(member_ids).items()}


def _intake_dates(member_ids: list[int]) -> dict[int, date]:
    rows = db.session.execute(
        select(JourneyTransition.member_id, func.max(JourneyTransition.on_date))
        .where(JourneyTransition.to_stage == "intake", JourneyTransition.member_id.in_(member_ids))
        .group_by(JourneyTransition.member_id)
    ).all()
    return dict(rows)


def _due(member: Member, last: Measurement | None, intake_on: date | None, today: date) -> DueMeasurement:
    due_on, first = next_due(last.measured_on if last else None, intake_on or member.stage_since)
    return DueMeasurement(member, last, due_on, is_overdue(due_on, today), first)


def next_measurement(member: Member, today: date | None = None) -> DueMeasurement | None:
    """When the member is to be measured next; None outside the active stages."""
    if member.stage not in ACTIVE_STAGES:
        return None
    return _due(member, latest_measurements([member.id]).get(member.id), _intake_dates([member.id]).get(member.id),
                today or amsterdam_today())


def due_measurements(today: date | None = None) -> list[DueMeasurement]:
    """Members in an active stage, among those the signed-in person sees, whose next
    measurement is due: never measured since the intake, or the last one six months old
    or so within 30 days. Overdue first, then by due date and name."""
    today = today or amsterdam_today()
    members = list(db.session.scalars(visible_members().where(Member.stage.in_(ACTIVE_STAGES))))
    ids = [m.id for m in members]
    if not ids:
        return []
    last = latest_measurements(ids)
    intakes = _intake_dates(ids)
    due = [_due(member, last.get(member.id), intakes.get(member.id), today) for member in members]
    due = [d for d in due if is_listed(d.due_on, today)]
    return sorted(due, key=lambda d: (not d.overdue, d.due_on, d.member.name.lower(), d.member.id))


def rung_transitions(date_from: date, date_to: date) -> list[tuple[int, int, int]]:
    """(from rung, to rung, count) over consecutive measurements of a member whose later
    measurement falls in [date_from, date_to]; the earlier one may precede the period.
    Staying on a rung counts too (from == to). All members of the tenant."""
    ordered = select(
        Measurement.member_id,
        Measurement.measured_on,
        func.lag(Measurement.rung).over(partition_by=Measurement.member_id,
                                        order_by=(Measurement.measured_on, Measurement.id)).label("from_rung"),
        Measurement.rung.label("to_rung"),
    ).subquery()
    rows = db.session.execute(
        select(ordered.c.from_rung, ordered.c.to_rung, func.count())
        .where(and_(ordered.c.from_rung.is_not(None), ordered.c.measured_on.between(date_from, date_to)))
        .group_by(ordered.c.from_rung, ordered.c.to_rung)
        .order_by(ordered.c.from_rung, ordered.c.to_rung)
    ).all()
    return [(int(f), int(t), int(n)) for f, t, n in rows]
