"""Coaching: write and correct notes, set goals and record their progress.

Each operation validates, changes, audits and flushes; the request commits. A refusal is
a CoachingError naming the form field, and changes nothing. The audit rows say what
happened and to which member, never what a note says (the log is no copy of the file).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import amsterdam_today, local_date
from koepel.platform.db import db, utcnow

from .models import (
    DESCRIPTION_MAX,
    GOAL_STATUSES,
    NOTE_KINDS,
    NOTE_MAX,
    TITLE_MAX,
    UPDATE_NOTE_MAX,
    CoachingNote,
    Goal,
    GoalUpdate,
)

NOTE_FIELDS = ("held_on", "kind", "body", "next_appointment_on")

register_labels({
    "coaching.note_added": _l("Coaching note written"),
    "coaching.note_edited": _l("Coaching note corrected"),
    "coaching.goal_added": _l("Coaching goal set"),
    "coaching.goal_updated": _l("Progress of a coaching goal recorded"),
})


class CoachingError(ValueError):
    """Coaching data that cannot be stored; `field` names the form field. The message is
    translated when shown (str()), so an operation may refuse outside a request too."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def _clean_note(held_on: date | None, kind: str, body: str | None, next_appointment_on: date | None,
                latest: date) -> dict:
    """The note's fields, or CoachingError. `latest`: the last day the conversation may
    have been held (today for a new note, the day it was written for a correction)."""
    body = (body or "").strip()
    if held_on is None:
        raise CoachingError(_l("Enter the date of the conversation."), "held_on")
    if held_on > latest:
        raise CoachingError(_l("The date of the conversation cannot be in the future."), "held_on")
    if kind not in NOTE_KINDS:
        raise CoachingError(_l("Choose the kind of coaching."), "kind")
    if not body:
        raise CoachingError(_l("Write down what was discussed and agreed."), "body")
    if len(body) > NOTE_MAX:
        raise CoachingError(_l("Keep the note under %(max)s characters.", max=NOTE_MAX), "body")
    if next_appointment_on is not None and next_appointment_on < held_on:
        raise CoachingError(_l("The next appointment cannot be before this conversation."), "next_appointment_on")
    return {"held_on": held_on, "kind": kind, "body": body, "next_appointment_on": next_appointment_on}


def do_add_note(
    member,
    *,
    held_on: date | None,
    kind: str,
    body: str | None,
    next_appointment_on: date | None = None,
    actor_id: int,
) -> CoachingNote:
    """A note of a conversation with `member`, written by `actor_id` (its coach)."""
    if actor_id is None:
        raise TypeError("a coaching note needs its author (actor_id)")
    fields = _clean_note(held_on, kind, body, next_appointment_on, amsterdam_today())
    note = CoachingNote(member_id=member.id, coach_user_id=actor_id, created_at=utcnow(), **fields)
    db.session.add(note)
    db.session.flush()
    record("coaching.note_added", object_type="coaching_note", object_id=note.id,
           details={"member_id": member.id, "kind": note.kind, "held_on": note.held_on.isoformat()},
           actor_user_id=actor_id)
    return note


def do_edit_note(
    note: CoachingNote,
    *,
    held_on: date | None,
    kind: str,
    body: str | None,
    next_appointment_on: date | None = None,
    actor_id: int,
) -> bool:
    """Correct a note (who may is the caller's check: its author or a coordinator).

    Returns whether anything changed; only a change sets `edited_at` and is audited."""
    fields = _clean_note(held_on, kind, body, next_appointment_on, local_date(note.created_at))
    changed = sorted(k for k in NOTE_FIELDS if getattr(note, k) != fields[k])
    if not changed:
        return False
    for key in changed:
        setattr(note, key, fields[key])
    note.edited_at = utcnow()
    db.session.flush()
    record("coaching.note_edited", object_type="coaching_note", object_id=note.id,
           details={"member_id": note.member_id, "fields": changed,
                    "author": note.coach_user_id, "by_author": note.coach_user_id == actor_id},
           actor_user_id=actor_id)
    return True


def do_add_goal(
    member,
    *,
    title: str | None,
    description: str | None = "",
    target_on: date | None = None,
    actor_id: int | None,
) -> Goal:
    """A new, open goal at 0%, with the first step of its history."""
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise CoachingError(_l("Enter the goal."), "title")
    if len(title) > TITLE_MAX:
        raise CoachingError(_l("Keep the goal under %(max)s characters.", max=TITLE_MAX), "title")
    if len(description) > DESCRIPTION_MAX:
        raise CoachingError(_l("Keep the explanation under %(max)s characters.", max=DESCRIPTION_MAX), "description")
    if target_on is not None and target_on < amsterdam_today():
        raise CoachingError(_l("The target date cannot be in the past."), "target_on")
    goal = Goal(member_id=member.id, title=title, description=description, target_on=target_on, status="open",
                progress=0, created_by_user_id=actor_id)
    db.session.add(goal)
    db.session.flush()
    db.session.add(GoalUpdate(goal_id=goal.id, progress=0, status="open", note="", by_user_id=actor_id))
    db.session.flush()
    record("coaching.goal_added", object_type="coaching_goal", object_id=goal.id,
           details={"member_id": member.id, "target_on": target_on.isoformat() if target_on else None},
           actor_user_id=actor_id)
    return goal


def do_update_goal(
    goal: Goal,
    *,
    progress: int | None,
    status: str,
    note: str | None = "",
    actor_id: int | None,
) -> GoalUpdate:
    """Record where a goal stands now. Achieved means 100%; dropping needs a reason.

    The goal's row is locked first, so two updates at once are two steps in order and
    the goal always shows the latest one."""
    db.session.refresh(goal, with_for_update=True)
    note = (note or "").strip()
    if status not in GOAL_STATUSES:
        raise CoachingError(_l("Choose the status of the goal."), "status")
    if status == "achieved":
        progress = 100
    if progress is None:
        raise CoachingError(_l("Enter the progress as a percentage from 0 to 100."), "progress")
    if not 0 <= progress <= 100:
        raise CoachingError(_l("The progress is a percentage from 0 to 100."), "progress")
    if len(note) > UPDATE_NOTE_MAX:
        raise CoachingError(_l("Keep the note under %(max)s characters.", max=UPDATE_NOTE_MAX), "note")
    if status == "dropped" and goal.status != "dropped" and not note:
        raise CoachingError(_l("Say why the goal is dropped."), "note")
    if progress == goal.progress and status == goal.status and not note:
        raise CoachingError(_l("Change the progress or the status, or add a note."), "progress")
    update = GoalUpdate(goal_id=goal.id, progress=progress, status=status, note=note, by_user_id=actor_id)
    before = {"progress": goal.progress, "status": goal.status}
    goal.progress, goal.status = progress, status
    db.session.add(update)
    db.session.flush()
    record("coaching.goal_updated", object_type="coaching_goal", object_id=goal.id,
           details={"member_id": goal.member_id, "before": before, "after": {"progress": progress, "status": status}},
           actor_user_id=actor_id)
    return update
