import re
"""Customer ledger sheets (added to and rewritten in the book) and the Dashboard with its charts."""
import shutil
import zipfile
from datetime import date
from decimal import Decimal as D

from python_calamine import CalamineWorkbook

from arbook.adapters.book import open_book
from arbook.model.frames import make_frame
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES
from arbook.domain.ledger import AccountRows, ledger_report
from arbook.model.schema import ALLOCATIONS, BANK, INVOICES


def test_ledger_rows_fee_and_running_balance():
    invoices = make_frame(INVOICES, [
        {"Invoice No": "I1", "Customer ID": "C1", "Issue Date": date(2026, 9, 1), "Currency": "JPY", "Amount": D(110000)},
        {"Invoice No": "I2", "Customer ID": "C1", "Issue Date": date(2026, 10, 1), "Currency": "JPY", "Amount": D(55000)},
        {"Invoice No": "X", "Customer ID": "C2", "Issue Date": date(2026, 10, 1), "Currency": "JPY", "Amount": D(9)}])
    bank = make_frame(BANK, [{"Bank Ref": "B1", "Date": date(2026, 9, 30), "Amount": D(109120), "Currency": "JPY",
                              "Payer": "ﾔﾏﾀﾞ"}])
    allocations = make_frame(ALLOCATIONS, [
        {"Bank Ref": "B1", "Invoice No": "I1", "Customer ID": "C1", "Applied Amount": D(110000), "Status": "auto",
         "Rule": "name + amount - fee"},
        {"Bank Ref": "B1", "Invoice No": None, "Customer ID": "C1", "Applied Amount": D(-880), "Status": "auto",
         "Rule": "bank fee"}])
    report = ledger_report({"Customer ID": "C1", "Language": "en"}, AccountRows.of(invoices, allocations, bank))
    assert report.name == "Ledger C1" and report.headers[4:] == ["Debit", "Credit", "Balance"]
    assert [r[1:] for r in report.rows] == [
        ["I1", "Invoice", "JPY", D(110000), None, D(110000)],
        ["B1", "Payment ﾔﾏﾀﾞ (I1)", "JPY", None, D(109120), D(880)],  # the invoices it settled
        ["B1", "Bank fee deducted", "JPY", None, D(880), D(0)],
        ["I2", "Invoice", "JPY", D(55000), None, D(55000)]]


def test_ledger_sheets_are_added_once_and_replaced(tmp_path, capsys):
    book = tmp_path / "book.xlsm"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    main(["ledger", str(tmp_path / "book.xlsx"), "--customer", "C00001"])
    main(["ledger", str(tmp_path / "book.xlsx")])
    main(["ledger", str(tmp_path / "book.xlsx"), "--customer", "C00001"])
    names = CalamineWorkbook.from_path(str(tmp_path / "book.xlsx")).sheet_names
    ledgers = [n for n in names if n.startswith("Ledger ")]
    assert len(ledgers) == len(set(ledgers)) == 30
    with zipfile.ZipFile(tmp_path / "book.xlsx") as z:
        assert z.testzip() is None and z.read("[Content_Types].xml").count(b"worksheet+xml") == len(names)
    with open_book(tmp_path / "book.xlsx") as handle:  # the book still reads and writes normally
        assert len(handle.read("Invoices")) == 151  # 150 invoices and the sample credit note
        assert handle.read("Log")["Action"].tolist().count("ledger") == 3
    assert not book.exists()


def test_dashboard_rows_charts_and_alert_formats(tmp_path):
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    main(["age", str(tmp_path / "book.xlsx"), "--as-of", "2026-11-16"])
    with open_book(tmp_path / "book.xlsx") as handle:
        dash = handle.read("Dashboard").reset_index(drop=True)
    assert dash["Section"].tolist()[:20] == ["Aging"] * 5 + ["Top overdue"] * 10 + ["Credit"] * 4 + \
        [dash["Section"].iloc[19]]
    assert set(dash.loc[:4, "Item"].dropna()) == {"CNY", "JPY", "USD"}
    assert dash.loc[15:18, "Item"].tolist() == ["OK", "Watch", "Over limit", "Hold"]
    assert sum(dash.loc[15:18, "Total"]) == 30
    with zipfile.ZipFile(tmp_path / "book.xlsx") as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
        assert len(charts) == 6  # an aging chart per currency row (2-6) and the credit pie
        aging = [c for c in charts if re.search(r"<(c:)?barChart>", c)]
        assert len(aging) == 5 and all(len(re.findall(r"<(c:)?ser>", c)) == 1 for c in aging)  # no phantom series
        rows = sorted(re.search(r"\$B\$(\d)</(c:)?f>", c).group(1) for c in aging)  # titled by the row's currency
        assert rows == ["2", "3", "4", "5", "6"]
        customers_xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "conditionalFormatting" in customers_xml and '<formula>"Hold"</formula>' in customers_xml


def test_ledger_amounts_follow_their_currency_and_print_to_width(tmp_path):
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", tmp_path / "book.xlsx")
    main(["ledger", str(tmp_path / "book.xlsx"), "--customer", "C00001"])
    with zipfile.ZipFile(tmp_path / "book.xlsx") as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    (ledger,) = [x for x in sheets if "INV-" in x and "$D2=" in x]
    assert '<formula>OR($D2="CLP",$D2="ISK",$D2="JPY",$D2="KRW",$D2="VND")</formula>' in ledger
    assert 'fitToWidth="1"' in ledger and "&amp;P / &amp;N" in ledger
