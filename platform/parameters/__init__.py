"""Rules that change by year (DOMAIN.md): named values with a validity period.

Reading (any package, any tenant: the table is national, not tenant-owned):
    value_on(name, on_date) -> int          the value in the name's unit
    money_on(name, on_date) -> Money        for amounts (unit 'cents')
    rate_on(name, on_date) -> int           for percentages (basis points: 2100 = 21%)
    history(name) -> list[Period]           every period, oldest first
    known_names() -> list[Known]            name, unit, group and label of each parameter
    label(name) -> str                      the readable name, in the reader's language
Errors: UnknownParameter (not in the catalog), NoValidValue (no period covers the day),
WrongUnit (money_on/rate_on on another unit).

Changing (umbrella administrators): do_set_parameter(name, valid_from, value, note,
actor_id), see operations.py. Periods are half-open: `valid_until` is the first day a
value no longer applies.
"""

from .catalog import GROUP_LABELS, KNOWN, UNITS, Known, known, known_names, label
from .models import ParameterValue
from .operations import ParameterError, do_set_parameter
from .queries import (
    NoValidValue,
    Period,
    UnknownParameter,
    WrongUnit,
    format_value,
    history,
    money_on,
    rate_on,
    value_on,
)
from .views import bp

__all__ = [
    "GROUP_LABELS",
    "KNOWN",
    "UNITS",
    "Known",
    "NoValidValue",
    "ParameterError",
    "ParameterValue",
    "Period",
    "UnknownParameter",
    "WrongUnit",
    "bp",
    "do_set_parameter",
    "format_value",
    "history",
    "known",
    "known_names",
    "label",
    "money_on",
    "rate_on",
    "value_on",
]
