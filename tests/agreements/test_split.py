"""The waterfall of one payment (Terms.split): the parts add up to the amount exactly,
none is negative, the municipality's share applies only above the monthly threshold,
and a flat cooperative share is never taken from a payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koepel.platform.money import Money
from koepel.tenants.agreements import Split, Terms, format_percent, parse_percent


def terms(**values) -> Terms:
    return Terms(**{"cooperative_share_kind": "percentage", "cooperative_share_bp": 1000, "training_pot_bp": 500,
                    "municipality_share_bp": 2500, "municipality_threshold": Money(500_00), **values})


def test_a_payment_below_the_threshold_gives_the_municipality_nothing():
    split = terms().split(Money(200_00), Money(100_00))
    assert split == Split(cooperative=Money(20_00), training_pot=Money(10_00), municipality=Money(0),
                          pot=Money(170_00))


def test_only_the_part_above_the_threshold_is_shared_with_the_municipality():
    # 400 earned before; this 300 crosses the 500 threshold by 200: 25% of 200 = 50.
    split = terms().split(Money(300_00), Money(400_00))
    assert split.cooperative == Money(30_00)
    assert split.training_pot == Money(15_00)
    assert split.municipality == Money(50_00)
    assert split.pot == Money(205_00)
    assert split.total == Money(300_00)


def test_above_the_threshold_already_the_whole_payment_is_shared():
    split = terms().split(Money(100_00), Money(800_00))
    assert split.municipality == Money(25_00)


def test_after_a_credit_the_earnings_before_may_be_negative():
    # -100 before: this 700 brings the month to 600, 100 above the threshold.
    assert terms().split(Money(700_00), Money(-100_00)).municipality == Money(25_00)


def test_a_zero_threshold_shares_every_payment():
    split = terms(municipality_threshold=Money(0)).split(Money(100_00), Money(0))
    assert split.municipality == Money(25_00)


def test_a_flat_cooperative_share_is_not_taken_from_a_payment():
    split = terms(cooperative_share_kind="flat_per_member", cooperative_share_bp=None,
                  cooperative_flat=Money(25_00)).split(Money(100_00), Money(0))
    assert split.cooperative == Money(0)
    assert split.pot == Money(95_00)


def test_no_cooperative_share():
    split = terms(cooperative_share_kind="none", cooperative_share_bp=None).split(Money(100_00), Money(0))
    assert split.cooperative == Money(0)
    assert split.training_pot == Money(5_00)


def test_the_remainder_cent_goes_to_the_pot():
    # 33.33% of 1 cent three times would round up to 3 cents; shares round down instead.
    t = terms(cooperative_share_bp=3333, training_pot_bp=3333, municipality_share_bp=3334,
              municipality_threshold=Money(0))
    split = t.split(Money(1), Money(0))
    assert split == Split(Money(0), Money(0), Money(0), Money(1))
    split = t.split(Money(100), Money(0))
    assert (split.cooperative, split.training_pot, split.municipality, split.pot) == (
        Money(33), Money(33), Money(33), Money(1))


def test_all_percentages_together_can_take_the_whole_payment():
    split = terms(cooperative_share_bp=5000, training_pot_bp=2500, municipality_share_bp=2500,
                  municipality_threshold=Money(0)).split(Money(100_00), Money(0))
    assert split.pot == Money(0)
    assert split.total == Money(100_00)


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        terms().split(Money(-1), Money(0))


def test_terms_whose_shares_exceed_the_whole_are_refused():
    with pytest.raises(ValueError):
        terms(cooperative_share_bp=6000, training_pot_bp=3000, municipality_share_bp=2000).split(Money(100), Money(0))


@pytest.mark.parametrize(("text", "bp"), [("12,5", 1250), ("12.5", 1250), ("12,5%", 1250), ("0", 0), ("100", 10000),
                                          ("7,25", 725), ("3,05", 305)])
def test_percentages_are_read_as_basis_points(text, bp):
    assert parse_percent(text) == bp


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1000", "-5", "12,5,5"])
def test_what_is_not_a_percentage_is_refused(text):
    with pytest.raises(ValueError):
        parse_percent(text)


@pytest.mark.parametrize(("bp", "shown"), [(1250, "12,5%"), (1000, "10%"), (1225, "12,25%"), (0, "0%"), (305, "3,05%"),
                                           (10000, "100%")])
def test_percentages_are_shown_the_dutch_way(bp, shown):
    assert format_percent(bp) == shown


# --- properties --------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10_000_000_00).map(Money)
earned_before = st.integers(min_value=-1_000_000_00, max_value=10_000_000_00).map(Money)
thresholds = st.integers(min_value=0, max_value=1_000_000_00).map(Money)


@st.composite
def any_terms(draw, threshold=thresholds):
    kind = draw(st.sampled_from(["percentage", "flat_per_member", "none"]))
    cooperative = draw(st.integers(0, 10_000)) if kind == "percentage" else 0
    training = draw(st.integers(0, 10_000 - cooperative))
    municipality = draw(st.integers(0, 10_000 - cooperative - training))
    return Terms(cooperative_share_kind=kind, cooperative_share_bp=cooperative if kind == "percentage" else None,
                 cooperative_flat=Money(draw(st.integers(0, 100_00))) if kind == "flat_per_member" else None,
                 training_pot_bp=training, municipality_share_bp=municipality,
                 municipality_threshold=draw(threshold), coordination_hours_per_month=Decimal(0))


@given(any_terms(), amounts, earned_before)
def test_the_parts_add_up_to_the_amount_and_none_is_negative(t, amount, before):
    split = t.split(amount, before)
    assert split.total == amount
    for part in (split.cooperative, split.training_pot, split.municipality, split.pot):
        assert part.cents >= 0


@given(any_terms(), amounts, earned_before)
def test_no_share_exceeds_its_percentage(t, amount, before):
    split = t.split(amount, before)
    assert split.training_pot.cents * 10_000 <= amount.cents * t.training_pot_bp
    assert split.municipality.cents * 10_000 <= amount.cents * t.municipality_share_bp
    if t.cooperative_share_kind != "percentage":
        assert split.cooperative == Money(0)


@given(any_terms(), amounts, earned_before, thresholds, thresholds)
def test_a_higher_threshold_never_gives_the_municipality_more(t, amount, before, low, high):
    low, high = min(low, high), max(low, high)
    at_low = Terms(**{**t.__dict__, "municipality_threshold": low}).split(amount, before)
    at_high = Terms(**{**t.__dict__, "municipality_threshold": high}).split(amount, before)
    assert at_high.municipality <= at_low.municipality
    assert at_high.pot >= at_low.pot
    # The threshold moves money only between the municipality and the pot.
    assert (at_high.cooperative, at_high.training_pot) == (at_low.cooperative, at_low.training_pot)


@given(any_terms(), st.lists(amounts, min_size=1, max_size=8))
def test_a_month_split_in_payments_shares_what_lies_above_the_threshold(t, payments):
    """However the month's earnings arrive, the municipality's shares are (up to a cent
    per payment of rounding) its percentage of the month's earnings above the threshold."""
    before = Money(0)
    shared = 0
    for amount in payments:
        shared += t.split(amount, before).municipality.cents
        before = before + amount
    above = max(0, before.cents - t.municipality_threshold.cents)
    exact = above * t.municipality_share_bp / 10_000
    assert exact - len(payments) <= shared <= exact
