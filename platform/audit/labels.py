"""Readable names for audit actions, so the log reads as sentences in both languages.

A platform package names its actions here; a domain package (which the platform may not
import) names its own through `register_labels` when it is imported."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    "tenant.created": _l("Organisation created"),
    "membership.added": _l("Role given to a person"),
    "umbrella.scope_opened": _l("Umbrella staff opened cross-organisation access"),
    "user.erased": _l("Personal data erased"),
    "user.erasure_requested": _l("Erasure of personal data requested"),
    "membership.removed": _l("Role taken from a person"),
    "invitation.sent": _l("Invitation sent"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "tenant.status_changed": _l("Status of the organisation changed"),
    "onboarding.applied": _l("Organisation applied to join"),
    "support.grant_opened": _l("Support access opened"),
    "support.grant_closed": _l("Support access closed"),
    "support.page_viewed": _l("Page viewed with support access"),
    "user.two_factor_reset": _l("Two-factor sign-in reset"),
}


def register_labels(labels: dict[str, LazyString]) -> None:
    clashes = {a for a, label in labels.items() if a in ACTION_LABELS and ACTION_LABELS[a] is not label}
    if clashes:
        raise ValueError(f"audit actions named twice: {sorted(clashes)}")
    ACTION_LABELS.update(labels)


def describe_action(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
