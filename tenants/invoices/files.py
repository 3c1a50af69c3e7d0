"""Where an invoice's PDF lives: under the instance folder, a folder per cooperative,
never a public URL (downloaded through the invoice page, behind its permission)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

FOLDER = "invoices"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+\.pdf$")


def pdf_folder(tenant_id: int) -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / FOLDER / str(int(tenant_id))


def pdf_name(kind: str, number: str) -> str:
    return f"{'creditnota' if kind == 'credit_note' else 'factuur'}-{number}.pdf"


def pdf_path(tenant_id: int, name: str) -> Path:
    if not _SAFE_NAME.match(name or "") or ".." in name:
        raise ValueError(f"not a PDF file name: {name!r}")
    return pdf_folder(tenant_id) / name
