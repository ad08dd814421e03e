"""The command line end to end: new -> customers -> invoices -> export round-trips every value."""
import csv
import subprocess
import sys

import openpyxl
import pytest

from arbook.adapters.book import open_book
from arbook.cli import main

CUSTOMERS_CSV = """Customer ID,Name,Name Kana,Payer Names,Email,Language,Currency,Terms Days,Credit Limit,Fee Deduction
C001,株式会社山田商事,ヤマダショウジ,ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ;ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,ar@yamada.example.jp,ja,JPY,30,"5,000,000",880
C002,上海华贸有限公司,,,fin@huamao.example.cn,zh,CNY,45,200000.50,0
C003,"Acme, Inc.",,ACME INC;ACME,ap@acme.example.com,EN,usd,30,10000.25,25
"""
INVOICES_CSV = """Invoice No,Customer ID,Issue Date,Due Date,Currency,Amount,Disputed
INV-1001,C001,2026-10-01,,JPY,110000,
INV-1002,C002,2026/10/05,2026-11-19,CNY,12345.67,否
INV-1003,C003,20261010,,USD,"1,999.99",yes
00042,C001,令和8年10月15日,R8.11.30,JPY,"5,000",
"""
EXPECTED_INVOICES = [
    ["INV-1001", "C001", "2026-10-01", "2026-10-31", "JPY", "110000", ""],
    ["INV-1002", "C002", "2026-10-05", "2026-11-19", "CNY", "12345.67", "FALSE"],
    ["INV-1003", "C003", "2026-10-10", "2026-11-09", "USD", "1999.99", "TRUE"],
    ["00042", "C001", "2026-10-15", "2026-11-30", "JPY", "5000", ""],
]


