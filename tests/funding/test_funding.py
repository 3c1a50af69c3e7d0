"""Subsidy periods and records below the HTTP layer: both copies, the budget from the
agreement's real versions (with a change mid-period), withdrawals, a form sent twice,
the period's dates and its closing."""

from __future__ import annotations

import calendar
import dataclasses
import secrets
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from koepel.platform.audit.models import AuditEvent
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.tenancy import tenant_context
from koepel.tenants.agreements import (
    Agreement,
    AgreementVersion,
    do_accept_version,
    do_propose_version,
)
from koepel.tenants.funding import (
    FundingError,
    FundingPeriod,
    FundingRecord,
    accountability,
    do_open_period,
    do_record_hours,
    do_record_housing,
    do_withdraw_record,
)
from tests.agreements.baseline import baseline_terms
from tests.funding.baseline import open_period, record_hours


def columns(obj, *skip):
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in ("tenant_id", *skip)}


def both(model, object_id, *tenant_ids):
    found = []
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            found.append(db.session.scalar(select(model).where(model.id == object_id)))
    return found


def key():
    return secrets.token_urlsafe(24)


def test_the_municipality_opens_a_period_and_both_sides_hold_the_same_copy(db_session, baseline):
    m, a = baseline.municipality.id, baseline.coop_a.id
    year = amsterdam_today().year + 1
    period_id = open_period(m, a, date(year, 1, 1), date(year, 6, 1), granted=Money(12_000_00),
                            actor_id=baseline.advisor.id)
    own, copy = both(FundingPeriod, period_id, m, a)
    assert (own.side, copy.side) == ("municipality", "cooperative")
    assert (own.first_day, own.last_day) == (date(year, 1, 1), date(year, 6, 30))
    assert (own.partner_tenant_id, copy.partner_tenant_id) == (a, m)
    assert (own.partner_name, copy.partner_name) == ("Coöperatie A", "Gemeente M")
    assert columns(own, "side", "partner_tenant_id", "partner_name") == \
        columns(copy, "side", "partner_tenant_id", "partner_name")
    assert own.granted_cents == 12_000_00
    for tenant_id, action in ((m, "funding.period_opened"), (a, "funding.period_opened_by_partner")):
        with tenant_context(tenant_id):
            assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == action,
                                                              AuditEvent.object_id == str(period_id))) is not None


@pytest.mark.parametrize(("first", "last", "field"), [
    (date(2026, 6, 1), date(2026, 5, 1), "last_month"),
    (date(2026, 1, 1), date(2028, 1, 1), "last_month"),  # 25 months
    (date(2015, 1, 1), date(2015, 12, 1), "first_month"),
    (None, date(2026, 5, 1), "first_month"),
])
def test_a_period_that_cannot_be_opened_is_refused_at_its_field(db_session, baseline, first, last, field):
    with tenant_context(baseline.municipality.id):
        agreement_id = db.session.scalar(select(Agreement.id))
        with pytest.raises(FundingError) as refused:
            do_open_period(agreement_id=agreement_id, first_month=first, last_month=last, granted=None, notes=None,
                           actor_id=None, today=date(2026, 11, 23))
    assert refused.value.field == field


def test_periods_of_one_agreement_do_not_overlap_and_another_tenants_agreement_is_unknown(db_session, baseline):
    year = amsterdam_today().year
    with tenant_context(baseline.municipality.id):
        agreement_id = db.session.scalar(select(Agreement.id))
        with pytest.raises(FundingError) as refused:
            do_open_period(agreement_id=agreement_id, first_month=date(year, 6, 1), last_month=date(year + 1, 5, 1),
                           granted=None, notes=None, actor_id=None)
        assert refused.value.field == "first_month"
        # N's agreement with B, named from M: not found.
        with pytest.raises(FundingError) as foreign:
            do_open_period(agreement_id=baseline.extra["agreement_bn"], first_month=date(year + 1, 1, 1),
                           last_month=date(year + 1, 2, 1), granted=None, notes=None, actor_id=None)
        assert foreign.value.field == "agreement_id"
        assert db.session.scalar(select(FundingPeriod.id).where(FundingPeriod.first_day > date(year, 1, 1))) is None


