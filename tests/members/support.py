"""Helpers of the member tests: URLs, English pages, members made at a given stage."""

from __future__ import annotations

from datetime import date, timedelta

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context

# The steps that lead to each stage from an intake, oldest first (days before today).
PATHS = {
    "referred": (),
    "intake": (),
    "business_plan": ("business_plan",),
    "trial": ("business_plan", "trial"),
    "member": ("business_plan", "trial", "member"),
    "outflow": ("business_plan", "trial", "member", "outflow"),
    "stopped": ("stopped",),
}


def members_url(baseline, suffix: str = "", tenant=None) -> str:
    return f"/t/{(tenant or baseline.coop_a).slug}/members{suffix}"


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def make_member(app, tenant_id: int, *, stage: str = "intake", coach_id: int | None = None, name: str = "Test Member",
                start: date | None = None, business: dict | None = None, **fields) -> int:
    """A member of the tenant, moved to `stage` through the journey (committed in the test's
    transaction); the steps are a week apart, the last one a week ago at the latest."""
    from koepel.tenants.members import do_register_member, do_transition

    path = PATHS[stage]
    day = start or amsterdam_today() - timedelta(days=7 * (len(path) + 1))
    with app.app_context(), tenant_context(tenant_id):
        member = do_register_member(name=name, stage="referred" if stage == "referred" else "intake", on_date=day,
                                    coach_user_id=coach_id, business=business, actor_id=None, **fields)
        for target in path:
            day += timedelta(days=7)
            outcome = {"outflow": "regular_job", "stopped": "own_choice"}.get(target)
            do_transition(member, target, on_date=day, outcome=outcome, reason="Test step", actor_id=None)
        db.session.commit()
        return member.id


def load_member(app, tenant_id: int, member_id: int):
    """The member as stored now, with its business and its transitions (detached copies)."""
    from sqlalchemy import select

    from koepel.tenants.members import JourneyTransition, Member

    with app.app_context(), tenant_context(tenant_id):
        member = db.session.scalar(select(Member).where(Member.id == member_id))
        if member is None:
            return None, []
        _ = member.business
        steps = list(db.session.scalars(
            select(JourneyTransition).where(JourneyTransition.member_id == member_id).order_by(JourneyTransition.id)))
        db.session.expunge_all()
        return member, steps
