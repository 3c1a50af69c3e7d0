"""Posting to the books: every money-moving action ends here, with an idempotency key.

`do_post` writes one balanced entry (or returns the one already written under the same
key); `do_reverse` undoes an entry with its mirror image. Nothing here commits: the unit
of work that called does, once. The database checks the rules again (see models.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from psycopg import errors as pg_errors
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import current_tenant_id

from .models import ACCOUNT_KINDS, JournalEntry, JournalLine, LedgerAccount

register_labels({
    "ledger.reversed": _l("Journal entry reversed"),
})

DESCRIPTION_MAX = 300


class LedgerError(ValueError):
    """A posting the books refuse; the message is for people, `field` for forms."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)  # lazy: translated when shown
        self.field = field


class Overdrawn(LedgerError):
    """A line would take a savings pot below zero."""


@dataclass(frozen=True)
class Line:
    account: LedgerAccount
    amount: Money  # debit positive, credit negative


def account_key(kind: str, *, member_id: int | None = None, partner_tenant_id: int | None = None,
                customer_id: int | None = None) -> str:
    party = member_id if kind == "member_pot" else partner_tenant_id if kind == "municipality_owed" else (
        customer_id if kind == "receivable" else None)
    return kind if party is None else f"{kind}:{party}"


def account(kind: str, *, member_id: int | None = None, partner_tenant_id: int | None = None,
            customer_id: int | None = None) -> LedgerAccount:
    """The tenant's account of `kind` for its party, made on first use (also when two
    units of work ask for it at once: the key is unique, the loser reads the winner's)."""
    if kind not in ACCOUNT_KINDS:
        raise ValueError(f"unknown account kind {kind!r}")
    key = account_key(kind, member_id=member_id, partner_tenant_id=partner_tenant_id, customer_id=customer_id)
    found = db.session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))
    if found is not None:
        return found
    db.session.execute(
        insert(LedgerAccount).values(
            tenant_id=current_tenant_id(), kind=kind, key=key, member_id=member_id,
            partner_tenant_id=partner_tenant_id, customer_id=customer_id, balance_cents=0, created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["tenant_id", "key"])
    )
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))


def _same_lines(entry: JournalEntry, lines: list[Line]) -> bool:
    stored = sorted(db.session.execute(
        select(JournalLine.account_id, JournalLine.amount_cents).where(JournalLine.entry_id == entry.id)).all())
    return stored == sorted((line.account.id, line.amount.cents) for line in lines)


def by_idempotency_key(key: str) -> JournalEntry | None:
    return db.session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == key))


def do_post(
    *,
    lines: list[Line],
    on_date: date,
    kind: str,
    description: str,
    idempotency_key: str,
    source: tuple[str, int] | None = None,
    actor_id: int | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post one balanced entry. The same `idempotency_key` again returns the first entry
    (and refuses when its lines differ: a key names one posting). A line that would take
    a pot below zero raises Overdrawn and posts nothing."""
    description = (description or "").strip()[:DESCRIPTION_MAX]
    if not idempotency_key:
        raise LedgerError("a posting needs an idempotency key")
    if len(lines) < 2 or any(not line.amount for line in lines):
        raise LedgerError(_l("An entry needs at least two lines, none of them zero."))
    if sum(line.amount.cents for line in lines) != 0:
        raise LedgerError(_l("The lines of an entry must add up to zero."))
    existing = by_idempotency_key(idempotency_key)
    if existing is not None:
        if not _same_lines(existing, lines):
            raise LedgerError(f"idempotency key {idempotency_key!r} was used for another posting")
        return existing
    entry = JournalEntry(on_date=on_date, kind=kind, description=description or kind, idempotency_key=idempotency_key,
                         reverses_entry_id=reverses.id if reverses is not None else None,
                         source_type=source[0] if source else None, source_id=source[1] if source else None,
                         created_by=actor_id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
            db.session.add_all(JournalLine(entry_id=entry.id, account_id=line.account.id,
                                           amount_cents=line.amount.cents) for line in lines)
            db.session.flush()
    except IntegrityError as error:
        if isinstance(error.orig, pg_errors.UniqueViolation):
            # The same posting, made at this moment by another unit of work: its entry.
            winner = by_idempotency_key(idempotency_key)
            if winner is not None and _same_lines(winner, lines):
                return winner
            if reverses is not None:
                raise LedgerError(_l("This entry has already been reversed.")) from None
        if isinstance(error.orig, pg_errors.CheckViolation) and "pot_not_overdrawn" in str(error.orig):
            raise Overdrawn(_l("The savings pot does not hold enough for this.")) from None
        raise
    for line in lines:
        db.session.expire(line.account, ["balance_cents"])
    return entry


def do_reverse(entry: JournalEntry, *, reason: str, on_date: date | None = None, actor_id: int | None = None,
               idempotency_key: str | None = None) -> JournalEntry:
    """Undo `entry` with its mirror image, dated today unless said otherwise. An entry
    is reversed once; reversing it again returns that reversal."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_l("Say why the entry is reversed."), "reason")
    if entry.reverses_entry_id is not None:
        raise LedgerError(_l("A reversal is not reversed; post the entry again instead."))
    done = db.session.scalar(select(JournalEntry).where(JournalEntry.reverses_entry_id == entry.id))
    if done is not None:
        return done
    mirrored = [Line(db.session.get(LedgerAccount, (entry.tenant_id, account_id)), Money(-cents))
                for account_id, cents in db.session.execute(
                    select(JournalLine.account_id, JournalLine.amount_cents).where(JournalLine.entry_id == entry.id))]
    reversal = do_post(lines=mirrored, on_date=on_date or date.today(), kind="reversal",
                       description=f"{reason} (reverses #{entry.id})", reverses=entry,
                       idempotency_key=idempotency_key or f"reversal:{entry.id}", source=("journal_entry", entry.id),
                       actor_id=actor_id)
    record("ledger.reversed", object_type="journal_entry", object_id=entry.id,
           details={"reversal_id": reversal.id}, actor_user_id=actor_id)
    return reversal


def is_database_refusal(error: BaseException) -> bool:
    """A statement the ledger's rules in the database refused (for callers that map it)."""
    return isinstance(error, DBAPIError) and isinstance(error.orig, pg_errors.CheckViolation | pg_errors.RaiseException)
