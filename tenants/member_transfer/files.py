"""Reading and writing the spreadsheet files: CSV (UTF-8, with or without BOM, ; or ,)
and XLSX. Pure: bytes in, rows out (and back); no database, no Flask."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from koepel.platform.exports import FORMULA_STARTS

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 20_000
MAX_COLUMNS = 60  # of a workbook's rows (the template has 13): a huge row cannot fill the memory
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).


class FileRefused(ValueError):
    """The file as a whole cannot be read; `code` names the reason (see operations.MESSAGES)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    header: list[str]
    lines: list[tuple[int, list[object]]]  # (line number in the file, cells), blank lines left out


def detect_format(file_name: str, data: bytes) -> str:
    """'csv' or 'xlsx', judged by the name and the content together."""
    name = (file_name or "").lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx"):
        if not is_zip:
            raise FileRefused("not_csv_or_xlsx")
        return "xlsx"
    if name.endswith(".csv"):
        if is_zip or b"\x00" in data[:4096]:
            raise FileRefused("not_csv_or_xlsx")
        return "csv"
    raise FileRefused("not_csv_or_xlsx")


def read_sheet(data: bytes, file_format: str, *, header_only: bool = False) -> Sheet:
    if len(data) > MAX_BYTES:
        raise FileRefused("too_large", max=MAX_BYTES // (1024 * 1024))
    rows = _csv_rows(data) if file_format == "csv" else _xlsx_rows(data)
    header: list[str] | None = None
    lines: list[tuple[int, list[object]]] = []
    for number, cells in rows:
        if header is None:
            if _blank(cells):
                continue
            header = [_header_text(c) for c in cells]
            while header and not header[-1]:
                header.pop()
            if header_only:
                break
            continue
        if _blank(cells):
            continue
        if len(lines) >= MAX_LINES:
            raise FileRefused("too_many_lines", max=MAX_LINES)
        lines.append((number, cells))
    if header is None:
        raise FileRefused("empty_file")
    return Sheet(header, lines)


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell).replace("\ufeff", "").strip()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("csv_encoding") from None
    if "\x00" in text:
        raise FileRefused("not_csv_or_xlsx")
    first = next((row for row in text.splitlines() if row.strip()), "")  # the header line
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, [_unescape(c) for c in cells]
            start = reader.line_num + 1
    except csv.Error:
        raise FileRefused("csv_broken", line=reader.line_num) from None


def _unescape(value: str) -> str:
    """Undo the export's formula escaping ('=... back to =...): the value is data, never run."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


_BROKEN_XLSX = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError, IndexError)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX:
        # A damaged or foreign zip: openpyxl fails in many ways (SyntaxError: broken XML).
        raise FileRefused("xlsx_unreadable") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS) if sheet is not None else iter(())
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except _BROKEN_XLSX:
                raise FileRefused("xlsx_unreadable") from None
            number += 1
            yield number, [_xlsx_value(c) for c in cells]
    finally:
        workbook.close()


def _xlsx_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (date, str)) or value is None:
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


# --- writing -------------------------------------------------------------------------------


@dataclass
class SheetOut:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()


def xlsx_bytes(sheets: Sequence[SheetOut]) -> bytes:
    """Every text cell written as text (a value starting with = stays a value, never a
    formula); dates as date cells shown dd-mm-yyyy; text columns formatted as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)

        def cell(value: object, header: bool = False, sheet=sheet, bold=bold) -> WriteOnlyCell:
            if isinstance(value, date):
                made = WriteOnlyCell(sheet, value=value)
                made.number_format = "DD-MM-YYYY"
                return made
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return WriteOnlyCell(sheet, value=value)
            made = WriteOnlyCell(sheet, value="" if value is None else str(value))
            made.data_type = "s"  # never a formula, whatever the text starts with
            made.number_format = "@"
            if header:
                made.font = bold
            return made

        sheet.append([cell(h, header=True) for h in spec.header])
        for row in spec.rows:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
