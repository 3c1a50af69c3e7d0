"""The books of the baseline: in cooperative A and in B, a cost paid from the bank (so
the costs table has rows of both). The pot statement's year and month are the same in
both tenants' URLs; the accounts are the baseline's pots (tests/ledger/baseline.py)."""

from __future__ import annotations

from datetime import date

ORDER = 50

PLAIN_PARAMS = {"year": 2026, "month": 2}

OBJECT_IDS = {
    "account_id": lambda b: (b.extra["pot_a"], b.extra["pot_b"]),
    "cost_id": lambda b: (b.extra["cost_a"], b.extra["cost_b"]),
}


def make_cost(key: str, actor_id: int | None = None):
    from koepel.platform.money import Money
    from koepel.tenants.books import do_record_cost

    return do_record_cost(on_date=date(2026, 2, 3), category="rent", supplier="Verhuurder BV",
                          description="Huur februari", amount=Money(12100), vat=Money(2100), idempotency_key=key,
                          actor_id=actor_id)


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id):
            made[f"cost_{suffix}"] = make_cost(f"baseline-cost-{suffix}").id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """In a cooperative: its bank account and a cost."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.ledger import account

    with tenant_context(tenant.id):
        cost = make_cost(f"matrix-cost-{tenant.id}")
        bank = account("bank")
    return {"account_id": bank.id, "cost_id": cost.id, **PLAIN_PARAMS}
