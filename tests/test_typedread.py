"""Reading some columns alone (fastexcel): the cells calamine's row reader gives, or None to read the rows."""
import shutil
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from arbook.adapters.book import open_book
from arbook.adapters.book.splice import table_headers
from arbook.adapters.book import typedread
from arbook.adapters.book.typedread import typed_columns
from arbook.domain.aging import READS
from arbook.model.frames import columns_read, frame_from_columns, frame_from_rows
from arbook.model.schema import sheet as sheet_named

pytestmark = pytest.mark.skipif(typedread.fastexcel is None, reason="fastexcel/pyarrow not installed here")

HEADER = ["Text", "Whole", "Part", "Day", "When", "Flag"]
DATES = ["Day", "When"]
ROWS = [
    ["A-1", 3, 2.5, date(2026, 1, 31), datetime(2026, 2, 1, 9, 30), True],
    ["0042", 1_000_000, -0.1, date(2025, 12, 1), date(2026, 2, 2), False],
    [None, 7, None, None, datetime(2026, 2, 3, 0, 0, 1), None],
    ["x", None, 1e-9, date(1999, 12, 31), None, True],
]


def _book(tmp_path, rows, header=HEADER):
    """An xlsx written by openpyxl (shared strings, its own styles and layout), one sheet with a table at A1."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "S"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.add_table(Table(displayName="T", ref=f"A1:{chr(64 + len(header))}{len(rows) + 1}"))
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path


def _by_calamine(path, keep):
    """The oracle: calamine's row reader, each kept column's cells ("" as None)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python(skip_empty_area=False)
    return {name: [None if row[i] == "" else row[i] for row in rows[1:]] for i, name in enumerate(rows[0])
            if keep(name)}


def _sample(tmp_path):
    from arbook.services.demo import REPO_SAMPLES

    path = tmp_path / "sample.xlsx"
    shutil.copyfile(REPO_SAMPLES / "book.xlsx", path)
    return path


@pytest.mark.parametrize("keep", [lambda name: True, lambda name: name in ("Part", "When")])
def test_the_columns_read_hold_what_the_row_reader_gives_value_and_type(tmp_path, keep):
    path = _book(tmp_path, ROWS)
    read = typed_columns(path, "S", HEADER, keep, DATES)
    expected = _by_calamine(path, keep)
    assert read == expected
    assert {n: list(map(type, v)) for n, v in read.items()} == {n: list(map(type, v)) for n, v in expected.items()}


@pytest.mark.parametrize("rows, header, why", [
    ([["a", 1, 2.0, date(2026, 1, 1), None, True], ["b", 1, 2.0, date(2026, 1, 1), None, True]],
     ["Text", "2024", "Part", "Day", "When", "Flag"], "a number as a header (calamine gives '2024.0')"),
    ([["a", 1, 2.0, date(2026, 1, 1), None, True], ["b", "one", 2.0, date(2026, 1, 1), None, True]], HEADER,
     "a text among numbers"),
    ([["a", 1, 2.0, date(2026, 1, 1), None, True], [None] * 6, ["c", 1, 2.0, date(2026, 1, 1), None, True]], HEADER,
     "a blank row inside the table"),
    ([["a", 1, 2.0, date(2026, 1, 1), None, True]], ["Text", "Whole", "Part", "Day", "When", "Text"],
     "a header twice"),
])
def test_anything_but_the_plain_case_is_left_to_the_row_reader(tmp_path, rows, header, why):
    path = _book(tmp_path, rows, header)
    assert typed_columns(path, "S", header, lambda name: True, DATES) is None, why


def test_a_header_other_than_the_tables_is_left_to_the_row_reader(tmp_path):
    path = _book(tmp_path, ROWS)
    assert typed_columns(path, "S", [*HEADER[:-1], "Other"], lambda name: True, DATES) is None


def test_a_row_with_only_unread_cells_is_left_to_the_row_reader(tmp_path):
    rows = [list(ROWS[0]), [None, None, None, None, None, True]]
    path = _book(tmp_path, rows)
    assert typed_columns(path, "S", HEADER, lambda name: name != "Flag", DATES) is None
    assert typed_columns(path, "S", HEADER, lambda name: True, DATES) is not None


def test_the_sample_books_sheets_read_by_column_are_the_frames_read_by_row(tmp_path):
    path = _sample(tmp_path)
    with open_book(path) as book:
        parts = {name: book._part(sheet_named(name)) for name in READS}
        book.discard()
    workbook = CalamineWorkbook.from_path(str(path))
    with zipfile.ZipFile(path) as zf:
        for name, columns in READS.items():
            sheet = sheet_named(name)
            header = table_headers(zf.read(parts[name].table_path))[1]
            read = columns_read(sheet, columns)
            dates = [c.name for c in sheet.columns if c.kind.value in ("date", "datetime")]
            values = typed_columns(path, name, header, lambda n: n in read or not sheet.has(n), dates)
            assert values is not None, name
            by_column = frame_from_columns(sheet, values, len(next(iter(values.values()))), "x", columns)
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            by_row = frame_from_rows(sheet, rows[0], rows[1:], "x", columns=columns)
            assert by_column.equals(by_row) and list(by_column.index) == list(by_row.index), name
            assert all(list(map(type, by_column[c])) == list(map(type, by_row[c])) for c in by_row.columns), name


