"""`age` rewrites only the computed columns of Invoices and Customers: the result holds the same values
as writing both sheets whole (read back with openpyxl), and every other cell keeps its XML."""
import re
import shutil
import zipfile
from datetime import date

import openpyxl
import pytest

from arbook.adapters.book import open_book, sheetxml, splice
from arbook.adapters.book.filebook import FileBook
from arbook.adapters.book.package import sheet_parts
from arbook.model.schema import CUSTOMERS, INVOICES, Role
from arbook.services.demo import REPO_SAMPLES
from arbook.services.receivables import age_book

AS_OF = date(2026, 12, 20)  # not the sample's own aging date: the computed values change


def _values(path, name):
    sheet = openpyxl.load_workbook(path)[name]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _sheet_xml(path, name):
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_parts(zf)[name].path).decode("utf-8")


def _age_both_ways(tmp_path, source, monkeypatch):
    """Age a copy of ``source`` as `age` does and another copy writing both sheets whole; the two paths."""
    spliced, whole = tmp_path / "spliced.xlsx", tmp_path / "whole.xlsx"
    shutil.copyfile(source, spliced)
    shutil.copyfile(source, whole)
    calls = []
    patched = FileBook._patched

    def spy(self, zin, sheet, frame, old):
        xml = patched(self, zin, sheet, frame, old)
        calls.append((sheet.name, xml is not None))
        if sheet.name in (INVOICES.name, CUSTOMERS.name):
            assert old is not None  # read ahead on the reading threads, for this rewrite
        return xml

    monkeypatch.setattr(FileBook, "_patched", spy)
    with open_book(spliced) as book:
        age_book(book, AS_OF)
    monkeypatch.setattr(FileBook, "_patched", lambda self, zin, sheet, frame, old: None)
    with open_book(whole) as book:
        age_book(book, AS_OF)
    return spliced, whole, dict(calls)


def _aged_once(tmp_path):
    """The sample book aged as of another day (its computed columns filled)."""
    path = tmp_path / "aged.xlsx"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", path)
    with open_book(path) as book:
        age_book(book, date(2026, 11, 16))
    return path


def _as_excel_saves_it(tmp_path):
    """The aged sample book saved by another program (openpyxl: shared strings, its own cell layout)."""
    path = tmp_path / "saved.xlsx"
    openpyxl.load_workbook(_aged_once(tmp_path)).save(path)
    return path


def _computed_letters(sheet):
    return {openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(sheet.columns) if c.role is Role.COMPUTED}


@pytest.mark.parametrize("make", [_aged_once, _as_excel_saves_it])
@pytest.mark.parametrize("chunk_rows", [sheetxml.CHUNK_ROWS, 2])  # 2: the rows spliced two at a time
def test_only_the_computed_columns_are_rewritten(tmp_path, monkeypatch, make, chunk_rows):
    monkeypatch.setattr(splice, "CHUNK_ROWS", chunk_rows)
    source = make(tmp_path)
    spliced, whole, calls = _age_both_ways(tmp_path, source, monkeypatch)
    assert calls[INVOICES.name] and calls[CUSTOMERS.name]
    for sheet in (INVOICES, CUSTOMERS):
        assert _values(spliced, sheet.name) == _values(whole, sheet.name)
        computed = _computed_letters(sheet)
        cells = re.compile(r'<c r="([A-Z]+)\d+".*?(?:/>|</c>)')
        before = [m.group(0) for m in cells.finditer(_sheet_xml(source, sheet.name)) if m.group(1) not in computed]
        after = [m.group(0) for m in cells.finditer(_sheet_xml(spliced, sheet.name)) if m.group(1) not in computed]
        assert before == after
        refs = re.findall(r'<c r="([A-Z]+\d+)"', _sheet_xml(spliced, sheet.name))
        assert len(refs) == len(set(refs))
        for number, row in re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', _sheet_xml(spliced, sheet.name)):
            assert set(re.findall(r'<c r="[A-Z]+(\d+)"', row)) == {number}
    assert _values(spliced, INVOICES.name) != _values(source, INVOICES.name)


