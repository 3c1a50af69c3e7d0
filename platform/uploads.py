"""Files people upload (a business photo, a supplier's invoice): what they are is read from
their first bytes, never from their name; they live under the instance folder, per tenant."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

SIGNATURES = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff"}
MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def file_kind(data: bytes, allowed: tuple[str, ...]) -> str | None:
    """The kind among `allowed` ("pdf", "png", "jpg") the bytes start like, else None."""
    return next((kind for kind in allowed if data.startswith(SIGNATURES[kind])), None)


def upload_folder(tenant_id: int, purpose: str) -> Path:
    """instance/uploads/<tenant>/<purpose>/ (web and workers share the instance folder)."""
    return Path(current_app.instance_path) / "uploads" / str(tenant_id) / purpose
