"""Invoices on behalf of members: customers, drafts, issuing (number and books), credit
notes, payments (the amount paid, for the payments part), reminders and settings.

Every action validates, changes, writes its audit row and flushes; the view or job that
called commits once. Refusals raise `InvoiceError` with the form field they belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from wtforms.validators import ValidationError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import amsterdam_today, local_date
from koepel.platform.db import db, utcnow
from koepel.platform.mail import send_mail
from koepel.platform.money import Money
from koepel.platform.onboarding.forms import validate_kvk, validate_postcode, validate_vat
from koepel.platform.parameters import NoValidValue, money_on, rate_on
from koepel.platform.tenancy import Tenant, current_tenant_id
from koepel.platform.tenancy.models import TenantProfile
from koepel.tenants.ledger import Line, account, do_post
from koepel.tenants.members import Member

from .models import (
    OPEN_STATUSES,
    Customer,
    Invoice,
    InvoiceLine,
    InvoiceNumberSeries,
    InvoiceSettings,
)
from .totals import compute_totals, line_amount, rate_label

register_labels({
    "invoices.customer_created": _l("Customer added"),
    "invoices.customer_updated": _l("Customer details changed"),
    "invoices.draft_created": _l("Invoice draft made"),
    "invoices.draft_updated": _l("Invoice draft changed"),
    "invoices.draft_deleted": _l("Invoice draft deleted"),
    "invoices.issued": _l("Invoice issued"),
    "invoices.credited": _l("Invoice credited with a credit note"),
    "invoices.payment_registered": _l("Payment registered on an invoice"),
    "invoices.mailed": _l("Invoice mailed to the customer"),
    "invoices.reminded": _l("Payment reminder sent"),
    "invoices.settings_changed": _l("Invoice settings changed"),
})

DELIVER_JOB = "invoices.deliver"
MAX_QUANTITY = 100_000_000  # hundredths: 1.000.000,00
MAX_UNIT_PRICE = 100_000_000_00  # cents: € 100.000.000,00
DESCRIPTION_MAX = 300
CUSTOMER_LIMITS = {"name": 200, "street": 200, "postal_code": 20, "city": 100, "email": 254}


class InvoiceError(ValueError):
    """An invoice action refused; the message is for people, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # lazy: translated when shown
        self.field = field


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity_hundredths: int  # 1,5 = 150
    unit_price: Money  # excluding VAT
    vat_rate_bp: int  # basis points, one of `vat_rates_on` the invoice's date: 2100 = 21%


# --- the rules of the day (platform parameters) --------------------------------------------------

VAT_PARAMETERS = ("vat.general", "vat.reduced", "vat.zero")
KOR_PARAMETER = "kor.turnover_limit"


def invoice_date(invoice: Invoice | None, today: date | None = None) -> date:
    """The day an invoice's rules are read for: its issue date, or today for a draft."""
    if invoice is not None and invoice.issue_date is not None:
        return invoice.issue_date
    return today or amsterdam_today()


def vat_rates_on(day: date) -> tuple[int, ...]:
    """The VAT rates a line may have on `day`, general first, each once. A rate without a
    value on that day is not offered (no rate at all: nothing can be invoiced then)."""
    rates: list[int] = []
    for name in VAT_PARAMETERS:
        try:
            rate = rate_on(name, day)
        except NoValidValue:
            continue
        if rate not in rates:
            rates.append(rate)
    return tuple(rates)


def kor_limit_on(day: date) -> Money | None:
    """The small-business scheme's turnover limit of the year `day` is in (None: not set)."""
    try:
        return money_on(KOR_PARAMETER, day)
    except NoValidValue:
        return None


