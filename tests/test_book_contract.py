"""The Book interface contract: every adapter (file; live where Excel runs) must pass these."""
from datetime import date
from decimal import Decimal

import pandas as pd

from arbook.model.frames import make_frame
from arbook.model.schema import CUSTOMERS, INVOICES


def _customers():
    return make_frame(CUSTOMERS, [
        {"Customer ID": "C1", "Name": "山田商事株式会社", "Name Kana": "ヤマダショウジ", "Language": "ja",
         "Currency": "JPY", "Terms Days": 30, "Credit Limit": Decimal("5000000"), "Fee Deduction": Decimal("880")},
        {"Customer ID": "C2", "Name": "上海华贸有限公司", "Language": "zh", "Currency": "CNY",
         "Credit Limit": Decimal("200000.50")},
        {"Customer ID": "C3", "Name": "=HYPERLINK(\"http://evil\")", "Payer Names": "+81 3 1234;@SUM(A1);-5",
         "Language": "en", "Currency": "USD", "Credit Limit": Decimal("0.01")},
    ])


def test_new_book_has_every_sheet_empty_but_settings(adapter):
    with adapter() as book:
        assert book.read("Customers").empty and book.read("Invoices").empty and book.read("Log").empty
        settings = book.settings()
        assert settings["Aging Buckets"] == "30,60,90,120" and settings["Language"] == "en"


def test_replace_commit_reopen_round_trips_values(adapter):
    frame = _customers()
    with adapter() as book:
        book.replace("Customers", frame)
    with adapter() as book:
        back = book.read("Customers")
    assert back.reset_index(drop=True).to_dict("records") == frame.to_dict("records")
    assert isinstance(back["Credit Limit"].iloc[1], Decimal) and back["Credit Limit"].iloc[1] == Decimal("200000.50")


def test_discard_on_error_leaves_book_unchanged(adapter):
    try:
        with adapter() as book:
            book.replace("Customers", _customers())
            book.log("test", "should vanish")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with adapter() as book:
        assert book.read("Customers").empty and book.read("Log").empty


def test_append_and_log_accumulate(adapter):
    invoices = make_frame(INVOICES, [{"Invoice No": f"INV-{i}", "Customer ID": "C1", "Issue Date": date(2026, 10, i),
                                      "Due Date": date(2026, 11, i), "Currency": "JPY", "Amount": Decimal(1000 * i),
                                      "Disputed": i == 2} for i in (1, 2)])
    with adapter() as book:
        book.append("Invoices", invoices.iloc[:1])
        book.log("first", "one")
    with adapter() as book:
        book.append("Invoices", invoices.iloc[1:])
        book.log("second", "two")
    with adapter() as book:
        back = book.read("Invoices")
        log = book.read("Log")
    assert back["Invoice No"].tolist() == ["INV-1", "INV-2"]
    assert back["Disputed"].tolist() == [False, True]
    assert back["Issue Date"].tolist() == [date(2026, 10, 1), date(2026, 10, 2)]
    assert log["Action"].tolist() == ["first", "second"]
    assert all(isinstance(t, pd.Timestamp) or hasattr(t, "hour") for t in log["Time"])


def test_replace_with_fewer_rows_leaves_no_stale_rows(adapter):
    with adapter() as book:
        book.replace("Customers", _customers())
    with adapter() as book:
        book.replace("Customers", _customers().iloc[:1])
    with adapter() as book:
        assert book.read("Customers")["Customer ID"].tolist() == ["C1"]
