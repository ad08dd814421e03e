"""Shared fixtures: fresh books, small deterministic sample sets, and the adapters under contract."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # the sample generators (tools/samplegen), not part of the package

from arbook.adapters.book import new_book, open_book  # noqa: E402
from samplegen.sampledata import make_sample  # noqa: E402

SHARED_SAMPLES = ROOT.parent / "shared" / "bank-samples"


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A new, empty .xlsx book."""
    return new_book(tmp_path / "book.xlsx")


@pytest.fixture(scope="session")
def sample():
    """A small deterministic sample: 12 clients across ja/zh/en, 60 invoices."""
    return make_sample(seed=7, customers=12, invoices=60)


def excel_available() -> bool:
    """True only where xlwings can drive a real Excel (Windows or macOS with Excel installed)."""
    if sys.platform not in ("win32", "darwin") or os.environ.get("ARBOOK_NO_EXCEL"):
        return False
    try:
        import xlwings as xw

        return bool(xw.apps.count is not None)
    except Exception:
        return False


@pytest.fixture(params=["file", "live-standin", pytest.param("live", marks=pytest.mark.excel)])
def adapter(request, tmp_path: Path):
    """A factory opening a new book through the file adapter, the live adapter over an in-memory
    stand-in of xlwings (tests/excel_standin.py, not Excel), or, where Excel runs, the live one."""
    path = new_book(tmp_path / "contract.xlsx")
    if request.param == "file":
        yield lambda: open_book(path)
        return
    if request.param == "live-standin":
        from arbook.adapters.book.livebook import LiveBook
        from excel_standin import StandInBook

        stand_in = StandInBook(path)
        yield lambda: LiveBook(stand_in)
        return
    if not excel_available():
        pytest.skip("live adapter: needs Microsoft Excel through xlwings (Windows/macOS); not run here")
    import xlwings as xw

    from arbook.adapters.book.livebook import LiveBook

    app = xw.App(visible=False)
    try:
        xw_book = app.books.open(str(path))
        yield lambda: LiveBook(xw_book)
    finally:
        app.quit()
