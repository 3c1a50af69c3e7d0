"""The invoice job: render an issued invoice (or credit note) to PDF with WeasyPrint and
mail it to the customer with the PDF attached.

The mail, with the PDF attached, is delivered from this job through the platform's
delivery (SMTP when MAIL_URL is set, else an .eml file in instance/mail/). A retry
renders again and overwrites the same file.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from koepel.platform.audit import record
from koepel.platform.db import db, utcnow
from koepel.platform.jobs import JobContext, tenant_job
from koepel.platform.mail.jobs import Attachment, deliver

from .files import pdf_folder, pdf_name
from .models import Invoice
from .operations import DELIVER_JOB
from .queries import document, money, quantity
from .totals import rate_label

DOCUMENT_LANGUAGE = "nl"  # a Dutch invoice, whoever issues it


def document_html(invoice: Invoice) -> str:
    """The invoice as a standalone HTML page (what WeasyPrint turns into the PDF).
    Rendered in a request context of its own: the templates' context processors (the
    language switch) expect one, and a worker has none."""
    with current_app.test_request_context("/"), force_locale(DOCUMENT_LANGUAGE):
        return render_template("invoices/pdf.html", doc=document(invoice), rate_label=rate_label, money=money,
                               quantity=quantity)


PDF_STYLESHEET = Path(__file__).parent / "static" / "invoice_pdf.css"


def render_pdf(html: str) -> bytes:
    from weasyprint import (  # imported here: it loads Pango and fonts, only a worker needs it
        CSS,
        HTML,
    )

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_STYLESHEET))])


@tenant_job(DELIVER_JOB, title=_l("Invoice PDF and mail to the customer"), timeout=300)
def deliver_invoice(ctx: JobContext, invoice_id: int, mail: bool = True) -> dict:
    invoice = db.session.get(Invoice, (ctx.tenant_id, invoice_id))
    if invoice is None or invoice.status == "draft":
        return {"invoice_id": invoice_id, "rendered": False}
    html = document_html(invoice)
    pdf = render_pdf(html)
    folder = pdf_folder(ctx.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = pdf_name(invoice.kind, invoice.number)
    (folder / name).write_bytes(pdf)
    invoice.pdf_file = name
    email = (invoice.parties or {}).get("customer", {}).get("email")
    mailed = False
    if mail and email:
        context = {"doc": document(invoice), "number": invoice.number}
        with current_app.test_request_context("/"), force_locale(DOCUMENT_LANGUAGE):
            subject = " ".join(render_template("mail/invoice_sent.subject.txt", **context).split())
            text = render_template("mail/invoice_sent.txt", **context)
            body = render_template("mail/invoice_sent.html", **context)
        deliver(email, subject, text, body, attachments=[Attachment(name, pdf, "application/pdf")])
        invoice.mailed_at, mailed = utcnow(), True
        record("invoices.mailed", object_type="invoice", object_id=invoice.id, details={"number": invoice.number})
    return {"invoice_id": invoice.id, "number": invoice.number, "mailed": mailed}
