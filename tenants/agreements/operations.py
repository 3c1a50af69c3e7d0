"""Agreements across the border: propose (either side), accept or reject (the other
side), withdraw (the proposing side).

Each side keeps a copy of the agreement and of every version; the partner's copy is
written only inside `across_border` (koepel.platform.tenancy.border), in the same
transaction. The copies carry the same ids (the first copy draws the id from the
table's sequence, the second is inserted with it), so an agreement or a version has
one number in the URLs of both tenants.

Locks are always taken in one order, the cooperative's copy of the agreement first and
then the municipality's: two decisions on the same proposal at the same moment (two
accepts, an accept and a withdrawal) are made one after the other, and the second sees
what the first did.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from psycopg.errors import UniqueViolation
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, current_tenant_id
from koepel.platform.tenancy.border import on_both_sides

from .models import (
    HOURS_MAX,
    KEEP_MONTHS_MAX,
    NOTES_MAX,
    REASON_MAX,
    Agreement,
    AgreementVersion,
    term_columns,
)
from .terms import (
    COOPERATIVE_SHARE_KINDS,
    INCOME_FOR_BENEFIT,
    POT_CATEGORIES,
    POT_ON_LEAVING,
    WHOLE,
    Terms,
    format_percent,
)

# A version may start a little in the past, for the paperwork that follows a meeting.
BACKDATE_DAYS = 31
# ... and not too far ahead (a mistyped year would make a version that never applies).
AHEAD_DAYS = 2 * 366
AMOUNT_MAX = Money(1_000_000_00)

register_labels({
    "agreements.proposed": _l("Agreement version proposed"),
    "agreements.proposal_received": _l("Agreement version proposed by the partner"),
    "agreements.accepted": _l("Agreement version accepted"),
    "agreements.accepted_by_partner": _l("Agreement version accepted by the partner"),
    "agreements.rejected": _l("Agreement version rejected"),
    "agreements.rejected_by_partner": _l("Agreement version rejected by the partner"),
    "agreements.withdrawn": _l("Agreement version withdrawn"),
    "agreements.withdrawn_by_partner": _l("Agreement version withdrawn by the partner"),
})


class AgreementError(ValueError):
    """Terms or a decision that cannot be stored; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)  # a lazy text: translated when shown
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


# --- checks ------------------------------------------------------------------------------


def _own_tenant() -> Tenant:
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or tenant.kind not in ("cooperative", "municipality"):
        raise AgreementError(_l("Agreements are made between a cooperative and a municipality."))
    return tenant


def _partner_kind(kind: str) -> str:
    return "municipality" if kind == "cooperative" else "cooperative"


def _amount(value: Money | None, field: str) -> None:
    if value is None or value.cents < 0:
        raise AgreementError(_l("Enter an amount of € 0 or more."), field)
    if value > AMOUNT_MAX:
        raise AgreementError(_l("Enter an amount of at most %(max)s.", max=AMOUNT_MAX.format()), field)


def _percentage(value: int | None, field: str) -> None:
    if value is None or not 0 <= value <= WHOLE:
        raise AgreementError(_l("Enter a percentage from 0 to 100."), field)


