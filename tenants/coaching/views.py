"""Coaching pages: a member's notes and goals, correcting a note, a goal's history.

Thin handlers: find the member (or the note or goal through its member) the signed-in
person coaches, else 404; run the operation; commit once and redirect, or show the form
again with the message at its field (400) and change nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.http.charts import line_chart
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.members import STAGE_LABELS, register_member_page

from .access import coached_member_or_404, goal_or_404, may_edit_note, note_or_404
from .forms import KIND_LABELS, STATUS_LABELS, GoalForm, GoalUpdateForm, NoteForm
from .operations import (
    CoachingError,
    do_add_goal,
    do_add_note,
    do_edit_note,
    do_update_goal,
)
from .queries import goal_history, member_coaching

bp = tenant_blueprint("coaching", __name__, kinds=("cooperative",), url_prefix="/coaching", template_folder="templates")
register_member_page(_l("Coaching: conversations and goals"), "coaching.member", permission="coaching.view")

DATE = "dd-MM-yyyy"


def _show_error(form, error: CoachingError, fallback: str) -> None:
    db.session.rollback()
    getattr(form, error.field if error.field in form else fallback).errors.append(str(error))


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "stage_labels": STAGE_LABELS,
            "may_edit_note": may_edit_note}


def _member_page(member, *, note_form=None, goal_form=None, status=200):
    return render_template(
        "coaching/member.html",
        coaching=member_coaching(member),
        note_form=note_form or NoteForm(formdata=None, held_on=amsterdam_today(), kind="personal"),
        goal_form=goal_form or GoalForm(formdata=None),
        **_labels(),
    ), status


@bp.get("/members/<int:member_id>")
@requires("coaching.view")
def member(member_id: int):
    return _member_page(coached_member_or_404(member_id))


@bp.post("/members/<int:member_id>/notes")
@requires("coaching.write")
def add_note(member_id: int):
    member_ = coached_member_or_404(member_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _member_page(member_, note_form=form, status=400)
    try:
        do_add_note(member_, held_on=form.held_on.data, kind=form.kind.data, body=form.body.data,
                    next_appointment_on=form.next_appointment_on.data, actor_id=current_user.id)
    except CoachingError as error:
        _show_error(form, error, "body")
        return _member_page(member_, note_form=form, status=400)
    db.session.commit()
    flash(_("The note has been saved."), "info")
    return redirect(url_for("coaching.member", member_id=member_.id) + "#notes")


def _edit_page(note, member_, form, status=200):
    return render_template("coaching/edit_note.html", note=note, member=member_, form=form, **_labels()), status


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@requires("coaching.write")
def edit_note(note_id: int):
    note, member_ = note_or_404(note_id)
    if not may_edit_note(note):
        abort(403)
    form = NoteForm(obj=note)
    if not form.is_submitted():
        return _edit_page(note, member_, form)
    if not form.validate():
        return _edit_page(note, member_, form, 400)
    try:
        changed = do_edit_note(note, held_on=form.held_on.data, kind=form.kind.data, body=form.body.data,
                               next_appointment_on=form.next_appointment_on.data, actor_id=current_user.id)
    except CoachingError as error:
        _show_error(form, error, "body")
        return _edit_page(note, member_, form, 400)
    db.session.commit()
    flash(_("The note has been corrected.") if changed else _("Nothing was changed."), "info")
    return redirect(url_for("coaching.member", member_id=member_.id) + f"#note-{note.id}")


@bp.post("/members/<int:member_id>/goals")
@requires("coaching.write")
def add_goal(member_id: int):
    member_ = coached_member_or_404(member_id)
    form = GoalForm()
    if not form.validate_on_submit():
        return _member_page(member_, goal_form=form, status=400)
    try:
        goal = do_add_goal(member_, title=form.title.data, description=form.description.data,
                           target_on=form.target_on.data, actor_id=current_user.id)
    except CoachingError as error:
        _show_error(form, error, "title")
        return _member_page(member_, goal_form=form, status=400)
    db.session.commit()
    flash(_("The goal has been added."), "info")
    return redirect(url_for("coaching.member", member_id=member_.id) + f"#goal-{goal.id}")


def _goal_page(goal, member_, form=None, status=200):
    updates, people = goal_history(goal)
    chart = line_chart(
        [(format_date(u.created_at, DATE), u.progress) for u in reversed(updates)],
        title=_("Progress of “%(goal)s” in percent", goal=goal.title), low=0, high=100, step=True,
    )
    form = form or GoalUpdateForm(formdata=None, progress=goal.progress, status=goal.status)
    return render_template("coaching/goal.html", goal=goal, member=member_, updates=updates, people=people,
                           chart=chart, form=form, **_labels()), status


@bp.get("/goals/<int:goal_id>")
@requires("coaching.view")
def goal(goal_id: int):
    goal_, member_ = goal_or_404(goal_id)
    return _goal_page(goal_, member_)


@bp.post("/goals/<int:goal_id>/progress")
@requires("coaching.write")
def update_goal(goal_id: int):
    goal_, member_ = goal_or_404(goal_id)
    form = GoalUpdateForm()
    if not form.validate_on_submit():
        return _goal_page(goal_, member_, form, 400)
    try:
        do_update_goal(goal_, progress=form.progress.data, status=form.status.data, note=form.note.data,
                       actor_id=current_user.id)
    except CoachingError as error:
        _show_error(form, error, "progress")
        goal_, member_ = goal_or_404(goal_id)  # as it was: the rollback expired it
        return _goal_page(goal_, member_, form, 400)
    db.session.commit()
    flash(_("The progress has been recorded."), "info")
    return redirect(url_for("coaching.goal", goal_id=goal_.id))
