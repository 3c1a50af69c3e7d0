"""Cooperative meetings (bijeenkomsten): planned meetings, attendance and short minutes."""

from .models import Attendance, Meeting
from .operations import do_plan_meeting, do_record_attendance, do_update_meeting, do_write_minutes
from .queries import attendance_of, attendance_rate, meeting_or_404, upcoming_meetings
from .rules import ATTENDANCE_STATUSES, STATUS_LABELS, MeetingError
from .views import bp

__all__ = [
    "ATTENDANCE_STATUSES", "STATUS_LABELS", "Attendance", "Meeting", "MeetingError", "attendance_of",
    "attendance_rate", "bp", "do_plan_meeting", "do_record_attendance", "do_update_meeting", "do_write_minutes",
    "meeting_or_404", "upcoming_meetings",
]
