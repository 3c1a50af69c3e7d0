from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Membership

from .models import AuditEvent

RECENT_LIMIT = 200
PAGE_SIZE = 50
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class AuditFilter:
    """What the audit pages and the CSV export filter on. Dates are Amsterdam days,
    inclusive. Plain values, so a job can take it as a dict."""

    person_id: int | None = None
    person_email: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    tenant_id: int | None = None

    def to_args(self) -> dict:
        values = asdict(self)
        for key in ("date_from", "date_to"):
            if values[key] is not None:
                values[key] = values[key].isoformat()
        return {k: v for k, v in values.items() if v not in (None, "")}

    @classmethod
    def from_args(cls, args: dict | None) -> AuditFilter:
        args = dict(args or {})
        for key in ("date_from", "date_to"):
            if args.get(key):
                args[key] = date.fromisoformat(args[key])
        return cls(**{k: v for k, v in args.items() if k in cls.__dataclass_fields__})


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def filtered(filters: AuditFilter, *, columns=None) -> Select:
    stmt = select(*(columns or (AuditEvent, User.name))).outerjoin(User, User.id == AuditEvent.actor_user_id)
    if filters.person_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == filters.person_id)
    if filters.person_email:
        stmt = stmt.where(func.lower(User.email) == filters.person_email.strip().lower())
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(filters.date_to + timedelta(days=1)))
    if filters.tenant_id is not None:
        stmt = stmt.where(AuditEvent.tenant_id == filters.tenant_id)
    return stmt


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of_events(filters: AuditFilter, number: int = 1, *, session: Session | None = None, columns=None) -> Page:
    """One page of the (filtered) log, newest first. `session`: the umbrella's, for the
    federation-wide log; else the tenant's own through RLS."""
    session = session or db.session
    stmt = filtered(filters, columns=columns)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    number = max(1, number)
    rows = session.execute(
        stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).all()
    return Page(rows, number, total)


def recent_events(limit: int = RECENT_LIMIT) -> list[tuple[AuditEvent, str | None]]:
    """The tenant's latest audit rows with the actor's name."""
    return db.session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def known_actions(session: Session | None = None) -> list[str]:
    session = session or db.session
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def people_in_log() -> list[tuple[int, str]]:
    """Everyone who has a role here or acted here: the person filter's choices."""
    members = select(Membership.user_id)
    actors = select(AuditEvent.actor_user_id).where(AuditEvent.actor_user_id.is_not(None))
    return db.session.execute(
        select(User.id, User.name).where(User.id.in_(members.union(actors))).order_by(User.name)
    ).all()


def count_events(filters: AuditFilter | None = None, *, session: Session | None = None) -> int:
    session = session or db.session
    stmt = filtered(filters or AuditFilter())
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def iter_events(filters: AuditFilter | None = None, batch: int = 1000, *, session: Session | None = None,
                columns=None) -> Iterator[tuple]:
    session = session or db.session
    stmt = (
        filtered(filters or AuditFilter(), columns=columns or (AuditEvent, User.email))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .execution_options(yield_per=batch)
    )
    yield from session.execute(stmt)
