"""Shared helpers of the identity tests: own people, the mail queue, .eml files, SMTP.

The baseline people are shared by the whole suite; identity tests that change a person
(lock, enrol, erase) make their own with `make_person`, inside the test's rolled-back
transaction.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import re
import socket
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pyotp
import pytest

from tests.conftest import Person

PASSWORD = "a long and unusual passphrase"
_numbers = itertools.count(1)



def make_person(
    app, *, roles=(), verified=True, language="nl", two_factor=False, password=PASSWORD, name=None
) -> Person:
    """A new account (committed in the test's transaction) with roles as [(tenant_id, role)]."""
    from koepel.platform.auth.operations import do_create_user
    from koepel.platform.auth.two_factor import encrypt_secret
    from koepel.platform.db import db, utcnow
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_add_membership

    number = next(_numbers)
    address = f"person{number}-{time.monotonic_ns()}@identity.example.org"
    with app.app_context():
        user = do_create_user(
            email=address, name=name or f"Persoon {number}", password=password, language=language,
            verified=verified,
        )
        secret = None
        if two_factor:
            secret = pyotp.random_base32()
            user.totp_secret_encrypted = encrypt_secret(secret)
            user.two_factor_enabled_at = utcnow()
        for tenant_id, role in roles:
            do_add_membership(db.session.get(Tenant, tenant_id), user.id, role)
        db.session.commit()
        return Person(user.id, address, password, secret)


def load_user(app, user_id):
    from koepel.platform.auth import User
    from koepel.platform.db import db

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def run_queue(app) -> None:
    """Run queued rq jobs in this process (sharing the test's transaction)."""
    from rq import SimpleWorker

    from koepel.platform.jobs import queue

    with app.app_context():
        q = queue()
        SimpleWorker([q], connection=q.connection).work(burst=True)


def mail_folder(app) -> Path:
    return Path(app.config["INSTANCE_PATH"]) / "mail"


def eml_files(app) -> set[Path]:
    folder = mail_folder(app)
    return set(folder.glob("*.eml")) if folder.is_dir() else set()


def read_eml(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.fixture
def outbox(app):
    """Mails delivered (as .eml) during the test, to `to`: `outbox(to)` runs the queue."""
    before = eml_files(app)

    def collect(to: str | None = None) -> list[EmailMessage]:
        run_queue(app)
        new = sorted(eml_files(app) - before)
        messages = [read_eml(p) for p in new]
        return [m for m in messages if to is None or m["To"] == to]

    return collect


def link_in(message: EmailMessage, path_part: str) -> str:
    """The path (from /account/...) of the first link in the text part containing path_part."""
    text, _html = parts(message)
    match = re.search(r"https?://[^/\s]+(\S*" + re.escape(path_part) + r"\S*)", text)
    assert match, f"no link with {path_part!r} in:\n{text}"
    return match.group(1)


@pytest.fixture(autouse=False)
def fresh_limits(app):
    """Rate-limit counters start empty for the test (and are cleared after it)."""
    from koepel.platform.http.security import limiter

    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


# --- a real SMTP server on 127.0.0.1 ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    port: int
    received: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.received]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on a free port of 127.0.0.1; `.messages()` is what arrived."""
    from aiosmtpd.controller import Controller

    server = SmtpServer(free_port())

    class Handler:
        async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's name
            server.received.append(envelope.original_content or envelope.content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
