"""The agreements of the baseline: cooperative A and municipality M agreed on terms (one
accepted version, in force since 20 days ago), and so did cooperative B and municipality
N. So `agreements` and `agreement_versions` have rows in A, B, M and N.

Both copies of an agreement (and of a version) carry the same id, so one id serves the
cooperative pair (A, B) and the municipality pair (M, N) of the isolation suite: A's
agreement is M's agreement.
"""

from __future__ import annotations

from datetime import timedelta

ORDER = 25

OBJECT_IDS = {
    "agreement_id": lambda b: (b.extra["agreement_am"], b.extra["agreement_bn"]),
    "version_id": lambda b: (b.extra["agreement_version_am"], b.extra["agreement_version_bn"]),
}


def baseline_terms():
    from decimal import Decimal

    from koepel.platform.money import Money
    from koepel.tenants.agreements import Terms

    return Terms(cooperative_share_kind="percentage", cooperative_share_bp=1000, training_pot_bp=500,
                 municipality_share_bp=2500, municipality_threshold=Money(500_00),
                 pot_categories=("tools", "materials", "training"), pot_on_leaving="spend_on_business",
                 exempt_from_job_applications=True, exempt_from_reintegration=True,
                 coordination_hours_per_month=Decimal("16"), housing_contribution=Money(250_00),
                 notes="Baseline agreement")


def agree(cooperative_id: int, municipality_id: int, proposer_id: int | None, decider_id: int | None,
          terms=None, valid_from=None, today=None) -> tuple[int, int]:
    """The cooperative proposes, the municipality accepts: (agreement id, version id)."""
    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.agreements import AgreementVersion, do_accept_version, do_propose_agreement

    valid_from = valid_from or amsterdam_today() - timedelta(days=20)
    with tenant_context(cooperative_id, proposer_id):
        version = do_propose_agreement(partner_tenant_id=municipality_id, terms=terms or baseline_terms(),
                                       valid_from=valid_from, actor_id=proposer_id, today=today)
        agreement_id, version_id = version.agreement_id, version.id
    with tenant_context(municipality_id, decider_id):
        do_accept_version(db.session.get(AgreementVersion, (municipality_id, version_id)), actor_id=decider_id,
                          today=today)
    return agreement_id, version_id


def rows(orgs, people, extra) -> dict:
    am = agree(orgs["coop_a"].id, orgs["municipality"].id, people["coordinator_a"].id, people["advisor"].id)
    bn = agree(orgs["coop_b"].id, orgs["municipality_b"].id, people["coordinator_b"].id, people["official_b"].id)
    return {"agreement_am": am[0], "agreement_version_am": am[1],
            "agreement_bn": bn[0], "agreement_version_bn": bn[1]}


def matrix_objects(kind, tenant, people) -> dict:
    """The tenant's agreement, with a new version proposed by the partner (so the tenant's
    deciding role can accept or reject it; withdrawing it is refused, with a 409)."""
    if kind not in ("cooperative", "municipality"):
        return {}
    from sqlalchemy import select

    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.agreements import Agreement, do_propose_version

    with tenant_context(tenant.id):
        agreement_id, partner_id = db.session.execute(
            select(Agreement.id, Agreement.partner_tenant_id).order_by(Agreement.id).limit(1)).one()
    with tenant_context(partner_id):
        copy = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id))
        version = do_propose_version(copy, terms=baseline_terms(), valid_from=amsterdam_today() + timedelta(days=1),
                                     actor_id=None)
        version_id = version.id
    return {"agreement_id": agreement_id, "version_id": version_id}
