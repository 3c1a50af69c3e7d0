"""The member's pot statement as PDF (WeasyPrint).

Rendered directly in the request, not in an rq job: one member's month is a page or two
and renders in well under a second, the download is what the person asked for, and a
job would add a progress page and a stored file (personal data at rest) for no gain.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import force_locale

DOCUMENT_LANGUAGE = "nl"  # a Dutch statement, whoever prints it
PDF_STYLESHEET = Path(__file__).parent / "static" / "statement_pdf.css"


def statement_html(statement) -> str:
    with force_locale(DOCUMENT_LANGUAGE):
        return render_template("books/statement_pdf.html", s=statement)


def statement_pdf(statement) -> bytes:
    from weasyprint import (  # imported here: it loads Pango and fonts
        CSS,
        HTML,
    )

    return HTML(string=statement_html(statement)).write_pdf(stylesheets=[CSS(filename=str(PDF_STYLESHEET))])
