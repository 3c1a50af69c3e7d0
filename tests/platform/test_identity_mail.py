"""Mail: HTML and plain text in the recipient's language, over real SMTP or as .eml files."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale

from koepel.platform.app import create_app
from koepel.platform.mail import send_mail
from tests import mail_support
from tests.conftest import make_settings
from tests.mail_support import eml_files, parts, run_queue

# Fixtures shared by the identity tests.
outbox = mail_support.outbox
smtp_server = mail_support.smtp_server


@pytest.fixture
def smtp_app(servers, database_url, tmp_path_factory, smtp_server, baseline):
    app = create_app(make_settings(servers, database_url, tmp_path_factory, MAIL_URL=smtp_server.url), TESTING=True)
    yield app
    from tests.conftest import _clear_queue

    _clear_queue(app)


def _send(app, to, language, template="reset_password", **context):
    context = {"name": "Marieke", "link": "https://koepel.example.org/account/reset/abc", "minutes": 60, **context}
    with app.test_request_context():
        send_mail(to=to, template=template, language=language, **context)
        from koepel.platform.db import db

        db.session.commit()


def _subject(app, language, template="reset_password"):
    with app.test_request_context(), force_locale(language):
        return render_template(f"mail/{template}.subject.txt").strip()


def test_mail_arrives_over_smtp_with_both_parts_in_the_recipients_language(smtp_app, smtp_server):
    _send(smtp_app, "nl@identity.example.org", "nl")
    _send(smtp_app, "en@identity.example.org", "en")
    run_queue(smtp_app)
    messages = {m["To"]: m for m in smtp_server.messages()}
    assert set(messages) == {"nl@identity.example.org", "en@identity.example.org"}
    assert eml_files(smtp_app) == set()  # sent, not written

    english = messages["en@identity.example.org"]
    assert english["Subject"] == "Choose a new password for Koepel"
    text, html = parts(english)
    assert "Hello Marieke," in text and "https://koepel.example.org/account/reset/abc" in text
    assert '<html lang="en">' in html and 'href="https://koepel.example.org/account/reset/abc"' in html
    assert english.get_content_type() == "multipart/alternative"

    dutch = messages["nl@identity.example.org"]
    text_nl, html_nl = parts(dutch)
    assert '<html lang="nl">' in html_nl
    assert dutch["Subject"] == _subject(smtp_app, "nl")
    assert "https://koepel.example.org/account/reset/abc" in text_nl


def test_without_mail_url_mail_is_an_eml_file_listed_on_the_dev_page(app, outbox):
    _send(app, "eml@identity.example.org", "en", template="verify_email", hours=48,
          link="http://localhost/account/verify/xyz")
    mails = outbox("eml@identity.example.org")
    assert len(mails) == 1
    text, html = parts(mails[0])
    assert "http://localhost/account/verify/xyz" in text and '<html lang="en">' in html

    page = app.test_client().get("/dev/mail").get_data(as_text=True)
    assert "Confirm your email address for Koepel" in page
    assert "eml@identity.example.org" in page
    assert 'href="http://localhost/account/verify/xyz"' in page  # clickable


def test_the_dev_page_lists_the_newest_first(app, outbox):
    _send(app, "first@identity.example.org", "en", template="password_changed")
    outbox()
    _send(app, "second@identity.example.org", "en", template="password_changed")
    outbox()
    page = app.test_client().get("/dev/mail").get_data(as_text=True)
    assert page.index("second@identity.example.org") < page.index("first@identity.example.org")


@pytest.mark.parametrize("template,context", [
    ("verify_email", {"hours": 48}),
    ("reset_password", {"minutes": 60}),
    ("account_locked", {"minutes": 15}),
    ("password_changed", {}),
    ("account_erased", {}),
])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_identity_mail_renders_in_both_languages_with_both_parts(app, outbox, template, context, language):
    to = f"{template}-{language}@identity.example.org"
    _send(app, to, language, template=template, **context)
    [message] = outbox(to)
    text, html = parts(message)
    assert "Marieke" in text and "Marieke" in html
    assert f'<html lang="{language}">' in html
    assert message["Subject"] == _subject(app, language, template)
