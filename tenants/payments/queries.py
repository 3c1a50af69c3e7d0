"""Read models of the payments pages. Every page of this package is for the people who deal
with money (coordinator, treasurer, support): they see every line of their cooperative."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.tenancy import Tenant
from koepel.tenants.invoices import OPEN_STATUSES, Invoice
from koepel.tenants.members import Member
from koepel.tenants.pots import PayoutBatch

from .models import BankLine, BankStatement, PaymentSplit


def statements(limit: int = 100) -> list[BankStatement]:
    return list(db.session.scalars(select(BankStatement).order_by(BankStatement.id.desc()).limit(limit)))


def unmatched_lines(limit: int = 500) -> list[BankLine]:
    return list(db.session.scalars(select(BankLine).where(BankLine.status == "unmatched")
                                   .order_by(BankLine.booking_date, BankLine.id).limit(limit)))


def waiting_splits() -> list[tuple[PaymentSplit, Member, Invoice]]:
    return list(db.session.execute(
        select(PaymentSplit, Member, Invoice)
        .join(Member, Member.id == PaymentSplit.member_id)
        .join(Invoice, Invoice.id == PaymentSplit.invoice_id)
        .where(PaymentSplit.status == "waiting").order_by(PaymentSplit.paid_on, PaymentSplit.id)).all())


def recent_splits(limit: int = 50) -> list[tuple[PaymentSplit, Member, Invoice]]:
    return list(db.session.execute(
        select(PaymentSplit, Member, Invoice)
        .join(Member, Member.id == PaymentSplit.member_id)
        .join(Invoice, Invoice.id == PaymentSplit.invoice_id)
        .order_by(PaymentSplit.paid_on.desc(), PaymentSplit.id.desc()).limit(limit)).all())


def statement_or_404(statement_id: int) -> BankStatement:
    found = db.session.scalar(select(BankStatement).where(BankStatement.id == statement_id))
    if found is None:
        abort(404)
    return found


def line_or_404(line_id: int) -> BankLine:
    found = db.session.scalar(select(BankLine).where(BankLine.id == line_id))
    if found is None:
        abort(404)
    return found


def split_or_404(split_id: int) -> PaymentSplit:
    found = db.session.scalar(select(PaymentSplit).where(PaymentSplit.id == split_id))
    if found is None:
        abort(404)
    return found


def lines_of(statement_id: int) -> list[BankLine]:
    return list(db.session.scalars(select(BankLine).where(BankLine.statement_id == statement_id)
                                   .order_by(BankLine.booking_date, BankLine.id)))


def split_of_line(line_id: int) -> PaymentSplit | None:
    return db.session.scalar(select(PaymentSplit).where(PaymentSplit.bank_line_id == line_id))


def open_invoices() -> list[tuple[Invoice, Member]]:
    return list(db.session.execute(
        select(Invoice, Member).join(Member, Member.id == Invoice.member_id)
        .where(Invoice.kind == "invoice", Invoice.status.in_(OPEN_STATUSES))
        .order_by(Invoice.number)).all())


def open_batches() -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).where(PayoutBatch.status == "created")
                                   .order_by(PayoutBatch.execution_date, PayoutBatch.id)))


def invoice_of(invoice_id: int | None) -> Invoice | None:
    if invoice_id is None:
        return None
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id))


def member_of(member_id: int) -> Member | None:
    return db.session.scalar(select(Member).where(Member.id == member_id))


def tenant_name(tenant_id: int | None) -> str:
    if tenant_id is None:
        return ""
    return db.session.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or ""
