"""What the outcome pages read: the aggregates, raw. The pages apply disclosure control
(`koepel.platform.disclosure`) before showing anything outside a municipality's own data.

A period is whole months: `first` and `last` are any days of its first and last month.
Stocks (members, in trial, length of membership, active placements) are the value of the
period's last month; flows are summed over its months. Over several months or cells,
`largest` is an upper bound of one person's part (the sum of each month's largest, at
most the total), so the dominance rule errs on the side of hiding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from koepel.platform.dates import add_months
from koepel.platform.db import db
from koepel.platform.reference import by_code, size_class, size_class_bounds
from koepel.platform.reference.models import ReferenceMunicipality
from koepel.platform.tenancy import Tenant

from .models import OutcomeFigure


@dataclass(frozen=True)
class Figure:
    people: int
    total: int
    largest: int


ZERO = Figure(0, 0, 0)

LABELS = {
    "referred": _l("Residents referred or started"),
    "in_trial": _l("In trial period"),
    "members": _l("Active members"),
    "length_lt_6m": _l("Members for less than 6 months"),
    "length_6_12m": _l("Members for 6 to 12 months"),
    "length_1_2y": _l("Members for 1 to 2 years"),
    "length_gt_2y": _l("Members for 2 years or more"),
    "outflow_work": _l("Outflow to a regular job"),
    "outflow_business": _l("Outflow to an own business"),
    "outflow_other": _l("Outflow to independence otherwise"),
    "stopped": _l("Stopped"),
    "outflow_due_6": _l("Outflows reaching 6 months"),
    "outflow_lasted_6": _l("Outflow lasted 6 months"),
    "outflow_due_12": _l("Outflows reaching 12 months"),
    "outflow_lasted_12": _l("Outflow lasted 12 months"),
    "ladder_up": _l("Participation ladder: up"),
    "ladder_same": _l("Participation ladder: same rung"),
    "ladder_down": _l("Participation ladder: down"),
    "with_earnings": _l("Member-months with earnings settled"),
    "returned_cents": _l("Returned to the municipality"),
    "saving_cents": _l("Estimated saving on benefits"),
    "placements_started": _l("Placements started"),
    "placements_active": _l("Active placements"),
    "placements_due_6": _l("Placements reaching 6 months"),
    "placements_lasted_6": _l("Placements lasted 6 months"),
    "placements_due_12": _l("Placements reaching 12 months"),
    "placements_lasted_12": _l("Placements lasted 12 months"),
}
INDICATORS: tuple[str, ...] = tuple(LABELS)
# Counted at the period's end rather than summed over its months.
STOCKS = frozenset({"members", "in_trial", "length_lt_6m", "length_6_12m", "length_1_2y", "length_gt_2y",
                    "placements_active"})
# Sums of money in cents (the others count people).
AMOUNTS = frozenset({"with_earnings", "returned_cents", "saving_cents"})


def _months(first: date, last: date) -> tuple[date, date]:
    first_month, last_month = first.replace(day=1), last.replace(day=1)
    if last_month < first_month:
        raise ValueError("the period ends before it starts")
    return first_month, last_month


def _combine(cells: list[tuple[date, int, int, int]], code: str, last_month: date) -> Figure:
    """Cells (month, people, total, largest) of one indicator into the period's figure."""
    stock = code in STOCKS
    if stock:
        cells = [c for c in cells if c[0] == last_month]
    by_month: dict[date, list[int]] = {}
    for month, people, total, largest in cells:
        entry = by_month.setdefault(month, [0, 0, 0])
        # One person is in one municipality's figures: within a month the largest part is
        # the largest cell's; across months it may add up.
        entry[0], entry[1], entry[2] = entry[0] + people, entry[1] + total, max(entry[2], largest)
    people = sum(e[0] for e in by_month.values())
    total = sum(e[1] for e in by_month.values())
    if code not in AMOUNTS:  # a count: each person is one
        return Figure(people, total, 1 if total else 0)
    return Figure(people, total, min(total, sum(e[2] for e in by_month.values())))


def _cells(municipality_ids: list[int], first_month: date, last_month: date, *conditions):
    return db.session.execute(
        select(OutcomeFigure.indicator, OutcomeFigure.provider_id, OutcomeFigure.month,
               func.sum(OutcomeFigure.people), func.sum(OutcomeFigure.total), func.max(OutcomeFigure.largest))
        .where(OutcomeFigure.municipality_id.in_(municipality_ids),
               OutcomeFigure.month.between(first_month, last_month), *conditions)
        .group_by(OutcomeFigure.indicator, OutcomeFigure.provider_id, OutcomeFigure.month)
    ).all()


