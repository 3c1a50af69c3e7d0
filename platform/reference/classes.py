"""CBS's peer groups: size class by inhabitants and urbanity (stedelijkheid)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# (key, lowest number of inhabitants in the class). CBS's gemeentegrootteklassen count the
# lower bound in: 20,000 inhabitants is "20,000 to 50,000", 250,000 is "250,000 or more".
SIZE_CLASSES: tuple[tuple[str, int], ...] = (
    ("lt_20k", 0),
    ("20k_50k", 20_000),
    ("50k_100k", 50_000),
    ("100k_150k", 100_000),
    ("150k_250k", 150_000),
    ("250k_plus", 250_000),
)
SIZE_CLASS_LABELS = {
    "lt_20k": _l("fewer than 20,000 inhabitants"),
    "20k_50k": _l("20,000 to 50,000 inhabitants"),
    "50k_100k": _l("50,000 to 100,000 inhabitants"),
    "100k_150k": _l("100,000 to 150,000 inhabitants"),
    "150k_250k": _l("150,000 to 250,000 inhabitants"),
    "250k_plus": _l("250,000 inhabitants or more"),
}
# CBS stedelijkheid, by the address density around each address (omgevingsadressendichtheid).
URBANITY_LABELS = {
    1: _l("very strongly urban (2,500 or more addresses per km²)"),
    2: _l("strongly urban (1,500 to 2,500 addresses per km²)"),
    3: _l("moderately urban (1,000 to 1,500 addresses per km²)"),
    4: _l("hardly urban (500 to 1,000 addresses per km²)"),
    5: _l("not urban (fewer than 500 addresses per km²)"),
}


def size_class(inhabitants: int | None) -> str | None:
    """The CBS size class of a municipality, or None when its inhabitants are unknown."""
    if inhabitants is None:
        return None
    if inhabitants < 0:
        raise ValueError("inhabitants cannot be negative")
    key = SIZE_CLASSES[0][0]
    for candidate, lowest in SIZE_CLASSES:
        if inhabitants >= lowest:
            key = candidate
    return key


def size_class_bounds(key: str) -> tuple[int, int | None]:
    """[lowest, highest) inhabitants of a size class; highest is None for the top class."""
    keys = [k for k, _ in SIZE_CLASSES]
    index = keys.index(key)
    upper = SIZE_CLASSES[index + 1][1] if index + 1 < len(SIZE_CLASSES) else None
    return SIZE_CLASSES[index][1], upper
