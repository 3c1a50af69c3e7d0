"""Read models for the funding pages and exports, in the current tenant's scope: each
side reads its own copies (the agreement's versions too)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort
from sqlalchemy import select

from koepel.platform.db import db
from koepel.tenants.agreements import Agreement, AgreementVersion

from .budget import Funded, MonthBudget, period_budget
from .models import FundingPeriod, FundingRecord


def period_or_404(period_id: int) -> FundingPeriod:
    period = db.session.scalar(select(FundingPeriod).where(FundingPeriod.id == period_id))
    if period is None:
        abort(404)
    return period


def record_or_404(period: FundingPeriod, record_id: int) -> FundingRecord:
    found = db.session.scalar(select(FundingRecord).where(FundingRecord.id == record_id,
                                                          FundingRecord.period_id == period.id))
    if found is None:
        abort(404)
    return found


def periods() -> list[FundingPeriod]:
    """This tenant's periods, by partner and newest first."""
    return list(db.session.scalars(select(FundingPeriod).order_by(
        FundingPeriod.partner_name, FundingPeriod.first_day.desc(), FundingPeriod.id)))


def agreements_for_periods() -> list[Agreement]:
    """The agreements a municipality can open a period under, by partner name."""
    return list(db.session.scalars(select(Agreement).order_by(Agreement.partner_name, Agreement.id)))


def funded_versions(agreement_id: int) -> list[Funded]:
    """What each accepted version of an agreement funds, from its start date."""
    rows = db.session.execute(
        select(AgreementVersion.valid_from, AgreementVersion.coordination_hours_per_month,
               AgreementVersion.housing_contribution_cents)
        .where(AgreementVersion.agreement_id == agreement_id, AgreementVersion.status == "accepted")
        .order_by(AgreementVersion.valid_from)).all()
    return [Funded(valid_from, Decimal(hours), cents) for valid_from, hours, cents in rows]


def records_of(period: FundingPeriod) -> list[FundingRecord]:
    """Every record of a period (the withdrawn ones too), by date."""
    return list(db.session.scalars(select(FundingRecord).where(FundingRecord.period_id == period.id)
                                   .order_by(FundingRecord.on_date, FundingRecord.id)))


@dataclass(frozen=True)
class MonthRow:
    month: date
    hours_budget: Decimal
    hours_recorded: Decimal
    housing_budget_cents: int
    housing_paid_cents: int
    pro_rata: bool

    @property
    def hours_difference(self) -> Decimal:
        """Recorded minus budgeted: above 0 more was worked than funded."""
        return self.hours_recorded - self.hours_budget

    @property
    def housing_difference_cents(self) -> int:
        return self.housing_paid_cents - self.housing_budget_cents


@dataclass(frozen=True)
class Accountability:
    """Budget against actual for a period, per month and in total."""

    period: FundingPeriod
    months: list[MonthRow]
    records: list[FundingRecord]

    @property
    def total(self) -> MonthRow:
        return MonthRow(
            month=self.period.first_day,
            hours_budget=sum((m.hours_budget for m in self.months), Decimal("0.0")),
            hours_recorded=sum((m.hours_recorded for m in self.months), Decimal("0.0")),
            housing_budget_cents=sum(m.housing_budget_cents for m in self.months),
            housing_paid_cents=sum(m.housing_paid_cents for m in self.months),
            pro_rata=any(m.pro_rata for m in self.months),
        )

    @property
    def uncovered_months(self) -> list[date]:
        """Months with no budget at all: no version of the agreement in force."""
        return [m.month for m in self.months if not m.hours_budget and not m.housing_budget_cents]


def accountability(period: FundingPeriod) -> Accountability:
    budget: list[MonthBudget] = period_budget(period.first_day, period.last_day, funded_versions(period.agreement_id))
    records = records_of(period)
    hours: dict[date, Decimal] = defaultdict(lambda: Decimal("0.0"))
    housing: dict[date, int] = defaultdict(int)
    for row in records:
        if row.withdrawn_at is not None:
            continue
        month = row.on_date.replace(day=1)
        if row.kind == "hours":
            hours[month] += Decimal(row.hours)
        else:
            housing[month] += row.amount_cents
    months = [MonthRow(b.month, b.hours, hours[b.month], b.housing_cents, housing[b.month], b.pro_rata)
              for b in budget]
    return Accountability(period, months, records)
