"""Subsidy periods and what is recorded against them, on both sides of the border.

- `do_open_period` (the municipality): a period of whole months under an agreement,
  optionally with the subsidy granted; it appears on both sides.
- `do_set_granted` (the municipality): the subsidy granted, entered or corrected later.
- `do_record_hours` / `do_record_housing` (the cooperative): coordination hours worked on
  a day, housing costs paid for a month, within the period's dates; copied to the
  municipality (the figures and the description only).
- `do_withdraw_record` (the cooperative): a record taken back with a reason both sides
  see; it no longer counts, and is never deleted or changed otherwise.

Every step writes both copies in one transaction, the cooperative's first (one lock
order: the cooperative's copy of the agreement or period, then the municipality's), and
notes it in both audit logs. A period closes for records `RECORD_GRACE_DAYS` after its
last day (the paperwork of its last month); a closed period is still shown and exported.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koepel.platform.audit import record
from koepel.platform.audit.labels import register_labels
from koepel.platform.dates import add_months, amsterdam_today
from koepel.platform.db import db, utcnow
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, current_tenant_id
from koepel.platform.tenancy.border import on_both_sides
from koepel.tenants.agreements import Agreement

from .models import (
    AMOUNT_MAX_CENTS,
    DESCRIPTION_MAX,
    GRANTED_MAX_CENTS,
    NAME_MAX,
    NOTES_MAX,
    REASON_MAX,
    RECORD_HOURS_MAX,
    FundingPeriod,
    FundingRecord,
)

# Records may still be added this long after a period's last day; then it is closed.
RECORD_GRACE_DAYS = 31
PERIOD_MONTHS_MAX = 24
# How far back and ahead a period may start (a mistyped year makes a useless period).
START_YEARS_BACK = 5
START_YEARS_AHEAD = 2

register_labels({
    "funding.period_opened": _l("Subsidy period opened"),
    "funding.period_opened_by_partner": _l("Subsidy period opened by the municipality"),
    "funding.granted_set": _l("Subsidy granted entered"),
    "funding.granted_set_by_partner": _l("Subsidy granted entered by the municipality"),
    "funding.recorded": _l("Funding record added"),
    "funding.recorded_by_partner": _l("Funding record added by the cooperative"),
    "funding.withdrawn": _l("Funding record withdrawn"),
    "funding.withdrawn_by_partner": _l("Funding record withdrawn by the cooperative"),
})
PARTNER_ACTIONS = {
    "funding.period_opened": "funding.period_opened_by_partner",
    "funding.granted_set": "funding.granted_set_by_partner",
    "funding.recorded": "funding.recorded_by_partner",
    "funding.withdrawn": "funding.withdrawn_by_partner",
}


class FundingError(ValueError):
    """A step that is refused; the message is for people, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def closes_on(period: FundingPeriod) -> date:
    """The last day records can be added to the period."""
    return period.last_day + timedelta(days=RECORD_GRACE_DAYS)


def is_closed(period: FundingPeriod, today: date | None = None) -> bool:
    return (today or amsterdam_today()) > closes_on(period)


# --- both copies, the cooperative's first ----------------------------------------------


def _audit(action: str, is_own: bool, object_type: str, object_id: int, actor_id: int | None, **details) -> None:
    record(action if is_own else PARTNER_ACTIONS[action], object_type=object_type, object_id=object_id,
           details=details, actor_user_id=actor_id)


def _locked_period(period_id: int) -> FundingPeriod | None:
    return db.session.scalar(select(FundingPeriod).where(FundingPeriod.id == period_id).with_for_update()
                             .execution_options(populate_existing=True))


def _text(value: str | None, *, field: str, required_message, most: int) -> str:
    text = (value or "").strip()
    if not text and required_message is not None:
        raise FundingError(required_message, field)
    if len(text) > most:
        raise FundingError(_l("Use at most %(max)d characters.", max=most), field)
    return text


