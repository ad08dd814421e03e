"""The library API in ``arbook``: a month-end scripted from Python, as a notebook would."""
import shutil

import arbook
from arbook.resources import resource
from arbook.services.demo import BANK_FILES, SAMPLE_AS_OF


def test_month_end_from_python(tmp_path):
    for name in ("book.xlsx", *BANK_FILES):
        shutil.copyfile(resource("samples", name), tmp_path / name)
    with arbook.open_book(tmp_path / "book.xlsx") as book:
        assert isinstance(book, arbook.Book)
        reports = arbook.import_bank(book, [tmp_path / n for n in BANK_FILES])
        matched = arbook.match(book)
        aged = arbook.age(book, SAMPLE_AS_OF)
        run = arbook.write_statements(book, tmp_path / "out", SAMPLE_AS_OF)
    assert sum(r.added for r in reports) > 0 and matched.auto > 0
    assert len(run.files) == len(list((tmp_path / "out").glob("*.xlsx"))) > 0
    assert aged.invoices["Open"].notna().all()
    with arbook.open_book(tmp_path / "book.xlsx") as book:  # committed when the block ended
        assert len(book.read("Allocations")) > 0 and "statements" in set(book.read("Log")["Action"])


def test_every_api_name_resolves():
    for name in arbook.__all__:
        assert getattr(arbook, name) is not None
