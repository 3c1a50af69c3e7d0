"""Members of a cooperative and their journey (DOMAIN.md "The people and the model")."""

from .access import member_or_404, own_member, sees_all_members, visible_members
from .journey import (
    ACTIVE_STAGES,
    OUTCOME_LABELS,
    OUTFLOW_KINDS,
    STAGE_LABELS,
    STAGES,
    STOP_REASONS,
    JourneyError,
)
from .models import (
    LANGUAGES,
    REFERRAL_SOURCES,
    Business,
    JourneySettings,
    JourneyTransition,
    Member,
)
from .operations import (
    MemberError,
    do_assign_coach,
    do_link_account,
    do_register_member,
    do_set_business_photo,
    do_set_trial_end,
    do_transition,
    do_update_member,
    do_update_settings,
    journey_settings,
)
from .pages import register_member_page
from .queries import counts_by_stage, members_over_time, timeline, trials_ending
from .signals import member_transitioned
from .views import bp

__all__ = [
    "ACTIVE_STAGES", "bp", "LANGUAGES", "OUTCOME_LABELS", "OUTFLOW_KINDS", "REFERRAL_SOURCES", "STAGES", "STAGE_LABELS",
    "STOP_REASONS", "Business", "JourneyError", "JourneySettings", "JourneyTransition", "Member", "MemberError",
    "do_assign_coach", "do_link_account", "do_register_member", "do_set_trial_end", "do_transition",
    "do_update_member", "do_update_settings", "journey_settings", "member_or_404", "member_transitioned",
    "own_member", "sees_all_members", "visible_members", "register_member_page", "counts_by_stage",
    "members_over_time", "timeline", "trials_ending", "do_set_business_photo",
]