def _granted(granted: Money | None) -> int | None:
    if granted is None:
        return None
    if granted.cents < 0 or granted.cents > GRANTED_MAX_CENTS:
        raise FundingError(_l("Enter an amount from € 0 to %(max)s.", max=Money(GRANTED_MAX_CENTS).format()),
                           "granted")
    return granted.cents


# --- periods (the municipality) ------------------------------------------------------------


def _municipality() -> Tenant:
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or tenant.kind != "municipality":
        raise FundingError(_l("Only the municipality opens a subsidy period."))
    return tenant


def check_period(first_month: date | None, last_month: date | None, today: date) -> tuple[date, date]:
    """The first and last day of a period from any day of its first and last month."""
    if first_month is None:
        raise FundingError(_l("Enter the first month of the period."), "first_month")
    if last_month is None:
        raise FundingError(_l("Enter the last month of the period."), "last_month")
    first_day = first_month.replace(day=1)
    last_day = add_months(last_month.replace(day=1), 1) - timedelta(days=1)
    if last_day < first_day:
        raise FundingError(_l("The last month comes on or after the first."), "last_month")
    if add_months(first_day, PERIOD_MONTHS_MAX) <= last_day:
        raise FundingError(_l("A period is at most %(months)d months long.", months=PERIOD_MONTHS_MAX),
                           "last_month")
    if first_day.year < today.year - START_YEARS_BACK or first_day.year > today.year + START_YEARS_AHEAD:
        raise FundingError(_l("A period starts at most %(back)d years ago and at most %(ahead)d years ahead.",
                              back=START_YEARS_BACK, ahead=START_YEARS_AHEAD), "first_month")
    return first_day, last_day


def do_open_period(*, agreement_id: int | None, first_month: date | None, last_month: date | None,
                   granted: Money | None, notes: str | None, actor_id: int | None,
                   today: date | None = None) -> FundingPeriod:
    """The municipality opens a subsidy period under an agreement with a cooperative: whole
    months, not overlapping another period of the agreement. Both sides get it."""
    own = _municipality()
    agreement = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id)) if agreement_id else None
    if agreement is None:
        raise FundingError(_l("Choose the agreement (the cooperative) the period is for."), "agreement_id")
    first_day, last_day = check_period(first_month, last_month, today or amsterdam_today())
    granted_cents = _granted(granted)
    notes = _text(notes, field="notes", required_message=None, most=NOTES_MAX) or None
    own_id, own_name, partner_id, partner_name = own.id, own.name, agreement.partner_tenant_id, agreement.partner_name
    agreement_id = agreement.id
    made: dict[str, int] = {}
    now = utcnow()  # one moment for both copies

    def step(is_own: bool) -> None:
        locked = db.session.scalar(select(Agreement).where(Agreement.id == agreement_id).with_for_update())
        if locked is None:
            raise FundingError(_l("The partner's copy of this agreement is missing; contact support."))
        overlap = db.session.scalar(select(FundingPeriod).where(
            FundingPeriod.agreement_id == agreement_id, FundingPeriod.first_day <= last_day,
            FundingPeriod.last_day >= first_day).limit(1))
        if overlap is not None:
            raise FundingError(_l("This overlaps the period %(first)s – %(last)s of this agreement.",
                                  first=overlap.first_day.strftime("%m-%Y"), last=overlap.last_day.strftime("%m-%Y")),
                               "first_month")
        period = FundingPeriod(side="municipality" if is_own else "cooperative", agreement_id=agreement_id,
                               partner_tenant_id=partner_id if is_own else own_id,
                               partner_name=partner_name if is_own else own_name, first_day=first_day,
                               last_day=last_day, granted_cents=granted_cents, notes=notes, opened_by=actor_id,
                               created_at=now)
        if "period" in made:
            period.id = made["period"]  # the same id as the first copy's
        db.session.add(period)
        db.session.flush()
        made["period"] = period.id
        _audit("funding.period_opened", is_own, "funding_period", period.id, actor_id, agreement_id=agreement_id,
               first_day=first_day.isoformat(), last_day=last_day.isoformat(), granted_cents=granted_cents)

    # The cooperative's copy first, as every unit of work writing both copies does.
    on_both_sides(own_first=False, partner_tenant_id=partner_id, reason="subsidy period opened", step=step)
    return db.session.get(FundingPeriod, (own_id, made["period"]))


