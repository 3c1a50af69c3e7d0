"""Invoices on behalf of members, the cooperative as supplier (DOMAIN.md "Invoices").

For the payments part: `invoice_by_number`, `amount_due`, `do_register_payment` (the
invoice's amount paid and status only; the payment's posting is the payments part's).
"""

from . import jobs  # noqa: F401 - declares the PDF/mail job wherever the app is made
from .models import (
    INVOICE_KINDS,
    INVOICE_STATUSES,
    OPEN_STATUSES,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceSettings,
)
from .operations import (
    DELIVER_JOB,
    InvoiceError,
    LineInput,
    amount_due,
    do_create_customer,
    do_create_draft,
    do_credit,
    do_delete_draft,
    do_issue,
    do_register_payment,
    do_send_reminders,
    do_update_customer,
    do_update_draft,
    do_update_invoice_settings,
    invoice_settings,
)
from .queries import display_status, invoice_by_number, is_overdue, turnover
from .totals import KOR_TURNOVER_LIMIT, VAT_RATES, Totals, compute_totals
from .views import bp

__all__ = [
    "DELIVER_JOB", "INVOICE_KINDS", "INVOICE_STATUSES", "KOR_TURNOVER_LIMIT", "OPEN_STATUSES", "VAT_RATES",
    "Customer", "Invoice", "InvoiceError", "InvoiceLine", "InvoiceSettings", "LineInput", "Totals", "amount_due",
    "bp", "compute_totals", "display_status", "do_create_customer", "do_create_draft", "do_credit",
    "do_delete_draft", "do_issue", "do_register_payment", "do_send_reminders", "do_update_customer",
    "do_update_draft", "do_update_invoice_settings", "invoice_by_number", "invoice_settings", "is_overdue",
    "turnover",
]
