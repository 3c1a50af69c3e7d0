"""Reading settlements: this tenant's copies, one with its lines, and what closing the next
month would send (a preview that posts nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.tenants.ledger import first_open_day

from .models import Settlement, SettlementLine
from .operations import month_end, plan_month


def settlements() -> list[Settlement]:
    return list(db.session.scalars(select(Settlement).order_by(Settlement.month.desc(), Settlement.partner_name,
                                                               Settlement.id)))


def settlement_or_404(settlement_id: int) -> Settlement:
    found = db.session.scalar(select(Settlement).where(Settlement.id == settlement_id))
    if found is None:
        abort(404)
    return found


def lines_of(settlement: Settlement) -> list[SettlementLine]:
    return list(db.session.scalars(select(SettlementLine).where(SettlementLine.settlement_id == settlement.id)
                                   .order_by(SettlementLine.member_name, SettlementLine.id)))


def awaiting(side: str) -> int:
    """What waits for this tenant: for a municipality, settlements not processed yet or
    amounts not claimed; for a cooperative, claims not paid yet."""
    query = select(Settlement.id).where(Settlement.side == side)
    if side == "municipality":
        query = query.where((Settlement.status == "sent") | (Settlement.owed_status == "owed"))
    else:
        query = query.where(Settlement.owed_status == "invoiced")
    return len(db.session.scalars(query).all())


@dataclass(frozen=True)
class PreviewRow:
    municipality: str
    members: int
    earned: Money
    late: Money
    municipality_share: Money
    returned_pots: Money


def preview(month: date) -> list[PreviewRow]:
    """What closing `month` would send each municipality, before flat amounts per member."""
    rows = []
    for plan in plan_month(month, first_open_day()):
        lines = plan.lines.values()
        rows.append(PreviewRow(plan.name, len(lines), Money(sum(line.earned for line in lines)),
                               Money(sum(line.late for line in lines)),
                               Money(sum(line.municipality for line in lines)), Money(plan.returned_pots)))
    return rows


__all__ = ["PreviewRow", "awaiting", "lines_of", "month_end", "preview", "settlement_or_404", "settlements"]
