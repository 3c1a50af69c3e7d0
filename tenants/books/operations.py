"""The cooperative's own costs: recorded as one ledger entry (Dr costs net, Dr
vat_payable the deductible VAT, Cr bank the amount paid), corrected by its reversal.
Nothing here commits: the view does, once."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.tenants.ledger import JournalEntry, LedgerError, Line, account, do_post, do_reverse

from .models import COST_CATEGORIES, Cost

register_labels({
    "books.cost_recorded": _l("Cooperative cost recorded"),
    "books.cost_reversed": _l("Cooperative cost reversed"),
})

ENTRY_KIND = "cost"


class BooksError(ValueError):
    """A cost the books refuse; the message is for people, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def cost_by_key(idempotency_key: str) -> Cost | None:
    return db.session.scalar(select(Cost).where(Cost.idempotency_key == idempotency_key))


def reversal_of(cost: Cost) -> JournalEntry | None:
    return db.session.scalar(select(JournalEntry).where(JournalEntry.reverses_entry_id == cost.entry_id))


def do_record_cost(*, on_date: date, category: str, supplier: str, description: str, amount: Money, vat: Money,
                   idempotency_key: str, receipt: str = "", actor_id: int | None) -> Cost:
    """Record a cost paid from the bank. The same `idempotency_key` again (a form sent
    twice) returns the cost recorded the first time and posts nothing."""
    idempotency_key = (idempotency_key or "").strip()
    if not idempotency_key:
        raise BooksError(_l("The form has expired; open it again."), "idempotency_key")
    existing = cost_by_key(idempotency_key)
    if existing is not None:
        return existing
    supplier, description, receipt = (supplier or "").strip(), (description or "").strip(), (receipt or "").strip()
    if on_date is None:
        raise BooksError(_l("Enter the date the cost was paid."), "on_date")
    if category not in COST_CATEGORIES:
        raise BooksError(_l("Choose a category."), "category")
    if not supplier:
        raise BooksError(_l("Enter the supplier."), "supplier")
    if not description:
        raise BooksError(_l("Say what the cost was for."), "description")
    if amount.cents <= 0:
        raise BooksError(_l("The amount must be more than zero."), "amount")
    if vat.cents < 0 or vat.cents >= amount.cents:
        raise BooksError(_l("The VAT must be at least zero and less than the amount."), "vat")
    lines = [Line(account("costs"), amount - vat), Line(account("bank"), -amount)]
    if vat:
        lines.insert(1, Line(account("vat_payable"), vat))
    entry = do_post(lines=lines, on_date=on_date, kind=ENTRY_KIND, description=f"{supplier}: {description}",
                    idempotency_key=f"cost:{idempotency_key}", actor_id=actor_id)
    cost = Cost(on_date=on_date, category=category, supplier=supplier[:200], description=description[:300],
                receipt=receipt[:100], amount_cents=amount.cents, vat_cents=vat.cents, entry_id=entry.id,
                idempotency_key=idempotency_key, created_by=actor_id)
    db.session.add(cost)
    db.session.flush()
    record("books.cost_recorded", object_type="cost", object_id=cost.id,
           details={"amount_cents": amount.cents, "vat_cents": vat.cents, "category": category, "entry_id": entry.id},
           actor_user_id=actor_id)
    return cost


def do_reverse_cost(cost: Cost, *, reason: str, on_date: date | None = None, actor_id: int | None) -> JournalEntry:
    """Undo a cost with the reversal of its entry (dated today unless said otherwise)."""
    if not (reason or "").strip():
        raise BooksError(_l("Say why the cost is reversed."), "reason")
    if reversal_of(cost) is not None:
        raise BooksError(_l("This cost has already been reversed."))
    entry = db.session.get(JournalEntry, (cost.tenant_id, cost.entry_id))
    try:
        reversal = do_reverse(entry, reason=reason, on_date=on_date, actor_id=actor_id)
    except LedgerError as error:
        raise BooksError(str(error), error.field) from None
    record("books.cost_reversed", object_type="cost", object_id=cost.id,
           details={"reversal_id": reversal.id, "reason": reason.strip()}, actor_user_id=actor_id)
    return reversal
