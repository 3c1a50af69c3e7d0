"""Money as integer cents, never float (DESIGN.md "Data, money, time").

`Money` is a small value type: it adds, subtracts and compares with Money only, parses the
way people write amounts in the Netherlands ("1.234,56", "12,5", "€ 3") and shows them
that way. Percentages are basis points (1% = 100), so a share is integer arithmetic too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<units>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?$")
_PLAIN = re.compile(r"^(?P<sign>-)?(?P<units>\d+)(?:\.(?P<cents>\d{1,2}))?$")


class MoneyError(ValueError):
    """Text that is not an amount."""


@dataclass(frozen=True, order=True)
class Money:
    cents: int

    def __post_init__(self):
        if not isinstance(self.cents, int) or isinstance(self.cents, bool):
            raise TypeError(f"Money needs integer cents, not {type(self.cents).__name__}")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str) -> Money:
        """'1.234,56', '12,5', '€ 3', '-7,00' (Dutch) or '1234.56' (a machine's)."""
        cleaned = (text or "").replace("€", "").replace(" ", "").replace("\u00a0", "")
        match = _AMOUNT.match(cleaned)
        if match and "." in match["units"] and match["cents"] is None and _PLAIN.match(cleaned):
            match = None  # "12.50" is a machine's decimal point, not a thousands separator
        match = match or _PLAIN.match(cleaned)
        if not match:
            raise MoneyError(f"not an amount: {text!r}")
        units = int(match["units"].replace(".", ""))
        cents = int((match["cents"] or "0").ljust(2, "0"))
        value = units * 100 + cents
        return cls(-value if match["sign"] else value)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def __bool__(self) -> bool:
        return self.cents != 0

    def share(self, basis_points: int) -> Money:
        """`basis_points`/10,000 of this amount, rounded half away from zero to the cent."""
        numerator = abs(self.cents) * basis_points
        rounded = (numerator + 5_000) // 10_000
        return Money(rounded if self.cents >= 0 else -rounded)

    def format(self) -> str:
        """'€ 1.234,56' (Dutch notation; amounts are shown this way in both languages)."""
        sign = "-" if self.cents < 0 else ""
        units, cents = divmod(abs(self.cents), 100)
        return f"{sign}€ {units:,}".replace(",", ".") + f",{cents:02d}"

    def __str__(self) -> str:
        return self.format()


def total(amounts) -> Money:
    return sum(amounts, Money(0))
