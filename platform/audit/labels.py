"""Readable names for audit actions. A package that records a new action names it here
or through `describe_action`, so the log reads as sentences in both languages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, LazyString] = {
    "tenant.created": _l("Organisation created"),
    "membership.added": _l("Role given to a person"),
    "umbrella.scope_opened": _l("Umbrella staff opened cross-organisation access"),
}


def describe_action(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