def do_set_granted(period: FundingPeriod, *, granted: Money | None, actor_id: int | None) -> FundingPeriod:
    """The municipality enters (or corrects) the subsidy granted for a period; the audit
    logs of both sides keep what it was."""
    if period.side != "municipality":
        raise FundingError(_l("Only the municipality enters the subsidy granted."))
    granted_cents = _granted(granted)
    own_id, period_id, partner_id, before = period.tenant_id, period.id, period.partner_tenant_id, period.granted_cents

    def step(is_own: bool) -> None:
        copy = _locked_period(period_id)
        if copy is None:
            raise FundingError(_l("The partner's copy of this period is missing; contact support."))
        copy.granted_cents = granted_cents
        db.session.flush()
        _audit("funding.granted_set", is_own, "funding_period", period_id, actor_id, before_cents=before,
               granted_cents=granted_cents)

    on_both_sides(own_first=False, partner_tenant_id=partner_id, reason="subsidy granted entered", step=step)
    return db.session.get(FundingPeriod, (own_id, period_id), populate_existing=True)


# --- records (the cooperative) -------------------------------------------------------------


def _record(period: FundingPeriod, *, kind: str, on_date: date, hours: Decimal | None, amount_cents: int | None,
            description: str, done_by: str | None, request_key: str, actor_id: int | None,
            today: date) -> FundingRecord:
    if period.side != "cooperative":
        raise FundingError(_l("The cooperative records what it did with the funding."))
    request_key = (request_key or "").strip()
    if not 16 <= len(request_key) <= 64:
        raise FundingError(_l("The form has expired. Open it again."))
    own_id, period_id, partner_id = period.tenant_id, period.id, period.partner_tenant_id
    made: dict[str, int] = {}
    now = utcnow()  # one moment for both copies

    def step(is_own: bool) -> None:
        locked = _locked_period(period_id)
        if locked is None:
            raise FundingError(_l("The partner's copy of this period is missing; contact support."))
        if is_own:
            # Under the period's lock: the same form sent twice (or twice at once) records once.
            existing = db.session.scalar(select(FundingRecord).where(FundingRecord.request_key == request_key))
            if existing is not None:
                made["existing"] = existing.id
                return
            if is_closed(locked, today):
                raise FundingError(_l("This period closed on %(date)s: it can be viewed and exported, no longer "
                                      "added to.", date=closes_on(locked).strftime("%d-%m-%Y")))
        elif "existing" in made:
            return
        row = FundingRecord(period_id=period_id, kind=kind, on_date=on_date, hours=hours, amount_cents=amount_cents,
                            description=description, done_by=done_by, request_key=request_key,
                            recorded_by=actor_id, recorded_at=now)
        if "record" in made:
            row.id = made["record"]
        db.session.add(row)
        db.session.flush()
        made["record"] = row.id
        _audit("funding.recorded", is_own, "funding_record", row.id, actor_id, period_id=period_id, kind=kind,
               on_date=on_date.isoformat(), hours=None if hours is None else str(hours), amount_cents=amount_cents)

    on_both_sides(own_first=True, partner_tenant_id=partner_id, reason="funding record added", step=step)
    return db.session.get(FundingRecord, (own_id, made.get("existing") or made["record"]))


def _within(period: FundingPeriod, day: date, field: str) -> None:
    if not period.first_day <= day <= period.last_day:
        raise FundingError(_l("Choose a date within the period, %(first)s to %(last)s.",
                              first=period.first_day.strftime("%d-%m-%Y"), last=period.last_day.strftime("%d-%m-%Y")),
                           field)


