"""Reading and checking a municipality reference file (CSV), with no database and no app.

The migration that creates `reference_municipalities` and the `koepel reference-load`
command both read files through `parse_municipalities`, so a file the one accepts the
other accepts too. A file is all-or-nothing: every fault is reported by line number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

COLUMNS = ("cbs_code", "name", "inhabitants", "urbanity")
SHIPPED_FILE = "municipalities_2024.csv"
SHIPPED_YEAR = 2024
CODE_PATTERN = re.compile(r"^GM[0-9]{4}$")
URBANITY_CLASSES = (1, 2, 3, 4, 5)


class ReferenceDataError(ValueError):
    """The file is not a valid municipality reference file; `errors` lists each fault."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class MunicipalityRow:
    cbs_code: str
    name: str
    inhabitants: int | None
    urbanity: int | None


def _whole(value: str, field: str, line: int, errors: list[str], allowed=None) -> int | None:
    if value == "":
        return None
    if not value.isdigit():
        errors.append(f"line {line}: {field} must be a whole number, not {value!r}")
        return None
    number = int(value)
    if allowed is not None and number not in allowed:
        errors.append(f"line {line}: {field} must be one of {', '.join(map(str, allowed))}, not {number}")
        return None
    if allowed is None and number <= 0:
        errors.append(f"line {line}: {field} must be more than 0")
        return None
    return number


def parse_municipalities(text: str) -> list[MunicipalityRow]:
    """The rows of a reference file, or ReferenceDataError naming every faulty line.

    Columns: cbs_code (GM and four digits, unique), name (not empty), inhabitants (a whole
    number above 0, or empty when unknown), urbanity (CBS stedelijkheid 1..5, or empty).
    """
    if text.startswith("\ufeff"):  # a spreadsheet's byte-order mark
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise ReferenceDataError(["the file is empty"])
    if tuple(column.strip() for column in header) != COLUMNS:
        raise ReferenceDataError([f"line 1: the columns must be {','.join(COLUMNS)}, not {','.join(header)}"])
    errors: list[str] = []
    rows: list[MunicipalityRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            errors.append(f"line {line}: expected {len(COLUMNS)} columns, found {len(cells)}")
            continue
        code, name, inhabitants, urbanity = (cell.strip() for cell in cells)
        faults_before = len(errors)
        if not CODE_PATTERN.match(code):
            errors.append(f"line {line}: cbs_code must be GM followed by four digits, not {code!r}")
        elif code in seen:
            errors.append(f"line {line}: cbs_code {code} is already on line {seen[code]}")
        else:
            seen[code] = line
        if not name:
            errors.append(f"line {line}: name is empty")
        elif len(name) > 100:
            errors.append(f"line {line}: name is longer than 100 characters")
        count = _whole(inhabitants, "inhabitants", line, errors)
        urban = _whole(urbanity, "urbanity", line, errors, URBANITY_CLASSES)
        if len(errors) == faults_before:
            rows.append(MunicipalityRow(code, name, count, urban))
    if not rows and not errors:
        errors.append("the file has no municipalities")
    if errors:
        raise ReferenceDataError(errors)
    return rows


def shipped_text() -> str:
    """The reference file shipped with the package (CBS, 1 January 2024)."""
    return resources.files(__package__).joinpath(SHIPPED_FILE).read_text(encoding="utf-8")


def shipped_municipalities() -> list[MunicipalityRow]:
    return parse_municipalities(shipped_text())
