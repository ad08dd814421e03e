"""Bank charges, overpayments and unknown payers through the CLI: `arbook match` on a real book."""
from datetime import date
from decimal import Decimal as D

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.domain.matching.engine import open_items
from arbook.model.frames import make_frame
from arbook.model.schema import BANK, CUSTOMERS, INVOICES


def test_match_closes_an_invoice_paid_short_by_a_transfer_fee_and_suggests_an_unknown_payer(book_path, capsys):
    with open_book(book_path) as book:
        book.replace("Customers", make_frame(CUSTOMERS, [
            {"Customer ID": "C1", "Name": "株式会社山田商事", "Name Kana": "ヤマダショウジ", "Language": "ja",
             "Currency": "JPY", "Fee Deduction": D(0)},
            {"Customer ID": "C2", "Name": "株式会社佐藤製作所", "Name Kana": "サトウセイサクショ", "Language": "ja",
             "Currency": "JPY"}]))
        book.replace("Invoices", make_frame(INVOICES, [
            {"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, 9, 1), "Due Date": date(2026, 10, 31),
             "Currency": "JPY", "Amount": D(a)}
            for n, c, a in (("INV-1", "C1", 216000), ("INV-2", "C1", 54000), ("INV-3", "C2", 88000))]))
        book.replace("Bank", make_frame(BANK, [
            {"Bank Ref": ref, "Date": date(2026, 11, 2), "Amount": D(a), "Currency": "JPY", "Payer": payer,
             "Memo": memo, "Status": "new"}
            for ref, a, payer, memo in (("B1", 215568, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1"),  # less 432 (400 + 8% tax)
                                        ("B2", 53329, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", ""),        # less 671: no bank fee
                                        ("B3", 87450, "ﾀﾅｶ ｲﾁﾛｳ", ""))]))  # INV-3 less 550
    assert main(["match", str(book_path)]) in (None, 0)
    capsys.readouterr()
    with open_book(book_path) as book:
        allocations = book.read("Allocations")
        invoices = book.read("Invoices")
        review = book.read("Review")
    b1 = allocations[allocations["Bank Ref"] == "B1"]
    assert set(b1["Status"]) == {"auto"}
    assert sorted(zip(b1["Rule"], b1["Applied Amount"])) == [("bank fee", D(-432)), ("invoice no + amount - fee",
                                                                                      D(216000))]
    assert "JPY 432" in b1["Reason"].iloc[0] and "振込手数料" in b1["Reason"].iloc[0]
    assert "INV-1" not in open_items(invoices, allocations)  # closed, not left open with a 432 yen stub
    b2 = review[review["Bank Ref"] == "B2"]
    assert not b2.empty and b2["Fee"].isna().all() and allocations.loc[
        allocations["Bank Ref"] == "B2", "Status"].eq("suggested").all()
    b3 = review[review["Bank Ref"] == "B3"]
    assert list(b3["Customer ID"]) == ["C2"] and list(b3["Rule"]) == ["payer not a client, amount"]
    assert b3["Reason"].iloc[0].startswith("payer not a client; amount equals 株式会社佐藤製作所's open invoice INV-3")
    assert b3["Fee"].iloc[0] == D(550)