def do_record_hours(period: FundingPeriod, *, on_date: date | None, hours: Decimal | None, description: str | None,
                    done_by: str | None, request_key: str, actor_id: int | None,
                    today: date | None = None) -> FundingRecord:
    """Coordination hours worked on a day of the period (not in the future), with one decimal."""
    today = today or amsterdam_today()
    if on_date is None:
        raise FundingError(_l("Enter the day the hours were worked."), "on_date")
    _within(period, on_date, "on_date")
    if on_date > today:
        raise FundingError(_l("Record hours once they have been worked: the date cannot be in the future."),
                           "on_date")
    if hours is None or not Decimal(0) < hours <= RECORD_HOURS_MAX or hours != hours.quantize(Decimal("0.1")):
        raise FundingError(_l("Enter the hours from 0,1 to %(max)d, with at most one decimal.",
                              max=int(RECORD_HOURS_MAX)), "hours")
    description = _text(description, field="description", most=DESCRIPTION_MAX,
                        required_message=_l("Say what was done."))
    done_by = _text(done_by, field="done_by", most=NAME_MAX, required_message=_l("Say who did the work."))
    return _record(period, kind="hours", on_date=on_date, hours=hours, amount_cents=None, description=description,
                   done_by=done_by, request_key=request_key, actor_id=actor_id, today=today)


def do_record_housing(period: FundingPeriod, *, month: date | None, amount: Money | None, description: str | None,
                      request_key: str, actor_id: int | None, today: date | None = None) -> FundingRecord:
    """Housing costs paid for a month of the period (not a month still to come)."""
    today = today or amsterdam_today()
    if month is None:
        raise FundingError(_l("Enter the month the housing costs are for."), "month")
    month = month.replace(day=1)
    _within(period, month, "month")
    if month > today.replace(day=1):
        raise FundingError(_l("Record housing costs once they are paid: the month cannot be in the future."),
                           "month")
    if amount is None or not 0 < amount.cents <= AMOUNT_MAX_CENTS:
        raise FundingError(_l("Enter an amount from € 0,01 to %(max)s.", max=Money(AMOUNT_MAX_CENTS).format()),
                           "amount")
    description = _text(description, field="description", most=DESCRIPTION_MAX,
                        required_message=_l("Say what was paid (rent, energy, to whom)."))
    return _record(period, kind="housing", on_date=month, hours=None, amount_cents=amount.cents,
                   description=description, done_by=None, request_key=request_key, actor_id=actor_id, today=today)


def do_withdraw_record(record_: FundingRecord, *, reason: str | None, actor_id: int | None,
                       today: date | None = None) -> FundingRecord:
    """The cooperative takes a record back, with a reason both sides see. Withdrawing it
    again changes nothing."""
    reason = _text(reason, field="reason", most=REASON_MAX, required_message=_l("Say why the record is withdrawn."))
    period = db.session.get(FundingPeriod, (record_.tenant_id, record_.period_id))
    if period.side != "cooperative":
        raise FundingError(_l("Only the cooperative withdraws what it recorded."))
    today = today or amsterdam_today()
    own_id, record_id, period_id, partner_id = record_.tenant_id, record_.id, period.id, period.partner_tenant_id
    now = utcnow()
    state: dict[str, bool] = {}

    def step(is_own: bool) -> None:
        locked_period = _locked_period(period_id)
        copy = db.session.scalar(select(FundingRecord).where(FundingRecord.id == record_id).with_for_update()
                                 .execution_options(populate_existing=True))
        if locked_period is None or copy is None:
            raise FundingError(_l("The partner's copy of this record is missing; contact support."))
        if is_own:
            if copy.withdrawn_at is not None:
                state["done"] = True
                return
            if is_closed(locked_period, today):
                raise FundingError(_l("This period closed on %(date)s: its records can no longer be withdrawn.",
                                      date=closes_on(locked_period).strftime("%d-%m-%Y")))
        elif state.get("done"):
            return
        copy.withdrawn_at, copy.withdrawn_by, copy.withdraw_reason = now, actor_id, reason
        db.session.flush()
        _audit("funding.withdrawn", is_own, "funding_record", record_id, actor_id, period_id=period_id,
               reason=reason)

    on_both_sides(own_first=True, partner_tenant_id=partner_id, reason="funding record withdrawn", step=step)
    return db.session.get(FundingRecord, (own_id, record_id), populate_existing=True)
