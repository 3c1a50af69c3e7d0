"""Checking a file line by line: the header, then every line into a member to register or
the reasons it cannot be one. Pure: the coaches and today are given; no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .columns import (
    DEFAULTS,
    DUTCH_HEADERS,
    LANGUAGE_CODES,
    MAX_LENGTHS,
    REFERRAL_CODES,
    REQUIRED,
    STAGE_CODES,
    header_key,
    looks_like_bsn,
    normalise,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()\-./]{6,40}$")
DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
EARLIEST_BIRTH = date(1900, 1, 1)
VALUE_SHOWN = 100  # characters of a bad value kept in the report


@dataclass
class Problem:
    """One reason a line (or, with line None, the file) cannot be imported."""

    line: int | None
    column: str | None  # the header as written in the file
    value: str
    code: str
    params: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"line": self.line, "column": self.column, "value": self.value, "code": self.code,
                "params": self.params}


@dataclass
class MemberLine:
    line: int
    name: str
    email: str | None
    phone: str | None
    date_of_birth: date | None
    municipality: str | None
    language: str
    referral_source: str
    stage: str
    stage_since: date | None
    coach_user_id: int | None
    business: dict | None

    @property
    def email_key(self) -> str | None:
        return self.email.casefold() if self.email else None

    @property
    def person_key(self) -> tuple[str, date | None]:
        return person_key(self.name, self.date_of_birth)


def person_key(name: str, born: date | None) -> tuple[str, date | None]:
    """Name (case, accents and spacing aside) and date of birth: who a line without an
    email address is."""
    return " ".join(name.split()).casefold(), born


@dataclass
class Columns:
    """Where each known column is in the file, and its header as written there."""

    index: dict[str, int]
    written: dict[str, str]


def check_header(header: list[str]) -> tuple[Columns, list[Problem]]:
    problems: list[Problem] = []
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    for position, text in enumerate(header):
        if not text:
            continue
        if looks_like_bsn(text):
            problems.append(Problem(None, text, "", "bsn_column", {"column": text}))
            continue
        key = header_key(text)
        if key is None:
            problems.append(Problem(None, text, "", "unknown_column", {"column": text}))
        elif key in index:
            problems.append(Problem(None, text, "", "duplicate_column", {"column": text}))
        else:
            index[key], written[key] = position, text
    if not problems:
        for key in REQUIRED:
            if key not in index:
                problems.append(Problem(None, DUTCH_HEADERS[key], "", "missing_column",
                                        {"column": DUTCH_HEADERS[key]}))
    return Columns(index, written), problems


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def parse_date(cell: object) -> date | None:
    """dd-mm-yyyy (also with / or .) or yyyy-mm-dd, or a spreadsheet's date cell; raises ValueError."""
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not text:
        return None
    if match := DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := YEAR_FIRST.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def check_line(number: int, cells: list[object], columns: Columns, *, coaches: dict[str, int],
               today: date) -> tuple[MemberLine | None, list[Problem]]:
    """The line as a member to register, or None and every reason it is not one."""
    problems: list[Problem] = []
    flagged: set[str] = set()

    def raw(key: str) -> object:
        position = columns.index.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    def bad(key: str, code: str, value: object = None, **params) -> None:
        shown = _text(raw(key) if value is None else value)
        if len(shown) > VALUE_SHOWN:
            shown = shown[:VALUE_SHOWN] + "…"
        problems.append(Problem(number, columns.written.get(key, DUTCH_HEADERS[key]), shown, code, params))
        flagged.add(key)

    values: dict[str, str] = {}
    for key in columns.index:
        text = _text(raw(key))
        limit = MAX_LENGTHS.get(key)
        if limit and len(text) > limit:
            bad(key, "too_long", max=limit)
            text = ""
        values[key] = text

    name = " ".join(values.get("name", "").split())
    if not name and "name" not in flagged:
        bad("name", "required")

    email = values.get("email") or None
    if email and not EMAIL.match(email):
        bad("email", "email_invalid")

    phone = values.get("phone") or None
    if phone and not PHONE.match(phone):
        bad("phone", "phone_invalid")

    born = None
    try:
        born = parse_date(raw("date_of_birth"))
    except ValueError:
        bad("date_of_birth", "date_invalid")
    if born is not None and not EARLIEST_BIRTH <= born <= today:
        bad("date_of_birth", "birth_not_past")
        born = None

    language = _code(values.get("language"), LANGUAGE_CODES, DEFAULTS["language"])
    if language is None:
        bad("language", "language_unknown")
    referral = _code(values.get("referral_source"), REFERRAL_CODES, DEFAULTS["referral_source"])
    if referral is None:
        bad("referral_source", "referral_unknown")
    stage = _code(values.get("stage"), STAGE_CODES, DEFAULTS["stage"])
    if stage is None:
        bad("stage", "stage_not_start")

    since = None
    try:
        since = parse_date(raw("stage_since"))
    except ValueError:
        bad("stage_since", "date_invalid")
    if since is not None and since > today:
        bad("stage_since", "date_future")
    if since is not None and born is not None and since < born:
        bad("stage_since", "before_birth")

    coach_id = None
    coach = values.get("coach")
    if coach:
        coach_id = coaches.get(coach.casefold())
        if coach_id is None:
            bad("coach", "coach_unknown")

    business = None
    trade_name = values.get("trade_name", "")
    if trade_name:
        business = {"trade_name": trade_name, "activity": values.get("activity", ""),
                    "description": values.get("description", "")}
    elif values.get("activity") or values.get("description"):
        bad("trade_name", "trade_name_missing", value="")

    if problems:
        return None, problems
    return MemberLine(
        line=number, name=name, email=email, phone=phone, date_of_birth=born,
        municipality=values.get("municipality") or None, language=language, referral_source=referral,
        stage=stage, stage_since=since, coach_user_id=coach_id, business=business,
    ), []


def _code(text: str | None, table: dict[str, str], default: str) -> str | None:
    if not text:
        return default
    return table.get(normalise(text))