def _day(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _rates_text(rates: tuple[int, ...]) -> str:
    return ", ".join(rate_label(rate) for rate in rates)


def _no_rates(day: date) -> InvoiceError:
    return InvoiceError(_l("No VAT rates are known for %(date)s: the umbrella organisation sets them in the "
                           "platform parameters.", date=_day(day)), "lines")


# --- settings ------------------------------------------------------------------------------------


def invoice_settings() -> InvoiceSettings:
    """The cooperative's invoice settings, made with the defaults on first use."""
    settings = db.session.scalar(select(InvoiceSettings))
    if settings is None:
        settings = InvoiceSettings(kor=False, payment_term_days=30, reminder_after_days=7)
        db.session.add(settings)
        db.session.flush()
    return settings


def do_update_invoice_settings(*, kor: bool, payment_term_days: int, reminder_after_days: int,
                               actor_id: int | None) -> InvoiceSettings:
    if not 1 <= payment_term_days <= 365:
        raise InvoiceError(_l("A payment term is 1 to 365 days."), "payment_term_days")
    if not 1 <= reminder_after_days <= 90:
        raise InvoiceError(_l("Remind 1 to 90 days after the due date."), "reminder_after_days")
    settings = invoice_settings()
    before = {"kor": settings.kor, "payment_term_days": settings.payment_term_days,
              "reminder_after_days": settings.reminder_after_days}
    settings.kor, settings.payment_term_days, settings.reminder_after_days = bool(kor), payment_term_days, \
        reminder_after_days
    after = {"kor": settings.kor, "payment_term_days": payment_term_days, "reminder_after_days": reminder_after_days}
    record("invoices.settings_changed", object_type="invoice_settings", object_id=settings.id,
           details={"before": before, "after": after}, actor_user_id=actor_id)
    return settings


# --- the parties ---------------------------------------------------------------------------------


def supplier_details() -> dict | None:
    """The cooperative as supplier (its sign-up profile), or None without a profile."""
    profile = db.session.scalar(select(TenantProfile))
    if profile is None:
        return None
    tenant = db.session.get(Tenant, current_tenant_id())
    return {"name": tenant.name, "street": profile.street, "postal_code": profile.postal_code, "city": profile.city,
            "country": "NL", "kvk_number": profile.kvk_number, "vat_number": profile.vat_number or "",
            "iban": profile.iban}


def customer_details(customer: Customer) -> dict:
    return {"name": customer.name, "street": customer.street, "postal_code": customer.postal_code,
            "city": customer.city, "country": customer.country, "email": customer.email or "",
            "kvk_number": customer.kvk_number or "", "vat_number": customer.vat_number or "",
            "is_business": customer.is_business}


def _wtforms_message(error: ValidationError):
    return error.args[0] if error.args else str(error)


def clean_vat_number(value: str | None, country: str) -> str | None:
    """A customer's btw-id, validated with python-stdnum: a Dutch one with the platform's
    own check (koepel.platform.onboarding), another EU one with stdnum.eu.vat."""
    text = re.sub(r"[\s.\-]", "", value or "").upper()
    if not text:
        return None
    if text.startswith("NL") or (country == "NL" and text[:2].isdigit()):
        try:
            return validate_vat(text)
        except ValidationError as error:
            raise InvoiceError(_wtforms_message(error), "vat_number") from None
    try:
        return eu_vat.validate(text)
    except StdnumError:
        raise InvoiceError(_l("This is not a valid VAT number (btw-id) of an EU country, e.g. NL123456789B01 or "
                              "BE0123456789."), "vat_number") from None


def _clean_customer(fields: dict) -> dict:
    cleaned = {}
    for name in ("name", "street", "postal_code", "city"):
        value = " ".join((fields.get(name) or "").split())
        if not value:
            raise InvoiceError({
                "name": _l("Enter the customer's name."), "street": _l("Enter the street and number."),
                "postal_code": _l("Enter the postal code."), "city": _l("Enter the city."),
            }[name], name)
        if len(value) > CUSTOMER_LIMITS[name]:
            raise InvoiceError(_l("Use at most %(max)d characters.", max=CUSTOMER_LIMITS[name]), name)
        cleaned[name] = value
    country = (fields.get("country") or "NL").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvoiceError(_l("Use the two-letter country code, e.g. NL or BE."), "country")
    cleaned["country"] = country
    if country == "NL":
        try:
            cleaned["postal_code"] = validate_postcode(cleaned["postal_code"])
        except ValidationError as error:
            raise InvoiceError(_wtforms_message(error), "postal_code") from None
    email = (fields.get("email") or "").strip()
    if email and (len(email) > CUSTOMER_LIMITS["email"] or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise InvoiceError(_l("Enter a valid email address."), "email")
    cleaned["email"] = email or None
    kvk = (fields.get("kvk_number") or "").strip()
    try:
        cleaned["kvk_number"] = validate_kvk(kvk) if kvk else None
    except ValidationError as error:
        raise InvoiceError(_wtforms_message(error), "kvk_number") from None
    cleaned["vat_number"] = clean_vat_number(fields.get("vat_number"), country)
    cleaned["is_business"] = bool(fields.get("is_business"))
    return cleaned


def do_create_customer(*, actor_id: int | None, **fields) -> Customer:
    customer = Customer(**_clean_customer(fields))
    db.session.add(customer)
    db.session.flush()
    record("invoices.customer_created", object_type="customer", object_id=customer.id,
           details={"name": customer.name}, actor_user_id=actor_id)
    return customer


def do_update_customer(customer: Customer, *, actor_id: int | None, **fields) -> Customer:
    """Issued invoices keep the details they were issued with (`Invoice.parties`)."""
    cleaned = _clean_customer(fields)
    changed = sorted(k for k, v in cleaned.items() if getattr(customer, k) != v)
    for key, value in cleaned.items():
        setattr(customer, key, value)
    db.session.flush()
    record("invoices.customer_updated", object_type="customer", object_id=customer.id,
           details={"changed": changed}, actor_user_id=actor_id)
    return customer


# --- drafts --------------------------------------------------------------------------------------


def _check_lines(lines: list[LineInput], day: date) -> None:
    rates = vat_rates_on(day)
    if not rates:
        raise _no_rates(day)
    if not lines:
        raise InvoiceError(_l("Add at least one line."), "lines")
    for index, line in enumerate(lines):
        prefix = f"lines-{index}-"
        description = " ".join((line.description or "").split())
        if not description:
            raise InvoiceError(_l("Describe what was delivered."), prefix + "description")
        if len(description) > DESCRIPTION_MAX:
            raise InvoiceError(_l("Use at most %(max)d characters.", max=DESCRIPTION_MAX), prefix + "description")
        if line.quantity_hundredths <= 0:
            raise InvoiceError(_l("The quantity must be more than 0."), prefix + "quantity")
        if line.quantity_hundredths > MAX_QUANTITY:
            raise InvoiceError(_l("The quantity is too large."), prefix + "quantity")
        if abs(line.unit_price.cents) > MAX_UNIT_PRICE:
            raise InvoiceError(_l("The price is too large."), prefix + "unit_price")
        if line.vat_rate_bp not in rates:
            raise InvoiceError(_l("Choose a VAT rate that applies on %(date)s: %(rates)s.", date=_day(day),
                                  rates=_rates_text(rates)), prefix + "vat_rate")


def _set_lines(invoice: Invoice, lines: list[LineInput]) -> None:
    if invoice.lines:
        invoice.lines.clear()
        db.session.flush()  # the old lines go before the new ones take their positions
    for position, line in enumerate(lines, start=1):
        invoice.lines.append(InvoiceLine(
            position=position, description=" ".join(line.description.split()),
            quantity_hundredths=line.quantity_hundredths, unit_price_cents=line.unit_price.cents,
            vat_rate_bp=line.vat_rate_bp, amount_cents=line_amount(line.quantity_hundredths, line.unit_price.cents)))


def refresh_totals(invoice: Invoice) -> None:
    """The stored totals from the lines, by the one computation in `totals.py`."""
    totals = compute_totals(((line.vat_rate_bp, line.amount_cents) for line in invoice.lines), kor=invoice.kor)
    invoice.net_cents, invoice.vat_cents, invoice.total_cents = totals.net.cents, totals.vat.cents, totals.total.cents


def _check_draft_fields(member_id: int, customer_id: int, delivery_date: date | None, delivery_end: date | None) -> None:
    if db.session.scalar(select(Member.id).where(Member.id == member_id)) is None:
        raise InvoiceError(_l("Choose the member who did the work."), "member_id")
    if db.session.scalar(select(Customer.id).where(Customer.id == customer_id)) is None:
        raise InvoiceError(_l("Choose a customer."), "customer_id")
    if delivery_date is None:
        raise InvoiceError(_l("Enter the delivery date."), "delivery_date")
    if delivery_end is not None and delivery_end < delivery_date:
        raise InvoiceError(_l("The end of the period cannot be before its start."), "delivery_end")


def _fill_draft(invoice: Invoice, *, member_id, customer_id, delivery_date, delivery_end, lines, note,
                today: date | None) -> None:
    _check_draft_fields(member_id, customer_id, delivery_date, delivery_end)
    _check_lines(lines, invoice_date(invoice, today))
    invoice.member_id, invoice.customer_id = member_id, customer_id
    invoice.delivery_date, invoice.delivery_end = delivery_date, delivery_end
    invoice.note = (note or "").strip()
    invoice.kor = invoice_settings().kor
    _set_lines(invoice, lines)
    refresh_totals(invoice)
    if invoice.total_cents <= 0:
        raise InvoiceError(_l("The total of an invoice must be more than zero."), "lines")


def do_create_draft(*, member_id: int, customer_id: int, delivery_date: date, lines: list[LineInput],
                    delivery_end: date | None = None, note: str = "", actor_id: int | None,
                    today: date | None = None) -> Invoice:
    """A draft; its lines' rates are those of `today` (Amsterdam's today when not given)."""
    invoice = Invoice(kind="invoice", status="draft", created_by=actor_id, amount_paid_cents=0, reminder_count=0,
                      reason="")
    _fill_draft(invoice, member_id=member_id, customer_id=customer_id, delivery_date=delivery_date,
                delivery_end=delivery_end, lines=lines, note=note, today=today)
    db.session.add(invoice)
    db.session.flush()
    record("invoices.draft_created", object_type="invoice", object_id=invoice.id,
           details={"member_id": member_id, "customer_id": customer_id, "total_cents": invoice.total_cents},
           actor_user_id=actor_id)
    return invoice


def _locked(invoice: Invoice) -> Invoice:
    """The invoice's row, locked until the unit of work ends (two clicks act one by one)."""
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice.id).with_for_update()
                             .execution_options(populate_existing=True))


