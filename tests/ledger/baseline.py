"""The books of the baseline: in cooperative A and in B, the member's earnings paid into
the bank and moved to their savings pot (so every ledger table has rows of both)."""

from __future__ import annotations

from datetime import date

ORDER = 15


def rows(orgs, people, extra) -> dict:
    from koepel.platform.money import Money
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ledger import Line, account, do_post

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id):
            pot = account("member_pot", member_id=extra[f"member_{suffix}"])
            entry = do_post(lines=[Line(account("bank"), Money(12500)), Line(pot, Money(-12500))],
                            on_date=date(2026, 2, 1), kind="manual", description="Baseline earnings",
                            idempotency_key=f"baseline-{suffix}")
        made[f"entry_{suffix}"], made[f"pot_{suffix}"] = entry.id, pot.id
    return made
