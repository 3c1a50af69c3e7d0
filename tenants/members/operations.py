"""Members and their journey: register, update, assign a coach, move a stage, settings."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months
from koepel.platform.db import db
from koepel.platform.tenancy import Membership, Tenant, current_tenant_id
from koepel.platform.uploads import file_kind, upload_folder

from .journey import JourneyError, check_transition
from .models import (
    HOUSEHOLDS,
    LANGUAGES,
    REFERRAL_SOURCES,
    Business,
    JourneySettings,
    JourneyTransition,
    Member,
)
from .signals import member_transitioned

# Roles that may coach a member (a coordinator often coaches too).
COACH_ROLES = ("coach", "coordinator")
MEMBER_FIELDS = (
    "name", "email", "phone", "date_of_birth", "municipality", "language", "referral_source", "benefit_municipality_id",
    "household",
)
BUSINESS_FIELDS = ("trade_name", "activity", "description")


register_labels({
    "members.registered": _l("Member registered"),
    "members.updated": _l("Member details changed"),
    "members.coach_assigned": _l("Coach assigned to a member"),
    "members.account_linked": _l("Member linked to an account"),
    "members.transitioned": _l("Member moved to another stage of the journey"),
    "members.trial_end_changed": _l("End of a trial period changed"),
    "members.settings_changed": _l("Journey settings changed"),
    "members.photo_changed": _l("Photo of a member's business changed"),
})

# A business photo: PNG or JPEG, recognised by its first bytes (never by its name).
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_KINDS = ("png", "jpg")


class MemberError(ValueError):
    """Member data that cannot be stored; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)  # a lazy text: translated when shown, in the reader's language
        self.field = field


def journey_settings() -> JourneySettings:
    """The tenant's settings, created with the defaults on first use."""
    settings = db.session.scalar(select(JourneySettings))
    if settings is None:
        settings = JourneySettings()
        db.session.add(settings)
        db.session.flush()
    return settings


def do_update_settings(*, trial_months: int, trial_warning_days: int, actor_id: int | None) -> JourneySettings:
    if not 1 <= trial_months <= 12:
        raise MemberError(_l("A trial period lasts 1 to 12 months."), "trial_months")
    if not 1 <= trial_warning_days <= 90:
        raise MemberError(_l("Flag a trial's end 1 to 90 days ahead."), "trial_warning_days")
    settings = journey_settings()
    before = {"trial_months": settings.trial_months, "trial_warning_days": settings.trial_warning_days}
    settings.trial_months, settings.trial_warning_days = trial_months, trial_warning_days
    record("members.settings_changed", object_type="journey_settings", object_id=settings.id,
           details={"before": before, "after": {"trial_months": trial_months, "trial_warning_days": trial_warning_days}},
           actor_user_id=actor_id)
    return settings


def _clean(fields: dict) -> dict:
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    for key in ("email", "phone", "municipality"):
        if key in cleaned and not cleaned[key]:
            cleaned[key] = None
    if "name" in cleaned and not cleaned["name"]:
        raise MemberError(_l("Enter the name."), "name")
    if cleaned.get("email") and "@" not in cleaned["email"][1:]:
        raise MemberError(_l("Enter a valid email address."), "email")
    if "language" in cleaned and cleaned["language"] not in LANGUAGES:
        raise MemberError(_l("Choose a language from the list."), "language")
    if "referral_source" in cleaned and cleaned["referral_source"] not in REFERRAL_SOURCES:
        raise MemberError(_l("Choose how this person came to the cooperative."), "referral_source")
    if cleaned.get("household") is not None and cleaned["household"] not in HOUSEHOLDS:
        raise MemberError(_l("Choose a household type from the list."), "household")
    municipality_id = cleaned.get("benefit_municipality_id")
    if municipality_id is not None:
        found = db.session.get(Tenant, municipality_id)
        if found is None or found.kind != "municipality" or found.status != "active":
            raise MemberError(_l("Choose a municipality from the list."), "benefit_municipality_id")
    born = cleaned.get("date_of_birth")
    if born is not None and not date(1900, 1, 1) <= born <= date.today():
        raise MemberError(_l("Enter a date of birth in the past."), "date_of_birth")
    return cleaned


