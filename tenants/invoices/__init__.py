"""Invoices on behalf of members, the cooperative as supplier (DOMAIN.md "Invoices").

For the payments part: `invoice_by_number`, `amount_due`, `do_register_payment` (the
invoice's amount paid and status only; the payment's posting is the payments part's).
The VAT rates and the KOR limit of a day come from the platform parameters:
`vat_rates_on(day)`, `kor_limit_on(day)`.
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
    apply_payment,
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
    invoice_date,
    invoice_settings,
    kor_limit_on,
    lock_invoices,
    vat_rates_on,
)
from .queries import display_status, invoice_by_number, is_overdue, turnover
from .totals import Totals, compute_totals
from .views import bp

__all__ = [
    "DELIVER_JOB", "INVOICE_KINDS", "INVOICE_STATUSES", "OPEN_STATUSES",
    "Customer", "Invoice", "InvoiceError", "InvoiceLine", "InvoiceSettings", "LineInput", "Totals", "amount_due",
    "bp", "compute_totals", "display_status", "do_create_customer", "do_create_draft", "do_credit",
    "apply_payment", "do_delete_draft", "do_issue", "do_register_payment", "lock_invoices", "do_send_reminders", "do_update_customer",
    "do_update_draft", "do_update_invoice_settings", "invoice_by_number", "invoice_date", "invoice_settings",
    "is_overdue", "kor_limit_on", "turnover", "vat_rates_on",
]