def _only_drafts(invoice: Invoice) -> None:
    if invoice.status != "draft":
        raise InvoiceError(_l("An issued invoice is never changed or deleted: correct it with a credit note."))


def do_update_draft(invoice: Invoice, *, member_id: int, customer_id: int, delivery_date: date,
                    lines: list[LineInput], delivery_end: date | None = None, note: str = "",
                    actor_id: int | None, today: date | None = None) -> Invoice:
    invoice = _locked(invoice)
    _only_drafts(invoice)
    _fill_draft(invoice, member_id=member_id, customer_id=customer_id, delivery_date=delivery_date,
                delivery_end=delivery_end, lines=lines, note=note, today=today)
    db.session.flush()
    record("invoices.draft_updated", object_type="invoice", object_id=invoice.id,
           details={"total_cents": invoice.total_cents}, actor_user_id=actor_id)
    return invoice


def do_delete_draft(invoice: Invoice, *, actor_id: int | None) -> None:
    """A draft has no number, so deleting it leaves no gap in the series."""
    invoice = _locked(invoice)
    _only_drafts(invoice)
    record("invoices.draft_deleted", object_type="invoice", object_id=invoice.id,
           details={"total_cents": invoice.total_cents}, actor_user_id=actor_id)
    db.session.delete(invoice)
    db.session.flush()