def check_coach(user_id: int | None) -> None:
    if user_id is None:
        return
    if db.session.scalar(select(Membership.id).where(Membership.user_id == user_id,
                                                     Membership.role.in_(COACH_ROLES)).limit(1)) is None:
        raise MemberError(_l("Choose a coach of this cooperative."), "coach_user_id")


def do_register_member(
    *,
    name: str,
    stage: str = "intake",
    on_date: date | None = None,
    reason: str = "",
    coach_user_id: int | None = None,
    business: dict | None = None,
    actor_id: int | None,
    today: date | None = None,
    **fields,
) -> Member:
    """A new member at the start of a journey (referred or intake), with its first step."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    cleaned = _clean({"name": name, **fields})
    check_coach(coach_user_id)
    today = today or date.today()
    on_date = on_date or today
    try:
        check_transition(None, stage, on_date=on_date, last_date=None, today=today, reason=reason)
    except JourneyError as error:
        raise MemberError(error.args[0], "stage" if error.field == "to_stage" else error.field) from None
    member = Member(**cleaned, coach_user_id=coach_user_id, stage=stage, stage_since=on_date)
    db.session.add(member)
    db.session.flush()
    if business and (business.get("trade_name") or "").strip():
        db.session.add(Business(member_id=member.id, **_business_fields(business)))
    transition = JourneyTransition(member_id=member.id, from_stage=None, to_stage=stage, on_date=on_date,
                                   reason=reason.strip(), actor_user_id=actor_id)
    db.session.add(transition)
    db.session.flush()
    record("members.registered", object_type="member", object_id=member.id,
           details={"stage": stage, "on_date": on_date.isoformat()}, actor_user_id=actor_id)
    member_transitioned.send(None, member=member, transition=transition, actor_id=actor_id)
    return member


def _business_fields(business: dict) -> dict:
    fields = {k: (business.get(k) or "").strip() for k in BUSINESS_FIELDS}
    if not fields["trade_name"]:
        raise MemberError(_l("Enter the trade name."), "trade_name")
    return fields


def do_update_member(member: Member, *, actor_id: int | None, business: dict | None = None, **fields) -> Member:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    cleaned = _clean(fields)
    changed = sorted(k for k, v in cleaned.items() if getattr(member, k) != v)
    for key in changed:
        setattr(member, key, cleaned[key])
    if business is not None:
        if (business.get("trade_name") or "").strip():
            values = _business_fields(business)
            if member.business is None:
                member.business = Business(member_id=member.id, **values)
                changed.append("business")
            elif any(getattr(member.business, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(member.business, key, value)
                changed.append("business")
    if changed:
        # Which fields changed, not their values: the audit log is no copy of the file.
        record("members.updated", object_type="member", object_id=member.id, details={"fields": changed},
               actor_user_id=actor_id)
    db.session.flush()
    return member


def do_assign_coach(member: Member, coach_user_id: int | None, *, actor_id: int | None) -> Member:
    check_coach(coach_user_id)
    if member.coach_user_id != coach_user_id:
        record("members.coach_assigned", object_type="member", object_id=member.id,
               details={"before": member.coach_user_id, "after": coach_user_id}, actor_user_id=actor_id)
        member.coach_user_id = coach_user_id
        db.session.flush()
    return member


def do_link_account(member: Member, user_id: int | None, *, actor_id: int | None) -> Member:
    """Link the member's own account (the member portal shows this member to it)."""
    if member.user_id != user_id:
        if user_id is not None and db.session.scalar(
            select(Member.id).where(Member.user_id == user_id, Member.id != member.id)
        ):
            raise MemberError(_l("This account already belongs to another member."), "user_id")
        member.user_id = user_id
        record("members.account_linked", object_type="member", object_id=member.id,
               details={"user_id": user_id}, actor_user_id=actor_id)
        db.session.flush()
    return member


def last_transition(member_id: int) -> JourneyTransition | None:
    return db.session.scalar(
        select(JourneyTransition).where(JourneyTransition.member_id == member_id)
        .order_by(JourneyTransition.id.desc()).limit(1)
    )


