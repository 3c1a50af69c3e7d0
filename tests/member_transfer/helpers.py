"""Shared helpers of the member import and export tests."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from rq import SimpleWorker
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.jobs import queue
from koepel.platform.tenancy import tenant_context

DUTCH = ["naam", "e-mail", "telefoon", "geboortedatum", "gemeente", "taal", "verwijzer", "fase", "fase_sinds",
         "coach", "handelsnaam", "activiteit", "omschrijving"]


def work(app) -> None:
    """Run what is queued with a real rq worker, in this process (so it shares the test's
    rolled-back database transaction)."""
    with app.app_context():
        q = queue()
        SimpleWorker([q], connection=q.connection).work(burst=True)


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def csv_bytes(rows: list[list[str]], *, header: list[str] | None = None, delimiter: str = ";",
              bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or DUTCH)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def line(**values) -> list[str]:
    """A CSV line in the template's column order; unnamed columns empty."""
    keys = ["name", "email", "phone", "date_of_birth", "municipality", "language", "referral_source", "stage",
            "stage_since", "coach", "trade_name", "activity", "description"]
    return [values.get(k, "") for k in keys]


def upload(client, slug: str, data: bytes, name: str = "leden.csv"):
    return client.post(f"/t/{slug}/members/files/imports", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def import_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/imports/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def member_count(app, tenant_id: int) -> int:
    from koepel.tenants.members import Member

    with app.app_context(), tenant_context(tenant_id):
        return db.session.scalar(select(func.count()).select_from(Member))


def get_import(app, tenant_id: int, import_id: int):
    from koepel.tenants.member_transfer import MemberImport

    with app.app_context(), tenant_context(tenant_id):
        item = db.session.get(MemberImport, (tenant_id, import_id))
        db.session.expunge(item)
        return item


def stored_files(app, tenant_id: int) -> list[Path]:
    folder = Path(app.config["INSTANCE_PATH"]) / "imports" / str(tenant_id)
    return sorted(folder.iterdir()) if folder.exists() else []


def report_rows(page: str) -> list[list[str]]:
    """The cells of the report table: [line, column, value, why] per row."""
    table = re.search(r'<table class="import-report">(.*?)</table>', page, re.S)
    assert table, "no report table on the page"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"\s+", " ", c).strip()) for c in cells])
    return rows
