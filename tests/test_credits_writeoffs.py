"""Credit notes, write-offs and refunds end to end through the CLI: allocations with their rules,
the balance they leave, the Write-offs sheet, reversal, and the refusals leaving the book unchanged."""
from decimal import Decimal

import pytest

from arbook.adapters.book import open_book
from arbook.domain.credits import (BAD_DEBT_RULE, CREDIT_BALANCE_RULE, CREDIT_OLDEST_RULE, CREDIT_REF_RULE,
                                   REFUND_RULE, SMALL_WRITEOFF_RULE)
from test_ledger_safety import arbook, digest, paid_book, refused  # noqa: F401  (fixture)

HEADER = "Invoice No,Customer ID,Issue Date,Currency,Amount,Type,Ref\n"


def rows(book, sheet="Allocations"):
    with open_book(book) as handle:
        return handle.read(sheet).to_dict("records")


def load(capsys, book, tmp_path, text, *extra):
    (tmp_path / "x.csv").write_text(HEADER + text, encoding="utf-8")
    code, out, err = arbook(capsys, "invoices", book, tmp_path / "x.csv", *extra)
    assert code == 0, err
    return out


def test_credit_note_goes_to_its_ref_then_oldest_then_stays_a_credit(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "INV-5,C1,2026-09-01,USD,30.00,,\nCN-1,C1,2026-10-10,USD,100.00,credit note,INV-2\n")
    made = [(r["Bank Ref"], r["Invoice No"], r["Applied Amount"], r["Rule"]) for r in rows(paid_book)
            if r["Bank Ref"] == "CN-1"]
    assert made == [("CN-1", "INV-2", Decimal("50.00"), CREDIT_REF_RULE),
                    ("CN-1", "INV-5", Decimal("30.00"), CREDIT_OLDEST_RULE),
                    ("CN-1", None, Decimal("20.00"), CREDIT_BALANCE_RULE)]
    # a later invoice takes the credit left (and the balance row is restated, not duplicated)
    load(capsys, paid_book, tmp_path, "INV-6,C1,2026-11-01,USD,15.00,,\n")
    made = [(r["Invoice No"], r["Applied Amount"], r["Rule"]) for r in rows(paid_book) if r["Bank Ref"] == "CN-1"]
    assert made[2:] == [("INV-6", Decimal("15.00"), CREDIT_OLDEST_RULE), (None, Decimal("5.00"), CREDIT_BALANCE_RULE)]
    with open_book(paid_book) as book:
        log = book.read("Log")
    assert any(a == "credit note" and "CN-1 -> INV-2 50.00" in d for a, d in zip(log["Action"], log["Details"]))


def test_credit_notes_policy_balance_keeps_the_credit(paid_book, tmp_path, capsys):
    with open_book(paid_book) as book:
        settings = book.read("Settings")
        settings.loc[settings["Key"] == "Credit Notes", "Value"] = "balance"
        book.replace("Settings", settings)
    load(capsys, paid_book, tmp_path, "CN-2,C1,2026-10-10,USD,10.00,credit note,\n")
    assert [(r["Invoice No"], r["Rule"]) for r in rows(paid_book) if r["Bank Ref"] == "CN-2"] == [
        (None, CREDIT_BALANCE_RULE)]