def do_transition(
    member: Member,
    to_stage: str,
    *,
    on_date: date | None = None,
    reason: str = "",
    outcome: str | None = None,
    actor_id: int | None,
    today: date | None = None,
) -> JourneyTransition:
    """Move the member to `to_stage`, or raise JourneyError and change nothing.

    The member's row is locked first, so two coaches clicking at once make two steps in
    order (the second checked against the first), never two steps from the same stage.
    """
    db.session.refresh(member, with_for_update=True)
    today = today or date.today()
    on_date = on_date or today
    reason = (reason or "").strip()
    outcome = outcome or None
    previous = last_transition(member.id)
    check_transition(member.stage, to_stage, on_date=on_date, last_date=previous.on_date if previous else None,
                     today=today, reason=reason, outcome=outcome)
    transition = JourneyTransition(member_id=member.id, from_stage=member.stage, to_stage=to_stage, outcome=outcome,
                                   on_date=on_date, reason=reason, actor_user_id=actor_id)
    # Read the settings before changing the member: the query would flush a half-made state.
    trial_ends_on = add_months(on_date, journey_settings().trial_months) if to_stage == "trial" else None
    member.stage, member.stage_since, member.outcome, member.trial_ends_on = to_stage, on_date, outcome, trial_ends_on
    db.session.add(transition)
    db.session.flush()
    record("members.transitioned", object_type="member", object_id=member.id,
           details={"from": transition.from_stage, "to": to_stage, "outcome": outcome, "on_date": on_date.isoformat()},
           actor_user_id=actor_id)
    member_transitioned.send(None, member=member, transition=transition, actor_id=actor_id)
    return transition


def do_set_trial_end(member: Member, ends_on: date, *, actor_id: int | None) -> Member:
    """Extend or shorten a running trial."""
    if member.stage != "trial":
        raise MemberError(_l("Only a running trial period has an end date."), "trial_ends_on")
    if ends_on <= member.stage_since:
        raise MemberError(_l("The trial must end after it started."), "trial_ends_on")
    if ends_on != member.trial_ends_on:
        record("members.trial_end_changed", object_type="member", object_id=member.id,
               details={"before": member.trial_ends_on.isoformat(), "after": ends_on.isoformat()},
               actor_user_id=actor_id)
        member.trial_ends_on = ends_on
        db.session.flush()
    return member


def photo_kind(data: bytes) -> str | None:
    """"png" or "jpg" when the bytes start like one, else None."""
    return file_kind(data, PHOTO_KINDS)


def photo_folder(tenant_id: int | None = None) -> Path:
    """Where the current tenant's business photos live (inside the instance folder)."""
    tenant_id = current_tenant_id() if tenant_id is None else tenant_id
    return upload_folder(tenant_id, "businesses")


def photo_path(file_name: str | None) -> Path | None:
    """The stored photo's file of the current tenant, or None when there is none."""
    if not file_name:
        return None
    folder = photo_folder().resolve()
    path = (folder / file_name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def do_set_business_photo(member: Member, data: bytes, *, actor_id: int | None) -> Business:
    """Store a new photo of the member's business (PNG or JPEG, at most 2 MB).

    The file is written under a random name; the previous file stays until the caller
    has committed (then `remove_photo_file` it), so a rolled-back change loses nothing.
    """
    if member.business is None:
        raise MemberError(_l("Enter the trade name of the business first."), "photo")
    if len(data) > PHOTO_MAX_BYTES:
        raise MemberError(_l("The photo may be at most 2 MB."), "photo")
    kind = photo_kind(data)
    if kind is None:
        raise MemberError(_l("Upload a photo as a PNG or JPEG image."), "photo")
    folder = photo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}.{kind}"
    (folder / file_name).write_bytes(data)
    before = member.business.photo_file
    member.business.photo_file = file_name
    db.session.flush()
    record("members.photo_changed", object_type="member", object_id=member.id,
           details={"before": before, "after": file_name}, actor_user_id=actor_id)
    return member.business


def remove_photo_file(file_name: str | None) -> None:
    """Delete a photo file no business refers to any more (after the commit that replaced it)."""
    path = photo_path(file_name)
    if path is not None:
        path.unlink(missing_ok=True)
