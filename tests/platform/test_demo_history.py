"""The history generator: deterministic, consistent with the rules the operations keep,
and realistic in its rates."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date

from schwifty import IBAN
from sqlalchemy import func, select, text
from stdnum.nl import btw

from koepel.platform.cli.demo_history import iban, seed_history, vat_number
from koepel.platform.dates import add_months
from koepel.platform.db import db
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.tenants.agreements import Agreement
from koepel.tenants.ladder.models import Measurement
from koepel.tenants.ledger import ClosedMonth, JournalEntry, JournalLine, LedgerAccount
from koepel.tenants.members import JourneyTransition, Member
from koepel.tenants.members.journey import check_transition
from koepel.tenants.placements.models import Placement
from koepel.tenants.referrals.models import IncomingReferral, Referral
from koepel.tenants.settlements.models import SHARE_COLUMNS, Settlement, SettlementLine

TODAY = date(2026, 11, 23)
TOWNS = ("Amersfoort", "Zwolle", "Gouda", "Leiden")


def _seed(seed: int = 6, **extra):
    arguments = {"cooperatives": 4, "members": 160, "years": 3, "today": TODAY, "seed": seed, "towns": TOWNS,
                 "employer_towns": ("Enschede", "Almelo")} | extra
    return seed_history(**arguments)


def _counts(result) -> dict:
    counts = {}
    for tenant_id in result.cooperatives + result.employer_cooperatives + result.municipalities:
        with tenant_context(tenant_id):
            for model in (Member, JourneyTransition, Measurement, Settlement, SettlementLine, JournalLine,
                          Placement, Referral, IncomingReferral):
                counts[(tenant_id, model.__name__)] = db.session.scalar(select(func.count()).select_from(model))
            counts[(tenant_id, "earned")] = db.session.scalar(select(func.sum(SettlementLine.earned_cents)))
    names = db.session.scalars(select(Tenant.name).where(Tenant.id.in_(result.cooperatives)).order_by(Tenant.id))
    return {"names": list(names), "figures": sorted(counts.values(), key=lambda v: -1 if v is None else v)}


def _made_and_undone(**extra) -> dict:
    savepoint = db.session.begin_nested()
    counts = _counts(_seed(**extra))
    savepoint.rollback()
    return counts


def test_the_same_seed_makes_the_same_federation_and_another_seed_another(db_session):
    first = _made_and_undone()
    again = _made_and_undone()
    other = _made_and_undone(seed=7)
    assert first == again
    assert first != other


def test_a_small_federation_is_made_quickly_and_has_what_was_asked(db_session):
    started = time.monotonic()
    result = _seed()
    assert time.monotonic() - started < 20
    assert len(result.cooperatives) == 4 and len(result.employer_cooperatives) == 1
    assert result.members == 160
    kinds = dict(db.session.execute(select(Tenant.id, Tenant.kind).where(
        Tenant.id.in_(result.cooperatives + result.employer_cooperatives + result.municipalities))).all())
    assert {kinds[t] for t in result.cooperatives} == {"cooperative"}
    assert {kinds[t] for t in result.employer_cooperatives} == {"employer_cooperative"}
    municipalities = db.session.scalars(select(Tenant).where(Tenant.id.in_(result.municipalities))).all()
    assert {m.kind for m in municipalities} == {"municipality"}
    assert all(m.cbs_code and m.status == "active" for m in municipalities)
    for tenant_id in result.cooperatives:
        with tenant_context(tenant_id):
            profile = db.session.scalar(select(TenantProfile))
            assert IBAN(profile.iban).compact == profile.iban
            assert btw.is_valid(profile.vat_number) and len(profile.kvk_number) == 8
            assert db.session.scalar(select(func.count()).select_from(Agreement)) >= 1
            assert db.session.scalar(select(func.count()).select_from(Member)) > 0
    with tenant_context(result.employer_cooperatives[0]):
        assert db.session.scalar(select(func.count()).select_from(Placement)) >= 20


def test_identifiers_carry_valid_check_digits():
    import random

    rng = random.Random(1)
    for _ in range(200):
        assert btw.is_valid(vat_number(rng))
        assert IBAN(iban(rng)).country_code == "NL"


def test_books_balance_settlements_add_up_and_journeys_are_valid(db_session):
    result = _seed()
    # The deferred checks (every entry balances) run now instead of at commit.
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    last_month = add_months(TODAY.replace(day=1), -1)
    for tenant_id in result.cooperatives:
        with tenant_context(tenant_id):
            sums = db.session.execute(select(JournalLine.entry_id, func.sum(JournalLine.amount_cents))
                                      .group_by(JournalLine.entry_id)).all()
            assert sums and all(total == 0 for _, total in sums)
            assert all(b <= 0 for b in db.session.scalars(
                select(LedgerAccount.balance_cents).where(LedgerAccount.kind == "member_pot")))
            closed = db.session.scalar(select(func.max(ClosedMonth.month)))
            assert closed == last_month
            assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(
                JournalEntry.on_date < closed, JournalEntry.on_date >= add_months(closed, 1))) == 0
            own = _settlements_with_lines()
            # What the books say is owed to each municipality equals the settlements' unpaid owed.
            owed_accounts = dict(db.session.execute(select(LedgerAccount.partner_tenant_id, LedgerAccount.balance_cents)
                                                    .where(LedgerAccount.kind == "municipality_owed")).all())
            unpaid = defaultdict(int)
            for settlement, _lines in own:
                if settlement.owed_status == "owed":
                    unpaid[settlement.partner_tenant_id] += settlement.owed_cents
            assert {m: -b for m, b in owed_accounts.items() if b} == {m: c for m, c in unpaid.items() if c}
            for settlement, lines in own:
                _assert_adds_up(settlement, lines)
            members = db.session.scalars(select(Member)).all()
            steps = defaultdict(list)
            for step in db.session.scalars(select(JourneyTransition).order_by(JourneyTransition.id)):
                steps[step.member_id].append(step)
            for member in members:
                current, last = None, None
                for step in steps[member.id]:
                    assert step.from_stage == current
                    check_transition(current, step.to_stage, on_date=step.on_date, last_date=last, today=TODAY,
                                     reason=step.reason, outcome=step.outcome)
                    current, last = step.to_stage, step.on_date
                assert (member.stage, member.stage_since, member.outcome) == (current, last, steps[member.id][-1].outcome)
            copies = {s.id: (s.month, s.owed_cents, s.link_key) for s, _ in own}
        for municipality_id in {s.partner_tenant_id for s, _ in own}:
            with tenant_context(municipality_id):
                theirs = [(s, lines) for s, lines in _settlements_with_lines() if s.partner_tenant_id == tenant_id]
                for settlement, lines in theirs:
                    assert copies[settlement.id] == (settlement.month, settlement.owed_cents, settlement.link_key)
                    _assert_adds_up(settlement, lines)


def _settlements_with_lines():
    lines = defaultdict(list)
    for line in db.session.scalars(select(SettlementLine)):
        lines[line.settlement_id].append(line)
    return [(s, lines[s.id]) for s in db.session.scalars(select(Settlement))]


def _assert_adds_up(settlement, lines) -> None:
    assert settlement.members_count == len(lines)
    for column in SHARE_COLUMNS:
        assert getattr(settlement, column) == sum(getattr(line, column) for line in lines), column
    assert settlement.owed_cents == settlement.municipality_cents + settlement.returned_pots_cents


def test_rates_are_realistic(db_session):
    result = _seed(members=600, cooperatives=6, years=5)
    journeys, trial_days, outflows, returns, earned = 0, [], 0, 0, []
    for tenant_id in result.cooperatives:
        with tenant_context(tenant_id):
            steps = defaultdict(list)
            for step in db.session.scalars(select(JourneyTransition).order_by(JourneyTransition.id)):
                steps[step.member_id].append(step)
            for member_steps in steps.values():
                journeys += 1
                for before, after in zip(member_steps, member_steps[1:], strict=False):
                    if before.to_stage == "trial" and after.to_stage == "member":
                        trial_days.append((after.on_date - before.on_date).days)
                    if before.to_stage == "outflow" and after.to_stage == "intake":
                        returns += 1
                outflows += sum(1 for s in member_steps if s.to_stage == "outflow")
            earned += [c for c in db.session.scalars(select(SettlementLine.earned_cents)
                                                     .where(SettlementLine.earned_cents > 0))]
    # A trial lasts three months (a few days' leeway to decide).
    assert trial_days and all(89 <= d <= 102 for d in trial_days)
    # About a fifth of the people who came left benefits (outflow) over the years.
    assert 0.08 <= outflows / journeys <= 0.30
    assert returns < outflows * 0.4
    earned.sort()
    median = earned[len(earned) // 2]
    assert 5_000 <= median <= 30_000  # tens to a few hundred euros a month
    assert earned[-1] > 60_000  # a few earn more
