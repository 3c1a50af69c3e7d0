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
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import current_tenant_id

from .models import ACCOUNT_KINDS, ClosedMonth, JournalEntry, JournalLine, LedgerAccount

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
    # Accounts are asked for many times in a unit of work: remembered by id for the session.
    known = db.session.info.setdefault("ledger_accounts", {})
    tenant_id = current_tenant_id()
    if (tenant_id, key) in known:
        found = db.session.get(LedgerAccount, (tenant_id, known[(tenant_id, key)]))
        if found is not None:
            return found
    found = db.session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))
    if found is not None:
        known[(tenant_id, key)] = found.id
        return found
    db.session.execute(
        insert(LedgerAccount).values(
            tenant_id=current_tenant_id(), kind=kind, key=key, member_id=member_id,
            partner_tenant_id=partner_tenant_id, customer_id=customer_id, balance_cents=0, created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["tenant_id", "key"])
    )
    return db.session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))


def do_close_period(month: date, *, actor_id: int | None) -> ClosedMonth:
    """Close the books of `month` (its first day): nothing is dated in it or before it any
    more. The caller holds the period lock exclusively (`lock_period(exclusive=True)`)."""
    closed = ClosedMonth(month=month, closed_by=actor_id, closed_at=utcnow())
    db.session.add(closed)
    db.session.flush()
    db.session.info.pop("ledger_open_day", None)  # postings after this one see the new first open day
    return closed


def _same_lines(entry: JournalEntry, lines: list[Line]) -> bool:
    stored = sorted(db.session.execute(
        select(JournalLine.account_id, JournalLine.amount_cents).where(JournalLine.entry_id == entry.id)).all())
    return stored == sorted((line.account.id, line.amount.cents) for line in lines)


# Posting and closing a month meet on one advisory lock per tenant: every posting holds
# it shared (the database trigger takes it too), closing a month holds it exclusively, so
# a month is closed only when no posting into it is under way.
PERIOD_LOCK_CLASS = 0x504552


def _innermost_transaction():
    session = db.session()
    return session.get_nested_transaction() or session.get_transaction()


def lock_period(*, exclusive: bool) -> None:
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    db.session.execute(text(f"SELECT {function}(:cls, :key)"),
                       {"cls": PERIOD_LOCK_CLASS, "key": current_tenant_id() % 2**31})


def first_open_day() -> date | None:
    """The first day that is not in a closed month (None: no month is closed)."""
    last = db.session.scalar(select(func.max(ClosedMonth.month)))
    return add_months(last, 1) if last is not None else None


def _open_day_for_posting() -> date | None:
    """The first open day, with the period lock held shared. Both are asked once per
    (sub)transaction and tenant: the lock holds to its end, so the answer cannot change
    (a savepoint rolled back releases the lock: the next one asks again)."""
    key = (_innermost_transaction(), current_tenant_id())
    cached = db.session.info.get("ledger_open_day")
    if cached is not None and cached[0] == key:
        return cached[1]
    lock_period(exclusive=False)
    open_day = first_open_day()
    db.session.info["ledger_open_day"] = (key, open_day)
    return open_day


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
    occurred_on = None
    open_day = _open_day_for_posting()
    if open_day is not None and on_date < open_day:
        on_date, occurred_on = open_day, on_date  # late: into the first open month, visibly
    entry = JournalEntry(on_date=on_date, occurred_on=occurred_on, kind=kind, description=description or kind, idempotency_key=idempotency_key,
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


_INSERT_ENTRIES = text(
    "INSERT INTO journal_entries (tenant_id, on_date, occurred_on, kind, description, idempotency_key, "
    "source_type, source_id, created_by, created_at) "
    "SELECT :tenant_id, * , :now FROM unnest(CAST(:on_date AS date[]), CAST(:occurred_on AS date[]), "
    "CAST(:kind AS varchar[]), CAST(:description AS varchar[]), CAST(:key AS varchar[]), "
    "CAST(:source_type AS varchar[]), CAST(:source_id AS bigint[]), CAST(:created_by AS bigint[])) "
    "RETURNING idempotency_key, id")
_INSERT_LINES = text(
    "INSERT INTO journal_lines (tenant_id, entry_id, account_id, amount_cents) "
    "SELECT :tenant_id, * FROM unnest(CAST(:entry_ids AS bigint[]), CAST(:account_ids AS bigint[]), "
    "CAST(:amounts AS bigint[]))")


@dataclass(frozen=True)
class Posting:
    """One entry for `do_post_many`: the arguments of `do_post`."""

    lines: list[Line]
    on_date: date
    kind: str
    description: str
    idempotency_key: str
    source: tuple[str, int] | None = None
    actor_id: int | None = None


class AlreadyPosted(LedgerError):
    """`do_post_many` met a key that was used before: post those one by one (`do_post`)."""


def do_post_many(postings: list[Posting]) -> list[int]:
    """Post many balanced entries with a few statements (the payments of a bank statement
    and their splits), each checked as `do_post` checks one: the ids of the entries, in
    order. No key may have been used before (AlreadyPosted, nothing posted): a caller that
    can meet one posts with `do_post`. Credits only may go to pots here: a debit that
    would overdraw one is refused by the database, for the whole batch."""
    if not postings:
        return []
    keys = [posting.idempotency_key for posting in postings]
    if not all(keys) or len(set(keys)) != len(keys):
        raise LedgerError("every posting needs an idempotency key of its own")
    for posting in postings:
        if len(posting.lines) < 2 or any(not line.amount for line in posting.lines):
            raise LedgerError(_l("An entry needs at least two lines, none of them zero."))
        if sum(line.amount.cents for line in posting.lines) != 0:
            raise LedgerError(_l("The lines of an entry must add up to zero."))
    used = db.session.scalars(select(JournalEntry.idempotency_key).where(JournalEntry.idempotency_key.in_(keys))).all()
    if used:
        raise AlreadyPosted(f"already posted: {sorted(used)[:5]}")
    open_day = _open_day_for_posting()
    tenant_id, now = current_tenant_id(), utcnow()
    columns = {name: [] for name in ("on_date", "occurred_on", "kind", "description", "key", "source_type",
                                     "source_id", "created_by")}
    for posting in postings:
        late = open_day is not None and posting.on_date < open_day
        columns["on_date"].append(open_day if late else posting.on_date)
        columns["occurred_on"].append(posting.on_date if late else None)
        columns["kind"].append(posting.kind)
        columns["description"].append((posting.description or "").strip()[:DESCRIPTION_MAX] or posting.kind)
        columns["key"].append(posting.idempotency_key)
        columns["source_type"].append(posting.source[0] if posting.source else None)
        columns["source_id"].append(posting.source[1] if posting.source else None)
        columns["created_by"].append(posting.actor_id)
    # Arrays, one per column, unnested by the server: one short statement for any number
    # of entries (a VALUES list of thousands of parameters costs more to send and plan).
    made = dict(db.session.execute(_INSERT_ENTRIES, {"tenant_id": tenant_id, "now": now, **columns}).all())
    ids = [made[key] for key in keys]
    lines = [(entry_id, line) for entry_id, posting in zip(ids, postings, strict=True) for line in posting.lines]
    db.session.execute(_INSERT_LINES, {"tenant_id": tenant_id, "entry_ids": [entry_id for entry_id, _ in lines],
                                       "account_ids": [line.account.id for _, line in lines],
                                       "amounts": [line.amount.cents for _, line in lines]})
    for account_ in {id(line.account): line.account for posting in postings for line in posting.lines}.values():
        db.session.expire(account_, ["balance_cents"])
    return ids


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