def _figures_of(rows, last_month: date) -> dict[str, Figure]:
    cells: dict[str, list] = {code: [] for code in INDICATORS}
    for indicator, month, people, total, largest in rows:
        cells.setdefault(indicator, []).append((month, int(people), int(total), int(largest)))
    return {code: _combine(found, code, last_month) for code, found in cells.items()}


def figures(municipality_ids: list[int], first: date, last: date, *,
            provider_id: int | None = None) -> dict[str, Figure]:
    """Every indicator (all of INDICATORS, zero when nothing was counted) for the residents
    of these municipalities over the period, of one provider or all."""
    first_month, last_month = _months(first, last)
    if not municipality_ids:
        return {code: ZERO for code in INDICATORS}
    conditions = [] if provider_id is None else [OutcomeFigure.provider_id == provider_id]
    rows = _cells(list(municipality_ids), first_month, last_month, *conditions)
    return _figures_of([(i, m, p, t, g) for i, _, m, p, t, g in rows], last_month)


def monthly(municipality_ids: list[int], indicator: str, first: date, last: date) -> list[tuple[date, Figure]]:
    """One indicator per month of the period (every month, zero when nothing was counted)."""
    if indicator not in LABELS:
        raise ValueError(f"unknown indicator {indicator!r}")
    first_month, last_month = _months(first, last)
    found: dict[date, list] = {}
    if municipality_ids:
        for _, _, month, people, total, largest in _cells(list(municipality_ids), first_month, last_month,
                                                          OutcomeFigure.indicator == indicator):
            found.setdefault(month, []).append((month, int(people), int(total), int(largest)))
    result, month = [], first_month
    while month <= last_month:
        result.append((month, _combine(found.get(month, []), indicator, month)))
        month = add_months(month, 1)
    return result


def by_provider(municipality_id: int, first: date, last: date) -> dict[int, dict[str, Figure]]:
    """Per provider that served this municipality's residents in the period: its figures."""
    first_month, last_month = _months(first, last)
    rows: dict[int, list] = {}
    for indicator, provider, month, people, total, largest in _cells([municipality_id], first_month, last_month):
        rows.setdefault(provider, []).append((indicator, month, people, total, largest))
    return {provider: _figures_of(found, last_month) for provider, found in sorted(rows.items())}


def provider_names(ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all())


def peer_basis(municipality_id: int) -> dict:
    """How peers are chosen for this municipality, for the page to say so:
    {"cbs_code", "name", "size_class", "urbanity", "basis"} with basis "size_and_urbanity",
    "size_only" (urbanity unknown) or "none" (no CBS code, or inhabitants unknown)."""
    code = db.session.scalar(select(Tenant.cbs_code).where(Tenant.id == municipality_id, Tenant.kind == "municipality"))
    reference = by_code(code) if code else None
    size = size_class(reference.inhabitants) if reference is not None else None
    urbanity = reference.urbanity if reference is not None else None
    basis = "none" if size is None else ("size_only" if urbanity is None else "size_and_urbanity")
    return {"cbs_code": code, "name": reference.name if reference is not None else None,
            "size_class": size, "urbanity": urbanity, "basis": basis}


def peer_municipalities(municipality_id: int) -> list[int]:
    """Tenant ids of the other municipalities on the platform in the same CBS size class
    and urbanity; the same size class only when the urbanity is unknown; none when the
    size is (see `peer_basis`)."""
    basis = peer_basis(municipality_id)
    if basis["basis"] == "none":
        return []
    lowest, highest = size_class_bounds(basis["size_class"])
    query = (select(Tenant.id)
             .join(ReferenceMunicipality, ReferenceMunicipality.cbs_code == Tenant.cbs_code)
             .where(Tenant.kind == "municipality", Tenant.id != municipality_id,
                    ReferenceMunicipality.inhabitants >= lowest))
    if highest is not None:
        query = query.where(ReferenceMunicipality.inhabitants < highest)
    if basis["urbanity"] is not None:
        query = query.where(ReferenceMunicipality.urbanity == basis["urbanity"])
    return list(db.session.scalars(query.order_by(Tenant.id)))


def last_computed() -> datetime | None:
    """When the figures were last computed (None: never)."""
    return db.session.scalar(select(func.max(OutcomeFigure.computed_at)))
