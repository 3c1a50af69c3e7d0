"""The member's journey as a state machine: which stage may follow which, and why not.

Pure rules, no database: the operations apply them, the hypothesis test drives them.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

STAGES = ("referred", "intake", "business_plan", "trial", "member", "outflow", "stopped")
# Stages a journey may start in: referred by a municipality, or walking in for an intake.
START_STAGES = ("referred", "intake")
# Outflow and stopping end a journey; re-entry starts a new one from these.
END_STAGES = ("outflow", "stopped")
ACTIVE_STAGES = ("intake", "business_plan", "trial", "member")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "referred": ("intake", "stopped"),
    "intake": ("business_plan", "stopped"),
    "business_plan": ("trial", "stopped"),
    "trial": ("member", "stopped"),
    "member": ("outflow", "stopped"),
    "outflow": START_STAGES,  # re-entry
    "stopped": START_STAGES,  # re-entry
}

OUTFLOW_KINDS = ("regular_job", "own_business", "other_independence")
STOP_REASONS = ("own_choice", "health", "moved", "no_fit", "other")
# Which outcome codes a stage asks for (none for the others).
OUTCOMES_BY_STAGE = {"outflow": OUTFLOW_KINDS, "stopped": STOP_REASONS}

DEFAULT_TRIAL_MONTHS = 3
REASON_MAX = 2000

STAGE_LABELS = {
    "referred": _l("Referred"),
    "intake": _l("Intake"),
    "business_plan": _l("Business plan"),
    "trial": _l("Trial period"),
    "member": _l("Member"),
    "outflow": _l("Outflow"),
    "stopped": _l("Stopped"),
}
OUTCOME_LABELS = {
    "regular_job": _l("To a regular job"),
    "own_business": _l("To an own business outside the cooperative"),
    "other_independence": _l("Independent of benefits otherwise"),
    "own_choice": _l("Own choice"),
    "health": _l("Health"),
    "moved": _l("Moved away"),
    "no_fit": _l("The cooperative was not a fit"),
    "other": _l("Other reason"),
}


class JourneyError(ValueError):
    """A transition that is not allowed; `field` names the form field to show it at."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)  # a lazy text: translated when shown, in the reader's language
        self.field = field


def allowed_next(stage: str | None) -> tuple[str, ...]:
    return START_STAGES if stage is None else TRANSITIONS[stage]


def check_transition(
    current: str | None,
    target: str,
    *,
    on_date: date,
    last_date: date | None,
    today: date,
    reason: str = "",
    outcome: str | None = None,
) -> None:
    """Raise JourneyError unless moving from `current` to `target` on `on_date` is allowed."""
    if target not in STAGES:
        raise JourneyError(_l("This stage does not exist."), "to_stage")
    if target not in allowed_next(current):
        if current is None:
            raise JourneyError(_l("A journey starts with a referral or an intake."), "to_stage")
        raise JourneyError(
            _l("From “%(current)s” the journey cannot go to “%(target)s”.",
               current=STAGE_LABELS[current], target=STAGE_LABELS[target]),
            "to_stage",
        )
    if on_date > today:
        raise JourneyError(_l("The date cannot be in the future."), "on_date")
    if last_date is not None and on_date < last_date:
        raise JourneyError(_l("The date cannot be before the previous step (%(date)s).",
                              date=last_date.strftime("%d-%m-%Y")), "on_date")
    wanted = OUTCOMES_BY_STAGE.get(target)
    if wanted and outcome not in wanted:
        raise JourneyError(_l("Choose the outcome."), "outcome")
    if not wanted and outcome:
        raise JourneyError(_l("Only outflow and stopping have an outcome."), "outcome")
    if len(reason) > REASON_MAX:
        raise JourneyError(_l("Keep the explanation under %(max)s characters.", max=REASON_MAX), "reason")
    if target == "stopped" and not reason.strip():
        raise JourneyError(_l("Say why the journey stops."), "reason")

