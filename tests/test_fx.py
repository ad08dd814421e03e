"""Home-currency totals from the FX Rates sheet: dated rates, exact rounding, a missing rate is one line."""
from datetime import date
from decimal import Decimal

import pytest

from arbook.domain.fx import Rates, home_columns
from arbook.model.errors import ArbookError
from arbook.model.frames import make_frame
from arbook.model.schema import AGING, CUSTOMERS, FX_RATES
from test_ledger_safety import paid_book  # noqa: F401  (fixture)

RATES = make_frame(FX_RATES, [
    {"Date": date(2026, 10, 1), "Currency": "USD", "Rate": 150.25},
    {"Date": date(2026, 11, 1), "Currency": "USD", "Rate": 151.5},
    {"Date": date(2026, 10, 1), "Currency": "CNY", "Rate": 20.755},
])


def test_the_rate_in_force_is_the_latest_on_or_before_the_date():
    rates = Rates(RATES, "JPY")
    assert rates.rate("USD", date(2026, 10, 31)) == Decimal("150.25")
    assert rates.rate("USD", date(2026, 11, 1)) == Decimal("151.5")
    assert rates.rate("JPY", date(2000, 1, 1)) == 1
    with pytest.raises(ArbookError, match=r"^FX Rates: no USD rate on or before 2026-09-30 \(add a row: Date, USD"):
        rates.rate("USD", date(2026, 9, 30))
    with pytest.raises(ArbookError, match="no EUR rate on or before 2026-10-31"):
        rates.rate("EUR", date(2026, 10, 31))
    assert Rates(make_frame(FX_RATES, []), "JPY").rate("USD", date(2026, 10, 31)) is None  # no rates: not in use


def test_home_balance_and_credit_use_across_currencies():
    customers = make_frame(CUSTOMERS, [
        {"Customer ID": "C1", "Name": "A", "Currency": "USD", "Credit Limit": Decimal("1000.00")},
        {"Customer ID": "C2", "Name": "B", "Currency": "JPY", "Credit Limit": None},
    ])
    aging = make_frame(AGING, [
        {"Customer ID": "C1", "Currency": "USD", "Net": Decimal("100.01")},
        {"Customer ID": "C1", "Currency": "CNY", "Net": Decimal("10.00")},
        {"Customer ID": None, "Currency": "USD", "Net": Decimal("100.01")},
    ])
    out, rows = home_columns(customers, aging, Rates(RATES, "JPY"), date(2026, 10, 31))
    # 100.01 x 150.25 = 15026.5025 -> 15027 (half up, once); 10.00 x 20.755 = 207.55 -> 208
    assert out["Home Balance"].tolist() == [Decimal(15235), Decimal(0)]
    assert out["Home Credit Used %"].tolist()[0] == pytest.approx(10.1)  # 15235 / (1000 x 150.25)
    assert [(r["Item"], r["Total"]) for r in rows] == [("CNY in JPY", Decimal(208)), ("USD in JPY", Decimal(15027)),
                                                       ("Total in JPY", Decimal(15235))]


def test_age_with_a_missing_rate_is_one_line_and_leaves_the_book(paid_book, tmp_path, capsys):
    from arbook.adapters.book import open_book
    from test_ledger_safety import arbook, digest

    (tmp_path / "e.csv").write_text("Invoice No,Customer ID,Issue Date,Currency,Amount\nINV-E,C2,2026-10-01,EUR,70.00\n",
                                    encoding="utf-8")
    assert arbook(capsys, "invoices", paid_book, tmp_path / "e.csv")[0] == 0
    with open_book(paid_book) as book:
        settings = book.read("Settings")
        settings.loc[settings["Key"] == "Home Currency", "Value"] = "JPY"
        book.replace("Settings", settings)
        book.replace("FX Rates", make_frame(FX_RATES, [{"Date": date(2026, 10, 1), "Currency": "USD", "Rate": 150}]))
    before = digest(paid_book)
    code, _, err = arbook(capsys, "age", paid_book, "--as-of", "2026-10-31")
    assert code == 1 and err == (f"arbook: {paid_book}: FX Rates: no EUR rate on or before 2026-10-31 "
                                 "(add a row: Date, EUR, JPY per EUR)\n")  # the book it is missing from named
    assert digest(paid_book) == before
    with open_book(paid_book) as book:
        book.replace("FX Rates", make_frame(FX_RATES, [{"Date": date(2026, 10, 1), "Currency": c, "Rate": r}
                                                       for c, r in (("USD", 150), ("EUR", 160.5))]))
    assert arbook(capsys, "age", paid_book, "--as-of", "2026-10-31")[0] == 0
    with open_book(paid_book) as book:
        homes = dict(zip(book.read("Customers")["Customer ID"], book.read("Customers")["Home Balance"]))
    # C1: USD 50.00 open x 150; C2: USD 70.00 x 150 + EUR 70.00 x 160.5
    assert homes == {"C1": Decimal(7500), "C2": Decimal(10500) + Decimal("11235")}
