"""The budget of a period from the agreement's versions: per month, pro rata per day
where a version starts during a month, rounded per month, summed over the months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from koepel.tenants.funding.budget import Funded, format_hours, month_budget, months, period_budget

OLD = Funded(date(2025, 1, 1), Decimal("16"), 250_00)
NEW = Funded(date(2026, 3, 16), Decimal("20"), 310_00)


def test_a_whole_month_under_one_version_is_its_figures():
    month = month_budget(date(2026, 2, 1), [OLD, NEW])
    assert (month.hours, month.housing_cents, month.pro_rata) == (Decimal("16.0"), 250_00, False)


def test_a_version_starting_mid_month_shares_the_month_per_day():
    # March: 15 days at 16 h / € 250, 16 days at 20 h / € 310, of 31.
    month = month_budget(date(2026, 3, 1), [NEW, OLD])  # order of the versions does not matter
    assert month.hours == Decimal("18.1")  # (16×15 + 20×16) / 31 = 18.06
    assert month.housing_cents == 280_97  # (25000×15 + 31000×16) / 31 = 28096.77 cents
    assert month.pro_rata


def test_days_before_the_first_version_count_for_nothing():
    first = Funded(date(2026, 4, 11), Decimal("10"), 300_00)  # April: 20 of 30 days
    month = month_budget(date(2026, 4, 1), [first])
    assert (month.hours, month.housing_cents, month.pro_rata) == (Decimal("6.7"), 200_00, True)
    assert month_budget(date(2026, 3, 1), [first]).hours == Decimal("0.0")
    assert month_budget(date(2026, 3, 1), [first]).housing_cents == 0


def test_rounding_is_half_up_per_month():
    # 1 h a month from the 2nd of a 30-day month: 29/30 = 0.966… → 1.0; € 0.03 × 29/30 = 2.9 → 3 cents.
    month = month_budget(date(2026, 6, 1), [Funded(date(2026, 6, 2), Decimal("1"), 3)])
    assert (month.hours, month.housing_cents) == (Decimal("1.0"), 3)
    # 0.5 h from the 16th of a 30-day month: 5 tenths × 15/30 = 2.5 → 3 tenths (half up).
    assert month_budget(date(2026, 6, 1), [Funded(date(2026, 6, 16), Decimal("0.5"), 0)]).hours == Decimal("0.3")


def test_a_year_with_a_version_change_in_march():
    budget = period_budget(date(2026, 1, 1), date(2026, 12, 31), [OLD, NEW])
    assert [m.month for m in budget] == months(date(2026, 1, 1), date(2026, 12, 31))
    assert len(budget) == 12
    hours = sum(m.hours for m in budget)
    housing = sum(m.housing_cents for m in budget)
    # Jan, Feb at 16 h / € 250; March shared; April to December (9) at 20 h / € 310.
    assert hours == Decimal("16") * 2 + Decimal("18.1") + Decimal("20") * 9
    assert housing == 250_00 * 2 + 280_97 + 310_00 * 9
    assert [m.pro_rata for m in budget].count(True) == 1


def test_a_later_version_that_starts_after_the_period_changes_nothing_in_it():
    later = Funded(date(2027, 1, 1), Decimal("40"), 999_00)
    assert period_budget(date(2026, 1, 1), date(2026, 2, 28), [OLD, later]) == \
        period_budget(date(2026, 1, 1), date(2026, 2, 28), [OLD])


def test_hours_are_shown_the_dutch_way():
    assert format_hours(Decimal("16.0")) == "16"
    assert format_hours(Decimal("7.5")) == "7,5"
    assert format_hours(Decimal("-2.5"), signed=True) == "−2,5"
    assert format_hours(Decimal("3"), signed=True) == "+3"
    assert format_hours(Decimal("0"), signed=True) == "0"
