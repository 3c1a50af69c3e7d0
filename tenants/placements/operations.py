"""Participants, employers and placements: registering, changing and ending them."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import ValidationError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.auth import User
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.onboarding.forms import validate_kvk
from koepel.platform.tenancy.models import Membership, Tenant

from .models import Employer, Participant, Placement
from .rules import (
    END_REASONS,
    FIRST_YEAR,
    GUIDE_MAX,
    HOURS_MAX,
    HOURS_MIN,
    KINDS,
    LAST_YEAR,
    NAME_MAX,
    NOTE_MAX,
    PLAN_MAX,
    PlacementError,
)

register_labels({
    "placements.participant_added": _l("Participant registered"),
    "placements.participant_changed": _l("Participant changed"),
    "placements.employer_added": _l("Employer added"),
    "placements.employer_changed": _l("Employer changed"),
    "placements.started": _l("Placement started"),
    "placements.changed": _l("Placement changed"),
    "placements.ended": _l("Placement ended"),
})

PARTICIPANT_FIELDS = ("name", "date_of_birth", "benefit_municipality_id")
EMPLOYER_FIELDS = ("name", "kvk_number", "contact_user_id")
PLACEMENT_FIELDS = ("participant_id", "employer_id", "kind", "start_date", "hours_per_week", "guide", "guidance_plan")


def _text(value: str | None) -> str:
    # Browsers send line breaks as two characters but count them as one.
    return (value or "").replace("\r\n", "\n").strip()


def _name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise PlacementError(_l("Enter the name."), "name")
    if len(name) > NAME_MAX:
        raise PlacementError(_l("Use at most %(max)s characters.", max=NAME_MAX), "name")
    return name


def _plausible(day: date | None, field: str, message) -> date:
    if day is None:
        raise PlacementError(message, field)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PlacementError(_l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
                             field)
    return day


def _changed(obj, values: dict, fields: tuple[str, ...]) -> list[str]:
    changed = sorted(k for k in fields if getattr(obj, k) != values[k])
    for key in changed:
        setattr(obj, key, values[key])
    return changed


# --- participants ---------------------------------------------------------------------------

def _participant_values(*, name: str, date_of_birth: date | None, benefit_municipality_id: int | None,
                        today: date | None) -> dict:
    if date_of_birth is not None and not date(1900, 1, 1) <= date_of_birth <= (today or amsterdam_today()):
        raise PlacementError(_l("Enter a date of birth in the past."), "date_of_birth")
    if benefit_municipality_id is not None:
        found = db.session.get(Tenant, benefit_municipality_id)
        if found is None or found.kind != "municipality" or found.status != "active":
            raise PlacementError(_l("Choose a municipality from the list."), "benefit_municipality_id")
    return {"name": _name(name), "date_of_birth": date_of_birth, "benefit_municipality_id": benefit_municipality_id}


def do_add_participant(*, name: str, date_of_birth: date | None = None, benefit_municipality_id: int | None = None,
                       actor_id: int | None, today: date | None = None) -> Participant:
    values = _participant_values(name=name, date_of_birth=date_of_birth,
                                 benefit_municipality_id=benefit_municipality_id, today=today)
    participant = Participant(**values, created_by_user_id=actor_id)
    db.session.add(participant)
    db.session.flush()
    # No name in the audit row: the log outlives what it describes.
    record("placements.participant_added", object_type="placement_participant", object_id=participant.id,
           actor_user_id=actor_id)
    return participant


def do_update_participant(participant: Participant, *, name: str, date_of_birth: date | None = None,
                          benefit_municipality_id: int | None = None, actor_id: int | None,
                          today: date | None = None) -> Participant:
    values = _participant_values(name=name, date_of_birth=date_of_birth,
                                 benefit_municipality_id=benefit_municipality_id, today=today)
    changed = _changed(participant, values, PARTICIPANT_FIELDS)
    if changed:
        db.session.flush()
        record("placements.participant_changed", object_type="placement_participant", object_id=participant.id,
               details={"fields": changed}, actor_user_id=actor_id)
    return participant


# --- employers ------------------------------------------------------------------------------

def employer_accounts() -> list[tuple[int, str]]:
    """The accounts with the role `employer` in this cooperative: (user id, name)."""
    return [tuple(row) for row in db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(Membership.user_id).where(Membership.role == "employer")))
        .order_by(User.name, User.id)
    ).all()]


def _employer_values(*, name: str, kvk_number: str | None, contact_user_id: int | None,
                     employer_id: int | None) -> dict:
    name = _name(name)
    kvk = None
    if (kvk_number or "").strip():
        try:
            kvk = validate_kvk(kvk_number)
        except ValidationError as error:
            raise PlacementError(str(error), "kvk_number") from error
        taken = select(Employer.id).where(Employer.kvk_number == kvk)
        if employer_id is not None:
            taken = taken.where(Employer.id != employer_id)
        if db.session.scalar(taken.limit(1)) is not None:
            raise PlacementError(_l("Another employer has this KvK number."), "kvk_number")
    if contact_user_id is not None and contact_user_id not in {uid for uid, _name in employer_accounts()}:
        raise PlacementError(_l("Choose an account with the role employer from the list."), "contact_user_id")
    return {"name": name, "kvk_number": kvk, "contact_user_id": contact_user_id}


def do_add_employer(*, name: str, kvk_number: str | None = None, contact_user_id: int | None = None,
                    actor_id: int | None) -> Employer:
    values = _employer_values(name=name, kvk_number=kvk_number, contact_user_id=contact_user_id, employer_id=None)
    employer = Employer(**values, created_by_user_id=actor_id)
    db.session.add(employer)
    db.session.flush()
    record("placements.employer_added", object_type="placement_employer", object_id=employer.id,
           details={"name": employer.name}, actor_user_id=actor_id)
    return employer


def do_update_employer(employer: Employer, *, name: str, kvk_number: str | None = None,
                       contact_user_id: int | None = None, actor_id: int | None) -> Employer:
    values = _employer_values(name=name, kvk_number=kvk_number, contact_user_id=contact_user_id,
                              employer_id=employer.id)
    changed = _changed(employer, values, EMPLOYER_FIELDS)
    if changed:
        db.session.flush()
        record("placements.employer_changed", object_type="placement_employer", object_id=employer.id,
               details={"fields": changed}, actor_user_id=actor_id)
    return employer


# --- placements -----------------------------------------------------------------------------

def _placement_values(*, participant_id: int | None, employer_id: int | None, kind: str | None,
                      start_date: date | None, hours_per_week: int | None, guide: str, guidance_plan: str,
                      end_date: date | None, today: date | None) -> dict:
    # Ids come from the form: one of another tenant is not found here (the tenant guard).
    if participant_id is None or db.session.scalar(
            select(Participant.id).where(Participant.id == participant_id)) is None:
        raise PlacementError(_l("Choose a participant from the list."), "participant_id")
    if employer_id is None or db.session.scalar(select(Employer.id).where(Employer.id == employer_id)) is None:
        raise PlacementError(_l("Choose an employer from the list."), "employer_id")
    if kind not in KINDS:
        raise PlacementError(_l("Choose the kind of placement from the list."), "kind")
    start_date = _plausible(start_date, "start_date", _l("Enter the start date."))
    if start_date.year > (today or amsterdam_today()).year + 1:
        raise PlacementError(_l("A placement can be planned at most until the end of next year."), "start_date")
    if end_date is not None and start_date > end_date:
        raise PlacementError(_l("This placement ended on %(date)s: it cannot start after that.",
                                date=end_date.strftime("%d-%m-%Y")), "start_date")
    if hours_per_week is None or not HOURS_MIN <= hours_per_week <= HOURS_MAX:
        raise PlacementError(_l("Enter the hours per week: a whole number from %(low)s to %(high)s.",
                                low=HOURS_MIN, high=HOURS_MAX), "hours_per_week")
    guide, guidance_plan = _text(guide), _text(guidance_plan)
    if len(guide) > GUIDE_MAX:
        raise PlacementError(_l("Use at most %(max)s characters.", max=GUIDE_MAX), "guide")
    if len(guidance_plan) > PLAN_MAX:
        raise PlacementError(_l("Keep the guidance plan to at most %(max)s characters (now %(count)s).",
                                max=PLAN_MAX, count=len(guidance_plan)), "guidance_plan")
    return {"participant_id": participant_id, "employer_id": employer_id, "kind": kind, "start_date": start_date,
            "hours_per_week": hours_per_week, "guide": guide, "guidance_plan": guidance_plan}


def do_start_placement(*, participant_id: int | None, employer_id: int | None, kind: str | None,
                       start_date: date | None, hours_per_week: int | None, guide: str = "",
                       guidance_plan: str = "", actor_id: int | None, today: date | None = None) -> Placement:
    values = _placement_values(participant_id=participant_id, employer_id=employer_id, kind=kind,
                               start_date=start_date, hours_per_week=hours_per_week, guide=guide,
                               guidance_plan=guidance_plan, end_date=None, today=today)
    placement = Placement(**values, end_note="", created_by_user_id=actor_id)
    db.session.add(placement)
    db.session.flush()
    record("placements.started", object_type="placement", object_id=placement.id,
           details={"kind": placement.kind, "start_date": placement.start_date.isoformat(),
                    "employer_id": placement.employer_id}, actor_user_id=actor_id)
    return placement


def do_update_placement(placement: Placement, *, participant_id: int | None, employer_id: int | None,
                        kind: str | None, start_date: date | None, hours_per_week: int | None, guide: str = "",
                        guidance_plan: str = "", actor_id: int | None, today: date | None = None) -> Placement:
    values = _placement_values(participant_id=participant_id, employer_id=employer_id, kind=kind,
                               start_date=start_date, hours_per_week=hours_per_week, guide=guide,
                               guidance_plan=guidance_plan, end_date=placement.end_date, today=today)
    changed = _changed(placement, values, PLACEMENT_FIELDS)
    if changed:
        db.session.flush()
        record("placements.changed", object_type="placement", object_id=placement.id, details={"fields": changed},
               actor_user_id=actor_id)
    return placement


def do_end_placement(placement: Placement, *, end_date: date | None, reason: str | None, note: str = "",
                     actor_id: int | None, today: date | None = None) -> Placement:
    """End a running placement on a day that has come, for one of the fixed reasons. The
    row is locked first: of two people ending it at once, the second is told it ended."""
    db.session.refresh(placement, with_for_update=True)
    if placement.end_date is not None:
        raise PlacementError(_l("This placement has already ended."), "end_date")
    end_date = _plausible(end_date, "end_date", _l("Enter the end date."))
    if end_date < placement.start_date:
        raise PlacementError(_l("The end date cannot be before the start date (%(date)s).",
                                date=placement.start_date.strftime("%d-%m-%Y")), "end_date")
    if end_date > (today or amsterdam_today()):
        raise PlacementError(_l("Record an end once it has happened: the end date cannot be in the future."),
                             "end_date")
    if reason not in END_REASONS:
        raise PlacementError(_l("Choose why the placement ended."), "reason")
    note = _text(note)
    if reason == "other" and not note:
        raise PlacementError(_l("Describe the reason."), "note")
    if len(note) > NOTE_MAX:
        raise PlacementError(_l("Use at most %(max)s characters.", max=NOTE_MAX), "note")
    placement.end_date, placement.end_reason, placement.end_note = end_date, reason, note
    placement.ended_by_user_id, placement.ended_at = actor_id, utcnow()
    db.session.flush()
    record("placements.ended", object_type="placement", object_id=placement.id,
           details={"end_date": end_date.isoformat(), "reason": reason}, actor_user_id=actor_id)
    return placement
