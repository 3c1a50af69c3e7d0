"""/dev/mail: the mails written to instance/mail/ when no MAIL_URL is set.

Only in development and test, and only without MAIL_URL; everywhere else the route
does not exist (404). It lets a person of the demo click the verification link.
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template

from .jobs import MAIL_FOLDER

# The mail templates (the layout every mail extends) and the dev page's template are
# found through this blueprint, registered everywhere; it has no routes.
templates = Blueprint("mail", __name__, template_folder="templates")
bp = Blueprint("dev_mail", __name__, url_prefix="/dev")
DEV_ENVIRONMENTS = ("development", "test")
SHOWN = 50


def dev_mail_enabled(app: Flask) -> bool:
    return app.config.get("ENV_NAME") in DEV_ENVIRONMENTS and not app.config.get("MAIL_URL")


def _read(path: Path) -> dict:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    try:
        date = parsedate_to_datetime(message["Date"])
    except (TypeError, ValueError):
        date = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return {
        "name": path.name,
        "subject": str(message["Subject"] or ""),
        "to": str(message["To"] or ""),
        "date": date,
        "text": body.get_content() if body is not None else "",
    }


@bp.get("/mail")
def index():
    if not dev_mail_enabled(current_app):
        abort(404)
    folder = Path(current_app.config["INSTANCE_PATH"]) / MAIL_FOLDER
    files = sorted(folder.glob("*.eml"), reverse=True)[:SHOWN] if folder.is_dir() else []
    return render_template("dev/mail.html", mails=[_read(p) for p in files])


def init_app(app: Flask) -> None:
    """Register the templates everywhere, the page only where it may exist."""
    app.register_blueprint(templates)
    if dev_mail_enabled(app):
        app.register_blueprint(bp)
