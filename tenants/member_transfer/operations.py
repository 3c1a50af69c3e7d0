"""Importing members from a file (all or nothing, with a report of every bad line) and
recording exports. Operations flush, never commit: the request or the job commits."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.auth import User
from koepel.platform.db import db, utcnow
from koepel.platform.jobs import do_enqueue
from koepel.platform.tenancy import Membership, current_tenant_id
from koepel.tenants.members import Member, MemberError, do_register_member

from .columns import DUTCH_HEADERS
from .files import MAX_BYTES, FileRefused, detect_format, read_sheet
from .lines import MemberLine, Problem, check_header, check_line, person_key
from .models import MemberImport

IMPORT_JOB = "members.import"
# Who may be named in the coach column (as koepel.tenants.members accepts for a coach).
COACH_ROLES = ("coach", "coordinator")
# pg_advisory_xact_lock(class, tenant): one member import at a time per tenant.
IMPORT_LOCK_CLASS = 0x4B4D49
PROGRESS_EVERY = 100
ERRORS_KEPT = 5000  # problems stored in the report; error_count counts every bad line

register_labels({
    "members.import_uploaded": _l("File of members uploaded for import"),
    "members.imported": _l("Members imported from a file"),
    "members.import_rejected": _l("Import of members refused: the file has errors"),
    "members.exported": _l("Members exported"),
})

# The reasons of the report, by code; shown in the reader's language.
MESSAGES = {
    "not_csv_or_xlsx": _l("This is not a CSV or XLSX file. Fill in the template and save it as CSV (UTF-8) "
                          "or as an Excel workbook (.xlsx)."),
    "csv_encoding": _l("The CSV file is not in UTF-8. Save it again as “CSV UTF-8”."),
    "csv_broken": _l("The CSV file cannot be read from line %(line)s on (a quote that is never closed?)."),
    "xlsx_unreadable": _l("The Excel file cannot be read. Save it again as an Excel workbook (.xlsx)."),
    "too_large": _l("The file is larger than %(max)s MB. Split it into smaller files."),
    "too_many_lines": _l("The file has more than %(max)s lines. Split it into smaller files."),
    "empty_file": _l("The file is empty: it needs a first line with the column names."),
    "no_lines": _l("The file has no lines with members below the column names."),
    "file_missing": _l("The uploaded file is no longer there. Upload it again."),
    "bsn_column": _l("The column “%(column)s” looks like a citizen service number (BSN). A cooperative may not keep "
                     "citizen service numbers: remove the column and upload the file again."),
    "unknown_column": _l("Unknown column “%(column)s”. Use the columns of the template."),
    "duplicate_column": _l("The column “%(column)s” appears more than once."),
    "missing_column": _l("The column “%(column)s” is missing."),
    "required": _l("Enter the name."),
    "too_long": _l("Use at most %(max)s characters."),
    "email_invalid": _l("Enter a valid email address."),
    "phone_invalid": _l("Enter a phone number: digits, spaces, + - ( ) only."),
    "date_invalid": _l("Write the date as dd-mm-yyyy or yyyy-mm-dd."),
    "birth_not_past": _l("Enter a date of birth in the past."),
    "date_future": _l("The date cannot be in the future."),
    "before_birth": _l("The journey cannot start before the date of birth."),
    "language_unknown": _l("Unknown language: use nl, en, ar, tr, pl, ti, uk or other."),
    "referral_unknown": _l("Unknown referral source: use municipality, work_organisation, social_services, self "
                           "or other."),
    "stage_not_start": _l("A journey starts with a referral or an intake: use referred or intake."),
    "coach_unknown": _l("No coach of this cooperative has this email address."),
    "trade_name_missing": _l("A business needs a trade name."),
    "duplicate_in_file": _l("The same person as on line %(line)s."),
}


def message(problem: dict) -> str:
    """A report entry's reason, in the language of whoever reads it."""
    if problem.get("code") == "member_refused":
        return problem.get("params", {}).get("message", "")
    template = MESSAGES.get(problem.get("code"))
    if template is None:
        return problem.get("code", "")
    params = problem.get("params") or {}
    return str(template) % params if params else str(template)


class TransferError(ValueError):
    """An upload that cannot be imported; `field` names the form field."""

    def __init__(self, message: str, field: str | None = "file"):
        super().__init__(str(message))
        self.field = field


# --- the upload ----------------------------------------------------------------------------


