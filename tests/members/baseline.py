"""The members of the baseline: one in cooperative A (the account member_a, coached by
coach_ab) and one in B, each with a business (with a photo), a journey and the journey
settings."""

from __future__ import annotations

from datetime import date

ORDER = 10

OBJECT_IDS = {
    "member_id": lambda b: (b.extra["member_a"], b.extra["member_b"]),
}


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members import (
        do_link_account,
        do_register_member,
        do_transition,
        journey_settings,
    )
    from koepel.tenants.members.operations import do_set_business_photo
    from tests.members.images import png

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id, people["coach_ab"].id):
            journey_settings()
            member = do_register_member(
                name=f"Baseline Member {suffix.upper()}", email=f"member-{suffix}@test.example.org",
                stage="referred", on_date=date(2026, 1, 5), municipality="Delft", coach_user_id=people["coach_ab"].id,
                business={"trade_name": f"Fietsen {suffix.upper()}", "activity": "Bike repairs", "description": ""},
                actor_id=people["coach_ab"].id,
            )
            do_transition(member, "intake", on_date=date(2026, 1, 12), reason="First talk went well",
                          actor_id=people["coach_ab"].id)
            if suffix == "a":
                do_link_account(member, people["member_a"].id, actor_id=None)
            do_set_business_photo(member, png(), actor_id=people["coach_ab"].id)  # members.photo needs one
        made[f"member_{suffix}"] = member.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """A member of the tenant, coached by the matrix's coach and belonging to its member,
    with a business and its photo (members.photo answers 404 without one)."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members import do_link_account, do_register_member
    from koepel.tenants.members.operations import do_set_business_photo
    from tests.members.images import png

    with tenant_context(tenant.id):
        member = do_register_member(name="Matrix Member", stage="intake", coach_user_id=people["coach"].id,
                                    business={"trade_name": "Matrix Bikes"}, actor_id=None)
        do_link_account(member, people["member"].id, actor_id=None)
        do_set_business_photo(member, png(), actor_id=None)
    return {"member_id": member.id}
