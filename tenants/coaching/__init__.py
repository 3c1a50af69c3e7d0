"""Coaching (begeleiding): conversations with a member written down, goals and their progress.

Read by the member (through the member portal), their coach and the coordinator only.
"""

from .forms import KIND_LABELS, STATUS_LABELS
from .models import GOAL_STATUSES, NOTE_KINDS, CoachingNote, Goal, GoalUpdate
from .operations import CoachingError, do_add_goal, do_add_note, do_edit_note, do_update_goal
from .queries import goals_for, members_without_recent_coaching, next_appointment, notes_for
from .views import bp

__all__ = [
    "GOAL_STATUSES", "KIND_LABELS", "NOTE_KINDS", "STATUS_LABELS", "CoachingError", "CoachingNote", "Goal", "GoalUpdate", "bp", "do_add_goal",
    "do_add_note", "do_edit_note", "do_update_goal", "goals_for", "members_without_recent_coaching",
    "next_appointment", "notes_for",
]
