"""match / confirm / unmatch on a book file: review decisions, learning payer names, the log."""
from datetime import date
from decimal import Decimal as D

import pytest

from arbook.adapters.book import open_book
from arbook.model.frames import make_frame
from arbook.services.cashapp import confirm_book, match_book, unmatch_book
from arbook.cli import main
from arbook.model.errors import ArbookError, InputError
from arbook.model.schema import BANK, CUSTOMERS, INVOICES


@pytest.fixture
def ar_book(book_path):
    with open_book(book_path) as book:
        book.replace("Customers", make_frame(CUSTOMERS, [
            {"Customer ID": "C1", "Name": "株式会社山田商事", "Name Kana": "ヤマダショウジ", "Language": "ja",
             "Currency": "JPY"},
            {"Customer ID": "C2", "Name": "株式会社佐藤製作所", "Name Kana": "サトウセイサクショ", "Language": "ja",
             "Currency": "JPY"}]))
        book.replace("Invoices", make_frame(INVOICES, [
            {"Invoice No": f"INV-{n}", "Customer ID": c, "Issue Date": date(2026, 9, n % 28 + 1),
             "Due Date": date(2026, 10, n % 28 + 1), "Currency": "JPY", "Amount": D(a)}
            for n, c, a in ((1, "C1", 11000), (2, "C2", 22000), (3, "C2", 11000))]))
        book.replace("Bank", make_frame(BANK, [
            {"Bank Ref": "B1", "Date": date(2026, 10, 30), "Amount": D(11000), "Currency": "JPY",
             "Payer": "ﾅｿﾞﾉｼﾊﾗｲﾆﾝ", "Status": "new"},
            {"Bank Ref": "B2", "Date": date(2026, 10, 31), "Amount": D(22000), "Currency": "JPY",
             "Payer": "ｻﾄｳｾｲｻｸｼﾖ", "Status": "new"}]))
    return book_path


def decide(path, **accept):
    with open_book(path) as book:
        review = book.read("Review")
        review["Accept"] = [accept.get(tag.replace("#", "_")) for tag in review["Proposal"]]
        book.replace("Review", review)


def test_suggest_confirm_learn_then_match_next_month_automatically(ar_book):
    with open_book(ar_book) as book:
        result = match_book(book)
    assert (result.auto, result.suggested) == (1, 1)
    with open_book(ar_book) as book:
        review = book.read("Review")
    assert set(review["Invoices"]) == {"INV-1", "INV-3"}  # 11,000 at two clients, payer unknown
    tag = review.loc[review["Invoices"] == "INV-1", "Proposal"].iloc[0]
    decide(ar_book, **{tag.replace("#", "_"): "yes"})
    with open_book(ar_book) as book:
        outcome = confirm_book(book)
    assert (outcome.confirmed, outcome.learned) == (1, 1)
    with open_book(ar_book) as book:
        allocations = book.read("Allocations")
        customers = book.read("Customers").set_index("Customer ID")
        bank = book.read("Bank").set_index("Bank Ref")
        log = book.read("Log")
        assert book.read("Review").empty
    b1 = allocations[allocations["Bank Ref"] == "B1"]
    assert sorted(b1["Status"]) == ["confirmed", "rejected"] and bank.loc["B1", "Status"] == "matched"
    assert customers.loc["C1", "Paid By"] == "ﾅｿﾞﾉｼﾊﾗｲﾆﾝ" and customers.loc["C1", "Payer Names"] is None  # a third party
    assert {"match", "confirm", "learn"} <= set(log["Action"])
    # next month the same payer pays again: matched automatically now
    with open_book(ar_book) as book:
        invoices = book.read("Invoices")
        invoices.loc[len(invoices) + 2] = {**invoices.iloc[0].to_dict(), "Invoice No": "INV-9", "Issue Date": date(2026, 10, 1)}
        book.replace("Invoices", invoices)
        bank = book.read("Bank")
        bank.loc[len(bank) + 2] = {**bank.iloc[0].to_dict(), "Bank Ref": "B3", "Date": date(2026, 11, 30),
                                   "Status": "new", "Applied": None, "Unapplied": None}
        book.replace("Bank", bank)
        assert match_book(book).auto == 1


@pytest.mark.parametrize("yes, no", [("はい", "いいえ"), ("是", "否"), ("Y", "n")])
def test_accept_may_be_typed_in_japanese_chinese_or_as_a_letter(ar_book, yes, no):
    with open_book(ar_book) as book:
        match_book(book)
    with open_book(ar_book) as book:
        review = book.read("Review")
    first, second = review.sort_values("Invoices")["Proposal"].tolist()
    decide(ar_book, **{first.replace("#", "_"): yes, second.replace("#", "_"): no})
    with open_book(ar_book) as book:
        outcome = confirm_book(book)
    assert (outcome.confirmed, outcome.rejected) == (1, 1)


def test_two_accepted_proposals_for_one_payment_are_refused(ar_book):
    with open_book(ar_book) as book:
        match_book(book)
    with open_book(ar_book) as book:
        tags = book.read("Review")["Proposal"].tolist()
    decide(ar_book, **{t.replace("#", "_"): "yes" for t in tags})
    before = ar_book.read_bytes()
    with pytest.raises(InputError, match="already accepted on line 2"), open_book(ar_book) as book:
        confirm_book(book)
    assert ar_book.read_bytes() == before


def test_reject_keeps_it_out_of_later_runs(ar_book):
    with open_book(ar_book) as book:
        match_book(book)
    with open_book(ar_book) as book:
        tags = book.read("Review")["Proposal"].tolist()
    decide(ar_book, **{t.replace("#", "_"): "no" for t in tags})
    with open_book(ar_book) as book:
        assert confirm_book(book).rejected == 2
    with open_book(ar_book) as book:
        result = match_book(book)
        assert result.suggested == 0 and result.unmatched == 1
        assert book.read("Bank").set_index("Bank Ref").loc["B1", "Status"] == "unmatched"


def test_unmatch_reverses_and_logs(ar_book, capsys):
    main(["match", str(ar_book)])
    assert "Matched 1 of 2 credits automatically; 1 to review" in capsys.readouterr().out
    main(["unmatch", str(ar_book), "B2"])
    with open_book(ar_book) as book:
        allocations = book.read("Allocations")
        assert set(allocations.loc[allocations["Bank Ref"] == "B2", "Status"]) == {"rejected"}
        assert book.read("Bank").set_index("Bank Ref").loc["B2", "Status"] == "unmatched"
        assert book.read("Log")["Action"].iloc[-1] == "unmatch"
        with pytest.raises(ArbookError, match="no auto or confirmed allocation"):
            unmatch_book(book, "B2")
