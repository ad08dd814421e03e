"""File adapter specifics: what is kept byte for byte, what text becomes, locks and performance shape."""
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
import pytest

from arbook.adapters.book import new_book, open_book
from arbook.adapters.book.sheetxml import column_letter
from arbook.model.frames import make_frame
from arbook.model.errors import BookLockedError
from arbook.model.schema import BANK, CUSTOMERS

RIBBON_REL = ('<Relationship Id="rIdUI" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
              'Target="customUI/customUI14.xml"/>')
RIBBON_XML = b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon/></customUI>'
VBA_BYTES = bytes(range(256)) * 40


def _add_vba_and_ribbon(path: Path) -> None:
    """Give a book a (dummy) VBA project and a 2009 ribbon part, as the shipped .xlsm has."""
    src = zipfile.ZipFile(path)
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    parts["xl/vbaProject.bin"] = VBA_BYTES
    parts["customUI/customUI14.xml"] = RIBBON_XML
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", RIBBON_REL.encode() + b"</Relationships>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _customers(*names):
    return make_frame(CUSTOMERS, [{"Customer ID": f"C{i}", "Name": n, "Language": "en", "Currency": "USD"}
                                  for i, n in enumerate(names)])


def test_xlsm_keeps_vba_ribbon_and_rels_byte_for_byte(tmp_path):
    path = new_book(tmp_path / "book.xlsm")
    with zipfile.ZipFile(path) as z:
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    _add_vba_and_ribbon(path)
    before = zipfile.ZipFile(path)
    kept = {n: before.read(n) for n in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels",
                                         "[Content_Types].xml", "xl/styles.xml", "xl/worksheets/sheet2.xml")}
    before.close()
    with open_book(path) as book:
        book.replace("Customers", _customers("Acme"))
        book.log("test", "write one sheet")
    with zipfile.ZipFile(path) as after:
        for name, data in kept.items():
            assert after.read(name) == data, name
        assert after.read("xl/worksheets/sheet1.xml") != b""