# --- issuing -------------------------------------------------------------------------------------


def next_number(year: int) -> int:
    """The next number of the cooperative's series of `year`, in one statement that
    creates or increments the series row and keeps it locked until the unit of work ends:
    a concurrent issue waits, a rollback gives the number back (no gap, no reuse)."""
    table = InvoiceNumberSeries.__table__
    statement = (
        insert(table).values(tenant_id=current_tenant_id(), year=year, last_number=1)
        .on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.year],
                               set_={"last_number": table.c.last_number + 1})
        .returning(table.c.last_number)
    )
    return db.session.execute(statement).scalar_one()


def _number(invoice: Invoice, on_date: date) -> None:
    invoice.number_year = on_date.year
    invoice.number_seq = next_number(on_date.year)
    invoice.number = f"{invoice.number_year:04d}-{invoice.number_seq:04d}"


def _post(invoice: Invoice, actor_id: int | None) -> None:
    """Dr receivable (the customer) incl. VAT, Cr VAT payable, Cr earnings excl. VAT; a
    credit note's amounts are negative, so the same lines post its mirror image."""
    lines = [Line(account("receivable", customer_id=invoice.customer_id), Money(invoice.total_cents))]
    if invoice.vat_cents:
        lines.append(Line(account("vat_payable"), Money(-invoice.vat_cents)))
    if invoice.net_cents:
        lines.append(Line(account("earnings"), Money(-invoice.net_cents)))
    credit = invoice.kind == "credit_note"
    do_post(lines=lines, on_date=invoice.issue_date, kind=invoice.kind,
            description=f"{'Creditnota' if credit else 'Factuur'} {invoice.number}",
            idempotency_key=f"{'credit_note' if credit else 'invoice'}:{invoice.id}", source=("invoice", invoice.id),
            actor_id=actor_id)