def test_changing_an_applied_credit_note_is_refused(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,10.00,credit note,INV-2\n")
    err = refused(capsys, paid_book, tmp_path, "invoices", HEADER + "CN-1,C1,2026-10-10,USD,12.00,credit note,INV-2\n")
    assert "Amount: CN-1 has allocations (CN-1 -> INV-2 10.00 (auto))" in err
    out = load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,12.00,credit note,INV-2\n", "--force")
    assert "1 allocation(s) unapplied" in out
    live = [(r["Invoice No"], r["Applied Amount"]) for r in rows(paid_book)
            if r["Bank Ref"] == "CN-1" and r["Status"] == "auto"]
    assert live == [("INV-2", Decimal("12.00"))]


def test_small_and_bad_debt_writeoffs_are_listed_and_reversible(paid_book, tmp_path, capsys):
    (tmp_path / "p.csv").write_text("Date,Amount,Currency,Payer,Memo\n2026-10-21,45.00,USD,ACME INC,INV-2\n",
                                    encoding="utf-8")
    assert arbook(capsys, "import", paid_book, tmp_path / "p.csv")[0] == 0
    ref = next(r["Bank Ref"] for r in rows(paid_book, "Bank") if r["Amount"] == Decimal("45.00"))
    assert arbook(capsys, "apply", paid_book, ref, "INV-2=45.00")[0] == 0  # INV-2 part paid: 5.00 left
    code, out, err = arbook(capsys, "writeoff", paid_book, "--date", "2026-11-30")
    assert code == 0, err
    assert out.strip() == "WO-20261130-1: wrote off 1 invoice(s), USD 5.00"
    code, out, _ = arbook(capsys, "writeoff", paid_book, "--invoice", "INV-3", "--reason", "customer bankrupt", "--date", "2026-11-30")
    assert out.strip() == "WO-20261130-2: wrote off 1 invoice(s), USD 70.00"
    offs = [(r["Bank Ref"], r["Invoice No"], r["Applied Amount"], r["Rule"], r["Account"]) for r in rows(paid_book)
            if r["Bank Ref"].startswith("WO-")]
    assert offs == [("WO-20261130-1", "INV-2", Decimal("5.00"), SMALL_WRITEOFF_RULE, "Small differences"),
                    ("WO-20261130-2", "INV-3", Decimal("70.00"), BAD_DEBT_RULE, "Bad debts")]
    import openpyxl

    listed = [list(r) for r in openpyxl.load_workbook(paid_book)["Write-offs"].iter_rows(values_only=True)]
    assert listed[0][:3] == ["Date", "Write-off", "Invoice No"]
    assert [(r[1], r[2], r[5], r[9]) for r in listed[1:]] == [("WO-20261130-1", "INV-2", 5, "in force"),
                                                             ("WO-20261130-2", "INV-3", 70, "in force")]
    code, out, _ = arbook(capsys, "writeoff", paid_book, "--reverse", "WO-20261130-2")
    assert code == 0 and "reversed 1 write-off row(s)" in out
    assert [r["Status"] for r in rows(paid_book) if r["Bank Ref"] == "WO-20261130-2"] == ["rejected"]


@pytest.mark.parametrize("args,message", [
    (("--invoice", "INV-3"), "a bad-debt write-off needs --reason"),
    (("--invoice", "INV-404", "--reason", "x"), "no such invoice: INV-404"),
    (("--invoice", "INV-1", "--reason", "x"), "nothing left open to write off on INV-1"),  # paid by the bank
    (("--reverse", "WO-1"), "'WO-1' is not a write-off in force"),
])
def test_writeoff_refusals_leave_the_book_unchanged(paid_book, capsys, args, message):
    before = digest(paid_book)
    code, _, err = arbook(capsys, "writeoff", paid_book, *args)
    assert code == 1 and message in err and digest(paid_book) == before


def test_refund_of_a_credit_note_closes_the_credit(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,80.00,credit note,INV-2\n")
    (tmp_path / "r.csv").write_text("Date,Amount,Currency,Payer,Memo\n2026-10-25,-30.00,USD,ACME INC,refund\n",
                                    encoding="utf-8")
    assert arbook(capsys, "import", paid_book, tmp_path / "r.csv")[0] == 0
    code, out, err = arbook(capsys, "refunds", paid_book)
    assert code == 0 and "1 refund(s) suggested" in out and "refund of CN-1 to C1 30.00" in out, err
    assert [r["Rule"] for r in rows(paid_book) if r["Bank Ref"] == "CN-1"][-1] == CREDIT_BALANCE_RULE
    code, out, _ = arbook(capsys, "refunds", paid_book, "--confirm")
    assert "1 refund(s) confirmed" in out
    refunds = [(r["Invoice No"], r["Applied Amount"], r["Status"]) for r in rows(paid_book) if r["Rule"] == REFUND_RULE]
    assert refunds == [("CN-1", Decimal("30.00"), "confirmed")]
    assert not [r for r in rows(paid_book) if r["Bank Ref"] == "CN-1" and r["Rule"] == CREDIT_BALANCE_RULE]
    assert [r["Status"] for r in rows(paid_book, "Bank") if r["Amount"] < 0] == ["matched"]


def aged(capsys, book):
    assert arbook(capsys, "age", book, "--as-of", "2026-12-31")[0] == 0
    with open_book(book) as handle:
        customers = {r["Customer ID"]: r for r in handle.read("Customers").to_dict("records")}
        invoices = {r["Invoice No"]: r for r in handle.read("Invoices").to_dict("records")}
    return customers, invoices


def test_credit_note_and_its_refund_in_balances_aging_and_the_ledger(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,80.00,credit note,INV-2\n")
    customers, invoices = aged(capsys, paid_book)
    assert (invoices["INV-2"]["Status"], invoices["INV-2"]["Open"]) == ("paid", Decimal("0.00"))
    assert (invoices["CN-1"]["Applied"], invoices["CN-1"]["Open"], invoices["CN-1"]["Status"]) == (
        Decimal("50.00"), Decimal("-30.00"), "open")
    assert (customers["C1"]["Balance"], customers["C1"]["Unapplied"]) == (Decimal("-30.00"), Decimal("30.00"))
    (tmp_path / "r.csv").write_text("Date,Amount,Currency,Payer,Memo\n2026-10-25,-30.00,USD,ACME INC,CN-1\n",
                                    encoding="utf-8")
    for args in (("import", paid_book, tmp_path / "r.csv"), ("refunds", paid_book, "--confirm"),
                 ("ledger", paid_book, "--customer", "C1")):
        code, _, err = arbook(capsys, *args)
        assert code == 0, err
    customers, invoices = aged(capsys, paid_book)
    assert customers["C1"]["Balance"] == 0 and invoices["CN-1"]["Status"] == "paid"
    import openpyxl

    ledger = [r for r in openpyxl.load_workbook(paid_book)["Ledger C1"].iter_rows(values_only=True)][1:]
    assert [(r[1], r[2].split()[0], r[4], r[5], r[6]) for r in ledger] == [
        ("INV-1", "Invoice", 100, None, 100), ("INV-2", "Invoice", 50, None, 150),
        ("CN-1", "Credit", None, 80, 70), (ledger[3][1], "Payment", None, 100, -30),
        (ledger[4][1], "Refund", 30, None, 0)]


def test_bad_debt_write_off_clears_the_balance_and_reversal_brings_it_back(paid_book, capsys):
    assert arbook(capsys, "writeoff", paid_book, "--invoice", "INV-3", "--reason", "bankrupt", "--date", "2026-11-30")[0] == 0
    customers, invoices = aged(capsys, paid_book)
    assert customers["C2"]["Balance"] == 0 and invoices["INV-3"]["Status"] == "paid"
    assert customers["C2"]["Last Payment"] is None  # a write-off is no payment
    assert arbook(capsys, "writeoff", paid_book, "--reverse", "WO-20261130-1")[0] == 0
    customers, invoices = aged(capsys, paid_book)
    assert customers["C2"]["Balance"] == Decimal("70.00") and invoices["INV-3"]["Status"] == "open"


def test_demo_shows_a_credit_note_a_refund_and_a_small_write_off(tmp_path):
    from arbook.services.demo import run_demo

    lines = run_demo(tmp_path / "demo")
    assert any(l.startswith("Credit note: CN-0001 ") and "(credit note to its invoice)" in l for l in lines)
    assert any(l.startswith("Refund: ") and "refund of " in l for l in lines)
    assert "Write-off: WO-20261116-1: wrote off 1 invoice(s), JPY 50" in lines
    assert any(l.startswith("Home currency: ") and "Total in JPY" in l for l in lines)


def test_moving_a_credit_note_to_another_invoice_is_refused_then_forced(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "INV-5,C1,2026-10-06,USD,30.00,,\nCN-1,C1,2026-10-10,USD,10.00,credit note,INV-2\n")
    err = refused(capsys, paid_book, tmp_path, "invoices", HEADER + "CN-1,C1,2026-10-10,USD,10.00,credit note,INV-5\n")
    assert "Ref: CN-1 has allocations (CN-1 -> INV-2 10.00 (auto))" in err
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,10.00,credit note,INV-5\n", "--force")
    live = [(r["Invoice No"], r["Rule"]) for r in rows(paid_book) if r["Bank Ref"] == "CN-1" and r["Status"] == "auto"]
    assert live == [("INV-5", CREDIT_REF_RULE)]


def test_match_proposes_a_refund_on_review_and_confirm_accepts_or_rejects_it(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,80.00,credit note,INV-2\n")
    (tmp_path / "r.csv").write_text("Date,Amount,Currency,Payer,Memo\n2026-10-25,-30.00,USD,ACME INC,返金\n",
                                    encoding="utf-8")
    for args in (("import", paid_book, tmp_path / "r.csv"), ("match", paid_book)):
        assert arbook(capsys, *args)[0] == 0
    review = rows(paid_book, "Review")
    assert [(r["Invoices"], r["Applied"], r["Rule"]) for r in review] == [("CN-1", Decimal("30.00"), REFUND_RULE)]
    with open_book(paid_book) as book:
        frame = book.read("Review")
        frame["Accept"] = ["no"]
        book.replace("Review", frame)
    assert arbook(capsys, "confirm", paid_book)[0] == 0
    assert arbook(capsys, "match", paid_book)[0] == 0
    assert rows(paid_book, "Review") == []  # declined: not proposed again
    code, out, _ = arbook(capsys, "refunds", paid_book)
    assert "0 refund(s) suggested" in out


def test_confirming_a_refund_through_review_closes_the_credit(paid_book, tmp_path, capsys):
    load(capsys, paid_book, tmp_path, "CN-1,C1,2026-10-10,USD,80.00,credit note,INV-2\n")
    (tmp_path / "r.csv").write_text("Date,Amount,Currency,Payer,Memo\n2026-10-25,-30.00,USD,ACME INC,refund CN-1\n",
                                    encoding="utf-8")
    for args in (("import", paid_book, tmp_path / "r.csv"), ("match", paid_book)):
        assert arbook(capsys, *args)[0] == 0
    with open_book(paid_book) as book:
        frame = book.read("Review")
        frame["Accept"] = ["yes"]
        book.replace("Review", frame)
    code, out, err = arbook(capsys, "confirm", paid_book)
    assert code == 0 and out.startswith("1 proposals confirmed"), err
    assert [(r["Status"], r["Rule"]) for r in rows(paid_book) if r["Rule"] == REFUND_RULE] == [("confirmed", REFUND_RULE)]
    customers, invoices = aged(capsys, paid_book)
    assert customers["C1"]["Balance"] == 0 and invoices["CN-1"]["Status"] == "paid"
