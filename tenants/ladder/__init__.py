"""The participation ladder (participatieladder): a member's rung, measured at the intake
and at least twice a year (DOMAIN.md "Outcomes and peer comparison")."""

from .models import Measurement
from .operations import LadderError, do_measure
from .queries import (
    DueMeasurement,
    due_measurements,
    ladder_chart,
    ladder_path,
    latest_rungs,
    next_measurement,
    rung_transitions,
)
from .rungs import NOTE_MAX, RUNG_LABELS, RUNGS
from .views import bp

__all__ = [
    "NOTE_MAX", "RUNGS", "RUNG_LABELS", "DueMeasurement", "LadderError", "Measurement", "bp", "do_measure",
    "due_measurements", "ladder_chart", "ladder_path", "latest_rungs", "next_measurement", "rung_transitions",
]
