"""Read models for the agreement pages and for the money that follows them. Every query
runs in the current tenant's scope: a tenant reads its own copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import select

from koepel.platform.auth import User
from koepel.platform.db import db
from koepel.platform.tenancy import Tenant

from .models import Agreement, AgreementVersion
from .terms import Terms


@dataclass(frozen=True)
class AgreementRow:
    agreement: Agreement
    in_force: AgreementVersion | None
    open_proposal: AgreementVersion | None


def in_force(agreement_id: int, on_date: date) -> AgreementVersion | None:
    """The accepted version valid on `on_date`: the one that started last on or before it."""
    return db.session.scalar(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id,
                                       AgreementVersion.status == "accepted", AgreementVersion.valid_from <= on_date)
        .order_by(AgreementVersion.valid_from.desc()).limit(1))


def open_proposal(agreement_id: int) -> AgreementVersion | None:
    return db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id,
                                                            AgreementVersion.status == "proposed"))


def agreements(today: date) -> list[AgreementRow]:
    """This tenant's agreements by partner name, with the version in force and any proposal."""
    rows = db.session.scalars(select(Agreement).order_by(Agreement.partner_name, Agreement.id)).all()
    return [AgreementRow(a, in_force(a.id, today), open_proposal(a.id)) for a in rows]


def agreement_or_404(agreement_id: int) -> Agreement:
    agreement = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id))
    if agreement is None:
        abort(404)
    return agreement


def version_or_404(agreement: Agreement, version_id: int) -> AgreementVersion:
    version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.id == version_id,
                                                               AgreementVersion.agreement_id == agreement.id))
    if version is None:
        abort(404)
    return version


def versions(agreement_id: int) -> list[AgreementVersion]:
    """Every version of an agreement, newest first."""
    return list(db.session.scalars(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id)
                                   .order_by(AgreementVersion.number.desc())))


def latest_version(agreement_id: int) -> AgreementVersion | None:
    return db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id)
                             .order_by(AgreementVersion.number.desc()).limit(1))


def possible_partners(kind: str) -> list[Tenant]:
    """Whom this tenant (of `kind`) may propose a first agreement to: the active tenants of
    the other kind it has no agreement with yet, by name."""
    other = "municipality" if kind == "cooperative" else "cooperative"
    taken = select(Agreement.partner_tenant_id)
    return list(db.session.scalars(select(Tenant).where(Tenant.kind == other, Tenant.status == "active",
                                                        Tenant.id.not_in(taken)).order_by(Tenant.name)))


def people_names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _terms_for_partner(side: str, partner_tenant_id: int, on_date: date) -> Terms | None:
    version = db.session.scalar(
        select(AgreementVersion).join(Agreement, (Agreement.tenant_id == AgreementVersion.tenant_id)
                                      & (Agreement.id == AgreementVersion.agreement_id))
        .where(Agreement.side == side, Agreement.partner_tenant_id == partner_tenant_id,
               AgreementVersion.status == "accepted", AgreementVersion.valid_from <= on_date)
        .order_by(AgreementVersion.valid_from.desc()).limit(1))
    return version.terms(partner_tenant_id) if version is not None else None


def terms_on(municipality_tenant_id: int, on_date: date) -> Terms | None:
    """In a cooperative's context: the terms agreed with that municipality that are valid
    on `on_date` (the accepted version that started last on or before it); None when
    there is no such version (no agreement, or none in force yet on that date)."""
    return _terms_for_partner("cooperative", municipality_tenant_id, on_date)


def terms_with(cooperative_tenant_id: int, on_date: date) -> Terms | None:
    """The same from a municipality's context: the terms agreed with that cooperative."""
    return _terms_for_partner("municipality", cooperative_tenant_id, on_date)
