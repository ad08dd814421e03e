"""Safe master-data re-imports: each refusal names the problem and leaves the book byte for byte unchanged."""
import hashlib

import pytest

from arbook.adapters.book import open_book
from arbook.model.schema import sheet as sheet_named
from arbook.cli import main

CUSTOMERS = """Customer ID,Name,Language,Currency,Terms Days,Payer Names,Currencies
C1,Acme Inc,en,USD,30,ACME,
C2,Beta Co,en,USD,30,,USD;EUR
"""
INVOICES = """Invoice No,Customer ID,Issue Date,Currency,Amount
INV-1,C1,2026-10-01,USD,100.00
INV-2,C1,2026-10-05,USD,50.00
INV-3,C2,2026-10-05,USD,70.00
"""
BANK = """Date,Amount,Currency,Payer,Memo
2026-10-20,100.00,USD,ACME INC,INV-1
"""


def arbook(capsys, *args):
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def paid_book(tmp_path, capsys):
    """A book where INV-1 (C1, USD 100) is paid by a matched bank line."""
    book = tmp_path / "b.xlsx"
    for name, text in (("c.csv", CUSTOMERS), ("i.csv", INVOICES), ("bank.csv", BANK)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    for args in (("new", book), ("customers", book, tmp_path / "c.csv"), ("invoices", book, tmp_path / "i.csv"),
                 ("import", book, tmp_path / "bank.csv"), ("match", book)):
        code, _, err = arbook(capsys, *args)
        assert code == 0, err
    return book


def refused(capsys, book, tmp_path, command, text, *extra):
    """Run ``command`` on a file holding ``text``; assert exit 1 and the book unchanged; return stderr."""
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    before = digest(book)
    code, _, err = arbook(capsys, command, book, source, *extra)
    assert code == 1, err
    assert digest(book) == before
    first, *more = err.splitlines()
    assert first.startswith("arbook: ") and all(line.startswith("  also ") for line in more)  # one error, listed
    return err


@pytest.mark.parametrize("row,field", [
    ("INV-1,C2,2026-10-01,USD,100.00", "Customer ID"),
    ("INV-1,C1,2026-10-01,USD,90.00", "Amount"),
])
def test_moving_money_of_an_allocated_invoice_is_refused_naming_the_allocation(paid_book, tmp_path, capsys, row, field):
    err = refused(capsys, paid_book, tmp_path, "invoices", "Invoice No,Customer ID,Issue Date,Currency,Amount\n" + row)
    assert f"in.csv:2: {field}: INV-1 has allocations (" in err and "-> INV-1 100.00 (auto)" in err
    assert "--force" in err


def test_currency_change_of_an_allocated_invoice_is_refused(paid_book, tmp_path, capsys):
    err = refused(capsys, paid_book, tmp_path, "invoices",
                  "Invoice No,Customer ID,Issue Date,Currency,Amount\nINV-3,C2,2026-10-01,EUR,70.00\n"
                  "INV-1,C1,2026-10-01,EUR,100.00\n")
    assert "in.csv:3: Currency" in err and "C1 is billed in USD, not EUR" in err


def test_force_unapplies_logs_and_frees_the_payment(paid_book, tmp_path, capsys):
    (tmp_path / "in.csv").write_text("Invoice No,Customer ID,Issue Date,Currency,Amount\nINV-1,C2,2026-10-01,USD,100.00\n",
                                     encoding="utf-8")
    code, out, err = arbook(capsys, "invoices", paid_book, tmp_path / "in.csv", "--force")
    assert code == 0, err
    assert "1 allocation(s) unapplied" in out
    with open_book(paid_book) as book:
        allocations = book.read("Allocations")
        bank = book.read("Bank")
        log = book.read("Log")
    assert allocations["Status"].tolist() == ["rejected"]
    assert bank["Status"].tolist() == ["unmatched"] and bank["Applied"].tolist() == [None]
    assert any(a == "unapply" and "INV-1 100.00" in d for a, d in zip(log["Action"], log["Details"]))


@pytest.mark.parametrize("row,message", [
    ("INV-9,C1,2026-10-01,USD,0", "Amount: 0.00 is not positive"),
    ("INV-9,C1,2026-10-01,USD,-42.00", "Amount: -42.00 is not positive"),
    ("INV-9,C1,2026-10-01,JPY,4200", "Currency: C1 is billed in USD, not JPY"),
    ("INV-9,C1,2026-10-01,USD,99999999999999999999.99", "more than 15 significant digits"),
    ("INV-9,C1,2026-10-01,USD,1.005", "more than 2 decimal places for USD"),
    ("INV-9,C1,2026-10-01,USD,,credit note,INV-404", "Amount: is required"),
    ("INV-9,C1,2026-10-01,USD,5,credit note,INV-404", "Ref: 'INV-404' is not an invoice"),
    ("INV-9,C1,2026-10-01,USD,5,credit note,INV-3", "Ref: INV-3 is C2's USD invoice, not C1's USD"),
    ("INV-9,C1,2026-10-01,USD,5,,INV-2", "Ref: only a credit or debit note names an invoice"),
])
def test_bad_invoices_are_refused(paid_book, tmp_path, capsys, row, message):
    err = refused(capsys, paid_book, tmp_path, "invoices",
                  "Invoice No,Customer ID,Issue Date,Currency,Amount,Type,Ref\n" + row + "\n")
    assert "in.csv:2: " in err and message in err


def test_second_currency_from_the_currencies_column_is_accepted(paid_book, tmp_path, capsys):
    (tmp_path / "e.csv").write_text("Invoice No,Customer ID,Issue Date,Currency,Amount\nINV-E,C2,2026-10-01,EUR,70.00\n",
                                    encoding="utf-8")
    code, out, err = arbook(capsys, "invoices", paid_book, tmp_path / "e.csv")
    assert code == 0, err and "1 added" in out


def test_a_key_differing_only_in_case_is_refused(paid_book, tmp_path, capsys):
    err = refused(capsys, paid_book, tmp_path, "invoices",
                  "Invoice No,Customer ID,Issue Date,Currency,Amount\ninv-2,C1,2026-10-05,USD,50.00\n")
    assert "in.csv:2: Invoice No: 'inv-2' differs from 'INV-2' in the book only in letter case" in err


def test_keys_are_trimmed_and_nfkc_normalised(paid_book, tmp_path, capsys):
    (tmp_path / "k.csv").write_text("Invoice No,Customer ID,Issue Date,Currency,Amount,Disputed\n"
                                    " INV-2 ,Ｃ1,2026-10-05,USD,50.00,yes\nＩＮＶ－３,C2 ,2026-10-05,USD,70.00,\n",
                                    encoding="utf-8")
    code, out, err = arbook(capsys, "invoices", paid_book, tmp_path / "k.csv")
    assert code == 0, err
    assert "0 added, 1 updated, 1 unchanged" in out
    with open_book(paid_book) as book:
        invoices = book.read("Invoices")
    assert invoices["Invoice No"].tolist() == ["INV-1", "INV-2", "INV-3"]


def test_partial_customer_file_updates_only_its_columns_and_keeps_learned_payers(paid_book, tmp_path, capsys):
    (tmp_path / "p.csv").write_text("Customer ID,Payer Names,Terms Days\n C1,ROADRUNNER SUPPLY,45\n", encoding="utf-8")
    code, out, err = arbook(capsys, "customers", paid_book, tmp_path / "p.csv")
    assert code == 0, err
    assert "0 added, 1 updated" in out
    with open_book(paid_book) as book:
        row = book.read("Customers").iloc[0]
    assert (row["Name"], row["Payer Names"], row["Terms Days"]) == ("Acme Inc", "ACME;ROADRUNNER SUPPLY", 45)


def test_new_customer_in_a_partial_file_needs_the_required_columns(paid_book, tmp_path, capsys):
    err = refused(capsys, paid_book, tmp_path, "customers", "Customer ID,Terms Days\nC9,45\n")
    assert "in.csv:2: Name: is required for a new customer" in err


def test_unknown_code_in_currencies_is_refused(paid_book, tmp_path, capsys):
    err = refused(capsys, paid_book, tmp_path, "customers", "Customer ID,Currencies\nC1,USD;XYZ\n")
    assert "in.csv:2: Currencies: 'XYZ' is not a currency code" in err


def test_negative_credit_limit_fee_deduction_or_terms_is_refused_with_the_rows_own_problems(paid_book, tmp_path,
                                                                                           capsys):
    err = refused(capsys, paid_book, tmp_path, "customers",
                  "Customer ID,Name,Credit Limit,Fee Deduction,Terms Days,Currency\nC1,,-5,-440,-30,USD\n")
    first, *more = err.splitlines()
    assert first.endswith("in.csv:2: Name: is required (and 3 more)")  # one pass: the row's own cells together
    assert sorted(line.split("in.csv:2: ")[1] for line in more) == ["Credit Limit: -5.00 is below 0",
                                                                     "Fee Deduction: -440.00 is below 0",
                                                                     "Terms Days: -30 is below 0"]


@pytest.mark.parametrize("command", [("reminders", "--out", "rem", "--as-of", "2027-02-28"),
                                     ("statements", "--out", "st", "--as-of", "2027-02-28")])
def test_reports_leave_the_stored_computed_columns_alone(paid_book, tmp_path, capsys, command):
    assert arbook(capsys, "age", paid_book, "--as-of", "2026-10-31")[0] == 0

    def computed(book):  # statements do record each client's pending confirmation (an input column)
        return {name: book.read(name)[[c.name for c in sheet_named(name).computed_columns]].to_dict("records")
                for name in ("Invoices", "Customers", "Aging", "Dashboard")}

    with open_book(paid_book) as book:
        before = computed(book)
    args = [tmp_path / a if a in ("rem", "st") else a for a in command[1:]]
    code, _, err = arbook(capsys, command[0], paid_book, *args)
    assert code == 0, err
    with open_book(paid_book) as book:
        after = computed(book)
        assert book.read("Log")["Action"].tolist()[-1] == command[0]
    assert after == before