def test_a_record_is_copied_to_the_municipality_with_its_figures_only(db_session, baseline):
    a, m, period_id = baseline.coop_a.id, baseline.municipality.id, baseline.extra["funding_period_am"]
    record_id = record_hours(a, period_id, hours="3.5", actor_id=baseline.coordinator_a.id)
    own, copy = both(FundingRecord, record_id, a, m)
    assert columns(own) == columns(copy)
    assert (copy.kind, copy.hours, copy.description) == ("hours", Decimal("3.5"),
                                                         "Intake meetings and the weekly member meeting")
    # Nothing of a member crosses: the record has no column naming one.
    assert not {c.key for c in FundingRecord.__table__.columns} & {"member_id", "member_name", "bsn"}


def test_the_same_form_sent_twice_records_once_on_both_sides(db_session, baseline):
    a, m, period_id = baseline.coop_a.id, baseline.municipality.id, baseline.extra["funding_period_am"]
    same = key()
    first = record_hours(a, period_id, hours="1", key=same)
    second = record_hours(a, period_id, hours="1", key=same)
    assert first == second
    for tenant_id in (a, m):
        with tenant_context(tenant_id):
            assert db.session.scalar(select(db.func.count()).select_from(FundingRecord)
                                     .where(FundingRecord.request_key == same)) == 1


def test_records_lie_within_the_period_and_not_in_the_future(db_session, baseline):
    a, period_id = baseline.coop_a.id, baseline.extra["funding_period_am"]
    today = amsterdam_today()
    with tenant_context(a):
        period = db.session.get(FundingPeriod, (a, period_id))
        cases = [
            (dict(on_date=date(today.year - 1, 12, 31), hours=Decimal("1")), "on_date"),
            (dict(on_date=today + timedelta(days=1), hours=Decimal("1")), "on_date"),
            (dict(on_date=today, hours=Decimal("0")), "hours"),
            (dict(on_date=today, hours=Decimal("24.5")), "hours"),
            (dict(on_date=today, hours=Decimal("1.25")), "hours"),
        ]
        if today + timedelta(days=1) > period.last_day:  # the 31st of December: tomorrow is outside anyway
            cases.pop(1)
        for kwargs, field in cases:
            with pytest.raises(FundingError) as refused:
                do_record_hours(period, description="x", done_by="y", request_key=key(), actor_id=None, **kwargs)
            assert refused.value.field == field, kwargs
        for kwargs, field in [(dict(month=date(today.year + 1, 1, 1), amount=Money(1_00)), "month"),
                              (dict(month=today, amount=Money(0)), "amount"),
                              (dict(month=today, amount=Money(1_00), description="  "), "description")]:
            with pytest.raises(FundingError) as refused:
                do_record_housing(period, **{"description": "Rent", **kwargs}, request_key=key(), actor_id=None)
            assert refused.value.field == field, kwargs
        assert db.session.scalar(select(db.func.count()).select_from(FundingRecord)) == 1  # the baseline's


def test_a_withdrawn_record_stays_visible_on_both_sides_and_no_longer_counts(db_session, baseline):
    a, m, period_id = baseline.coop_a.id, baseline.municipality.id, baseline.extra["funding_period_am"]
    today = amsterdam_today()
    with tenant_context(a):
        period = db.session.get(FundingPeriod, (a, period_id))
        housing = do_record_housing(period, month=today, amount=Money(275_50), description="Rent of the workshop",
                                    request_key=key(), actor_id=baseline.coordinator_a.id)
        housing_id = housing.id
        before = accountability(period).total
        assert before.housing_paid_cents == 275_50
        with pytest.raises(FundingError) as refused:
            do_withdraw_record(housing, reason="   ", actor_id=None)
        assert refused.value.field == "reason"
        do_withdraw_record(housing, reason="Entered twice", actor_id=baseline.coordinator_a.id)
        again = do_withdraw_record(db.session.get(FundingRecord, (a, housing_id)), reason="Other reason",
                                   actor_id=None)
        assert again.withdraw_reason == "Entered twice"  # withdrawing again changes nothing
        after = accountability(db.session.get(FundingPeriod, (a, period_id))).total
        assert after.housing_paid_cents == 0
        assert after.hours_recorded == before.hours_recorded
    own, copy = both(FundingRecord, housing_id, a, m)
    assert (own.withdraw_reason, copy.withdraw_reason) == ("Entered twice", "Entered twice")
    assert copy.withdrawn_at is not None and copy.amount_cents == 275_50  # kept, not changed
    with tenant_context(m):
        assert accountability(db.session.get(FundingPeriod, (m, period_id))).total.housing_paid_cents == 0


