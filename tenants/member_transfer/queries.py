"""Read models: the imports of the tenant, and the rows of the exports (only the members
the signed-in person may see)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import abort
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import aliased

from koepel.platform.auth import User
from koepel.platform.dates import local_date
from koepel.platform.db import db
from koepel.platform.jobs import JobRun, job_progress
from koepel.platform.tenancy import current_tenant_id
from koepel.tenants.members import (
    OUTCOME_LABELS,
    STAGE_LABELS,
    JourneyTransition,
    Member,
    visible_members,
)

from .columns import DUTCH_HEADERS, ENGLISH_HEADERS, KEYS
from .models import MemberImport

RECENT_IMPORTS = 20


@dataclass
class ImportRow:
    item: MemberImport
    by: str | None
    job_status: str | None

    @property
    def failed(self) -> bool:
        return not self.item.finished and self.job_status == "failed"


def recent_imports(limit: int = RECENT_IMPORTS) -> list[ImportRow]:
    rows = db.session.execute(
        select(MemberImport, User.name, JobRun.status)
        .outerjoin(User, User.id == MemberImport.created_by)
        .outerjoin(JobRun, (JobRun.tenant_id == MemberImport.tenant_id) & (JobRun.id == MemberImport.job_run_id))
        .order_by(MemberImport.created_at.desc(), MemberImport.id.desc()).limit(limit)
    ).all()
    return [ImportRow(item, name, job_status) for item, name, job_status in rows]


def import_or_404(import_id: int) -> MemberImport:
    # The guard and row security limit this to the request's tenant: another's is a 404.
    imported = db.session.get(MemberImport, (current_tenant_id(), import_id))
    if imported is None:
        abort(404)
    return imported


def import_status(imported: MemberImport) -> dict:
    """The import's job as the progress macro shows it (the shape of the jobs pages)."""
    run = db.session.get(JobRun, (imported.tenant_id, imported.job_run_id)) if imported.job_run_id else None
    status = run.status if run is not None else ("finished" if imported.finished else "queued")
    if imported.finished:
        status = "finished"
    return {
        "id": run.id if run is not None else None,
        "status": status,
        "progress": job_progress(run.rq_job_id, status == "finished") if run is not None
        else {"done": 0, "total": 0, "percent": 100 if imported.finished else 0, "message": ""},
        "error": run.error if run is not None and status == "failed" else None,
        "has_download": False,
    }


def uploader_name(imported: MemberImport) -> str | None:
    return db.session.scalar(select(User.name).where(User.id == imported.created_by)) if imported.created_by else None


# --- exports -------------------------------------------------------------------------------

MEMBER_EXTRA = {
    "id": ("id", "id"),
    "trial_ends_on": ("proef_tot", "trial_ends_on"),
    "outcome": ("uitkomst", "outcome"),
    "registered_on": ("ingeschreven_op", "registered_on"),
}
MEMBER_COLUMNS = ("id", *KEYS[:9], "trial_ends_on", "outcome", *KEYS[9:], "registered_on")
TIMELINE_HEADERS = {
    "member_id": ("lid_id", "member_id"),
    "member": ("lid", "member"),
    "date": ("datum", "date"),
    "from": ("van", "from"),
    "to": ("naar", "to"),
    "outcome": ("uitkomst", "outcome"),
    "by": ("door", "by"),
}
MEMBER_WIDTHS = (8, 28, 30, 16, 14, 16, 8, 18, 18, 12, 12, 24, 30, 28, 28, 40, 14)
TIMELINE_WIDTHS = (8, 28, 12, 18, 18, 24, 24)


def _english() -> bool:
    return str(get_locale() or "nl").startswith("en")


def member_header() -> list[str]:
    """The import's headers (Dutch, or English for an English reader: the import takes both)."""
    english = _english()
    headers = ENGLISH_HEADERS if english else DUTCH_HEADERS
    return [MEMBER_EXTRA[key][int(english)] if key in MEMBER_EXTRA else headers[key] for key in MEMBER_COLUMNS]


def _label(labels: dict, code: str | None) -> str:
    return str(labels[code]) if code in labels else (code or "")


def _local_date(moment: datetime | None):
    return local_date(moment) if moment is not None else None


def member_rows() -> Iterator[list[object]]:
    coach = aliased(User)
    query = (visible_members().outerjoin(coach, coach.id == Member.coach_user_id).add_columns(coach.email)
             .order_by(Member.name, Member.id))
    for member, coach_email in db.session.execute(query):
        business = member.business
        values = {
            "id": member.id, "name": member.name, "email": member.email, "phone": member.phone,
            "date_of_birth": member.date_of_birth, "municipality": member.municipality,
            "language": member.language, "referral_source": member.referral_source,
            "stage": _label(STAGE_LABELS, member.stage), "stage_since": member.stage_since,
            "trial_ends_on": member.trial_ends_on, "outcome": _label(OUTCOME_LABELS, member.outcome),
            "coach": coach_email, "trade_name": business.trade_name if business else None,
            "activity": business.activity if business else None,
            "description": business.description if business else None,
            "registered_on": _local_date(member.created_at),
        }
        yield [values[key] for key in MEMBER_COLUMNS]


def timeline_header() -> list[str]:
    english = _english()
    return [names[int(english)] for names in TIMELINE_HEADERS.values()]


def timeline_rows() -> Iterator[list[object]]:
    """Every step of the journey of every member this person may see. Only the step itself
    (who, when, from, to, outcome): no explanations, no coaching notes."""
    visible = visible_members().with_only_columns(Member.id)
    actor = aliased(User)
    query = (
        select(JourneyTransition, Member.name, actor.name)
        .join(Member, (Member.tenant_id == JourneyTransition.tenant_id) & (Member.id == JourneyTransition.member_id))
        .outerjoin(actor, actor.id == JourneyTransition.actor_user_id)
        .where(JourneyTransition.member_id.in_(visible))
        .order_by(Member.name, Member.id, JourneyTransition.on_date, JourneyTransition.id)
    )
    for step, member_name, actor_name in db.session.execute(query):
        yield [step.member_id, member_name, step.on_date, _label(STAGE_LABELS, step.from_stage),
               _label(STAGE_LABELS, step.to_stage), _label(OUTCOME_LABELS, step.outcome), actor_name or ""]