def check_terms(terms: Terms) -> None:
    """Raise AgreementError at the form field of the first term that cannot be agreed."""
    if terms.cooperative_share_kind not in COOPERATIVE_SHARE_KINDS:
        raise AgreementError(_l("Choose how the cooperative's share is calculated."), "cooperative_share_kind")
    if terms.cooperative_share_kind == "percentage":
        _percentage(terms.cooperative_share_bp, "cooperative_share")
    if terms.cooperative_share_kind == "flat_per_member":
        _amount(terms.cooperative_flat, "cooperative_flat")
    _percentage(terms.training_pot_bp, "training_pot_share")
    _percentage(terms.municipality_share_bp, "municipality_share")
    if terms.percentage_shares_bp > WHOLE:
        given = [field for field, value in (
            ("cooperative_share", terms.cooperative_share_bp if terms.cooperative_share_kind == "percentage" else 0),
            ("training_pot_share", terms.training_pot_bp), ("municipality_share", terms.municipality_share_bp),
        ) if value]
        raise AgreementError(_l("The cooperative's, the training pot's and the municipality's shares add up to "
                                "%(total)s; together they can be at most 100%%.",
                                total=format_percent(terms.percentage_shares_bp)), given[-1])
    _amount(terms.municipality_threshold, "municipality_threshold")
    categories = tuple(terms.pot_categories or ())
    if not categories:
        raise AgreementError(_l("Choose at least one thing the savings pot may be spent on."), "pot_categories")
    if any(c not in POT_CATEGORIES for c in categories):
        raise AgreementError(_l("Choose from the categories in the list."), "pot_categories")
    if terms.pot_on_leaving not in POT_ON_LEAVING:
        raise AgreementError(_l("Choose what happens to the savings pot when a member leaves."), "pot_on_leaving")
    if terms.pot_on_leaving == "keep_for_period" and (
            terms.keep_months is None or not 1 <= terms.keep_months <= KEEP_MONTHS_MAX):
        raise AgreementError(_l("Enter for how many months the pot is kept: 1 to %(max)d.", max=KEEP_MONTHS_MAX),
                             "keep_months")
    if terms.income_for_benefit not in INCOME_FOR_BENEFIT:
        raise AgreementError(_l("Choose what counts as income for the benefit."), "income_for_benefit")
    hours = terms.coordination_hours_per_month
    if hours is None or not Decimal(0) <= hours <= HOURS_MAX or hours != hours.quantize(Decimal("0.1")):
        raise AgreementError(_l("Enter the hours a month from 0 to %(max)d, with at most one decimal.",
                                max=HOURS_MAX), "coordination_hours")
    _amount(terms.housing_contribution, "housing_contribution")
    if len((terms.notes or "").strip()) > NOTES_MAX:
        raise AgreementError(_l("Use at most %(max)d characters.", max=NOTES_MAX), "notes")


def _check_start(valid_from: date | None, today: date, after: date | None) -> None:
    if valid_from is None:
        raise AgreementError(_l("Enter the date from which this version applies."), "valid_from")
    if valid_from < today - timedelta(days=BACKDATE_DAYS):
        raise AgreementError(_l("A version can start at most %(days)d days ago.", days=BACKDATE_DAYS), "valid_from")
    if valid_from > today + timedelta(days=AHEAD_DAYS):
        raise AgreementError(_l("A version can start at most two years from now."), "valid_from")
    if after is not None and valid_from <= after:
        raise AgreementError(_l("A new version starts after the version agreed last (which starts on %(date)s).",
                                date=after.strftime("%d-%m-%Y")), "valid_from")


# --- both copies, in one lock order ------------------------------------------------------


def _locked_agreement(link_key: str) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(Agreement.link_key == link_key).with_for_update()
                             .execution_options(populate_existing=True))


def _last_accepted_start(agreement_id: int) -> date | None:
    return db.session.scalar(select(func.max(AgreementVersion.valid_from)).where(
        AgreementVersion.agreement_id == agreement_id, AgreementVersion.status == "accepted"))


def _open_version(agreement_id: int) -> AgreementVersion | None:
    return db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id,
                                                            AgreementVersion.status == "proposed"))


def _add_version(agreement: Agreement, *, version_id: int | None, number: int, valid_from: date, side: str,
                 actor_id: int | None, columns: dict) -> AgreementVersion:
    version = AgreementVersion(agreement_id=agreement.id, number=number, valid_from=valid_from, status="proposed",
                               proposed_by_side=side, proposed_by=actor_id, proposed_at=utcnow(), **columns)
    if version_id is not None:
        version.id = version_id  # the same id as the first copy's
    db.session.add(version)
    db.session.flush()
    return version


# What a step is called in the partner's audit log.
PARTNER_ACTIONS = {
    "agreements.proposed": "agreements.proposal_received",
    "agreements.accepted": "agreements.accepted_by_partner",
    "agreements.rejected": "agreements.rejected_by_partner",
    "agreements.withdrawn": "agreements.withdrawn_by_partner",
}


