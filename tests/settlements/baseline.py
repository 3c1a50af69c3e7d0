"""The settlements of the baseline: cooperative A sent municipality M a settlement for
January 2026 (the baseline member's month), and B sent N one; both copies carry the same
id, so one id serves the cooperative pair and the municipality pair of the isolation
suite. A and B each closed a month long ago in their books (2000-01), so `closed_months`
has rows too without touching any month the other tests post in."""

from __future__ import annotations

from datetime import date

ORDER = 60

OBJECT_IDS = {
    "settlement_id": lambda b: (b.extra["settlement_am"], b.extra["settlement_bn"]),
}
LONG_AGO = date(2000, 1, 1)


def send(cooperative_id: int, municipality_id: int, member_id: int, month: date, *, earned: int = 800_00,
         municipality: int = 75_00) -> int:
    """A settlement sent for one member, without closing the books: its id (both sides)."""
    from koepel.platform.db import db
    from koepel.platform.tenancy import Tenant, tenant_context
    from koepel.tenants.members import Member
    from koepel.tenants.settlements.operations import (
        ClosePlan,
        MemberMonth,
        send_settlement,
        settlement_rows,
    )

    with tenant_context(cooperative_id):
        member = db.session.get(Member, (cooperative_id, member_id))
        cooperative = db.session.get(Tenant, cooperative_id)
        municipality_name = db.session.get(Tenant, municipality_id).name
        cooperative_share, training = earned // 10, earned // 20
        lines = {member_id: MemberMonth(member_id, member.name, earned=earned, cooperative=cooperative_share,
                                        training=training, municipality=municipality,
                                        pot=earned - cooperative_share - training - municipality)}
        plan = ClosePlan(municipality_id, municipality_name, None, lines, 0)
        rows = settlement_rows(plan, month, "pot", {member_id: member.date_of_birth})
        return send_settlement(plan, month, rows, cooperative.name, None).id


def rows(orgs, people, extra) -> dict:
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ledger import ClosedMonth

    for key in ("coop_a", "coop_b"):
        with tenant_context(orgs[key].id):
            db.session.add(ClosedMonth(month=LONG_AGO))
            db.session.flush()
    return {
        "settlement_am": claimed_and_paying(orgs["coop_a"].id, orgs["municipality"].id, extra["member_a"]),
        "settlement_bn": claimed_and_paying(orgs["coop_b"].id, orgs["municipality_b"].id, extra["member_b"]),
    }


def claimed_and_paying(cooperative_id: int, municipality_id: int, member_id: int, month: date = date(2026, 1, 1)):
    """A settlement the municipality claimed and the cooperative is paying (its SEPA file made)."""
    from koepel.platform.dates import amsterdam_today
    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.settlements import Settlement, do_claim, do_pay

    settlement_id = send(cooperative_id, municipality_id, member_id, month)
    with tenant_context(municipality_id):
        do_claim(db.session.get(Settlement, (municipality_id, settlement_id)), reference="GEM-2026-0001",
                 iban="NL02ABNA0123456789", actor_id=None)
    with tenant_context(cooperative_id):
        do_pay(db.session.get(Settlement, (cooperative_id, settlement_id)), execution_date=amsterdam_today(),
               actor_id=None)
    return settlement_id


def matrix_objects(kind, tenant, people) -> dict:
    """A settlement of the tenant: in a municipality one just received (to process and
    claim); in a cooperative one claimed and being paid (its SEPA file can be fetched)."""
    if kind not in ("cooperative", "municipality"):
        return {}
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.agreements import Agreement
    from koepel.tenants.members import Member, do_register_member

    with tenant_context(tenant.id):
        partner_id = db.session.scalar(select(Agreement.partner_tenant_id).order_by(Agreement.id).limit(1))
    cooperative_id, municipality_id = (tenant.id, partner_id) if kind == "cooperative" else (partner_id, tenant.id)
    with tenant_context(cooperative_id):
        member = db.session.scalar(select(Member).where(Member.name == "Matrix Settled Member")) or \
            do_register_member(name="Matrix Settled Member", stage="intake", actor_id=None)
        member_id = member.id
    if kind == "cooperative":
        return {"settlement_id": claimed_and_paying(cooperative_id, municipality_id, member_id, date(2025, 2, 1))}
    return {"settlement_id": send(cooperative_id, municipality_id, member_id, date(2025, 3, 1))}
