"""Limits: spreadsheets that inflate too far are refused in one line before anything is read, and
an import that would pass Excel's row limit on Bank is refused saying how many rows remain."""
import io
import os
import zipfile

import pandas as pd
import pytest

from arbook.adapters import tabular
from arbook.adapters.bankfiles import Options, read_statements
from arbook.adapters.book import new_book, open_book
from arbook.model.errors import InputError
from arbook.services import bankimport


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_by_ratio_is_refused_in_one_line(tmp_path):
    path = tmp_path / "statement.xlsx"
    path.write_bytes(zipped({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(64 << 20)}))
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InputError, match=r"inflates more than 200:1") as caught:
        read_statements(path, Options())
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_zip_past_the_total_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_INFLATED", 1 << 20)
    path = tmp_path / "statement.xlsx"
    path.write_bytes(zipped({"a.xml": os.urandom(700_000), "b.xml": os.urandom(700_000)}))
    with pytest.raises(InputError, match="inflates past 1 MiB"):
        read_statements(path, Options())


def test_a_real_xlsx_still_reads(tmp_path):
    path = tmp_path / "statement.xlsx"
    pd.DataFrame({"Date": ["2026-10-01"], "Amount": [5.0], "Description": ["ZELLE FROM JOHN SMITH"]}).to_excel(
        path, index=False)
    (line,) = read_statements(path, Options(currency="USD"))[0].lines
    assert line.payer == "JOHN SMITH"


def test_bank_row_limit_refuses_and_says_how_many_rows_remain(tmp_path, monkeypatch):
    monkeypatch.setattr(bankimport, "EXCEL_ROWS", 4)  # header + 3 rows
    book = new_book(tmp_path / "b.xlsx")
    path = tmp_path / "s.csv"
    path.write_text("Date,Amount\n2026-10-01,1\n2026-10-02,2\n2026-10-03,3\n2026-10-04,4\n", encoding="utf-8")
    before = book.read_bytes()
    with pytest.raises(InputError, match="4 new lines would pass Excel's limit of 4 rows on the Bank sheet: 3 rows "
                                         "remain"):
        with open_book(book) as handle:
            bankimport.import_bank_files(handle, [path], Options(currency="USD"))
    assert book.read_bytes() == before