def _audit(action: str, is_own: bool, version: AgreementVersion, actor_id: int | None, **details) -> None:
    record(action if is_own else PARTNER_ACTIONS[action],
           object_type="agreement_version", object_id=version.id,
           details={"agreement_id": version.agreement_id, "number": version.number,
                    "valid_from": version.valid_from.isoformat(), **details},
           actor_user_id=actor_id)


# --- proposing ---------------------------------------------------------------------------


def do_propose_agreement(*, partner_tenant_id: int | None, terms: Terms, valid_from: date | None,
                         actor_id: int | None, today: date | None = None) -> AgreementVersion:
    """Propose a first version to a partner (an active municipality for a cooperative, an
    active cooperative for a municipality): the agreement and the proposal appear on both
    sides. `today` is the day the start date is checked against (Amsterdam's today)."""
    own = _own_tenant()
    partner = db.session.get(Tenant, partner_tenant_id) if partner_tenant_id else None
    if partner is None or partner.kind != _partner_kind(own.kind) or partner.status != "active":
        raise AgreementError(_l("Choose an active municipality.") if own.kind == "cooperative"
                             else _l("Choose an active cooperative."), "partner_tenant_id")
    existing = db.session.scalar(select(Agreement).where(Agreement.partner_tenant_id == partner.id))
    if existing is not None:
        raise AgreementError(_l("There already is an agreement with %(name)s: propose a new version of it.",
                                name=partner.name), "partner_tenant_id")
    check_terms(terms)
    _check_start(valid_from, today or amsterdam_today(), None)
    own_id, own_name, own_side, partner_id, partner_name = own.id, own.name, own.kind, partner.id, partner.name
    columns = term_columns(terms)
    made: dict[str, int] = {}
    link_key = secrets.token_urlsafe(32)

    def step(is_own: bool) -> None:
        agreement = Agreement(link_key=link_key, side=own_side if is_own else _partner_kind(own_side),
                              partner_tenant_id=partner_id if is_own else own_id,
                              partner_name=(partner_name if is_own else own_name).strip(), status="proposed")
        if "agreement" in made:
            agreement.id = made["agreement"]
        db.session.add(agreement)
        db.session.flush()
        made["agreement"] = agreement.id
        version = _add_version(agreement, version_id=made.get("version"), number=1, valid_from=valid_from,
                               side=own_side, actor_id=actor_id, columns=columns)
        made["version"] = version.id
        _audit("agreements.proposed", is_own, version, actor_id,
               partner_tenant_id=partner_id if is_own else own_id)

    try:
        on_both_sides(own_first=own_side == "cooperative", partner_tenant_id=partner_id,
                      reason="agreement proposed", step=step)
    except IntegrityError as error:
        if not isinstance(error.orig, UniqueViolation):
            raise
        # The partner proposed an agreement with us at the same moment: theirs came first.
        raise AgreementError(_l("There already is an agreement with %(name)s: propose a new version of it.",
                                name=partner_name), "partner_tenant_id") from None
    return db.session.get(AgreementVersion, (own_id, made["version"]))


def do_propose_version(agreement: Agreement, *, terms: Terms, valid_from: date | None, actor_id: int | None,
                       today: date | None = None) -> AgreementVersion:
    """Propose a new version of an agreement; it starts after the version agreed last.
    One proposal at a time: an open one is answered or withdrawn first."""
    own = _own_tenant()
    check_terms(terms)
    own_id, own_side, link_key, partner_id = own.id, agreement.side, agreement.link_key, agreement.partner_tenant_id
    today = today or amsterdam_today()
    _check_start(valid_from, today, _last_accepted_start(agreement.id))
    columns = term_columns(terms)
    made: dict[str, int] = {}

    def step(is_own: bool) -> None:
        locked = _locked_agreement(link_key)
        if locked is None:
            raise AgreementError(_l("The partner's copy of this agreement is missing; contact support."))
        if _open_version(locked.id) is not None:
            raise AgreementError(_l("There is an open proposal already: answer or withdraw it first."))
        _check_start(valid_from, today, _last_accepted_start(locked.id))
        number = (db.session.scalar(select(func.max(AgreementVersion.number)).where(
            AgreementVersion.agreement_id == locked.id)) or 0) + 1
        version = _add_version(locked, version_id=made.get("version"), number=number, valid_from=valid_from,
                               side=own_side, actor_id=actor_id, columns=columns)
        made["version"] = version.id
        _audit("agreements.proposed", is_own, version, actor_id)

    on_both_sides(own_first=own_side == "cooperative", partner_tenant_id=partner_id,
                  reason="agreement version proposed", step=step)
    return db.session.get(AgreementVersion, (own_id, made["version"]))


