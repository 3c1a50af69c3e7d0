from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.db import db, utcnow
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.members import own_member, sees_all_members

from .forms import MeetingForm, MinutesForm, parse_attendance
from .models import Meeting
from .operations import do_plan_meeting, do_record_attendance, do_update_meeting, do_write_minutes
from .queries import (
    PAST_LIMIT,
    attendance_counts,
    attendance_status,
    meeting_or_404,
    past_meetings,
    roster,
    upcoming_meetings,
    user_name,
)
from .rules import ATTENDANCE_STATUSES, MINUTES_MAX, STATUS_LABELS, MeetingError

bp = tenant_blueprint("meetings", __name__, kinds=("cooperative",), url_prefix="/meetings", template_folder="templates")


def _show(meeting: Meeting, *, minutes_form: MinutesForm | None = None, attendance_error: str | None = None,
          posted: dict | None = None, status: int = 200):
    # Who came is seen by those who run meetings or see every member; a member or a
    # candidate sees only their own status.
    sees_roster = can("meetings.manage") or sees_all_members()
    own = None if sees_roster else own_member()
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        started=meeting.starts_at <= utcnow(),
        can_manage=can("meetings.manage"),
        minutes_form=minutes_form or MinutesForm(formdata=None, minutes=meeting.minutes),
        minutes_by=user_name(meeting.minutes_by_user_id),
        roster=roster(meeting) if sees_roster else None,
        counts=attendance_counts(meeting) if sees_roster else {},
        own_member=own,
        own_status=attendance_status(meeting.id, own.id) if own else None,
        attendance_error=attendance_error,
        posted=posted,
        statuses=ATTENDANCE_STATUSES,
        status_labels=STATUS_LABELS,
        minutes_max=MINUTES_MAX,
    ), status


def _form_page(form: MeetingForm, meeting: Meeting | None = None, status: int = 200):
    return render_template("meetings/form.html", form=form, meeting=meeting), status


def _show_error(form, error: MeetingError) -> None:
    field = getattr(form, error.field or "", None)
    (field if field is not None else form.title).errors.append(str(error))


@bp.get("")
@requires("meetings.view")
def index():
    return render_template("meetings/index.html", upcoming=upcoming_meetings(limit=PAST_LIMIT),
                           past=past_meetings(), can_manage=can("meetings.manage"))


@bp.route("/new", methods=["GET", "POST"])
@requires("meetings.manage")
def new():
    form = MeetingForm()
    if request.method == "GET":
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=400)
    try:
        meeting = do_plan_meeting(**form.values(), actor_id=current_user.id)
    except MeetingError as error:
        db.session.rollback()
        _show_error(form, error)
        return _form_page(form, status=400)
    db.session.commit()
    flash(_("The meeting “%(title)s” has been planned.", title=meeting.title), "info")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>")
@requires("meetings.view")
def show(meeting_id: int):
    return _show(meeting_or_404(meeting_id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires("meetings.manage")
def edit(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    if request.method == "GET":
        return _form_page(MeetingForm.of(meeting), meeting)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _form_page(form, meeting, 400)
    try:
        do_update_meeting(meeting, **form.values(), actor_id=current_user.id)
    except MeetingError as error:
        db.session.rollback()
        _show_error(form, error)
        return _form_page(form, meeting_or_404(meeting_id), 400)
    db.session.commit()
    flash(_("The meeting has been saved."), "info")
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/attendance")
@requires("meetings.manage")
def attendance(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    posted = {}
    try:
        posted = parse_attendance(request.form)
        eligible = [line.member.id for line in roster(meeting)]
        do_record_attendance(meeting, posted, eligible=eligible, actor_id=current_user.id)
    except MeetingError as error:
        db.session.rollback()
        return _show(meeting_or_404(meeting_id), attendance_error=str(error), posted=posted, status=400)
    db.session.commit()
    flash(_("The attendance has been saved."), "info")
    return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor="attendance"))


@bp.post("/<int:meeting_id>/minutes")
@requires("meetings.manage")
def minutes(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            do_write_minutes(meeting, form.minutes.data or "", actor_id=current_user.id)
        except MeetingError as error:
            db.session.rollback()
            form.minutes.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The minutes have been saved."), "info")
            return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor="minutes"))
    return _show(meeting_or_404(meeting_id), minutes_form=form, status=400)
