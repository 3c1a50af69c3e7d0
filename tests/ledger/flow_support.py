"""Helpers of the money-flow property test: a cooperative of its own with an agreement,
the strategies for terms and invoice lines, and the reconciliation of every ledger
account with the rows of the packages that posted to it.

The reconciliation is written here from the domain's own account of the waterfall
(DOMAIN.md "The money"), not from the posting code: what each account must hold follows
from the invoices, bank lines, splits, pot requests and costs that exist.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant
from koepel.tenants.agreements import (
    POT_CATEGORIES,
    AgreementVersion,
    Terms,
    do_accept_version,
    do_propose_agreement,
)
from koepel.tenants.books.models import Cost
from koepel.tenants.invoices import Invoice, LineInput
from koepel.tenants.ledger import JournalEntry, JournalLine, LedgerAccount
from koepel.tenants.payments import BankLine, PaymentSplit
from koepel.tenants.pots import PotRequest
from koepel.tenants.settlements import Settlement, SettlementLine

TODAY = amsterdam_today()
# Agreements start this many days ago (at most 31 may be backdated); payments fall after.
AGREED_DAYS_AGO = 20


# --- strategies ----------------------------------------------------------------------------------

def terms_strategy() -> st.SearchStrategy[Terms]:
    """Terms an agreement may hold: the three percentage shares together at most 100%."""
    return st.builds(
        lambda kind, coop_bp, flat, training_bp, muni_bp, threshold, categories: Terms(
            cooperative_share_kind=kind, cooperative_share_bp=coop_bp if kind == "percentage" else None,
            cooperative_flat=Money(flat) if kind == "flat_per_member" else None, training_pot_bp=training_bp,
            municipality_share_bp=muni_bp, municipality_threshold=Money(threshold),
            pot_categories=tuple(categories), pot_on_leaving="spend_on_business",
            coordination_hours_per_month=Decimal("0"), housing_contribution=Money(0)),
        st.sampled_from(("percentage", "flat_per_member", "none")),
        # A flat share of 0,00 is left out: the agreements package stores it as "none" (see the report).
        st.integers(0, 4000), st.integers(1, 10_000), st.integers(0, 3000), st.integers(0, 3000),
        st.integers(0, 150_00), st.lists(st.sampled_from(POT_CATEGORIES), min_size=1, max_size=3, unique=True),
    )


invoice_lines = st.lists(
    st.builds(lambda qty, price, rate: LineInput("Werk", qty, Money(price), rate),
              st.sampled_from((25, 100, 150, 250, 1000)), st.integers(4, 80_000), st.sampled_from((2100, 900, 0))),
    min_size=1, max_size=3)


# --- a cooperative of the example's own ----------------------------------------------------------

def new_cooperative(municipality_id: int, terms: Terms) -> int:
    """An active cooperative with the details an invoice needs and an accepted agreement
    with `municipality_id` (in force since AGREED_DAYS_AGO days): its id."""
    tenant = do_create_tenant(kind="cooperative", slug=f"flow-{uuid.uuid4().hex[:12]}", name="Geldstroom Coop",
                              status="active")
    with tenant_context(tenant.id):
        db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number="12345678", vat_number="NL004495445B01",
                                     iban="NL91ABNA0417164300", street="Markt 1", postal_code="2611 GW", city="Delft",
                                     municipality_ids=[municipality_id], other_municipalities=[]))
        db.session.flush()
    agree(tenant.id, municipality_id, terms)
    return tenant.id


def agree(cooperative_id: int, municipality_id: int, terms: Terms) -> None:
    """The cooperative proposes, the municipality accepts (both through the operations)."""
    with tenant_context(cooperative_id):
        version = do_propose_agreement(partner_tenant_id=municipality_id, terms=terms,
                                       valid_from=TODAY - timedelta(days=AGREED_DAYS_AGO), actor_id=None)
        version_id = version.id
    with tenant_context(municipality_id):
        do_accept_version(db.session.get(AgreementVersion, (municipality_id, version_id)), actor_id=None)


# --- reading the books and the rows behind them --------------------------------------------------

def ledger_snapshot() -> tuple:
    """Every account's balance from its lines, and how many entries exist."""
    sums = db.session.execute(select(JournalLine.account_id, func.sum(JournalLine.amount_cents))
                              .group_by(JournalLine.account_id)).all()
    entries = db.session.scalar(select(func.count()).select_from(JournalEntry))
    return entries, sorted((account_id, int(total)) for account_id, total in sums)


