"""Read models of the meetings: the lists, a meeting's roster, a member's attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import func, or_, select

from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today, start_of_day
from koepel.platform.db import db
from koepel.tenants.members import ACTIVE_STAGES, Member, visible_members

from .models import Attendance, Meeting

PAST_LIMIT = 100


@dataclass(frozen=True)
class RosterLine:
    member: Member
    status: str | None


def meeting_or_404(meeting_id: int) -> Meeting:
    """A meeting of this cooperative (every meeting is visible to all who see meetings)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
    if meeting is None:
        abort(404)
    return meeting


def upcoming_meetings(limit: int = 5, today: date | None = None) -> list[Meeting]:
    """Meetings from today (an Amsterdam day) on, the first first."""
    since = start_of_day(today or amsterdam_today())
    return list(db.session.scalars(
        select(Meeting).where(Meeting.starts_at >= since).order_by(Meeting.starts_at, Meeting.id).limit(limit)
    ))


def past_meetings(limit: int = PAST_LIMIT, today: date | None = None) -> list[Meeting]:
    """Meetings before today, the latest first."""
    before = start_of_day(today or amsterdam_today())
    return list(db.session.scalars(
        select(Meeting).where(Meeting.starts_at < before).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(limit)
    ))


def user_name(user_id: int | None) -> str | None:
    return db.session.scalar(select(User.name).where(User.id == user_id)) if user_id else None


def roster(meeting: Meeting) -> list[RosterLine]:
    """Whom the signed-in person may record for this meeting: the active members they
    see, and those they see who already have a status here; sorted by name."""
    recorded = select(Attendance.member_id).where(Attendance.meeting_id == meeting.id)
    members = db.session.scalars(
        visible_members().where(or_(Member.stage.in_(ACTIVE_STAGES), Member.id.in_(recorded)))
        .order_by(func.lower(Member.name), Member.id)
    ).all()
    statuses = dict(db.session.execute(
        select(Attendance.member_id, Attendance.status).where(Attendance.meeting_id == meeting.id)
    ).all())
    return [RosterLine(m, statuses.get(m.id)) for m in members]


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    return dict(db.session.execute(
        select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting.id).group_by(Attendance.status)
    ).all())


def attendance_status(meeting_id: int, member_id: int) -> str | None:
    return db.session.scalar(
        select(Attendance.status).where(Attendance.meeting_id == meeting_id, Attendance.member_id == member_id)
    )


def attendance_of(member_id: int) -> list[tuple[Meeting, str]]:
    """(meeting, status) of every meeting with a recorded status for the member, latest
    first. The caller has checked that the person may see this member (member_or_404)."""
    rows = db.session.execute(
        select(Meeting, Attendance.status)
        .join(Attendance, (Attendance.tenant_id == Meeting.tenant_id) & (Attendance.meeting_id == Meeting.id))
        .where(Attendance.member_id == member_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    ).all()
    return [(meeting, status) for meeting, status in rows]


def attendance_rate(member_id: int) -> float | None:
    """Share of the meetings the member was present at, of those recorded as present or
    absent (an excused absence does not count against them); None without any."""
    counts = dict(db.session.execute(
        select(Attendance.status, func.count()).where(Attendance.member_id == member_id,
                                                      Attendance.status.in_(("present", "absent")))
        .group_by(Attendance.status)
    ).all())
    total = counts.get("present", 0) + counts.get("absent", 0)
    return counts.get("present", 0) / total if total else None
