"""The known parameters: each name with its unit, its group and a readable label.

A name is a dotted code, grouped by its first part. Values are integers in the name's
unit: money in cents, percentages in basis points (1% = 100), durations in months, ages
in years, plain numbers as a count. A new parameter needs an entry here (and a value in a
migration or through the administration page); the unit of a name never changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

UNITS = ("cents", "basis_points", "months", "years", "count")


@dataclass(frozen=True)
class Known:
    name: str
    unit: str
    label: LazyString

    @property
    def group(self) -> str:
        return self.name.partition(".")[0]


GROUP_LABELS: dict[str, LazyString] = {
    "vrijlating": _l("Income disregard (vrijlating, Participatiewet art. 31 lid 2 n)"),
    "volunteer_allowance": _l("Volunteer allowance (maximum amounts)"),
    "bijstand_norm": _l("Social assistance norms (bijstandsnormen)"),
    "vat": _l("VAT rates"),
    "kor": _l("Small-business scheme (KOR)"),
}

_KNOWN = (
    # Income disregard: a share of what a person on social assistance earns is not
    # deducted from the benefit, up to a monthly cap, for a limited number of months.
    Known("vrijlating.general.percentage", "basis_points", _l("General disregard: share of earnings")),
    Known("vrijlating.general.max_monthly", "cents", _l("General disregard: maximum per month")),
    Known("vrijlating.general.max_months", "months", _l("General disregard: at most this many consecutive months")),
    Known("vrijlating.general.min_age", "years", _l("General disregard: minimum age")),
    Known("vrijlating.single_parent.percentage", "basis_points",
          _l("Single parent with a child under 12: further share of earnings")),
    Known("vrijlating.single_parent.max_monthly", "cents", _l("Single parent with a child under 12: maximum per month")),
    Known("vrijlating.single_parent.max_months", "months",
          _l("Single parent with a child under 12: at most this many months")),
    # The medical hour limitation has no time limit, so it has no max_months.
    Known("vrijlating.medical.percentage", "basis_points",
          _l("Medical limitation of working hours: share of earnings (no time limit)")),
    Known("vrijlating.medical.max_monthly", "cents", _l("Medical limitation of working hours: maximum per month")),
    # Volunteer allowance: all limits apply together.
    Known("volunteer_allowance.max_monthly", "cents", _l("Volunteer allowance: maximum per month")),
    Known("volunteer_allowance.max_yearly", "cents", _l("Volunteer allowance: maximum per year")),
    Known("volunteer_allowance.max_hourly", "cents", _l("Volunteer allowance: maximum per hour (volunteers aged 21 or over)")),
    Known("volunteer_allowance.hourly_min_age", "years", _l("Volunteer allowance: minimum age for the hourly maximum")),
    # Social assistance norms, per month including holiday allowance: used to estimate
    # the municipality's saving when someone leaves social assistance.
    Known("bijstand_norm.single", "cents", _l("Social assistance norm, single person (per month, incl. holiday allowance)")),
    Known("bijstand_norm.couple", "cents", _l("Social assistance norm, couple (per month, incl. holiday allowance)")),
    Known("vat.general", "basis_points", _l("VAT: general rate")),
    Known("vat.reduced", "basis_points", _l("VAT: reduced rate")),
    Known("vat.zero", "basis_points", _l("VAT: zero rate")),
    Known("kor.turnover_limit", "cents", _l("Small-business scheme: turnover limit per year")),
)

KNOWN: dict[str, Known] = {k.name: k for k in _KNOWN}
GROUPS: tuple[str, ...] = tuple(GROUP_LABELS)

assert all(k.unit in UNITS for k in _KNOWN)  # noqa: S101 - a typing mistake in this file
assert all(k.group in GROUP_LABELS for k in _KNOWN)  # noqa: S101


def known(name: str) -> Known | None:
    return KNOWN.get(name)


def known_names() -> list[Known]:
    """Every known parameter, in the order of the page (grouped)."""
    return list(_KNOWN)


def label(name: str) -> str:
    entry = KNOWN.get(name)
    return str(entry.label) if entry else name
