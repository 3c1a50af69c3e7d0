from __future__ import annotations

import io
from datetime import date

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.db import db
from koepel.platform.exports import csv_bytes
from koepel.platform.tenancy.request import tenant_blueprint

from .columns import COLUMNS, DESCRIPTIONS, DUTCH_HEADERS, KEYS, example_row
from .files import MAX_BYTES, SheetOut, xlsx_bytes
from .forms import UploadForm
from .models import FORMATS
from .operations import ERRORS_KEPT, TransferError, do_record_export, do_start_import, message
from .queries import (
    MEMBER_WIDTHS,
    TIMELINE_WIDTHS,
    import_or_404,
    import_status,
    member_header,
    member_rows,
    recent_imports,
    timeline_header,
    timeline_rows,
    uploader_name,
)

bp = tenant_blueprint("member_transfer", __name__, kinds=("cooperative",), url_prefix="/members/files", template_folder="templates")

EXPORTS = ("members", "timelines")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page(form: UploadForm | None = None, status: int = 200):
    return render_template(
        "member_transfer/index.html",
        form=form or UploadForm(),
        imports=recent_imports() if can("members.import") else [],
        columns=[(DUTCH_HEADERS[key], english, DESCRIPTIONS[key]) for key, _nl, english in COLUMNS],
        max_megabytes=MAX_BYTES // (1024 * 1024),
    ), status


@bp.get("/")
@requires("members.import")
def index():
    return _page()


@bp.post("/imports")
@requires("members.import")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    sent = form.file.data
    data = sent.stream.read(MAX_BYTES + 1)
    try:
        imported = do_start_import(file_name=sent.filename or "", data=data, actor_id=current_user.id)
    except TransferError as error:
        db.session.rollback()
        form.file.errors.append(str(error))
        return _page(form, 400)
    db.session.commit()
    flash(_("The file has been received. Its members are being checked and imported."), "info")
    return redirect(url_for("member_transfer.show", import_id=imported.id))


@bp.get("/imports/<int:import_id>")
@requires("members.import")
def show(import_id: int):
    imported = import_or_404(import_id)
    problems = sorted(imported.errors or [], key=lambda p: (p.get("line") or 0))
    report = [{**p, "reason": message(p)} for p in problems]
    return render_template(
        "member_transfer/show.html", imported=imported, status=import_status(imported), report=report,
        uploader=uploader_name(imported), truncated=len(problems) >= ERRORS_KEPT,
    )


@bp.get("/template.<fmt>")
@requires("members.import")
def template(fmt: str):
    """The columns with one example line (valid as it stands)."""
    if fmt not in FORMATS:
        abort(404)
    header = [DUTCH_HEADERS[key] for key in KEYS]
    example = example_row(date.today().strftime("%d-%m-%Y"))
    row = [example[key] for key in KEYS]
    if fmt == "csv":
        content = csv_bytes(header, [row])
    else:
        notes = [(DUTCH_HEADERS[key], str(DESCRIPTIONS[key])) for key in KEYS]
        content = xlsx_bytes([
            SheetOut(_("Members"), header, [row], widths=[max(14, len(h) + 4) for h in header]),
            SheetOut(_("Explanation"), [_("Column"), _("What to fill in")], notes, widths=(18, 100)),
        ])
    return _download(content, fmt, f"members.{fmt}")


@bp.get("/export/<what>.<fmt>")
@requires("members.export")
def export(what: str, fmt: str):
    """A direct download of the members this person may see, or of their journeys."""
    if what not in EXPORTS or fmt not in FORMATS:
        abort(404)
    if what == "members":
        header, rows, widths, title = member_header(), list(member_rows()), MEMBER_WIDTHS, _("Members")
    else:
        header, rows, widths, title = timeline_header(), list(timeline_rows()), TIMELINE_WIDTHS, _("Journeys")
    if fmt == "csv":
        content = csv_bytes(header, rows)
    else:
        content = xlsx_bytes([SheetOut(title, header, rows, widths=widths)])
    do_record_export(what=what, file_format=fmt, rows=len(rows), actor_id=current_user.id)
    db.session.commit()
    return _download(content, fmt, f"{what}-{date.today().isoformat()}.{fmt}")


def _download(content: bytes, fmt: str, name: str):
    response = send_file(io.BytesIO(content), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept by browsers or proxies
    return response
