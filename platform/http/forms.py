"""Small helpers shared by the forms of every package."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]
