"""The arithmetic of an invoice, in one place: a line's amount and the totals per VAT rate.

Pure: the rates a line may have and the small-business scheme (KOR) limit change by year
and are platform parameters (`vat.general`, `vat.reduced`, `vat.zero`,
`kor.turnover_limit`), read by the operations for the invoice's date. A line keeps the rate
it was given, so an issued invoice never changes when a parameter does.

Amounts are integer cents, quantities integer hundredths (1,5 hour = 150). Rounding is
half away from zero, always: a line's amount is quantity x unit price rounded to the
cent; the VAT is computed per rate on the total excluding VAT of that rate (not per
line), then rounded to the cent. That is what the tax office expects on an invoice
("btw per tarief") and keeps the invoice's VAT equal to the sum of its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from koepel.platform.money import Money


def rate_label(rate_bp: int | None) -> str:
    """'21%', '9%', '0%' (None: exempt under the KOR)."""
    if rate_bp is None:
        return "KOR"
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if not rest else f"{whole},{rest:02d}".rstrip("0") + "%"


def line_amount(quantity_hundredths: int, unit_price_cents: int) -> int:
    """Quantity x unit price in cents, rounded half away from zero."""
    product = quantity_hundredths * unit_price_cents
    rounded = (abs(product) + 50) // 100
    return rounded if product >= 0 else -rounded


@dataclass(frozen=True)
class RateTotal:
    rate_bp: int | None  # None: no VAT charged (KOR)
    net: Money
    vat: Money


@dataclass(frozen=True)
class Totals:
    rates: tuple[RateTotal, ...]
    net: Money
    vat: Money

    @property
    def total(self) -> Money:
        return self.net + self.vat


def compute_totals(lines: Iterable[tuple[int, int]], *, kor: bool) -> Totals:
    """`lines`: (VAT rate in basis points, line amount in cents). Under the KOR no VAT is
    charged: one row without a rate. Otherwise a row per rate used, highest rate first."""
    lines = list(lines)
    if kor:
        net = Money(sum(amount for _rate, amount in lines))
        rates = (RateTotal(None, net, Money(0)),) if lines else ()
        return Totals(rates, net, Money(0))
    per_rate: dict[int, int] = {}
    for rate, amount in lines:
        per_rate[rate] = per_rate.get(rate, 0) + amount
    rates = tuple(RateTotal(rate, Money(net), Money(net).share(rate))
                  for rate, net in sorted(per_rate.items(), reverse=True))
    return Totals(rates, Money(sum(r.net.cents for r in rates)), Money(sum(r.vat.cents for r in rates)))
