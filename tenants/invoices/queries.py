"""Read models for the invoice pages, the PDF and the payments part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.tenants.members import Member, visible_members

from .models import OPEN_STATUSES, Customer, Invoice
from .operations import (
    amount_due,
    customer_details,
    due_for_reminder,
    invoice_settings,
    kor_limit_on,
    supplier_details,
)
from .totals import Totals, compute_totals

# What the list filters on: the stored statuses and the derived "overdue".
FILTER_STATUSES = ("draft", "sent", "overdue", "partly_paid", "paid", "cancelled")


def money(cents: int) -> str:
    return Money(cents).format()


def quantity(hundredths: int) -> str:
    """150 -> '1,5'; 100 -> '1'; 125 -> '1,25' (Dutch decimal comma)."""
    sign = "-" if hundredths < 0 else ""
    whole, rest = divmod(abs(hundredths), 100)
    return f"{sign}{whole}" if not rest else f"{sign}{whole},{rest:02d}".rstrip("0")


def is_overdue(invoice: Invoice, today: date) -> bool:
    return (invoice.kind == "invoice" and invoice.status in OPEN_STATUSES and invoice.due_date is not None
            and invoice.due_date < today)


def display_status(invoice: Invoice, today: date) -> str:
    """The stored status, or "overdue" for an unpaid invoice past its due date."""
    return "overdue" if is_overdue(invoice, today) else invoice.status


def invoice_by_number(number: str) -> Invoice | None:
    """The current cooperative's invoice or credit note with this number ("2026-0001")."""
    return db.session.scalar(select(Invoice).where(Invoice.number == (number or "").strip()))


def invoice_or_none(invoice_id: int) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id))


def customer_or_none(customer_id: int) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.id == customer_id))


def customers() -> list[Customer]:
    return list(db.session.scalars(select(Customer).order_by(func.lower(Customer.name), Customer.id)))


def member_choices() -> list[tuple[int, str]]:
    rows = db.session.scalars(visible_members().order_by(func.lower(Member.name), Member.id))
    return [(m.id, m.name + (f" ({m.business.trade_name})" if m.business else "")) for m in rows]


def member_name(member_id: int) -> str:
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    return member.name if member else ""


def work_by(member_id: int) -> str:
    """Who did the work, as the customer knows them: the member's trade name, else name."""
    member = db.session.scalar(select(Member).where(Member.id == member_id))
    if member is None:
        return ""
    return member.business.trade_name if member.business and member.business.trade_name else member.name


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    member: str
    customer: str
    status: str  # display status
    due: Money


def invoice_rows(*, today: date, status: str | None = None, member_id: int | None = None,
                 limit: int = 500) -> list[InvoiceRow]:
    query = (select(Invoice, Member.name, Customer.name)
             .join(Member, (Member.id == Invoice.member_id) & (Member.tenant_id == Invoice.tenant_id))
             .join(Customer, (Customer.id == Invoice.customer_id) & (Customer.tenant_id == Invoice.tenant_id)))
    if member_id is not None:
        query = query.where(Invoice.member_id == member_id)
    if status == "overdue":
        query = query.where(Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < today)
    elif status == "sent":
        query = query.where(Invoice.status == "sent", (Invoice.kind == "credit_note") | (Invoice.due_date >= today))
    elif status == "partly_paid":
        query = query.where(Invoice.status == "partly_paid", Invoice.due_date >= today)
    elif status:
        query = query.where(Invoice.status == status)
    query = query.order_by(Invoice.number_year.desc().nulls_first(), Invoice.number_seq.desc().nulls_first(),
                           Invoice.id.desc()).limit(limit)
    return [InvoiceRow(invoice, member, customer, display_status(invoice, today), amount_due(invoice))
            for invoice, member, customer in db.session.execute(query)]


def overdue_rows(today: date) -> list[tuple[Invoice, Customer, bool]]:
    """Every overdue invoice with its customer and whether a reminder is due now."""
    settings = invoice_settings()
    rows = db.session.execute(
        select(Invoice, Customer)
        .join(Customer, (Customer.id == Invoice.customer_id) & (Customer.tenant_id == Invoice.tenant_id))
        .where(Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < today)
        .order_by(Invoice.due_date, Invoice.id)).all()
    return [(invoice, customer, due_for_reminder(invoice, settings, today)) for invoice, customer in rows]


def turnover(year: int) -> Money:
    """The cooperative's invoiced turnover (excl. VAT) of a year: issued invoices minus
    credit notes, by issue date. What the KOR limit is measured against."""
    cents = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.net_cents), 0))
        .where(Invoice.status != "draft", Invoice.issue_date >= date(year, 1, 1), Invoice.issue_date <= date(year, 12, 31)))
    return Money(int(cents))


def kor_warning(on_date: date) -> bool:
    """Whether the turnover of `on_date`'s year has passed the KOR limit valid on that day
    (a platform parameter; without one there is nothing to warn against)."""
    limit = kor_limit_on(on_date)
    return limit is not None and turnover(on_date.year) > limit


@dataclass(frozen=True)
class Document:
    """Everything the invoice shows, for its page and its PDF."""

    invoice: Invoice
    supplier: dict | None
    customer: dict
    totals: Totals
    work_by: str
    credits_number: str | None
    credit_note: Invoice | None


def document(invoice: Invoice) -> Document:
    """An issued invoice as it was issued (frozen parties); a draft with today's data."""
    if invoice.parties:
        supplier, customer = invoice.parties["supplier"], invoice.parties["customer"]
    else:
        supplier = supplier_details()
        customer = customer_details(db.session.scalar(select(Customer).where(Customer.id == invoice.customer_id)))
    kor = invoice.kor if invoice.status != "draft" else invoice_settings().kor
    totals = compute_totals(((line.vat_rate_bp, line.amount_cents) for line in invoice.lines), kor=kor)
    credited = invoice_or_none(invoice.credits_invoice_id) if invoice.credits_invoice_id else None
    credit_note = db.session.scalar(select(Invoice).where(Invoice.credits_invoice_id == invoice.id))
    return Document(invoice, supplier, customer, totals, work_by(invoice.member_id),
                    credited.number if credited else None, credit_note)
