"""Read models for the pot pages: every member's pot, one member's pot with its history,
the requests, the payout batches and the closings of leaving members."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.tenants.ledger import JournalEntry, LedgerAccount, account_history
from koepel.tenants.members import Member, member_or_404, visible_members

from .models import PayoutBatch, PotClosing, PotRequest


@dataclass(frozen=True)
class PotRow:
    member: Member
    holds: Money
    pending_count: int
    pending: Money


def pot_rows() -> list[PotRow]:
    """Every member the person may see: what their pot holds and what is asked from it."""
    members = list(db.session.scalars(visible_members().order_by(Member.name, Member.id)))
    holds = dict(db.session.execute(
        select(LedgerAccount.member_id, LedgerAccount.balance_cents).where(LedgerAccount.kind == "member_pot")).all())
    pending = {member_id: (count, cents) for member_id, count, cents in db.session.execute(
        select(PotRequest.member_id, func.count(), func.sum(PotRequest.amount_cents))
        .where(PotRequest.status == "requested").group_by(PotRequest.member_id))}
    rows = []
    for member in members:
        count, cents = pending.get(member.id, (0, 0))
        rows.append(PotRow(member, Money(-int(holds.get(member.id, 0))), int(count), Money(int(cents or 0))))
    return rows


def pot_history(member_id: int, limit: int = 200) -> list[tuple[JournalEntry, Money]]:
    """The pot's entries, newest first, as what came in (positive) or went out (negative)."""
    pot = db.session.scalar(select(LedgerAccount).where(LedgerAccount.kind == "member_pot",
                                                        LedgerAccount.member_id == member_id))
    if pot is None:
        return []
    return [(entry, -amount) for entry, amount in account_history(pot.id, limit)]


def requests_of(member_id: int) -> list[PotRequest]:
    return list(db.session.scalars(select(PotRequest).where(PotRequest.member_id == member_id)
                                   .order_by(PotRequest.id.desc())))


def pending_requests() -> list[tuple[PotRequest, Member]]:
    """Requests awaiting a decision, oldest first, with their member."""
    return list(db.session.execute(
        select(PotRequest, Member).join(Member, (Member.id == PotRequest.member_id)
                                        & (Member.tenant_id == PotRequest.tenant_id))
        .where(PotRequest.status == "requested").order_by(PotRequest.id)).all())


def payable_requests() -> list[tuple[PotRequest, Member]]:
    """Approved requests not in a payout batch yet."""
    return list(db.session.execute(
        select(PotRequest, Member).join(Member, (Member.id == PotRequest.member_id)
                                        & (Member.tenant_id == PotRequest.tenant_id))
        .where(PotRequest.status == "approved", PotRequest.batch_id.is_(None)).order_by(PotRequest.id)).all())


def request_or_404(request_id: int) -> tuple[PotRequest, Member]:
    """The request and its member, when the person may see that member; else 404."""
    pot_request = db.session.scalar(select(PotRequest).where(PotRequest.id == request_id))
    if pot_request is None:
        abort(404)
    return pot_request, member_or_404(pot_request.member_id)


def own_request_or_404(member: Member | None, request_id: int | None) -> PotRequest:
    if member is None or request_id is None:
        abort(404)
    pot_request = db.session.scalar(select(PotRequest).where(PotRequest.id == request_id,
                                                             PotRequest.member_id == member.id))
    if pot_request is None:
        abort(404)
    return pot_request


def batches() -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc())))


def batch_or_404(batch_id: int) -> PayoutBatch:
    batch = db.session.scalar(select(PayoutBatch).where(PayoutBatch.id == batch_id))
    if batch is None:
        abort(404)
    return batch


def batch_requests(batch_id: int) -> list[tuple[PotRequest, Member]]:
    return list(db.session.execute(
        select(PotRequest, Member).join(Member, (Member.id == PotRequest.member_id)
                                        & (Member.tenant_id == PotRequest.tenant_id))
        .where(PotRequest.batch_id == batch_id).order_by(PotRequest.id)).all())


def closings_of(member_id: int) -> list[PotClosing]:
    return list(db.session.scalars(select(PotClosing).where(PotClosing.member_id == member_id)
                                   .order_by(PotClosing.id.desc())))


def pending_closings() -> list[tuple[PotClosing, Member]]:
    return list(db.session.execute(
        select(PotClosing, Member).join(Member, (Member.id == PotClosing.member_id)
                                        & (Member.tenant_id == PotClosing.tenant_id))
        .where(PotClosing.status == "pending").order_by(PotClosing.id)).all())


def closing_or_404(closing_id: int) -> PotClosing:
    closing = db.session.scalar(select(PotClosing).where(PotClosing.id == closing_id))
    if closing is None:
        abort(404)
    member_or_404(closing.member_id)
    return closing


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