def run(*args):
    return subprocess.run([sys.executable, "-m", "arbook", *map(str, args)], capture_output=True, text=True)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_done_criterion_round_trip(tmp_path):
    book = tmp_path / "b.xlsx"
    (tmp_path / "c.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (tmp_path / "i.csv").write_text(INVOICES_CSV, encoding="utf-8")
    for args in (("new", book), ("customers", book, tmp_path / "c.csv"), ("invoices", book, tmp_path / "i.csv"),
                 ("export", book, "Invoices", tmp_path / "out.csv"), ("export", book, "customers", tmp_path / "cout.csv")):
        result = run(*args)
        assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out.csv")
    assert rows[0][:7] == ["Invoice No", "Customer ID", "Issue Date", "Due Date", "Currency", "Amount", "Disputed"]
    assert [r[:7] for r in rows[1:]] == EXPECTED_INVOICES
    customers = read_csv(tmp_path / "cout.csv")
    assert customers[1][:10] == ["C001", "株式会社山田商事", "ヤマダショウジ", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ;ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ",
                                 "ar@yamada.example.jp", "ja", "JPY", "30", "5000000", "880"]
    assert customers[2][1] == "上海华贸有限公司" and customers[2][8] == "200000.50"
    assert customers[3][1:2] + customers[3][5:7] == ["Acme, Inc.", "en", "USD"]
    # the exported file re-imports unchanged (computed columns are skipped)
    again = run("invoices", book, tmp_path / "out.csv")
    assert again.returncode == 0 and "0 added, 0 updated, 4 unchanged" in again.stdout
    # Excel sees real dates and numbers, not text
    ws = openpyxl.load_workbook(book)["Invoices"]
    assert ws["C2"].is_date and ws["F3"].value == pytest.approx(12345.67) and ws["F3"].data_type == "n"


@pytest.mark.parametrize("encoding,rows", [
    ("cp932", "C9,株式会社ｻﾄｳ製作所,サトウセイサクショ,,,ja,JPY,30,1000000,660\n"),
    ("gb18030", "C9,深圳市腾达电子有限公司,,,,zh,CNY,45,300000,0\n"),
    ("utf-8-sig", "C9,Café Rémy SARL,,,,en,EUR,30,5000,0\n"),
])
def test_customers_in_any_common_encoding(tmp_path, encoding, rows):
    book = tmp_path / "b.xlsx"
    header = CUSTOMERS_CSV.splitlines()[0] + "\n"
    (tmp_path / "c.csv").write_bytes((header + rows).encode(encoding))
    assert run("new", book).returncode == 0
    assert run("customers", book, tmp_path / "c.csv").returncode == 0
    assert run("export", book, "Customers", tmp_path / "o.csv").returncode == 0
    assert read_csv(tmp_path / "o.csv")[1][1] == rows.split(",")[1]


def test_customers_from_xlsx_and_tsv(tmp_path):
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    for line in csv.reader(CUSTOMERS_CSV.splitlines()):
        wb.active.append([int(v) if v.isdigit() else v for v in line])
    wb.save(tmp_path / "c.xlsx")
    (tmp_path / "c.tsv").write_text(CUSTOMERS_CSV.replace(",", "\t").replace('"5\t000\t000"', "5000000")
                                    .replace('"Acme\t Inc."', "Acme Inc."), encoding="utf-8")
    assert run("new", book).returncode == 0
    result = run("customers", book, tmp_path / "c.xlsx")
    assert result.returncode == 0, result.stderr
    assert "3 added" in result.stdout
    result = run("customers", book, tmp_path / "c.tsv")
    assert result.returncode == 0, result.stderr
    assert "1 updated, 2 unchanged" in result.stdout  # only the name differs


@pytest.mark.parametrize("content,message", [
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\nX1,C001,2026-13-01,JPY,100\n",
     "i.csv:2: Issue Date: not a calendar date: '2026-13-01'"),
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\nX1,C001,2026-10-01,JPY,100\nX2,C001,2026-10-01,JPY,12.5\n",
     "i.csv:3: Amount: 12.5 has more than 0 decimal places for JPY"),
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\nX1,NOPE,2026-10-01,JPY,100\n",
     "i.csv:2: Customer ID: 'NOPE' (invoice X1) is not on the Customers sheet"),
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\nX1,C001,2026-10-01,JPY,100\nX1,C001,2026-10-02,JPY,5\n",
     "i.csv:3: Invoice No: 'X1' repeats line 2"),
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\n\n\nX1,C001,2026-10-01,XXX,100\n",
     "i.csv:4: Currency: 'XXX' is not one of"),
    ("Invoice No,Customer,Issue Date,Currency,Amount\nX1,C001,2026-10-01,JPY,100\n",
     "i.csv:1: Customer: unknown column for Invoices"),
    ("", "i.csv:1: the file is empty"),
    ("Invoice No,Customer ID,Issue Date,Currency,Amount\nX1,C001,2026-10-01,JPY,\n", "i.csv:2: Amount: is required"),
])
def test_bad_rows_give_one_line_and_leave_the_book_untouched(tmp_path, capsys, content, message):
    book = tmp_path / "b.xlsx"
    (tmp_path / "c.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    main(["new", str(book)])
    main(["customers", str(book), str(tmp_path / "c.csv")])
    before = book.read_bytes()
    (tmp_path / "i.csv").write_text(content, encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["invoices", str(book), str(tmp_path / "i.csv")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert message in err
    assert book.read_bytes() == before


def test_several_bad_rows_are_each_listed_under_the_one_line_error(tmp_path, capsys, monkeypatch):
    book = tmp_path / "b.xlsx"
    (tmp_path / "c.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    main(["new", str(book)])
    main(["customers", str(book), str(tmp_path / "c.csv")])
    rows = "".join(f"X{n},C001,2026-10-01,JPY,\n" for n in range(1, 5))  # four invoices without an Amount
    (tmp_path / "i.csv").write_text("Invoice No,Customer ID,Issue Date,Currency,Amount\n" + rows, encoding="utf-8")
    monkeypatch.setattr("arbook.cli.LISTED", 2)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["invoices", str(book), str(tmp_path / "i.csv")])
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("i.csv:2: Amount: is required (and 3 more)")
    assert err[1:] == [f"  also {tmp_path / 'i.csv'}:3: Amount: is required",
                       f"  also {tmp_path / 'i.csv'}:4: Amount: is required", "  ... 1 more not shown"]


def test_locked_book_and_unknown_sheet_are_one_line_errors(tmp_path, capsys):
    book = tmp_path / "b.xlsx"
    main(["new", str(book)])
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(book), "Nope", str(tmp_path / "x.csv")])
    assert exit_info.value.code == 1 and "unknown sheet 'Nope'" in capsys.readouterr().err
    (tmp_path / "~$b.xlsx").write_text("x")
    with pytest.raises(SystemExit):
        main(["export", str(book), "Invoices", str(tmp_path / "x.csv")])
    assert "open in Excel" in capsys.readouterr().err


def test_new_refuses_to_overwrite(tmp_path, capsys):
    book = tmp_path / "b.xlsm"
    main(["new", str(book)])
    with pytest.raises(SystemExit):
        main(["new", str(book)])
    assert "already exists" in capsys.readouterr().err


def test_demo_runs_on_the_sample(tmp_path):
    result = run("demo", "--out", tmp_path / "demo")
    assert result.returncode == 0, result.stderr
    assert "Customers: 30" in result.stdout and "Invoices: 1" in result.stdout
    assert (tmp_path / "demo" / "book.xlsx").is_file()


def test_schema_command_prints_every_sheet():
    result = run("schema")
    assert result.returncode == 0
    for name in ("Customers", "Invoices", "Bank", "Allocations", "Settings", "Log"):
        assert name in result.stdout


def test_export_never_hands_a_spreadsheet_a_formula_and_reimports_unchanged(tmp_path):
    book = tmp_path / "b.xlsx"
    risky = ['=HYPERLINK("http://evil","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tx"]
    rows = "".join(f'C{n},"{name.replace(chr(34), chr(34) * 2)}",ja,JPY\n' for n, name in enumerate(risky))
    (tmp_path / "c.csv").write_text("Customer ID,Name,Language,Currency\n" + rows, encoding="utf-8")
    for args in (("new", book), ("customers", book, tmp_path / "c.csv"), ("export", book, "Customers", tmp_path / "o.csv")):
        assert run(*args).returncode == 0
    names = [row[1] for row in read_csv(tmp_path / "o.csv")[1:]]
    assert names == ["'" + name for name in risky]  # Excel and LibreOffice show these as text
    again = run("customers", book, tmp_path / "o.csv")  # the export imports back as the same names
    assert again.returncode == 0 and "unchanged" in again.stdout
    with open_book(book) as handle:
        assert list(handle.read("Customers")["Name"]) == risky
