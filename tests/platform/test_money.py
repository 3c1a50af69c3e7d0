"""Money: integer cents in, integer cents out, written the Dutch way."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koepel.platform.money import Money, MoneyError, total


@pytest.mark.parametrize("text, cents", [
    ("12,50", 1250), ("12,5", 1250), ("€ 1.234,56", 123456), ("1234.56", 123456), ("12.50", 1250),
    ("3", 300), ("-7,00", -700), ("1.000", 100000), ("0,01", 1),
])
def test_amounts_are_parsed_as_people_write_them(text, cents):
    assert Money.parse(text).cents == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,2,3", "12.5.0", "--3", "1e3"])
def test_text_that_is_no_amount_is_refused(text):
    with pytest.raises(MoneyError):
        Money.parse(text)


def test_only_integer_cents():
    with pytest.raises(TypeError):
        Money(12.5)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_format_and_parse_round_trip(cents):
    assert Money.parse(Money(cents).format()) == Money(cents)


def test_shares_round_half_away_from_zero():
    assert Money(1001).share(5000) == Money(501)  # 50% of 10,01 = 5,005 -> 5,01
    assert Money(-1001).share(5000) == Money(-501)
    assert Money(10000).share(1250) == Money(1250)  # 12.5%


def test_arithmetic_stays_money():
    assert total([Money(100), Money(250), -Money(50)]) == Money(300)
    assert Money(5) - Money(7) == Money(-2) and not Money(0)
    with pytest.raises(TypeError):
        Money(5) + 5
