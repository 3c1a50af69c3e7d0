"""Files people open in a spreadsheet: CSV the way Dutch spreadsheet programs read it, and
never a cell that a spreadsheet would run as a formula (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

CSV_DELIMITER = ";"  # what Dutch spreadsheet programs expect
# A cell starting with one of these is a formula to a spreadsheet: it gets a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell for CSV: dates as dd-mm-yyyy, a would-be formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM and ; between cells, so Dutch spreadsheet programs open it as is."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
