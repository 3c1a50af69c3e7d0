"""Helpers of the settlement tests: a cooperative and a municipality of their own with an
agreement, members whose benefit the municipality pays, and payments in given months."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.agreements import Terms
from koepel.tenants.members import do_register_member
from tests.agreements.baseline import agree
from tests.invoices.support import customer, issued, line
from tests.payments.support import Entry, camt053, import_file

# Cooperative 10%, training pot 5%, municipality 25% of what a member earns above 500,00
# a month; what goes to the savings pot counts as income for the benefit.
TERMS = Terms(cooperative_share_kind="percentage", cooperative_share_bp=1000, training_pot_bp=500,
              municipality_share_bp=2500, municipality_threshold=Money(500_00), income_for_benefit="pot")
STARTS = date(2026, 1, 1)


@dataclass
class World:
    cooperative_id: int
    municipality_id: int
    customer_id: int
    members: dict  # name -> member id
    cooperative_slug: str = ""
    municipality_slug: str = ""


def profile() -> TenantProfile:
    return TenantProfile(legal_form="cooperatie_ua", kvk_number="87654321", vat_number="NL004495445B01",
                         iban="NL91ABNA0417164300", street="Markt 2", postal_code="2611 GW", city="Delft",
                         municipality_ids=[], other_municipalities=[])


def make_world(terms: Terms = TERMS, members: dict | None = None) -> World:
    """A cooperative and a municipality (active, with the agreement from 1 January 2026) and
    members (name -> date of birth) whose benefit the municipality pays."""
    tag = uuid.uuid4().hex[:8]
    cooperative = do_create_tenant(kind="cooperative", slug=f"settle-coop-{tag}", name=f"Coop {tag}",
                                   status="active")
    municipality = do_create_tenant(kind="municipality", slug=f"settle-gem-{tag}", name=f"Gemeente {tag}",
                                    status="active")
    cooperative_id, municipality_id = cooperative.id, municipality.id
    agree(cooperative_id, municipality_id, None, None, terms=terms, valid_from=STARTS, today=STARTS)
    made = {}
    with tenant_context(cooperative_id):
        db.session.add(profile())
        for name, born in (members or {"Anna": date(1980, 5, 1)}).items():
            made[name] = do_register_member(name=name, stage="intake", on_date=STARTS, actor_id=None,
                                            date_of_birth=born, benefit_municipality_id=municipality_id).id
        buyer_id = customer("Klant " + tag).id
    db.session.flush()
    return World(cooperative_id, municipality_id, buyer_id, made, f"settle-coop-{tag}", f"settle-gem-{tag}")


def earn(world: World, member: str, on: date, net_cents: int, tag: str | None = None) -> None:
    """In the cooperative: an invoice of `net_cents` without VAT, paid by a bank statement on `on`."""
    with tenant_context(world.cooperative_id):
        invoice = issued(world.members[member], world.customer_id, lines=[line(price=net_cents, rate=0)], on=on,
                         delivery_date=on)
        tag = tag or uuid.uuid4().hex[:12]
        import_file(camt053([Entry(net_cents, on, f"Factuur {invoice.number}", ref=tag)], statement_id=tag))


def cooperative_name(tenant_id: int) -> str:
    return db.session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
