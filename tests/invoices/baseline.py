"""Invoices of the baseline: in cooperative A and in B a customer and an issued invoice
for the baseline member (posted to the books), with the invoice settings and the number
series of 2026, so every invoice table has rows of both."""

from __future__ import annotations

from datetime import date

ORDER = 35

OBJECT_IDS = {
    "invoice_id": lambda b: (b.extra["invoice_a"], b.extra["invoice_b"]),
    "customer_id": lambda b: (b.extra["customer_a"], b.extra["customer_b"]),
}


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.invoices import invoice_settings
    from tests.invoices.support import customer, issued

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        with tenant_context(orgs[key].id, people[f"coordinator_{suffix}"].id):
            invoice_settings()
            buyer = customer(f"Baseline Customer {suffix.upper()}", email=f"customer-{suffix}@test.example.org")
            invoice = issued(extra[f"member_{suffix}"], buyer.id, on=date(2026, 2, 10))
        made[f"customer_{suffix}"], made[f"invoice_{suffix}"] = buyer.id, invoice.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """A customer and a draft invoice of the tenant, for a member of the matrix's coach.
    (Issuing it with an empty form is allowed; a second issue is refused with a 400;
    deleting needs a ticked box, so the draft survives the matrix's empty POSTs.)"""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.members import do_register_member
    from tests.invoices.support import customer, draft

    with tenant_context(tenant.id):
        member = do_register_member(name="Matrix Invoice Member", stage="intake", coach_user_id=people["coach"].id,
                                    actor_id=None)
        buyer = customer("Matrix Customer")
        invoice = draft(member.id, buyer.id)
    return {"invoice_id": invoice.id, "customer_id": buyer.id}
