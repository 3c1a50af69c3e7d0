"""Delivery: over SMTP when MAIL_URL is set, else as .eml files in instance/mail/."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from koepel.platform.jobs.runner import worker_app

MAIL_FOLDER = "mail"


class Attachment(NamedTuple):
    file_name: str
    data: bytes
    mime_type: str  # "application/pdf"


def build_message(sender: str, to: str, subject: str, text: str, html: str,
                  attachments: tuple[Attachment, ...] | list[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.file_name)
    return message


def deliver(to: str, subject: str, text: str, html: str, attachments: tuple[Attachment, ...] | list[Attachment] = ()) -> str:
    """Send one mail now (a job: `send_mail` queues it after commit; a job that made a
    file, like an invoice's PDF, calls it directly with the file attached)."""
    app = worker_app()
    message = build_message(app.config["MAIL_FROM"], to, subject, text, html, attachments)
    if app.config["MAIL_URL"]:
        _send_smtp(app.config["MAIL_URL"], message)
        return "smtp"
    return str(_write_eml(Path(app.config["INSTANCE_PATH"]) / MAIL_FOLDER, message))


def _send_smtp(mail_url: str, message: EmailMessage) -> None:
    """smtp://user:pass@host:587 (STARTTLS when offered), smtps://… (TLS from the start)."""
    url = urlsplit(mail_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"MAIL_URL must start with smtp:// or smtps://, not {url.scheme}://")
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, url.port or 465, context=context, timeout=30)
    else:
        client = smtplib.SMTP(url.hostname, url.port or 25, timeout=30)
    with client:
        if url.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


def _write_eml(folder: Path, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    return path