def _supplier_or_refuse(kor: bool) -> dict:
    supplier = supplier_details()
    if supplier is None or not supplier["kvk_number"]:
        raise InvoiceError(_l("The cooperative's KvK number and address are needed on an invoice: complete the "
                              "organisation's details first."))
    if not kor and not supplier["vat_number"]:
        raise InvoiceError(_l("The cooperative's VAT number (btw-id) is needed on an invoice with VAT."))
    return supplier


def _check_issue_rates(invoice: Invoice, day: date) -> None:
    """A draft made before a rate changed may hold a rate that no longer applies on its
    issue date: it is refused, not silently changed."""
    rates = vat_rates_on(day)
    if not rates:
        raise _no_rates(day)
    for line in invoice.lines:
        if line.vat_rate_bp not in rates:
            raise InvoiceError(_l("Line %(line)d has a VAT rate of %(rate)s, which does not apply on %(date)s: change "
                                  "the draft and choose one of %(rates)s.", line=line.position,
                                  rate=rate_label(line.vat_rate_bp), date=_day(day), rates=_rates_text(rates)))


def do_issue(invoice: Invoice, *, today: date, actor_id: int | None) -> Invoice:
    """Give the draft the next number of this year's series, fix its dates, parties and
    totals, and post it to the books, all in the caller's unit of work."""
    invoice = _locked(invoice)
    if invoice.kind != "invoice" or invoice.status != "draft":
        raise InvoiceError(_l("This invoice has already been issued."))
    settings = invoice_settings()
    supplier = _supplier_or_refuse(settings.kor)
    customer = db.session.get(Customer, (invoice.tenant_id, invoice.customer_id))
    invoice.kor = settings.kor
    refresh_totals(invoice)
    if not invoice.lines or invoice.total_cents <= 0:
        raise InvoiceError(_l("The total of an invoice must be more than zero."))
    _check_issue_rates(invoice, today)
    _number(invoice, today)
    invoice.issue_date, invoice.due_date = today, today + timedelta(days=settings.payment_term_days)
    invoice.parties = {"supplier": supplier, "customer": customer_details(customer)}
    invoice.status, invoice.issued_at = "sent", utcnow()
    db.session.flush()
    _post(invoice, actor_id)
    record("invoices.issued", object_type="invoice", object_id=invoice.id,
           details={"number": invoice.number, "total_cents": invoice.total_cents, "vat_cents": invoice.vat_cents},
           actor_user_id=actor_id)
    return invoice


def do_credit(invoice: Invoice, *, reason: str, today: date, actor_id: int | None) -> Invoice:
    """Cancel an issued invoice with a credit note for its full amount: its own number in
    the same series, every line negated at the rate it was invoiced at (whatever the
    parameters say today), the mirror posting. Returns the credit note."""
    invoice = _locked(invoice)
    if invoice.kind != "invoice" or invoice.status == "draft":
        raise InvoiceError(_l("Only an issued invoice can be credited; a draft can simply be changed or deleted."))
    if invoice.status == "cancelled":
        raise InvoiceError(_l("This invoice has already been credited."))
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError(_l("Say why the invoice is credited."), "reason")
    supplier = _supplier_or_refuse(invoice.kor)
    customer = db.session.get(Customer, (invoice.tenant_id, invoice.customer_id))
    note = Invoice(kind="credit_note", status="sent", member_id=invoice.member_id, customer_id=invoice.customer_id,
                   credits_invoice_id=invoice.id, delivery_date=invoice.delivery_date,
                   delivery_end=invoice.delivery_end, kor=invoice.kor, note="", reason=reason, created_by=actor_id,
                   amount_paid_cents=0, reminder_count=0, issue_date=today, due_date=today, issued_at=utcnow(),
                   parties={"supplier": supplier, "customer": customer_details(customer)})
    note.lines = [InvoiceLine(position=line.position, description=line.description,
                              quantity_hundredths=-line.quantity_hundredths, unit_price_cents=line.unit_price_cents,
                              vat_rate_bp=line.vat_rate_bp,
                              amount_cents=line_amount(-line.quantity_hundredths, line.unit_price_cents))
                  for line in invoice.lines]
    refresh_totals(note)
    _number(note, today)
    db.session.add(note)
    invoice.status = "cancelled"
    db.session.flush()
    _post(note, actor_id)
    record("invoices.credited", object_type="invoice", object_id=invoice.id,
           details={"number": invoice.number, "credit_note_id": note.id, "credit_note_number": note.number,
                    "reason": reason}, actor_user_id=actor_id)
    return note


