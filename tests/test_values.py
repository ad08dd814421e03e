from datetime import date
from decimal import Decimal

import pytest

from arbook.model.money import MoneyError, from_minor, money, to_decimal, to_minor
from arbook.model.textparse import parse_amount, parse_bool, parse_date


@pytest.mark.parametrize("text,expected", [
    ("1,234.56", "1234.56"), ("¥1,234", "1234"), ("￥１，２３４", "1234"), ("△1,000", "-1000"),
    ("▲500", "-500"), ("(1,000)", "-1000"), ("-7,971.39", "-7971.39"), ("$-12.00", "-12.00"),
    ("+31070,11", None), ("1 234", "1234"), ("EUR 12.50", "12.50"), ("100-", "-100"),
    ("1'234.50", "1234.50"), ("12,34,567.00", "1234567.00"),  # Swiss and Indian grouping
])
def test_parse_amount(text, expected):
    if expected is None:
        assert parse_amount(text, decimal_comma=True) == Decimal("31070.11")
    else:
        assert parse_amount(text) == Decimal(expected)


def test_parse_amount_decimal_comma_and_rejects_garbage():
    assert parse_amount("1.234,56", decimal_comma=True) == Decimal("1234.56")
    for bad in ("abc", "1.2.3", "", "12a"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    for grouped_wrong in ("1,2,3", "12,3456", "1,23"):  # was read as 123, 123456, 123
        with pytest.raises(ValueError, match="grouped"):
            parse_amount(grouped_wrong)
    with pytest.raises(ValueError, match="grouped"):
        parse_amount("1.2.345,00", decimal_comma=True)


@pytest.mark.parametrize("text", ["2026-10-31", "2026/10/31", "2026.10.31", "20261031", "2026年10月31日",
                                  "R8.10.31", "令和8年10月31日", "２０２６－１０－３１", "2026-10-31 09:15:00"])
def test_parse_date_unambiguous_forms(text):
    assert parse_date(text) == date(2026, 10, 31)


def test_parse_date_rejects_impossible_and_ambiguous():
    for bad in ("2026-02-30", "31/10/2026", "next week", "R8.13.01"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)


def test_money_is_exact_and_checks_minor_units():
    assert money(0.1, "USD") + money(0.2, "USD") == Decimal("0.30")
    assert money("1234.5", "USD") == Decimal("1234.50")
    with pytest.raises(MoneyError):
        money("100.5", "JPY")
    with pytest.raises(MoneyError):
        money("1.001", "USD")
    assert money("1.001", "KWD") == Decimal("1.001")
    assert to_minor(Decimal("12.34"), "USD") == 1234
    assert from_minor(1234, "USD") == Decimal("12.34")
    assert to_decimal(1234.56) == Decimal("1234.56")
    with pytest.raises(MoneyError):
        to_decimal(float("nan"))


def test_parse_bool_languages():
    assert parse_bool("はい") and parse_bool("是") and parse_bool("TRUE") and parse_bool("x")
    assert not parse_bool("") and not parse_bool("否") and not parse_bool("no")
    with pytest.raises(ValueError):
        parse_bool("maybe")


def test_money_cells_read_fast_give_what_money_gives():
    """The reader's float shortcut gives the same Decimal (digits and sign) as ``money``, or leaves the value to it."""
    import random

    from arbook.model.frames import _exact_floats_as_money
    from arbook.model.money import money

    rng = random.Random(1)
    values = [rng.randint(-10**9, 10**9) / 100 for _ in range(5000)] + [0.1 + 0.2, 1e20, -0.0, 0.0, 12.345, 1.5]
    for currency in ("USD", "JPY", "KWD"):
        for value, fast in zip(values, _exact_floats_as_money(values, [currency] * len(values))):
            if fast is value:
                continue
            assert str(fast) == str(money(value, currency)), (value, currency)


def test_money_cells_among_other_values_and_currencies_read_fast_give_what_money_gives():
    """Floats among empty cells, texts and ints, each row in its own currency: each float as ``money`` gives it
    for that row's currency, every other value left as it is."""
    from decimal import Decimal

    from arbook.model.frames import _exact_floats_as_money
    from arbook.model.money import money

    values = [1234.5, None, "12.30", 7, 0.1 + 0.2, 1500.0, Decimal("2.50"), 0.125, 0.125, -3.0]
    currencies = ["USD", "USD", "USD", "JPY", "USD", "JPY", "USD", "KWD", "USD", "EUR"]
    fast = _exact_floats_as_money(values, currencies)
    assert [repr(v) for v in fast] == [
        "Decimal('1234.50')", "None", "'12.30'", "7", repr(0.1 + 0.2), "Decimal('1500')", "Decimal('2.50')",
        "Decimal('0.125')", "0.125", "Decimal('-3.00')"]
    for value, currency, read in zip(values, currencies, fast):
        if isinstance(read, Decimal) and isinstance(value, float):
            assert repr(read) == repr(money(value, currency))


def test_scaled_gives_what_scaleb_gives():
    """Many minor-unit amounts made at once: the same digits and exponent as ``Decimal(u).scaleb(-d)``."""
    from decimal import Decimal

    from arbook.model.money import scaled

    units = [0, 1, -1, 1234550, -99, 10**17, -(10**17) + 3, 500]
    digits = [2, 0, 3, 2, 2, 0, 3, 0]
    assert [repr(v) for v in scaled(units, digits)] == [repr(Decimal(u).scaleb(-d)) for u, d in zip(units, digits)]
    assert scaled([], []) == []
