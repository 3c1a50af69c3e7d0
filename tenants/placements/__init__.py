"""Employer cooperatives (werkgeverscoöperaties): participants placed at member employers,
their guidance plans, how placements end, and retention at 6 and 12 months."""

from .models import Employer, Participant, Placement
from .operations import (
    do_add_employer,
    do_add_participant,
    do_end_placement,
    do_start_placement,
    do_update_employer,
    do_update_participant,
    do_update_placement,
)
from .queries import PlacementOutcomes, placement_or_404, placement_outcomes, visible_placements
from .rules import (
    END_REASON_LABELS,
    END_REASONS,
    KIND_LABELS,
    KINDS,
    PlacementError,
    Retention,
    lasted,
    reached,
    retention,
    retention_by_start_year,
)
from .views import bp

__all__ = [
    "END_REASONS", "END_REASON_LABELS", "KINDS", "KIND_LABELS", "Employer", "Participant", "Placement",
    "PlacementError", "PlacementOutcomes", "Retention", "bp", "do_add_employer", "do_add_participant",
    "do_end_placement", "do_start_placement", "do_update_employer", "do_update_participant", "do_update_placement",
    "lasted", "placement_or_404", "placement_outcomes", "reached", "retention", "retention_by_start_year",
    "visible_placements",
]
