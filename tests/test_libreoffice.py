"""A second spreadsheet program opens the books we write and sees text, dates and numbers as meant."""
import csv
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from arbook.adapters.book import open_book
from arbook.model.frames import make_frame
from arbook.model.schema import CUSTOMERS, INVOICES, SHEETS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (.ci/run installs it)")


def convert(book, out_dir):
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir}/profile",
                    "--convert-to", ALL_SHEETS_CSV, "--outdir", str(out_dir), str(book)],
                   check=True, capture_output=True, timeout=120)
    stem = book.stem
    return {p.stem[len(stem) + 1:]: list(csv.reader(p.open(encoding="utf-8"))) for p in out_dir.glob(f"{stem}-*.csv")}


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_libreoffice_reads_our_writes(tmp_path, suffix):
    from arbook.adapters.book import new_book

    book = new_book(tmp_path / f"lo{suffix}")
    with open_book(book) as handle:
        handle.replace("Customers", make_frame(CUSTOMERS, [
            {"Customer ID": "C1", "Name": "=1+2", "Name Kana": "ヤマダ", "Language": "ja", "Currency": "JPY"},
            {"Customer ID": "C2", "Name": "上海华贸有限公司", "Payer Names": "@SUM(A1)", "Language": "zh", "Currency": "CNY"},
        ]))
        handle.replace("Invoices", make_frame(INVOICES, [
            {"Invoice No": "INV-1", "Customer ID": "C1", "Issue Date": date(2026, 10, 31), "Currency": "JPY",
             "Amount": Decimal("110000")}]))
    sheets = convert(book, tmp_path / "out")
    assert set(sheets) - {"xlwings.conf"} == {s.name for s in SHEETS}
    customers = sheets["Customers"]
    assert customers[1][1:3] == ["=1+2", "ヤマダ"] and customers[2][1] == "上海华贸有限公司"
    assert customers[2][3] == "@SUM(A1)"
    invoice = sheets["Invoices"][1]
    assert invoice[2] == "2026-10-31" and invoice[5] == "110000", invoice


def test_libreoffice_opens_the_month_end_book(tmp_path):
    """After the whole demo (import, match, age, ledgers added as new sheets, dashboard with charts)."""
    from arbook.cli import main

    main(["demo", "--out", str(tmp_path / "demo")])
    sheets = convert(tmp_path / "demo" / "book.xlsx", tmp_path / "out")
    assert {s.name for s in SHEETS} <= set(sheets)
    assert sum(name.startswith("Ledger ") for name in sheets) == 30
    dashboard = sheets["Dashboard"]
    assert dashboard[0][:3] == ["Section", "Currency", "Item"] and dashboard[1][0] == "Aging"
    ledger = sheets["Ledger C00001"]
    assert ledger[0][0] in ("日付", "日期", "Date") and len(ledger) > 1