def test_text_that_looks_like_a_formula_is_stored_as_text(book_path):
    risky = ["=1+2", "+81 3 1234", "-5", "@SUM(A1)", '=HYPERLINK("http://evil","x")', "=cmd|' /C calc'!A0"]
    with open_book(book_path) as book:
        book.replace("Customers", _customers(*risky))
    with zipfile.ZipFile(book_path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(book_path)
    cells = [wb["Customers"].cell(row=r, column=2) for r in range(2, 2 + len(risky))]
    assert [c.value for c in cells] == risky
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_and_markup_survive(book_path):
    names = ["A & B <Ltd>", "tab\there", "bell\x07ring", "  spaces  ", "改行\nあり", "_x0041_ literal"]
    with open_book(book_path) as book:
        book.replace("Customers", _customers(*names))
    with open_book(book_path) as book:
        back = book.read("Customers")["Name"].tolist()
    assert back == names


def test_users_own_columns_survive_a_rewrite(book_path):
    frame = _customers("Acme", "Beta")
    frame["Salesperson"] = ["Kato", None]
    with open_book(book_path) as book:
        book.replace("Customers", frame)
    with open_book(book_path) as book:
        back = book.read("Customers")
        assert back["Salesperson"].tolist() == ["Kato", None]
        book.replace("Customers", back)
    with zipfile.ZipFile(book_path) as z:
        table = z.read("xl/tables/table1.xml").decode()
    from openpyxl.utils import get_column_letter

    width = len(CUSTOMERS.headers) + 1  # the schema's columns, then the user's own
    assert 'name="Salesperson"' in table and f'ref="A1:{get_column_letter(width)}3"' in table
    assert re.search(rf'<tableColumns count="{width}">', table)


def test_calc_chain_is_dropped_with_its_references(book_path):
    src = zipfile.ZipFile(book_path)
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    parts["xl/calcChain.xml"] = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.calcChain+xml"/></Types>'))
    with zipfile.ZipFile(book_path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    with open_book(book_path) as book:
        book.replace("Customers", _customers("Acme"))
    with zipfile.ZipFile(book_path) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("[Content_Types].xml")


@pytest.mark.parametrize("owner", ["~$book.xlsx", "~$ok.xlsx"])
def test_refuses_a_book_open_in_excel(book_path, owner):
    before = book_path.read_bytes()
    (book_path.parent / owner).write_bytes(b"owner")
    with pytest.raises(BookLockedError, match="open in Excel"):
        open_book(book_path)
    assert book_path.read_bytes() == before


def test_save_keeps_previous_version_as_bak(book_path):
    original = book_path.read_bytes()
    with open_book(book_path) as book:
        book.replace("Customers", _customers("Acme"))
    assert (book_path.parent / "book.xlsx.bak").read_bytes() == original
    assert not list(book_path.parent.glob("*.arbook-tmp"))


def test_money_and_dates_exact_through_the_file(book_path):
    from datetime import date

    frame = make_frame(BANK, [{"Bank Ref": f"R{i}", "Date": date(2026, 10, 31), "Amount": Decimal(a), "Currency": c}
                              for i, (a, c) in enumerate([("0.10", "USD"), ("1234567890.12", "USD"),
                                                          ("-0.01", "USD"), ("9999999999999", "JPY")])])
    with open_book(book_path) as book:
        book.replace("Bank", frame)
    with open_book(book_path) as book:
        back = book.read("Bank")
    assert back["Amount"].tolist() == frame["Amount"].tolist()
    assert sum(back["Amount"].iloc[:3]) == Decimal("1234567890.21")


def _sample_book(tmp_path):
    import shutil

    from arbook.services.demo import REPO_SAMPLES

    path = tmp_path / "sample.xlsx"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", path)
    return path


def test_frames_made_ahead_on_the_reading_threads_equal_frames_read_here(tmp_path):
    from arbook.domain.aging import READS

    path = _sample_book(tmp_path)
    with open_book(path) as book:
        here = {name: book.read(name, columns) for name, columns in READS.items()}
        whole = book.read("Invoices")
        book.discard()
    with open_book(path) as book:
        book.prefetch({**READS, "Invoices": None}, rewrite=["Invoices", "Customers"])
        ahead = {name: book.read(name, columns) for name, columns in READS.items() if name != "Invoices"}
        ahead["Invoices"] = book.read("Invoices", READS["Invoices"])  # other columns than made ahead: from the rows
        assert book.read("Invoices").equals(whole)
        book.discard()
    for name, frame in here.items():
        assert frame.equals(ahead[name]) and list(frame.index) == list(ahead[name].index), name


def test_a_sheet_made_ahead_that_does_not_fit_says_so_when_read(tmp_path):
    from arbook.model.errors import InputError

    path = _sample_book(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Invoices"]["C3"] = "not a date"
    workbook.save(path)
    columns = ["Invoice No", "Customer ID", "Issue Date"]
    with open_book(path) as book:
        with pytest.raises(InputError) as read_here:
            book.read("Invoices", columns)
        book.discard()
    with open_book(path) as book:
        book.prefetch({"Invoices": columns})
        with pytest.raises(InputError) as made_ahead:
            book.read("Invoices", columns)
    assert str(made_ahead.value) == str(read_here.value)
    assert [(p.line, p.field) for p in made_ahead.value.problems] == [(3, "Issue Date")]


@pytest.mark.parametrize("damage", [
    lambda xml: xml[:xml.index(b'<row r="5"')],  # the sheet cut off inside its rows
    lambda xml: xml.replace(b"</c>", b"", 1),  # a cell never closed
])
def test_a_damaged_sheet_is_refused_naming_the_book_and_sheet_and_the_book_is_kept(tmp_path, capsys, damage):
    from arbook.cli import main

    path = _sample_book(tmp_path)
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    sheet = next(name for name, data in parts.items() if name.startswith("xl/worksheets/") and b">INV-" in data)
    parts[sheet] = damage(parts[sheet])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    before = path.read_bytes()
    with pytest.raises(SystemExit) as exit_:
        main(["age", str(path), "--as-of", "2026-10-31"])
    assert exit_.value.code == 1
    message = capsys.readouterr().err.strip()
    assert f"{path.name} [Invoices]: the sheet cannot be read, its XML is damaged" in message
    assert "internal error" not in message and len(message.splitlines()) == 1
    assert path.read_bytes() == before


def test_a_sheet_with_formulas_is_not_rewritten_whole_into_their_values(tmp_path, capsys):
    from arbook.cli import main
    from arbook.services.receivables import age_book

    path = _sample_book(tmp_path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Invoices"]
    sheet["O5"] = '=A5&"-ref"'  # a formula in an input column
    sheet.insert_rows(8)  # a blank row inside the table: the sheet can only be written whole
    workbook.save(path)
    before = path.read_bytes()
    with pytest.raises(SystemExit):
        main(["age", str(path), "--as-of", "2026-10-31"])
    message = capsys.readouterr().err
    assert "[Invoices]: the sheet holds formulas (first in O5)" in message and "paste them as values" in message
    assert path.read_bytes() == before
    workbook = openpyxl.load_workbook(path)
    workbook["Invoices"]["O5"] = "INV-ref"  # as values, the same book ages
    workbook.save(path)
    with open_book(path) as book:
        age_book(book, date(2026, 10, 31))
    assert openpyxl.load_workbook(path)["Invoices"]["O5"].value == "INV-ref"


def test_a_note_typed_below_the_invoices_says_it_looks_like_a_note(tmp_path, capsys):
    from arbook.cli import main

    path = _sample_book(tmp_path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Invoices"]
    row = sheet.max_row + 2
    sheet.cell(row, 3, "checked by Sato 10/31")  # a note two rows below the table, in its third column
    workbook.save(path)
    before = path.read_bytes()
    with pytest.raises(SystemExit):
        main(["age", str(path), "--as-of", "2026-10-31"])
    message = capsys.readouterr().err.splitlines()[0]
    assert f"[Invoices]:{row}: Invoice No: is required" in message
    assert f"(the row holds only 'checked by Sato 10/31' in column {sheet.cell(1, 3).value!r}: a note?" in message
    assert path.read_bytes() == before
