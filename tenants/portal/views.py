"""The member portal: a member's (or candidate's) own pages, made for a phone."""

from __future__ import annotations

from flask import render_template

from koepel.platform.auth import User, requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.coaching import (
    KIND_LABELS,
    STATUS_LABELS,
    goals_for,
    next_appointment,
    notes_for,
)
from koepel.tenants.ladder import RUNG_LABELS, ladder_chart, ladder_path
from koepel.tenants.meetings import upcoming_meetings
from koepel.tenants.members import (
    OUTCOME_LABELS,
    STAGE_LABELS,
    journey_settings,
    own_member,
    timeline,
)
from koepel.tenants.pots import pot_holds

bp = tenant_blueprint("portal", __name__, kinds=("cooperative",), url_prefix="/my", template_folder="templates")


@bp.get("/")
@requires("portal.view")
def home():
    member = own_member()
    if member is None:
        # An account with the member role whose member record is not linked (yet).
        return render_template("portal/not_linked.html")
    coach = db.session.get(User, member.coach_user_id) if member.coach_user_id else None
    return render_template(
        "portal/home.html",
        member=member,
        coach=coach,
        timeline=timeline(member.id),
        goals=goals_for(member.id),
        notes=notes_for(member.id, limit=3),
        next_appointment=next_appointment(member.id),
        ladder=ladder_path(member.id),
        ladder_chart=ladder_chart(member.id),
        meetings=upcoming_meetings(limit=3),
        pot=pot_holds(member.id),
        today=amsterdam_today(),
        warning_days=journey_settings().trial_warning_days,
        labels={"stage": STAGE_LABELS, "outcome": OUTCOME_LABELS, "rung": RUNG_LABELS, "goal_status": STATUS_LABELS,
                "note_kind": KIND_LABELS},
    )
