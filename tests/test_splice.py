"""`age` rewrites only the computed columns of Invoices and Customers: the result holds the same values
as writing both sheets whole (read back with openpyxl), and every other cell keeps its XML."""
import re
import shutil
import zipfile
from datetime import date

import openpyxl
import pytest

from arbook.adapters.book import open_book, splice
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
@pytest.mark.parametrize("fork_rows", [splice.FORK_ROWS, 2])  # 2: the rows spliced in two forked halves
def test_only_the_computed_columns_are_rewritten(tmp_path, monkeypatch, make, fork_rows):
    monkeypatch.setattr(splice, "FORK_ROWS", fork_rows)
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