def test_the_municipality_cannot_record_and_the_cooperative_cannot_open(db_session, baseline):
    m, a, period_id = baseline.municipality.id, baseline.coop_a.id, baseline.extra["funding_period_am"]
    today = amsterdam_today()
    with tenant_context(m):
        period = db.session.get(FundingPeriod, (m, period_id))
        with pytest.raises(FundingError):
            do_record_hours(period, on_date=today, hours=Decimal("1"), description="x", done_by="y",
                            request_key=key(), actor_id=None)
    with tenant_context(a):
        with pytest.raises(FundingError):
            do_open_period(agreement_id=baseline.extra["agreement_am"], first_month=date(today.year + 1, 1, 1),
                           last_month=date(today.year + 1, 2, 1), granted=None, notes=None, actor_id=None)


def test_a_closed_period_takes_no_records_and_is_still_accounted_for(db_session, baseline):
    m, a = baseline.municipality.id, baseline.coop_a.id
    year = amsterdam_today().year - 1
    period_id = open_period(m, a, date(year, 1, 1), date(year, 12, 1))
    with tenant_context(a):
        period = db.session.get(FundingPeriod, (a, period_id))
        # Within the month after the last day: the paperwork of December still goes in.
        late = do_record_hours(period, on_date=date(year, 12, 30), hours=Decimal("4"), description="Year end",
                               done_by="Coordinator", request_key=key(), actor_id=None, today=date(year + 1, 1, 31))
        with pytest.raises(FundingError) as refused:
            do_record_hours(period, on_date=date(year, 12, 30), hours=Decimal("1"), description="Too late",
                            done_by="Coordinator", request_key=key(), actor_id=None, today=date(year + 1, 2, 1))
        assert refused.value.field is None
        with pytest.raises(FundingError):
            do_withdraw_record(late, reason="Too late too", actor_id=None, today=date(year + 1, 2, 1))
        assert accountability(db.session.get(FundingPeriod, (a, period_id))).total.hours_recorded == Decimal("4")


def _oracle(first: date, last: date, versions: list[tuple[date, Decimal, int]]):
    """The budget day by day (independent of the module): per month the sum over its days
    of the version in force that day, divided by the month's days, rounded half up."""
    hours, cents = Decimal(0), 0
    month = first
    while month <= last:
        length = calendar.monthrange(month.year, month.month)[1]
        month_hours, month_cents = Decimal(0), Decimal(0)
        for offset in range(length):
            day = month + timedelta(days=offset)
            valid = [v for v in versions if v[0] <= day]
            if valid:
                _start, h, c = max(valid)
                month_hours += h
                month_cents += c
        hours += (month_hours / length).quantize(Decimal("0.1"), ROUND_HALF_UP)
        cents += int((month_cents / length).quantize(Decimal("1"), ROUND_HALF_UP))
        month = (month + timedelta(days=32)).replace(day=1)
    return hours, cents


def test_the_budget_follows_the_agreements_versions_with_a_change_mid_period(db_session, baseline):
    a, m = baseline.coop_a.id, baseline.municipality.id
    today = amsterdam_today()
    with tenant_context(a):
        first_version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.status == "accepted"))
        start = first_version.valid_from
        agreement = db.session.scalar(select(Agreement))
        change = today + timedelta(days=9)  # not on a month's first day in most months
        terms = dataclasses.replace(baseline_terms(), coordination_hours_per_month=Decimal("20"),
                                    housing_contribution=Money(310_00))
        version_id = do_propose_version(agreement, terms=terms, valid_from=change, actor_id=None).id
    with tenant_context(m):
        do_accept_version(db.session.get(AgreementVersion, (m, version_id)), actor_id=None)
    period_id = open_period(m, a, date(today.year + 1, 1, 1), date(today.year + 1, 12, 1))
    versions = [(start, Decimal("16"), 250_00), (change, Decimal("20"), 310_00)]
    for tenant_id, pid in ((a, baseline.extra["funding_period_am"]), (m, baseline.extra["funding_period_am"]),
                           (a, period_id)):
        with tenant_context(tenant_id):
            period = db.session.get(FundingPeriod, (tenant_id, pid))
            total = accountability(period).total
            expected = _oracle(period.first_day, period.last_day, versions)
            assert (total.hours_budget, total.housing_budget_cents) == expected
    with tenant_context(a):
        acc = accountability(db.session.get(FundingPeriod, (a, period_id)))
    if change < date(today.year + 1, 1, 1):  # then the next year is all under the new version
        assert acc.total.hours_budget == Decimal("240.0") and acc.total.housing_budget_cents == 12 * 310_00