def test_first_aging_fills_empty_computed_cells_and_keeps_users_columns(tmp_path, monkeypatch):
    path = tmp_path / "fresh.xlsx"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", path)
    with open_book(path) as book:  # a book never aged: the computed columns empty, and a column of the user's own
        invoices = book.read(INVOICES.name)
        for column in INVOICES.columns:
            if column.role is Role.COMPUTED:
                invoices[column.name] = None
        invoices["My Note"] = [f"note {i}" if i % 3 else None for i in range(len(invoices))]
        book.replace(INVOICES.name, invoices)
    spliced, whole, calls = _age_both_ways(tmp_path, path, monkeypatch)
    assert calls[INVOICES.name]
    rows = _values(spliced, INVOICES.name)
    assert rows == _values(whole, INVOICES.name)
    assert rows[0][-1] == "My Note" and rows[2][-1] == "note 1"
    assert all(row[INVOICES.headers.index("Open")] is not None for row in rows[1:])


def test_a_sheet_laid_out_otherwise_is_written_whole(tmp_path, monkeypatch):
    path = tmp_path / "gap.xlsx"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[INVOICES.name]
    sheet.insert_rows(5)  # a blank row inside the table: the lines no longer run 2, 3, 4, ...
    workbook.save(path)
    spliced, whole, calls = _age_both_ways(tmp_path, path, monkeypatch)
    assert calls[INVOICES.name] is False
    assert _values(spliced, INVOICES.name) == _values(whole, INVOICES.name)


def _sheet(*rows: str, cols: str = "") -> bytes:
    """A worksheet's XML with these rows (row 1 is the header row) written as arbook writes them."""
    return (f'<worksheet xmlns="{splice.NS_MAIN}"><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData>'
            '</worksheet>').encode()


def _spliced(xml: bytes, headers, kinds, columns) -> bytes:
    rows = splice.find_cells(xml)
    assert rows is not None
    out = []
    splice.splice_columns(rows, headers, kinds, columns, out.append)
    return b"".join(out)


def _row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _n(ref: str, value: object) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


@pytest.mark.parametrize("chunk_rows", [sheetxml.CHUNK_ROWS, 1])
def test_splice_replaces_inserts_and_removes_cells_keeping_the_others(monkeypatch, chunk_rows):
    monkeypatch.setattr(splice, "CHUNK_ROWS", chunk_rows)
    header = _row(1, *(f'<c r="{c}1" t="inlineStr"><is><t>{c}</t></is></c>' for c in "ABCDE"))
    xml = _sheet(header,
                 _row(2, _n("A2", 1), _n("B2", 9), _n("C2", 9), _n("E2", 5)),  # the run's cells, one after it
                 _row(3, _n("A3", 2)),  # none of the run, none after it
                 _row(4, _n("A4", 3), _n("D4", 7), _n("E4", 8)),  # one of the run, one after it
                 _row(5),  # no cells at all
                 _row(6, _n("E6", 6)),  # only a cell after the run
                 cols='<col min="3" max="3" style="4"/>')
    out = _spliced(xml, list("ABCDE"), {"B": "number", "C": "number", "D": "text"},
                   {"B": [10, None, 30, 40, None], "C": [1.5, 2.25, None, None, 7],
                    "D": ["x", None, "a<b", None, " y"]})
    assert out == _sheet(header,
                         _row(2, _n("A2", 1), _n("B2", 10), '<c r="C2" s="4"><v>1.5</v></c>',
                              '<c r="D2" t="inlineStr"><is><t>x</t></is></c>', _n("E2", 5)),
                         _row(3, _n("A3", 2), '<c r="C3" s="4"><v>2.25</v></c>'),
                         _row(4, _n("A4", 3), _n("B4", 30), '<c r="D4" t="inlineStr"><is><t>a&lt;b</t></is></c>',
                              _n("E4", 8)),
                         _row(5, _n("B5", 40)),
                         _row(6, '<c r="C6" s="4"><v>7</v></c>',
                              '<c r="D6" t="inlineStr"><is><t xml:space="preserve"> y</t></is></c>', _n("E6", 6)),
                         cols='<col min="3" max="3" style="4"/>')


