"""Schema versions: books record theirs, older books are refused with the fix, `arbook upgrade` migrates them."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from arbook.adapters.book import new_book, open_book
from arbook.adapters.book.package import schema_version
from arbook.cli import main
from arbook.model.errors import BookFormatError
from arbook.model.schema import SCHEMA_VERSION, SHEETS

FIXTURES = Path(__file__).parent / "fixtures" / "books"
#: Books made by earlier releases, as those releases wrote them (schema1-*: arbook 0.1.0, commit c198052;
#: schema2-*: main at 6f074f2; schema3-*: main at 4633348, before the Customers address/CC/confirmation columns;
#: schema4-*: main's samples/book.xlsx at 5bc4b93, before Bank Charges).
OLD_BOOKS = sorted(FIXTURES.glob("schema*-*.xls[xm]"))


def run(*args: str) -> int:
    """The CLI's exit code for ``args``."""
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_new_books_record_the_current_version(tmp_path: Path) -> None:
    for name in ("a.xlsx", "b.xlsm"):
        with zipfile.ZipFile(new_book(tmp_path / name)) as zf:
            assert schema_version(zf) == SCHEMA_VERSION


@pytest.mark.parametrize("old", OLD_BOOKS, ids=lambda p: p.name)
def test_old_book_is_refused_then_upgraded_with_every_value_kept(old: Path, tmp_path: Path, capsys) -> None:
    book = tmp_path / old.name
    shutil.copyfile(old, book)
    before = _values(book)
    with pytest.raises(BookFormatError, match=rf"made by schema version {old.name[6]} .*run `arbook upgrade"):
        open_book(book)
    assert run("age", str(book)) == 1
    assert "arbook upgrade" in capsys.readouterr().err
    assert run("upgrade", str(book)) == 0
    assert (tmp_path / f"{old.stem}.schema{old.name[6]}{old.suffix}").read_bytes() == old.read_bytes()
    after = _values(book)
    for title, rows in before.items():  # every old cell is where it was (new columns come after them)
        for old_row, new_row in zip(rows, after[title]):
            assert new_row[:len(old_row)] == old_row, title
        assert len(after[title]) >= len(rows)
    with open_book(book) as upgraded:
        for sheet in SHEETS:
            assert list(upgraded.read(sheet.name).columns) == sheet.headers
        assert upgraded.read("Log")["Action"].iloc[-1] == "upgrade"
    if book.suffix == ".xlsm":  # VBA and ribbon survive
        with zipfile.ZipFile(book) as zf, zipfile.ZipFile(old) as zo:
            assert zf.read("xl/vbaProject.bin") == zo.read("xl/vbaProject.bin")
            assert zf.read("customUI/customUI14.xml") == zo.read("customUI/customUI14.xml")
            assert b"ui/extensibility" in zf.read("_rels/.rels")
    assert run("upgrade", str(book)) == 0  # a second upgrade changes nothing
    assert "already" in capsys.readouterr().out


def test_user_columns_and_sheets_survive_an_upgrade(tmp_path: Path) -> None:
    book = tmp_path / "mine.xlsx"
    shutil.copyfile(FIXTURES / "schema1-sample.xlsx", book)
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("My notes")["A1"] = "call Yamada-san on Monday"
    wb.save(book)
    run("upgrade", str(book))
    assert openpyxl.load_workbook(book)["My notes"]["A1"].value == "call Yamada-san on Monday"


def test_a_book_from_a_newer_arbook_is_refused(tmp_path: Path, capsys) -> None:
    book = new_book(tmp_path / "new.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.defined_names["_arbook_schema"].attr_text = str(SCHEMA_VERSION + 1)
    wb.save(book)
    with pytest.raises(BookFormatError, match="newer arbook"):
        open_book(book)
    assert run("upgrade", str(book)) == 1
    assert "newer arbook" in capsys.readouterr().err


def test_a_workbook_that_is_no_book_is_refused_and_never_upgraded_into_one(tmp_path: Path, capsys) -> None:
    """A bank's own .xlsx given where the book goes (arguments swapped) is not 'schema version 1'."""
    export = tmp_path / "bankexport.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Date", "Payer", "Amount"])
    wb.save(export)
    before = export.read_bytes()
    with pytest.raises(BookFormatError, match="not an arbook book"):
        open_book(export)
    assert run("upgrade", str(export)) == 1
    assert "the book comes first in a command" in capsys.readouterr().err
    assert export.read_bytes() == before and not list(tmp_path.glob("bankexport.schema*"))


#: The schema's fingerprint per version. Changing a sheet or column (name, kind, role) fails the test below
#: until SCHEMA_VERSION is bumped and a line added here; then `arbook upgrade` brings older books along.
FINGERPRINTS = {4: "6d27e79bd26fcaa7", 5: "f15b02d09fb4e877"}


def schema_fingerprint() -> str:
    import hashlib
    import json

    spec = [(s.name, [(c.name, c.kind.value, c.role.value) for c in s.columns]) for s in SHEETS]
    return hashlib.sha256(json.dumps(spec, ensure_ascii=False).encode()).hexdigest()[:16]


def test_a_schema_change_bumps_the_version() -> None:
    assert FINGERPRINTS.get(SCHEMA_VERSION) == schema_fingerprint(), (
        "the sheets or columns changed: bump SCHEMA_VERSION in model/schema.py and record the new fingerprint")
