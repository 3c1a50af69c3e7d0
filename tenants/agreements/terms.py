"""The terms of an agreement as values, and the waterfall they make of one payment
(DOMAIN.md "The money (the waterfall)"). No database here: `Terms` is what the invoices,
the payments and the monthly settlement read (through `terms_on` / `terms_with`).

Percentages are integer basis points (1% = 100); amounts are `Money` (integer cents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from koepel.platform.money import Money

WHOLE = 10_000  # 100% in basis points

COOPERATIVE_SHARE_KINDS = ("percentage", "flat_per_member", "none")
POT_CATEGORIES = ("tools", "materials", "training", "equipment", "transport", "other")
POT_ON_LEAVING = ("spend_on_business", "keep_for_period", "return")
# What of a member's earnings counts as income for the benefit (the monthly settlement):
# nothing (the pot is not paid out as income, DOMAIN.md), the pot's share, or all net earnings.
INCOME_FOR_BENEFIT = ("none", "pot", "net")

_PERCENT = re.compile(r"^(?P<units>\d{1,3})(?:[.,](?P<decimals>\d{1,2}))?%?$")
_HOURS = re.compile(r"^(?P<units>\d{1,4})(?:[.,](?P<decimals>\d))?$")


def parse_percent(text: str) -> int:
    """'12,5' / '12.5' / '12,5%' -> 1250 basis points (at most two decimals)."""
    cleaned = (text or "").replace(" ", "").replace("\u00a0", "")
    match = _PERCENT.match(cleaned)
    if not match:
        raise ValueError(f"not a percentage: {text!r}")
    return int(match["units"]) * 100 + int((match["decimals"] or "0").ljust(2, "0"))


def format_percent(basis_points: int | None) -> str:
    """1250 -> '12,5%', 1000 -> '10%', 1225 -> '12,25%' (the Dutch way, in both languages)."""
    if basis_points is None:
        return ""
    units, rest = divmod(basis_points, 100)
    return f"{units}%" if not rest else f"{units},{rest:02d}".rstrip("0") + "%"


def parse_hours(text: str) -> Decimal:
    """'7,5' / '7.5' / '16' -> Decimal (at most one decimal)."""
    cleaned = (text or "").replace(" ", "")
    match = _HOURS.match(cleaned)
    if not match:
        raise ValueError(f"not a number of hours: {text!r}")
    return Decimal(f"{match['units']}.{match['decimals'] or '0'}")


def format_hours(hours: Decimal | None) -> str:
    if hours is None:
        return ""
    text = f"{hours.quantize(Decimal('0.1'))}"
    return text[:-2] if text.endswith(".0") else text.replace(".", ",")


def _floor_share(amount: Money, basis_points: int) -> Money:
    """`basis_points`/10,000 of a non-negative amount, rounded down to the cent."""
    return Money(amount.cents * basis_points // WHOLE)


@dataclass(frozen=True)
class Split:
    """One received amount divided over the waterfall's four places."""

    cooperative: Money
    training_pot: Money
    municipality: Money
    pot: Money

    @property
    def total(self) -> Money:
        return self.cooperative + self.training_pot + self.municipality + self.pot


@dataclass(frozen=True)
class Terms:
    """The terms of one version of an agreement between a cooperative and a municipality.

    - the cooperative's share (afdracht): `cooperative_share_kind` is 'percentage'
      (`cooperative_share_bp` of each payment), 'flat_per_member' (`cooperative_flat`
      per member per month) or 'none';
    - the training pot's share (opleidingspot): `training_pot_bp` of each payment;
    - the municipality's share (terugbetaling): `municipality_share_bp` of what a member
      earns above `municipality_threshold` in a calendar month;
    - the rest goes to the member's savings pot (spaarpot), which may be spent on
      `pot_categories`; when the member leaves the pot is spent on the own business,
      kept for `keep_months` months, or returned to the municipality (`pot_on_leaving`);
    - what counts as income for the benefit in the monthly settlement
      (`income_for_benefit`: nothing, the pot's share, or all net earnings);
    - what the municipality grants: the exemptions, and what it funds (coordination
      hours and a housing contribution per month).

    The last fields say where the terms come from (None for terms not stored yet).
    """

    cooperative_share_kind: str = "none"
    cooperative_share_bp: int | None = None
    cooperative_flat: Money | None = None
    training_pot_bp: int = 0
    municipality_share_bp: int = 0
    municipality_threshold: Money = Money(0)
    pot_categories: tuple[str, ...] = ("tools", "materials", "training")
    pot_on_leaving: str = "spend_on_business"
    keep_months: int | None = None
    income_for_benefit: str = "none"
    exempt_from_job_applications: bool = False
    exempt_from_reintegration: bool = False
    coordination_hours_per_month: Decimal = Decimal("0")
    housing_contribution: Money = Money(0)
    notes: str = ""
    # Where these terms come from.
    agreement_id: int | None = None
    version_id: int | None = None
    version_number: int | None = None
    valid_from: date | None = None
    partner_tenant_id: int | None = None

    @property
    def percentage_shares_bp(self) -> int:
        """The cooperative's (when a percentage), the training pot's and the municipality's
        shares together: at most 100%."""
        cooperative = self.cooperative_share_bp if self.cooperative_share_kind == "percentage" else 0
        return (cooperative or 0) + self.training_pot_bp + self.municipality_share_bp

    def split(self, amount: Money, earned_this_month_before: Money) -> Split:
        """The waterfall of one amount received for a member.

        - the cooperative: `cooperative_share_bp` of the amount when its share is a
          percentage, else nothing. A flat amount per member per month is NOT taken from
          payments: the monthly close charges it once per member per month;
        - the training pot: `training_pot_bp` of the amount;
        - the municipality: `municipality_share_bp` of the part of this amount that lies
          above the monthly threshold, given what the member had already earned this
          month before it (`earned_this_month_before`, may be negative after a credit);
        - the member's pot: the rest.

        Each share is rounded down to the cent and the remainder goes to the pot, so the
        parts add up to the amount exactly and none is negative (the percentage shares
        are at most 100% together). A negative amount is refused: money going back is a
        reversal of the split it came in with, not a new one.
        """
        if amount.cents < 0:
            raise ValueError("split a received amount (not negative); reverse the original split instead")
        if self.percentage_shares_bp > WHOLE:
            raise ValueError("the percentage shares exceed 100%")
        cooperative = (_floor_share(amount, self.cooperative_share_bp or 0)
                       if self.cooperative_share_kind == "percentage" else Money(0))
        training = _floor_share(amount, self.training_pot_bp)
        threshold = self.municipality_threshold.cents
        before = earned_this_month_before.cents
        above = max(0, before + amount.cents - threshold) - max(0, before - threshold)
        municipality = _floor_share(Money(above), self.municipality_share_bp)
        pot = amount - cooperative - training - municipality
        return Split(cooperative=cooperative, training_pot=training, municipality=municipality, pot=pot)