def test_splice_of_two_runs_and_columns_past_z():
    headers = [f"H{i}" for i in range(30)]  # columns A..AD
    xml = _sheet(_row(1), _row(2, _n("A2", 1), _n("Z2", 2), _n("AA2", 3), _n("AB2", 4), _n("AD2", 5)),
                 _row(3, _n("AC3", 6)))
    out = _spliced(xml, headers, {"H1": "number", "H26": "number", "H27": "number"},  # B, then AA and AB
                   {"H1": [7, 8], "H26": [None, None], "H27": [None, 9]})
    assert out == _sheet(_row(1), _row(2, _n("A2", 1), _n("B2", 7), _n("Z2", 2), _n("AD2", 5)),
                         _row(3, _n("B3", 8), _n("AB3", 9), _n("AC3", 6)))


def test_a_sheet_without_data_rows_is_kept():
    xml = _sheet(_row(1, _n("A1", 1)))
    assert _spliced(xml, ["A", "B"], {"B": "number"}, {"B": []}) == xml


@pytest.mark.parametrize("rows", [
    (_row(1), '<row r="2"><c s="1"><v>1</v></c></row>'),  # a cell without its reference
    (_row(1), '<row r="2"><c t="n" r="A2"><v>1</v></c></row>'),  # the reference not first
    (_row(1), _row(2, _n("a2", 1))),  # not capital letters
    (_row(1), _row(2, _n("B2", 1), _n("A2", 1))),  # cells out of column order
    (_row(1), _row(3, _n("A3", 1))),  # a row missing
    (_row(1), _row(2), _row(2)),  # a row twice
    (_row(1), "\n", _row(2)),  # rows on lines of their own
    (_row(1), '<row r="2"/>', _row(3)),  # a self-closing row
    (_row(1), _row(2), "<x/>"),  # something after the last row
    (_row(1), '<row r="20">' + _n("A20", 1) + "</row>"),  # row 20 where row 2 belongs
])
def test_sheets_laid_out_otherwise_are_not_spliced(rows):
    assert splice.find_cells(_sheet(*rows)) is None


def test_a_part_cut_short_after_its_rows_is_not_spliced():
    xml = _sheet(_row(1), _row(2, _n("A2", 1)))
    assert splice.find_cells(xml) is not None
    assert splice.find_cells(xml[:-len("</worksheet>")]) is None


def test_a_sheet_without_rows_or_with_attributes_on_its_rows_element_is_not_spliced():
    assert splice.find_cells(f'<worksheet xmlns="{splice.NS_MAIN}"><sheetData/></worksheet>'.encode()) is None
    assert splice.find_cells(f'<worksheet xmlns="{splice.NS_MAIN}"><sheetData x="1"><row r="1"></row>'
                             '</sheetData></worksheet>'.encode()) is None


def test_find_cells_gives_each_rows_place_and_each_cells_column():
    xml = _sheet(_row(1), *(f'<row r="{n}" spans="1:28">{_n(f"A{n}", n)}{_n(f"AB{n}", n)}</row>'
                            for n in range(2, 120)))
    rows = splice.find_cells(xml)
    assert rows is not None and rows.count == 118
    assert rows.columns.tolist() == [0, 27] * 118
    assert [xml[c:c + 9] for c in rows.cells[:2].tolist()] == [b'<c r="A2"', b'<c r="AB2']
    assert [xml[a:b + 6] for a, b in zip(rows.starts[-1:].tolist(), rows.ends[-1:].tolist())] == [
        f'<row r="119" spans="1:28">{_n("A119", 119)}{_n("AB119", 119)}</row>'.encode()]
