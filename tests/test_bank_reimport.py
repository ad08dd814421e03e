"""Idempotency that does not depend on the mapping, and taking a file's lines back out (CLI)."""
import subprocess
import sys

from arbook.adapters.book import open_book

BANK = "Date,Amount,Who,Text\n2026-10-28,110000,ACME TRADING,INV-1\n2026-10-29,500,OTHER LTD,misc\n2026-10-29,-80,,fee\n"
CUSTOMERS = """Customer ID,Name,Name Kana,Payer Names,Email,Language,Currency,Terms Days,Credit Limit,Fee Deduction
C001,Acme Trading,,ACME TRADING,a@example.com,en,USD,30,,0
"""
INVOICES = "Invoice No,Customer ID,Issue Date,Due Date,Currency,Amount\nINV-1,C001,2026-10-01,,USD,110000\n"


def arbook(*args, ok=True):
    result = subprocess.run([sys.executable, "-m", "arbook", *map(str, args)], capture_output=True, text=True)
    assert (result.returncode == 0) == ok, result.stderr + result.stdout
    return result.stdout + result.stderr


def bank(book):
    with open_book(book) as handle:
        return handle.read("Bank")


def test_reimport_with_another_mapping_updates_the_same_lines_then_unimport(tmp_path):
    book = tmp_path / "ar.xlsx"
    path = tmp_path / "stmt.csv"
    path.write_text(BANK, encoding="utf-8")
    arbook("new", book)
    first = arbook("import", book, path, "--currency", "USD")
    assert "3 new" in first
    before = bank(book)
    assert before["Payer"].isna().all()
    again = arbook("import", book, path, "--currency", "USD", "--map", "payer=Who", "--map", "memo=Text")
    assert "0 new" in again and "3 already in the book (3 of them updated)" in again, again
    after = bank(book)
    assert list(after["Bank Ref"]) == list(before["Bank Ref"]) and len(after) == 3
    assert list(after["Payer"][:2]) == ["ACME TRADING", "OTHER LTD"]
    assert "removed 3 Bank line(s)" in arbook("unimport", book, path)
    assert bank(book).empty


def test_applied_lines_are_neither_updated_nor_unimported(tmp_path):
    book = tmp_path / "ar.xlsx"
    path = tmp_path / "stmt.csv"
    path.write_text(BANK, encoding="utf-8")
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES, encoding="utf-8")
    for args in (("new", book), ("customers", book, tmp_path / "c.csv"), ("invoices", book, tmp_path / "i.csv")):
        arbook(*args)
    arbook("import", book, path, "--currency", "USD", "--map", "payer=Who")
    assert "Matched 1 of 2" in arbook("match", book)
    held = bank(book)
    again = arbook("import", book, path, "--currency", "USD", "--map", "payer=Text")
    assert "(2 of them updated)" in again  # the two lines no allocation holds
    assert bank(book)["Payer"].iloc[0] == held["Payer"].iloc[0] == "ACME TRADING"
    refused = arbook("unimport", book, path, ok=False)
    ref = held["Bank Ref"].iloc[0]
    assert f"{ref} -> INV-1 (auto)" in refused and "arbook unmatch" in refused
    assert len(bank(book)) == 3


def test_unimport_takes_back_only_the_lines_of_that_file_when_another_bank_used_the_same_name(tmp_path):
    book = tmp_path / "ar.xlsx"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "stmt.csv", tmp_path / "b" / "stmt.csv"
    first.write_text(BANK, encoding="utf-8")
    second.write_text("Date,Amount,Who\n2026-11-02,7000,ZETA KK\n2026-11-03,800,ETA KK\n", encoding="utf-8")
    arbook("new", book)
    arbook("import", book, first, "--currency", "USD")
    arbook("import", book, second, "--currency", "USD")
    assert len(bank(book)) == 5
    assert "removed 2 Bank line(s)" in arbook("unimport", book, second)
    assert sorted(bank(book)["Amount"].astype(str)) == ["-80.00", "110000.00", "500.00"]
    first.unlink()  # the file gone: its name is all there is
    assert "removed 3 Bank line(s)" in arbook("unimport", book, first)