def test_a_value_that_does_not_fit_its_column_is_left_to_the_row_reader_which_says_where(tmp_path):
    sheet = sheet_named("Invoices")
    values = {"Invoice No": ["INV-1", "INV-2"], "Customer ID": ["C1", "C2"], "Issue Date": [date(2026, 1, 1), "not a date"]}
    assert frame_from_columns(sheet, values, 2, "x", ["Invoice No", "Customer ID", "Issue Date"]) is None
    assert frame_from_columns(sheet, {"Invoice No": ["INV-1"]}, 1, "x", ["Invoice No", "Customer ID"]) is None


def test_a_book_read_ahead_takes_its_sheets_by_column_and_by_row_without_fastexcel(tmp_path, monkeypatch):
    from arbook.adapters.book import filebook

    monkeypatch.setattr(filebook, "BY_COLUMN_FROM", 0)  # the sample's sheets are small
    path = _sample(tmp_path)
    made = {}
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(typedread, "fastexcel", None)
        with open_book(path) as book:
            book.prefetch(READS)
            made[fast] = {name: book.read(name, columns) for name, columns in READS.items()}
            assert set(book._raw) == (set() if fast else set(READS))  # rows are kept only when read by row
            book.discard()
    for name, frame in made[True].items():
        assert frame.equals(made[False][name]) and list(frame.index) == list(made[False][name].index), name
        assert all(list(map(type, frame[c])) == list(map(type, made[False][name][c])) for c in frame.columns), name


@pytest.mark.parametrize("serial, why", [
    (0, "a zero in a date column (Excel shows 1900-01-00; calamine gives a time)"),
    (0.375, "a time of day typed into a date column"),
    (3_000_000, "a serial past 9999-12-31"),
])
def test_a_date_styled_cell_that_is_no_date_is_left_to_the_row_reader(tmp_path, serial, why):
    path = _book(tmp_path, ROWS)
    workbook = openpyxl.load_workbook(path)
    workbook["S"]["D3"] = serial
    workbook["S"]["D3"].number_format = "yyyy-mm-dd"
    workbook.save(path)
    assert typed_columns(path, "S", HEADER, lambda name: True, DATES) is None, why


def test_dates_outside_a_date_column_are_left_to_the_row_reader(tmp_path):
    path = _book(tmp_path, ROWS)
    assert typed_columns(path, "S", HEADER, lambda name: True, ["Day"]) is None  # "When" holds dates too


@pytest.mark.parametrize("cell, serial, by_column_from, said", [
    ("D2", 0, 0, "[Invoices]:2: Due Date: not a date"),  # a zero: calamine gives a time, fastexcel 1899-12-31
    ("D19", 3_000_000, 0, "[Invoices]:19: Due Date: not a date: 3000000.0 is no date serial"),
    ("D19", 3_000_000, None, "[Invoices]:19: Due Date: not a date: 3000000.0 is no date serial"),
])
def test_a_date_serial_no_date_holds_is_refused_naming_line_and_field(tmp_path, capsys, monkeypatch, cell, serial,
                                                                       by_column_from, said):
    from arbook.adapters.book import filebook
    from arbook.cli import main

    if by_column_from is not None:
        monkeypatch.setattr(filebook, "BY_COLUMN_FROM", by_column_from)
    path = _sample(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Invoices"][cell] = serial
    workbook["Invoices"][cell].number_format = "yyyy-mm-dd"
    workbook.save(path)
    before = path.read_bytes()
    with pytest.raises(SystemExit) as exit_:
        main(["age", str(path), "--as-of", "2026-10-31"])
    assert exit_.value.code == 1 and path.read_bytes() == before
    assert said in capsys.readouterr().err


def test_a_damaged_table_part_is_left_to_the_row_reader(tmp_path, monkeypatch):
    from arbook.adapters.book import filebook

    monkeypatch.setattr(filebook, "BY_COLUMN_FROM", 0)
    path = _sample(tmp_path)
    with open_book(path) as book:
        table = book._part(sheet_named("Invoices")).table_path
        book.discard()
    with zipfile.ZipFile(path) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    parts[table] = parts[table][:40]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    with open_book(path) as book:
        assert book._by_column(sheet_named("Invoices"), READS["Invoices"]) is None
        book.discard()


def test_a_small_sheet_is_read_by_row(tmp_path):
    path = _sample(tmp_path)
    with open_book(path) as book:
        book.prefetch(READS)
        for name, columns in READS.items():
            book.read(name, columns)
        assert set(book._raw) == set(READS)
        book.discard()