def import_folder(tenant_id: int) -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "imports" / str(tenant_id)


def check_upload(file_name: str, data: bytes) -> str:
    """The file's format, once the file is small enough, readable and has acceptable
    columns; else TransferError with every reason. A file with a BSN column is refused
    here, before it is ever stored."""
    if not data:
        raise TransferError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise TransferError(message({"code": "too_large", "params": {"max": MAX_BYTES // (1024 * 1024)}}))
    try:
        file_format = detect_format(file_name, data)
        sheet = read_sheet(data, file_format, header_only=True)
    except FileRefused as refused:
        raise TransferError(message({"code": refused.code, "params": refused.params})) from None
    _columns, problems = check_header(sheet.header)
    if problems:
        raise TransferError(" ".join(message(p.as_json()) for p in problems))
    return file_format


def do_start_import(*, file_name: str, data: bytes, actor_id: int | None) -> MemberImport:
    """Store the upload, record it and queue its import job (sent when the caller commits)."""
    file_format = check_upload(file_name, data)
    shown_name = PurePath((file_name or "").replace("\\", "/")).name.strip()[:200] or f"members.{file_format}"
    imported = MemberImport(file_name=shown_name, file_format=file_format, sha256=hashlib.sha256(data).hexdigest(),
                            size_bytes=len(data), created_by=actor_id, status="queued", errors=[])
    db.session.add(imported)
    db.session.flush()
    folder = import_folder(imported.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    imported.stored_name = f"{imported.id}-{uuid.uuid4().hex}.{file_format}"
    (folder / imported.stored_name).write_bytes(data)
    imported.job_run_id = do_enqueue(IMPORT_JOB, imported.id).id
    record("members.import_uploaded", object_type="member_import", object_id=imported.id,
           details={"file_name": shown_name, "format": file_format, "bytes": len(data), "sha256": imported.sha256},
           actor_user_id=actor_id)
    db.session.flush()
    return imported


# --- the import ----------------------------------------------------------------------------


def lock_imports(tenant_id: int) -> None:
    """Wait for any other import of this tenant to commit or roll back (transaction-scoped):
    two imports of the same file never both create its members."""
    db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"),
                       {"cls": IMPORT_LOCK_CLASS, "key": tenant_id % 2**31})


def coach_emails() -> dict[str, int]:
    rows = db.session.execute(
        select(User.email, User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.role.in_(COACH_ROLES))
    ).all()
    return {email.casefold(): user_id for email, user_id in rows}


def existing_members() -> tuple[dict[str, int], dict[tuple, int]]:
    """Every member of the tenant by email address and by name + date of birth (one query)."""
    by_email: dict[str, int] = {}
    by_person: dict[tuple, int] = {}
    rows = db.session.execute(select(Member.id, Member.email, Member.name, Member.date_of_birth).order_by(Member.id))
    for member_id, email, name, born in rows:
        if email:
            by_email.setdefault(email.strip().casefold(), member_id)
        by_person.setdefault(person_key(name, born), member_id)
    return by_email, by_person


Progress = Callable[[int, int, str], None]


def do_run_import(import_id: int, *, progress: Progress | None = None, today: date | None = None) -> MemberImport:
    """Check every line, then (only when none is bad) register the members that are not
    present yet, all in the caller's transaction. Runs in the requester's language."""
    imported = db.session.get(MemberImport, (current_tenant_id(), import_id))
    if imported is None:
        raise LookupError(f"member import {import_id} not found")
    if imported.finished:
        return imported  # a job run twice changes nothing
    language = db.session.scalar(select(User.language).where(User.id == imported.created_by)) or "nl"
    with force_locale(language):
        return _run(imported, progress or (lambda done, total, message: None), today or date.today())


def _run(imported: MemberImport, progress: Progress, today: date) -> MemberImport:
    lock_imports(imported.tenant_id)
    path = import_folder(imported.tenant_id) / imported.stored_name if imported.stored_name else None
    if path is None or not path.is_file():
        return _reject(imported, [Problem(None, None, "", "file_missing")], bad_lines=1)
    try:
        sheet = read_sheet(path.read_bytes(), imported.file_format)
    except FileRefused as refused:
        return _reject(imported, [Problem(None, None, "", refused.code, refused.params)], bad_lines=1)
    columns, problems = check_header(sheet.header)
    if problems:
        return _reject(imported, problems, bad_lines=1)
    total = len(sheet.lines)
    imported.line_count = total
    if not total:
        return _reject(imported, [Problem(None, None, "", "no_lines")], bad_lines=1)

    coaches = coach_emails()
    by_email, by_person = existing_members()
    seen_email: dict[str, int] = {}
    seen_person: dict[tuple, int] = {}
    good: list[tuple[MemberLine, bool]] = []  # (line, already present)
    problems = []
    bad_lines = 0
    steps = 2 * total  # checking every line, then creating (or skipping) every line
    progress(0, steps, "checking")
    for done, (number, cells) in enumerate(sheet.lines, start=1):
        line, line_problems = check_line(number, cells, columns, coaches=coaches, today=today)
        if line is not None:
            first = seen_email.get(line.email_key) if line.email_key else seen_person.get(line.person_key)
            if first is not None:
                key = "email" if line.email_key else "name"
                shown = line.email if line.email_key else line.name
                line_problems = [Problem(number, columns.written.get(key, DUTCH_HEADERS[key]), shown,
                                         "duplicate_in_file", {"line": first})]
            else:
                if line.email_key:
                    seen_email[line.email_key] = number
                seen_person.setdefault(line.person_key, number)
                present = (line.email_key in by_email) if line.email_key else (line.person_key in by_person)
                good.append((line, present))
        if line_problems:
            bad_lines += 1
            problems.extend(line_problems)
        if done % PROGRESS_EVERY == 0:
            progress(done, steps, "checking")
    if problems:
        return _reject(imported, problems, bad_lines=bad_lines)
    progress(total, steps, "checking")

    reason = _("Imported from the file %(file)s", file=imported.file_name)
    created = present_count = 0
    refused: list[Problem] = []
    savepoint = db.session.begin_nested()  # a refusal below undoes every member of the file
    for done, (line, present) in enumerate(good, start=1):
        if present:
            present_count += 1
        else:
            try:
                do_register_member(
                    name=line.name, stage=line.stage, on_date=line.stage_since, reason=reason,
                    coach_user_id=line.coach_user_id, business=line.business, actor_id=imported.created_by,
                    today=today, email=line.email, phone=line.phone, date_of_birth=line.date_of_birth,
                    municipality=line.municipality, language=line.language, referral_source=line.referral_source,
                )
                created += 1
            except MemberError as error:
                key = error.field if error.field in DUTCH_HEADERS else "name"
                refused.append(Problem(line.line, columns.written.get(key, DUTCH_HEADERS[key]), "",
                                       "member_refused", {"message": str(error)}))
        if done % PROGRESS_EVERY == 0:
            progress(total + done, steps, "creating")
    if refused:
        savepoint.rollback()
        return _reject(imported, refused, bad_lines=len(refused))
    savepoint.commit()
    imported.status, imported.finished_at = "imported", utcnow()
    imported.created_count, imported.present_count = created, present_count
    imported.error_count, imported.errors = 0, []
    _forget_file(imported)
    record("members.imported", object_type="member_import", object_id=imported.id,
           details={"lines": total, "created": created, "present": present_count}, actor_user_id=imported.created_by)
    db.session.flush()
    progress(steps, steps, "done")
    return imported


def _reject(imported: MemberImport, problems: list[Problem], *, bad_lines: int) -> MemberImport:
    imported.status, imported.finished_at = "rejected", utcnow()
    imported.created_count = imported.present_count = 0
    imported.error_count = bad_lines
    imported.errors = [p.as_json() for p in problems[:ERRORS_KEPT]]
    _forget_file(imported)
    record("members.import_rejected", object_type="member_import", object_id=imported.id,
           details={"lines": imported.line_count, "bad_lines": bad_lines}, actor_user_id=imported.created_by)
    db.session.flush()
    return imported


def _forget_file(imported: MemberImport) -> None:
    """The upload has been read: its copy is removed (the report keeps what is needed)."""
    if imported.stored_name:
        (import_folder(imported.tenant_id) / imported.stored_name).unlink(missing_ok=True)
        imported.stored_name = None


# --- exports -------------------------------------------------------------------------------


def do_record_export(*, what: str, file_format: str, rows: int, actor_id: int | None) -> None:
    record("members.exported", object_type="member_export", object_id=None,
           details={"what": what, "format": file_format, "rows": rows}, actor_user_id=actor_id)
