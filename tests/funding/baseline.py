"""The funding of the baseline: municipality M opened a subsidy period (this calendar year)
under its agreement with cooperative A, and N one under its agreement with B; A and B
each recorded coordination hours today. Both copies carry the same ids, so one id serves
the cooperative pair (A, B) and the municipality pair (M, N) of the isolation suite."""

from __future__ import annotations

ORDER = 70

OBJECT_IDS = {
    "funding_period_id": lambda b: (b.extra["funding_period_am"], b.extra["funding_period_bn"]),
    "funding_record_id": lambda b: (b.extra["funding_record_am"], b.extra["funding_record_bn"]),
}


def open_period(municipality_id: int, cooperative_id: int, first_month=None, last_month=None, granted=None,
                actor_id=None, today=None) -> int:
    """The municipality opens a period under its agreement with the cooperative: its id."""
    from datetime import date

    from sqlalchemy import select

    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.agreements import Agreement
    from koepel.tenants.funding import do_open_period

    year = (today or amsterdam_today()).year
    with tenant_context(municipality_id, actor_id):
        agreement_id = db.session.scalar(select(Agreement.id).where(Agreement.partner_tenant_id == cooperative_id))
        return do_open_period(agreement_id=agreement_id, first_month=first_month or date(year, 1, 1),
                              last_month=last_month or date(year, 12, 1), granted=granted, notes=None,
                              actor_id=actor_id, today=today).id


def record_hours(cooperative_id: int, period_id: int, hours="2.5", on_date=None, key=None, actor_id=None) -> int:
    import secrets
    from decimal import Decimal

    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.funding import FundingPeriod, do_record_hours

    with tenant_context(cooperative_id, actor_id):
        period = db.session.get(FundingPeriod, (cooperative_id, period_id))
        return do_record_hours(period, on_date=on_date or amsterdam_today(), hours=Decimal(hours),
                               description="Intake meetings and the weekly member meeting", done_by="Coordinator",
                               request_key=key or secrets.token_urlsafe(24), actor_id=actor_id).id


def rows(orgs, people, extra) -> dict:
    am = open_period(orgs["municipality"].id, orgs["coop_a"].id)
    bn = open_period(orgs["municipality_b"].id, orgs["coop_b"].id)
    return {"funding_period_am": am, "funding_period_bn": bn,
            "funding_record_am": record_hours(orgs["coop_a"].id, am),
            "funding_record_bn": record_hours(orgs["coop_b"].id, bn)}


def matrix_objects(kind, tenant, people) -> dict:
    """The tenant's period (of its agreement) and a record of it."""
    if kind not in ("cooperative", "municipality"):
        return {}
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.funding import FundingPeriod, FundingRecord

    with tenant_context(tenant.id):
        period_id = db.session.scalar(select(FundingPeriod.id).order_by(FundingPeriod.id).limit(1))
        record_id = db.session.scalar(select(FundingRecord.id).where(FundingRecord.period_id == period_id)
                                      .order_by(FundingRecord.id).limit(1))
    return {"funding_period_id": period_id, "funding_record_id": record_id}
