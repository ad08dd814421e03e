"""The sheet writer streams: a sheet is rendered a chunk of rows at a time and compressed as it comes.

Whatever the chunk size, the bytes are those of the one-piece rendering, and two independent
readers (python-calamine and openpyxl) read back every value as it was written.
"""
import random
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from arbook.adapters.book import open_book, package, sheetxml
from arbook.model.frames import cell_columns, make_frame
from arbook.model.schema import BANK

#: Texts a chunk of plain values never holds: markup, controls, outer spaces, Excel's escape form.
AWKWARD = ["A & B <Ltd>", "tab\there", "bell\x07ring", "  spaces  ", "改行\nあり", "_x0041_ literal", "=1+2",
           "ｶ)ﾔﾏﾀﾞ", "\u3000全角", "end "]
LAST = get_column_letter(len(BANK.headers))  # the Bank sheet's last column


def _bank(rows: int, seed: int = 7):
    rng = random.Random(seed)
    records = []
    for i in range(rows):
        awkward = AWKWARD[(i // 499) % len(AWKWARD)] if i % 499 == 3 else None  # a few chunks hold one
        records.append({"Bank Ref": f"R{i:07d}", "Date": date(2026, 1, 1) + timedelta(days=i % 300),
                        "Amount": Decimal(rng.randrange(-500_000, 5_000_000)) / 100, "Currency": "USD",
                        "Payer": awkward or (f"PAYER {rng.randrange(5000):05d}" if i % 5 else None),
                        "Memo": f"INV-{i:06d} | paid", "Source": "statement.csv", "Status": "New",
                        "Raw Text": f"PAYER | INV-{i:06d}"})
    return make_frame(BANK, records)


def _unescaped(text):
    """Excel's ``_xHHHH_`` escapes decoded (openpyxl leaves them as written; Excel and calamine decode them)."""
    return text if text is None else re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _expected(frame, column):
    return [None if v is None else v for v in frame[column].tolist()]


@pytest.mark.parametrize("chunk", [1, 7, 1000, None])
def test_pieces_are_the_one_piece_rendering(book_path, chunk):
    frame = _bank(2345)
    with zipfile.ZipFile(book_path) as z:
        shell = z.read("xl/worksheets/sheet3.xml")
    headers, kinds, columns = cell_columns(BANK, frame)
    whole, ref = sheetxml.render_sheet(shell, headers, kinds, columns)
    pieces: list[bytes] = []
    assert sheetxml.write_sheet(shell, headers, kinds, columns, pieces.append, chunk) == ref == f"A1:{LAST}2346"
    assert b"".join(pieces) == whole
    if chunk:
        assert len(pieces) == 2 + -(-2345 // chunk)  # head, one piece per chunk, tail


def test_large_sheet_in_many_chunks_reads_back_with_two_independent_readers(book_path, monkeypatch):
    monkeypatch.setattr(sheetxml, "CHUNK_ROWS", 100)
    frame = _bank(5003)
    with open_book(book_path) as book:
        book.replace("Bank", frame)
    with zipfile.ZipFile(book_path) as z:
        xml = z.read("xl/worksheets/sheet3.xml").decode()
        table = z.read("xl/tables/table3.xml").decode()
    assert f'<dimension ref="A1:{LAST}5004"/>' in xml and f'ref="A1:{LAST}5004"' in table
    assert "<f>" not in xml and "<f " not in xml and 't="inlineStr"' in xml

    rows = CalamineWorkbook.from_path(str(book_path)).get_sheet_by_name("Bank").to_python(skip_empty_area=False)
    assert rows[0][:11] == BANK.headers[:11]
    body = rows[1:]
    assert len(body) == 5003
    for name in ("Bank Ref", "Payer", "Memo", "Raw Text"):
        index = BANK.headers.index(name)
        assert [r[index] if r[index] != "" else None for r in body] == _expected(frame, name), name
    assert [r[1] for r in body] == frame["Date"].tolist()
    assert [Decimal(repr(r[2])) for r in body] == frame["Amount"].tolist()

    sheet = openpyxl.load_workbook(book_path, read_only=True)["Bank"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [_unescaped(v[4]) for v in values] == _expected(frame, "Payer")
    assert [v[0] for v in values] == _expected(frame, "Bank Ref")
    assert [v[1].date() for v in values] == frame["Date"].tolist()
    assert [Decimal(repr(v[2])) for v in values] == frame["Amount"].tolist()
    assert {_unescaped(v[4]) for v in values} >= set(AWKWARD)

    with open_book(book_path) as book:  # and arbook itself reads it back whole
        back = book.read("Bank")
    assert back["Payer"].tolist() == _expected(frame, "Payer")
    assert back["Amount"].tolist() == frame["Amount"].tolist()


def test_a_sheet_past_the_zip64_limit_is_written_as_zip64(book_path, monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 50_000)  # stands for 2 GiB
    monkeypatch.setattr(sheetxml, "CHUNK_ROWS", 50)
    frame = _bank(800)
    with open_book(book_path) as book:
        book.replace("Bank", frame)
        book.replace("Customers", book.read("Customers"))  # a small sheet stays below the limit
    with zipfile.ZipFile(book_path) as z:
        info = z.getinfo("xl/worksheets/sheet3.xml")
        assert info.file_size > 50_000
        with open(book_path, "rb") as raw:  # the local header carries the ZIP64 extra field (id 1)
            raw.seek(info.header_offset + 26)
            name_length, extra_length = int.from_bytes(raw.read(2), "little"), int.from_bytes(raw.read(2), "little")
            raw.seek(name_length, 1)
            assert raw.read(extra_length)[:2] == b"\x01\x00"
            small = z.getinfo("xl/worksheets/sheet1.xml")  # Customers: below the limit, no extra field
            assert small.file_size < 50_000
            raw.seek(small.header_offset + 28)
            assert int.from_bytes(raw.read(2), "little") == 0
        assert z.testzip() is None
    rows = CalamineWorkbook.from_path(str(book_path)).get_sheet_by_name("Bank").to_python()
    assert [r[0] for r in rows[1:]] == frame["Bank Ref"].tolist()
    assert openpyxl.load_workbook(book_path, read_only=True)["Bank"].max_row == 801


def test_a_large_part_compressed_in_two_halves_reads_back_whole_through_zipfile(tmp_path):
    """The halves are one deflate stream: zipfile inflates it and checks the CRC of the whole."""
    rng = random.Random(3)
    data = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, rng.randrange(10 ** 12))
                    for n in range(package.SPLIT_FROM // 40))
    assert len(data) >= package.SPLIT_FROM
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zout:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        package.write_part(zout, info, package.deflate(data))
    with zipfile.ZipFile(path) as zin:
        assert zin.read("xl/worksheets/sheet1.xml") == data


@pytest.mark.parametrize("split_from", [package.SPLIT_FROM, 1000])  # 1000: a piece compressed every ~1000 bytes
@pytest.mark.parametrize("pieces", [[], [b""], [b"<row/>" * 3], [b'<row r="%d"/>' % n for n in range(2000)]])
def test_a_part_compressed_as_it_is_made_reads_back_whole_through_zipfile(tmp_path, monkeypatch, split_from, pieces):
    """Pieces compressed on a pool as they come are one deflate stream: zipfile inflates it and checks the CRC."""
    monkeypatch.setattr(package, "SPLIT_FROM", split_from)
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zout, ThreadPoolExecutor(2) as pool:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        part = package.deflate_produced(lambda write: [write(piece) for piece in pieces], pool)
        package.write_part(zout, info, part)
    with zipfile.ZipFile(path) as zin:
        assert zin.read("xl/worksheets/sheet1.xml") == b"".join(pieces)
    assert part.size == len(b"".join(pieces))


def test_a_part_whose_bytes_do_not_match_its_crc_is_refused(tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1000)
    with zipfile.ZipFile(path) as zin:
        assert package.inflated(zin, "xl/worksheets/sheet1.xml") == b"<row/>" * 1000
        info = zin.getinfo("xl/worksheets/sheet1.xml")
        info.CRC ^= 1
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            package.inflated(zin, "xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[start + 5:start + 9] = b"\xff\xff\xff\xff"  # inside the compressed stream
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zin, pytest.raises(zipfile.BadZipFile):
        package.inflated(zin, "xl/worksheets/sheet1.xml")