# --- payments (for the payments part) ------------------------------------------------------------


def amount_due(invoice: Invoice) -> Money:
    """What the customer still owes on an issued invoice (zero for drafts, credit notes and
    credited invoices)."""
    if invoice.kind != "invoice" or invoice.status not in OPEN_STATUSES:
        return Money(0)
    return Money(invoice.total_cents - invoice.amount_paid_cents)


def do_register_payment(invoice: Invoice, amount: Money, *, on_date: date, actor_id: int | None) -> Invoice:
    """Count `amount` as paid on the invoice: sent -> partly_paid -> paid. Only the
    invoice's own bookkeeping: the payment's posting in the ledger (Dr bank, Cr
    receivable) and any surplus are the payments part's, in the same unit of work."""
    invoice = _locked(invoice)
    apply_payment(invoice, amount, on_date=on_date, actor_id=actor_id)
    db.session.flush()
    return invoice


def lock_invoices(invoice_ids) -> dict[int, Invoice]:
    """Many invoices' rows at once, locked (in id order, as every locker takes them)."""
    return {invoice.id: invoice for invoice in db.session.scalars(
        select(Invoice).where(Invoice.id.in_(list(invoice_ids))).order_by(Invoice.id).with_for_update()
        .execution_options(populate_existing=True))}


def apply_payment(invoice: Invoice, amount: Money, *, on_date: date, actor_id: int | None) -> None:
    """`do_register_payment` on an invoice whose row the caller has locked, recorded
    with the next flush (a bank statement registers many at once)."""
    if invoice.kind != "invoice" or invoice.status not in OPEN_STATUSES:
        raise InvoiceError(_l("A payment is registered only on an issued invoice that is not yet paid."), "amount")
    if amount.cents <= 0:
        raise InvoiceError(_l("A payment is more than zero."), "amount")
    due = amount_due(invoice)
    if amount > due:
        raise InvoiceError(_l("This is more than the %(due)s still due.", due=due.format()), "amount")
    invoice.amount_paid_cents += amount.cents
    if invoice.amount_paid_cents == invoice.total_cents:
        invoice.status, invoice.paid_on = "paid", on_date
    else:
        invoice.status = "partly_paid"
    record("invoices.payment_registered", object_type="invoice", object_id=invoice.id,
           details={"number": invoice.number, "amount_cents": amount.cents, "on_date": on_date.isoformat(),
                    "status": invoice.status}, actor_user_id=actor_id, flush=False)


# --- reminders -----------------------------------------------------------------------------------


def due_for_reminder(invoice: Invoice, settings: InvoiceSettings, today: date) -> bool:
    """Overdue by at least the settings' days, and not reminded in as many days."""
    if invoice.kind != "invoice" or invoice.status not in OPEN_STATUSES or invoice.due_date is None:
        return False
    days = settings.reminder_after_days
    if (today - invoice.due_date).days < days:
        return False
    return invoice.last_reminded_at is None or (today - local_date(invoice.last_reminded_at)).days >= days


def do_send_reminders(*, today: date, actor_id: int | None) -> tuple[list[Invoice], list[Invoice]]:
    """Mail a reminder for every invoice due for one: (reminded, left out for want of
    an email address). Mails leave when the unit of work commits."""
    settings = invoice_settings()
    candidates = db.session.scalars(
        select(Invoice).where(Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES), Invoice.due_date < today)
        .order_by(Invoice.due_date, Invoice.id).with_for_update()).all()
    supplier = supplier_details() or {}
    reminded, without_email = [], []
    for invoice in candidates:
        if not due_for_reminder(invoice, settings, today):
            continue
        customer = db.session.get(Customer, (invoice.tenant_id, invoice.customer_id))
        if not customer.email:
            without_email.append(invoice)
            continue
        send_mail(to=customer.email, template="invoice_reminder", language="nl", customer=customer.name,
                  number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
                  due=amount_due(invoice).format(), supplier=supplier.get("name", ""),
                  iban=supplier.get("iban", ""), count=invoice.reminder_count + 1)
        invoice.last_reminded_at = utcnow()
        invoice.reminder_count += 1
        record("invoices.reminded", object_type="invoice", object_id=invoice.id,
               details={"number": invoice.number, "reminder": invoice.reminder_count}, actor_user_id=actor_id)
        reminded.append(invoice)
    db.session.flush()
    return reminded, without_email
