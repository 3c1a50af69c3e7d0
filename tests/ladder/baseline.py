"""The ladder of the baseline: one measurement of member A (cooperative A) and one of
member B (cooperative B), made by their coach."""

from __future__ import annotations

from datetime import date

ORDER = 30

# The ladder's pages take only <member_id>, declared by tests/members/baseline.py.
OBJECT_IDS: dict = {}


def rows(orgs, people, extra) -> dict:
    from sqlalchemy import select

    from koepel.platform.db import db
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ladder import do_measure
    from koepel.tenants.members import Member

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id, people["coach_ab"].id):
            member = db.session.scalar(select(Member).where(Member.id == extra[f"member_{suffix}"]))
            measurement = do_measure(member, rung=2, measured_on=date(2026, 1, 12), note="Weekly football, no work yet",
                                     actor_id=people["coach_ab"].id)
        made[f"ladder_measurement_{suffix}"] = measurement.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """The ladder's pages are those of the members' matrix member (coached by the
    matrix's coach): nothing of its own to add."""
    return {}
