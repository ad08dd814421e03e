"""Statements from the template, opened elsewhere, returned with answers, verified and recorded."""
from datetime import date
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.services.demo import REPO_SAMPLES
from arbook.adapters.statementxlsx.render import read_properties

SOFFICE = shutil.which("soffice")


@pytest.fixture
def matched_book(tmp_path):
    for name in ("book.xlsx", "zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"):
        shutil.copyfile(REPO_SAMPLES / name, tmp_path / name)
    book = tmp_path / "book.xlsx"
    main(["import", str(book), *(str(tmp_path / n) for n in ("zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml"))])
    main(["match", str(book)])
    return book


def statements(book, out, *extra):
    main(["statements", str(book), "--out", str(out), "--as-of", "2026-11-16", "--from", "2026-09-01", *extra])
    return sorted(Path(out).glob("*.xlsx"))


def test_one_statement_per_client_in_its_language(matched_book, tmp_path):
    files = statements(matched_book, tmp_path / "st")
    assert len(files) == 30
    with open_book(matched_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
    for path in files[:6]:
        cid = path.name.split("-")[0]
        props = read_properties(path.read_bytes())
        assert props["arbook.customer"] == cid and props["arbook.as_of"] == "2026-11-16"
        wb = openpyxl.load_workbook(path)
        sheet = wb["Statement"]
        cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        title = {"ja": "残高確認書", "zh": "询证函（对账单）", "en": "Statement of Account and Balance Confirmation"}
        assert title[customers.loc[cid, "Language"]] in cells
        assert sheet.protection.sheet and wb["Confirm"].protection.sheet
        assert f"{customers.loc[cid, 'Name']} ({cid})" in cells


def test_returned_answers_are_verified_and_recorded(matched_book, tmp_path, capsys):
    files = {p.name.split("-")[0]: p for p in statements(matched_book, tmp_path / "st")}
    chosen = next(p for p in files.values() if openpyxl.load_workbook(p)["Confirm"].max_row >= 5)
    cid = chosen.name.split("-")[0]
    wb = openpyxl.load_workbook(chosen)  # the client answers in Excel and saves
    confirm = wb["Confirm"]
    invoice_rows = [r for r in range(4, confirm.max_row + 1) if str(confirm.cell(r, 2).value).startswith("INV-")]
    for r in range(4, confirm.max_row + 1):
        confirm.cell(r, 8).value = "agree"
    confirm.cell(invoice_rows[0], 8).value = "dispute"
    confirm.cell(invoice_rows[0], 10).value = "quantity was wrong"
    disputed = confirm.cell(invoice_rows[0], 2).value
    returned = tmp_path / "returned.xlsx"
    wb.save(returned)
    tampered = tmp_path / "tampered.xlsx"
    wb2 = openpyxl.load_workbook(returned)
    wb2["Confirm"].cell(invoice_rows[0], 5).value = 1  # someone lowered an amount
    wb2.save(tampered)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_code:
        main(["confirmations", str(matched_book), str(returned), str(tampered), str(REPO_SAMPLES / "customers.csv")])
    assert exit_code.value.code == 1
    out = capsys.readouterr().out
    assert "1 disputed" in out and "2 file(s) not recorded" in out and "checksum differs" in out
    with open_book(matched_book) as book:
        invoices = book.read("Invoices").set_index("Invoice No")
        log = book.read("Log")
    assert invoices.loc[disputed, "Disputed"] is True
    assert f"{cid} disputes {disputed}: quantity was wrong" in log["Details"].tolist()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_statement_converts_to_pdf_without_repair(matched_book, tmp_path):
    (path,) = statements(matched_book, tmp_path / "st", "--customer", "C00004")
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=120)
    pdf = tmp_path / path.with_suffix(".pdf").name
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_encrypted_statements_open_only_with_their_password(matched_book, tmp_path, capsys):
    import io

    import msoffcrypto

    files = statements(matched_book, tmp_path / "enc", "--customer", "C00001", "--customer", "C00002", "--encrypt")
    assert "passwords in" in capsys.readouterr().out
    password_file = matched_book.parent / "book-statement-passwords-2026-11-16.csv"
    assert password_file.stat().st_mode & 0o777 == 0o600 and not list((tmp_path / "enc").glob("*.csv"))
    passwords = {row.split(",")[1]: row.split(",")[2] for row in
                 password_file.read_text(encoding="utf-8").splitlines()[1:]}
    assert len(files) == 2 and len(set(passwords.values())) == 2
    for path in files:
        office = msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes()))
        assert office.is_encrypted()
        office.load_key(password=passwords[path.name])
        plain = io.BytesIO()
        office.decrypt(plain)
        assert read_properties(plain.getvalue())["arbook.customer"] == path.name.split("-")[0]
    with pytest.raises(SystemExit):
        main(["confirmations", str(matched_book), str(files[0])])
    assert "no known password" in capsys.readouterr().out
    main(["confirmations", str(matched_book), str(files[0]), "--passwords", str(password_file)])
    assert "not recorded" not in capsys.readouterr().out


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_pdf_option(matched_book, tmp_path, capsys):
    statements(matched_book, tmp_path / "pdf", "--customer", "C00003", "--pdf")
    assert "1 PDF(s)" in capsys.readouterr().out
    assert (tmp_path / "pdf" / "C00003-statement-2026-11-16.pdf").read_bytes().startswith(b"%PDF")


