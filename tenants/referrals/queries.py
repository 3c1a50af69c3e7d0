"""Read models for the referral pages and the dashboards. Every query runs in the
current tenant's scope: a municipality reads its referrals, a cooperative its incoming."""

from __future__ import annotations

from flask import abort
from sqlalchemy import case, func, select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Tenant

from .models import IncomingReferral, Referral, ReferralEvent


def active_cooperatives() -> list[Tenant]:
    """Where a municipality may refer to: every active cooperative, by name."""
    return list(db.session.scalars(
        select(Tenant).where(Tenant.kind == "cooperative", Tenant.status == "active").order_by(Tenant.name)))


def referrals() -> list[tuple[Referral, str]]:
    """The municipality's referrals with the cooperative's name, newest first."""
    return db.session.execute(
        select(Referral, Tenant.name).join(Tenant, Tenant.id == Referral.target_tenant_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    ).all()


def referral_or_404(referral_id: int) -> Referral:
    referral = db.session.scalar(select(Referral).where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    return referral


def referral_history(referral_id: int) -> list[ReferralEvent]:
    return list(db.session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id)))


def tenant_name(tenant_id: int) -> str:
    return db.session.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or ""


def person_name(user_id: int | None) -> str | None:
    return db.session.scalar(select(User.name).where(User.id == user_id)) if user_id else None


def open_referral_count() -> int:
    """The municipality's referrals the cooperative has not answered yet."""
    return db.session.scalar(select(func.count()).select_from(Referral).where(Referral.status == "sent")) or 0


def incoming_referrals() -> list[IncomingReferral]:
    """The cooperative's incoming referrals: those awaiting an answer first, then newest first."""
    waiting = case((IncomingReferral.status == "pending", 0), else_=1)
    return list(db.session.scalars(
        select(IncomingReferral).order_by(waiting, IncomingReferral.received_at.desc(), IncomingReferral.id.desc())))


def incoming_or_404(incoming_referral_id: int) -> IncomingReferral:
    incoming = db.session.scalar(select(IncomingReferral).where(IncomingReferral.id == incoming_referral_id))
    if incoming is None:
        abort(404)
    return incoming


def pending_incoming_count() -> int:
    """The cooperative's incoming referrals awaiting an answer (for the dashboard)."""
    return db.session.scalar(
        select(func.count()).select_from(IncomingReferral).where(IncomingReferral.status == "pending")) or 0