def unbalanced_entries() -> list[tuple[int, int, int]]:
    """(entry, sum of its lines, number of lines) of every entry not balanced or too short."""
    return [tuple(row) for row in db.session.execute(
        select(JournalEntry.id, func.coalesce(func.sum(JournalLine.amount_cents), 0), func.count(JournalLine.id))
        .outerjoin(JournalLine, and_(JournalLine.entry_id == JournalEntry.id,
                                     JournalLine.tenant_id == JournalEntry.tenant_id))
        .group_by(JournalEntry.id)
        .having((func.coalesce(func.sum(JournalLine.amount_cents), 0) != 0) | (func.count(JournalLine.id) < 2)))]


def balances_by_key() -> dict[str, int]:
    """Each account's balance from its lines (debit positive), by account key, zeros left out."""
    rows = db.session.execute(
        select(LedgerAccount.key, func.coalesce(func.sum(JournalLine.amount_cents), 0))
        .outerjoin(JournalLine, and_(JournalLine.account_id == LedgerAccount.id,
                                     JournalLine.tenant_id == LedgerAccount.tenant_id))
        .group_by(LedgerAccount.key)).all()
    return {key: int(cents) for key, cents in rows if cents}


def _reversed(entry_id_column):
    reversal = aliased(JournalEntry)
    return select(reversal.id).where(reversal.reverses_entry_id == entry_id_column).exists()


def expected_balances() -> dict[str, int]:
    """What every account must hold, from the domain rows alone (debit positive):
    - an issued invoice or credit note: Dr receivable total, Cr VAT, Cr earnings net;
    - a bank line matched to an invoice: Dr bank, Cr receivable;
    - a split payment (its entry not reversed): Dr earnings its net, Cr the cooperative,
      the training pot, the municipality and the member's pot their shares;
    - an approved request: Dr the pot, Cr payouts due; paid: Dr payouts due, Cr bank;
    - a cost (not reversed): Dr costs net, Dr VAT, Cr bank;
    - a flat amount per member charged at a month's close: Dr the pot, Cr the cooperative."""
    want: dict[str, int] = defaultdict(int)
    for customer_id, total, vat, net in db.session.execute(
            select(Invoice.customer_id, Invoice.total_cents, Invoice.vat_cents, Invoice.net_cents)
            .where(Invoice.status != "draft")):
        want[f"receivable:{customer_id}"] += total
        want["vat_payable"] -= vat
        want["earnings"] -= net
    for customer_id, amount in db.session.execute(
            select(Invoice.customer_id, BankLine.amount_cents)
            .join(Invoice, and_(Invoice.id == BankLine.invoice_id, Invoice.tenant_id == BankLine.tenant_id))
            .where(BankLine.status == "matched")):
        want["bank"] += amount
        want[f"receivable:{customer_id}"] -= amount
    for split in db.session.scalars(select(PaymentSplit).where(PaymentSplit.status == "split",
                                                               PaymentSplit.entry_id.is_not(None),
                                                               ~_reversed(PaymentSplit.entry_id))):
        want["earnings"] += split.net_cents
        want["cooperative"] -= split.cooperative_cents
        want["training_pot"] -= split.training_cents
        want[f"municipality_owed:{split.municipality_id}"] -= split.municipality_cents
        want[f"member_pot:{split.member_id}"] -= split.pot_cents
    for member_id, amount, status in db.session.execute(
            select(PotRequest.member_id, PotRequest.amount_cents, PotRequest.status)
            .where(PotRequest.status.in_(("approved", "paid")))):
        want[f"member_pot:{member_id}"] += amount
        if status == "paid":
            want["bank"] -= amount
        else:
            want["payouts_due"] -= amount
    for amount, vat in db.session.execute(select(Cost.amount_cents, Cost.vat_cents)
                                          .where(~_reversed(Cost.entry_id))):
        want["costs"] += amount - vat
        want["vat_payable"] += vat
        want["bank"] -= amount
    for member_id, fee in db.session.execute(
            select(SettlementLine.member_id, SettlementLine.flat_fee_cents)
            .join(Settlement, and_(Settlement.id == SettlementLine.settlement_id,
                                   Settlement.tenant_id == SettlementLine.tenant_id))
            .where(Settlement.side == "cooperative", SettlementLine.flat_fee_cents > 0)):
        want[f"member_pot:{member_id}"] += fee
        want["cooperative"] -= fee
    return {key: cents for key, cents in want.items() if cents}


def paid_by_lines(invoice_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(BankLine.amount_cents), 0)).where(
        BankLine.invoice_id == invoice_id, BankLine.status == "matched")))