# --- deciding ----------------------------------------------------------------------------


def _decide(version: AgreementVersion, *, status: str, actor_id: int | None, reason: str | None = None,
            today: date | None = None) -> AgreementVersion:
    own = _own_tenant()
    agreement = db.session.get(Agreement, (version.tenant_id, version.agreement_id))
    own_id, own_side, version_id = own.id, agreement.side, version.id
    link_key, partner_id, number = agreement.link_key, agreement.partner_tenant_id, version.number
    if status == "withdrawn":
        if version.proposed_by_side != own_side:
            raise AgreementError(_l("Only the side that proposed a version can withdraw it; you can accept or "
                                    "reject it."))
    else:
        if version.proposed_by_side == own_side:
            raise AgreementError(_l("Your organisation proposed this version: %(name)s accepts or rejects it.",
                                    name=agreement.partner_name))
        if actor_id is not None and version.proposed_by == actor_id:
            raise AgreementError(_l("You proposed this version yourself: someone else decides on it."))
    if status == "accepted":
        earliest = (today or amsterdam_today()) - timedelta(days=BACKDATE_DAYS)
        if version.valid_from < earliest:
            raise AgreementError(_l("This version would start more than %(days)d days ago. Reject it and propose "
                                    "one with a later start date.", days=BACKDATE_DAYS))
    action = {"accepted": "agreements.accepted", "rejected": "agreements.rejected",
              "withdrawn": "agreements.withdrawn"}[status]
    now = utcnow()

    def step(is_own: bool) -> None:
        locked = _locked_agreement(link_key)
        if locked is None:
            raise AgreementError(_l("The partner's copy of this agreement is missing; contact support."))
        copy = db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == locked.id,
                                                                AgreementVersion.number == number))
        if copy is None or copy.status != "proposed":
            raise AgreementError({
                "accepted": _l("This version has been accepted already."),
                "rejected": _l("This version has been rejected."),
                "withdrawn": _l("This version has been withdrawn."),
            }.get(copy.status if copy is not None else "withdrawn"))
        copy.status, copy.decided_by, copy.decided_at, copy.reject_reason = status, actor_id, now, reason
        if status == "accepted":
            locked.status = "active"
        db.session.flush()
        _audit(action, is_own, copy, actor_id)

    on_both_sides(own_first=own_side == "cooperative", partner_tenant_id=partner_id,
                  reason=f"agreement version {status}", step=step)
    return db.session.get(AgreementVersion, (own_id, version_id))


def do_accept_version(version: AgreementVersion, *, actor_id: int | None, today: date | None = None) -> AgreementVersion:
    """The other side accepts a proposal: from its start date it is the version in force
    (until a later accepted version starts), on both sides. It never changes again."""
    return _decide(version, status="accepted", actor_id=actor_id, today=today)


def do_reject_version(version: AgreementVersion, *, reason: str, actor_id: int | None) -> AgreementVersion:
    """The other side rejects a proposal, with a reason both sides see."""
    reason = (reason or "").strip()
    if not reason:
        raise AgreementError(_l("Tell the other side why you reject this version."), "reason")
    if len(reason) > REASON_MAX:
        raise AgreementError(_l("Use at most %(max)d characters.", max=REASON_MAX), "reason")
    return _decide(version, status="rejected", actor_id=actor_id, reason=reason)


def do_withdraw_version(version: AgreementVersion, *, actor_id: int | None) -> AgreementVersion:
    """The proposing side takes its proposal back before the other side decided."""
    return _decide(version, status="withdrawn", actor_id=actor_id)
