from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from koepel.platform.jobs import enqueue_after_commit

DELIVER = "koepel.platform.mail.jobs.deliver"


def send_mail(*, to: str, template: str, language: str, **context) -> None:
    """Render `mail/<template>.{subject.txt,txt,html}` in `language` now, deliver after commit.

    Rendering happens in the request, where links can be made absolute; the job gets
    only the finished texts. Nothing is sent when the unit of work rolls back.
    """
    context.setdefault("mail_language", language)
    with force_locale(language):
        subject = " ".join(render_template(f"mail/{template}.subject.txt", **context).split())
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    enqueue_after_commit(DELIVER, to, subject, text, html, retry=_retry(), result_ttl=0, failure_ttl=7 * 86400)


def _retry():
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: PUBLIC_URL when set (behind proxies, in jobs), else
    the host of the current request."""
    from flask import current_app, url_for

    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