def _cells(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_statement_confirms_its_balance_and_closing_is_open_less_unapplied(matched_book, tmp_path):
    from decimal import Decimal

    from arbook.model.words import words

    files = statements(matched_book, tmp_path / "st")
    with open_book(matched_book) as book:
        languages = dict(zip(book.read("Customers")["Customer ID"], book.read("Customers")["Language"]))
    unapplied_seen = 0
    for path in files:
        cid = read_properties(path.read_bytes())["arbook.customer"]
        t = words(languages[cid])
        wb = openpyxl.load_workbook(path)
        rows = _cells(wb["Statement"])
        closing = {r[3]: Decimal(str(r[6])) for r in rows if r[2] == t["closing"]}
        totals = {r[3]: Decimal(str(r[4])) for r in rows if r[0] == t["net_balance"]}
        assert closing and {c: a for c, a in closing.items() if a} == {c: a for c, a in totals.items() if a}, path.name
        unapplied_seen += sum(r[2] == t["unapplied"] for r in rows)
        confirm = _cells(wb["Confirm"])
        first = confirm[3]  # the first line under the headers: the balance to confirm
        assert first[1] == t["balance_doc"] and Decimal(str(first[6])) == closing[first[3]]
    assert unapplied_seen >= 1  # the 50 USD left unapplied on C00007 is shown


def _answer(path, out, balance_answer, their_balance=None):
    wb = openpyxl.load_workbook(path)
    confirm = wb["Confirm"]
    confirm.cell(4, 8).value = balance_answer
    confirm.cell(4, 9).value = their_balance
    wb.save(out)
    return out


def test_balance_answers_are_recorded_per_client(matched_book, tmp_path, capsys):
    files = {p.name.split("-")[0]: p for p in statements(matched_book, tmp_path / "st")}
    agreed = _answer(files["C00001"], tmp_path / "a.xlsx", "agree")
    disputed = _answer(files["C00002"], tmp_path / "b.xlsx", "dispute", 1000)
    silent = _answer(files["C00003"], tmp_path / "c.xlsx", None)
    main(["confirmations", str(matched_book), str(agreed), str(disputed), str(silent)])
    assert "1 client(s) confirmed, 1 client(s) disputed, 1 client(s) no reply" in capsys.readouterr().out
    with open_book(matched_book) as book:
        customers = book.read("Customers").set_index("Customer ID")
    assert customers.loc["C00001", "Confirmation"] == "confirmed"
    assert customers.loc["C00001", "Confirmed Balance"].startswith("JPY ")
    assert customers.loc["C00002", "Confirmation"] == "disputed"
    assert customers.loc["C00002", "Confirmed Balance"].startswith("USD 1,000.00 (ours USD ")
    assert str(customers.loc["C00003", "Confirmed On"]) == "2026-11-16"
    main(["confirmations", str(matched_book), "--overdue-days", "0"])
    out = capsys.readouterr().out
    assert "no reply: C00003" in out and "no reply: C00001" not in out and "no reply: C00004" in out


def test_an_edited_return_with_a_recomputed_checksum_is_rejected(matched_book, tmp_path, capsys):
    """The attacker knows the algorithm (arbook's own checksum function) but not the book's key."""
    import io
    import re

    from python_calamine import CalamineWorkbook

    from arbook.services.statements import _confirm_rows, checksum

    path = next(p for p in statements(matched_book, tmp_path / "st") if p.name.startswith("C00001-"))
    wb = openpyxl.load_workbook(path)
    wb["Confirm"].cell(4, 7).value = 1  # "our" balance lowered to 1 yen
    wb["Confirm"].cell(4, 8).value = "agree"
    edited = io.BytesIO()
    wb.save(edited)
    lines, _ = _confirm_rows(CalamineWorkbook.from_filelike(io.BytesIO(edited.getvalue()))
                             .get_sheet_by_name("Confirm").to_python())
    props = read_properties(path.read_bytes())
    forged = checksum(b"guessed key", "C00001", props["arbook.as_of"], lines)
    out = tmp_path / "forged.xlsx"
    with zipfile.ZipFile(io.BytesIO(edited.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/custom.xml":
                data = re.sub(rb"[0-9a-f]{64}", forged.encode(), data)
            zout.writestr(item, data)
    assert read_properties(out.read_bytes())["arbook.checksum"] == forged
    with pytest.raises(SystemExit):
        main(["confirmations", str(matched_book), str(out)])
    assert "checksum differs" in capsys.readouterr().out
    with open_book(matched_book) as book:
        assert book.read("Customers").set_index("Customer ID").loc["C00001", "Confirmation"] == "no reply"


def test_amount_formats_follow_the_currency_and_the_display_setting(matched_book, tmp_path):
    with open_book(matched_book) as book:
        settings = book.read("Settings")
        settings.loc[settings["Key"] == "Currency Display", "Value"] = "symbol"
        book.replace("Settings", settings)
    files = {p.name.split("-")[0]: p for p in statements(matched_book, tmp_path / "st", "--customer", "C00001",
                                                          "--customer", "C00007")}
    formats = {}
    for cid, path in files.items():
        sheet = openpyxl.load_workbook(path)["Confirm"]
        formats[cid] = sheet.cell(4, 7).number_format  # the balance to confirm
    assert formats == {"C00001": '"¥"#,##0;[Red]-"¥"#,##0', "C00007": '"$"#,##0.00;[Red]-"$"#,##0.00'}


def test_reminders_ask_unanswered_clients_to_confirm(matched_book, tmp_path):
    statements(matched_book, tmp_path / "st", "--customer", "C00001", "--customer", "C00007")
    main(["reminders", str(matched_book), "--out", str(tmp_path / "rem"), "--as-of", "2026-11-30",
          "--unconfirmed-days", "14"])
    asked = sorted(p.name for p in (tmp_path / "rem").glob("*-confirm-*.txt"))
    assert asked == ["C00001-confirm-ja.txt", "C00007-confirm-en.txt"]
    assert "2026-11-16 現在の残高確認書" in (tmp_path / "rem" / asked[0]).read_text(encoding="utf-8")
    main(["reminders", str(matched_book), "--out", str(tmp_path / "rem2"), "--as-of", "2026-11-20",
          "--unconfirmed-days", "14"])
    assert not list((tmp_path / "rem2").glob("*-confirm-*.txt"))  # only 4 days: not yet


@pytest.mark.parametrize("language, customer, expected", [
    ("ja", {"Name": "株式会社山田商事", "Postal Code": "100-0005", "Address": "東京都千代田区丸の内1-1"},
     ["〒100-0005", "東京都千代田区丸の内1-1", "株式会社山田商事 御中"]),
    ("ja", {"Name": "株式会社山田商事", "Department": "経理部", "Contact": "山田 花子"},
     ["株式会社山田商事", "経理部", "山田 花子 様"]),
    ("ja", {"Name": "山田商店", "Department": "経理部"}, ["山田商店", "経理部 御中"]),
    ("zh", {"Name": "上海华信有限公司", "Postal Code": "200120", "Contact": "王芳"},
     ["邮编：200120", "上海华信有限公司", "王芳 收"]),
    ("zh", {"Name": "上海华信有限公司"}, ["上海华信有限公司 台鉴"]),
    ("en", {"Name": "Pioneer Traders Ltd.", "Contact": "Jane Miller", "Honorific": "Ms.", "Department": "AP",
            "Address": "100 Main Street\nChicago, IL", "Postal Code": "60601"},
     ["Pioneer Traders Ltd.", "Attn. Ms. Jane Miller, AP", "100 Main Street", "Chicago, IL", "60601"]),
    ("ja", {"Name": "田中太郎", "Honorific": "様"}, ["田中太郎 様"]),
])
def test_address_block_and_honorific(language, customer, expected):
    from arbook.services.statements import address_lines

    assert [line["text"] for line in address_lines(customer, language)] == expected


def test_statements_without_the_company_details_say_so(matched_book, tmp_path, capsys):
    with open_book(matched_book) as book:
        settings = book.read("Settings")
        settings.loc[settings["Key"].isin(["Company Name", "Payment Instructions"]), "Value"] = None
        book.replace("Settings", settings)
    capsys.readouterr()
    statements(matched_book, tmp_path / "st", "--customer", "C00001")
    out = capsys.readouterr().out
    assert "NOTE: Settings has no Company Name or Payment Instructions" in out


def test_a_payment_line_names_the_invoices_it_settled(matched_book, tmp_path):
    """A bank line without a reference of its own is known to the client by the invoices it paid."""
    with open_book(matched_book) as book:
        allocations = book.read("Allocations")
        bank = book.read("Bank")
    paid = bank.loc[bank["Date"].between(date(2026, 9, 1), date(2026, 11, 16)), "Bank Ref"]  # the statement's period
    applied = allocations[allocations["Status"].isin(["auto", "confirmed"]) & allocations["Invoice No"].notna()
                          & allocations["Rule"].ne("bank fee") & allocations["Bank Ref"].isin(paid)]
    cid, number = applied[["Customer ID", "Invoice No"]].iloc[0]
    (path,) = statements(matched_book, tmp_path / "st", "--customer", cid)
    texts = [v for row in openpyxl.load_workbook(path)["Statement"].iter_rows(values_only=True) for v in row
             if isinstance(v, str)]
    assert any(number in text and "(" in text for text in texts), texts
