"""The ribbon's Python side end to end on Linux: ``excel.ribbon`` -> ``LiveBook`` -> engine, with
``xlwings.Book.caller()`` answering an in-memory STAND-IN of xlwings (tests/excel_standin.py), not Excel."""
import shutil

import pytest
import xlwings

from arbook.adapters import excel
from arbook.resources import resource
from excel_standin import StandInBook


@pytest.fixture
def caller(tmp_path, monkeypatch):
    shutil.copyfile(resource("samples") / "book.xlsx", tmp_path / "book.xlsx")
    book = StandInBook(tmp_path / "book.xlsx")
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: book))
    return book


def test_a_workbook_built_for_another_xlwings_gets_the_fix_and_nothing_runs(caller):
    before = {s.name: dict(s.cells) for s in caller.sheets}
    message = excel.ribbon("0.30.0", "arAge")
    assert caller.app.alerts == [message] and "0.30.0" in message and xlwings.__version__ in message
    assert caller.saves == 0 and {s.name: dict(s.cells) for s in caller.sheets} == before


def test_a_button_runs_on_the_callers_book_saves_once_and_clears_the_status_bar(caller, tmp_path):
    before = {s.name: dict(s.cells) for s in caller.sheets}
    message = excel.ribbon(xlwings.__version__, "arAge")
    assert caller.app.alerts == [message] and not message.startswith("arbook: ")
    assert caller.saves == 1 and caller.app.status_bar is False and caller.app.screen_updating is True
    aging = caller.sheets["Aging"]
    assert aging.cells != before["Aging"] and aging.tables["tblAging"].data_body_range is not None
    sheets_before = len(caller.sheets)
    assert excel.ribbon(xlwings.__version__, "arLedger").endswith(" ledger sheet(s)")
    assert len(caller.sheets) > sheets_before and caller.saves == 2  # report sheets added after the last one


def test_a_failing_button_leaves_the_book_unsaved_and_reports_one_line(caller, tmp_path):
    before = {s.name: dict(s.cells) for s in caller.sheets}
    message = excel.ribbon(xlwings.__version__, "arImport", [str(tmp_path / "missing.csv")])
    assert message.startswith("arbook: ") and "\n" not in message and caller.app.alerts == [message]
    assert caller.saves == 0 and {s.name: dict(s.cells) for s in caller.sheets} == before


def test_the_addin_on_a_book_that_is_not_an_arbook_book_says_so_in_one_line(tmp_path, monkeypatch):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "other.xlsx")
    other = StandInBook(tmp_path / "other.xlsx")
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: other))
    message = excel.ribbon(xlwings.__version__, "arMatch")
    assert message.startswith("arbook: ") and "other.xlsx" in message and "\n" not in message
    assert other.saves == 0 and other.app.alerts == [message]


def test_the_status_bar_speaks_the_books_language(caller):
    settings = caller.sheets["Settings"]
    row = next(r for (r, c), v in settings.cells.items() if c == 1 and v == "Language")
    settings.cells[(row, 2)] = "ja"
    excel.ribbon(xlwings.__version__, "arAge")
    assert caller.app.statuses == [False, f"arbook: {excel.BUTTONS['arAge'].labels['ja']}…", False]


def test_the_exact_command_the_dispatcher_builds_runs_with_a_hard_folder_name(caller, tmp_path):
    """The RunPython string (its mirror) executed as Python: a file under O'Brien/山田 😀/ reaches the import."""
    folder = tmp_path / "O'Brien" / "山田 太郎 😀"
    folder.mkdir(parents=True)
    shutil.copyfile(resource("samples") / "customers.csv", folder / "customers.csv")
    exec(excel.ribbon_command(xlwings.__version__, "arCustomers", str(folder / "customers.csv")), {})
    assert caller.saves == 1 and caller.app.alerts and not caller.app.alerts[-1].startswith("arbook: ")
    assert "Customers" in caller.app.alerts[-1]


def test_buttons_without_a_book_still_run_on_a_plain_workbook(tmp_path, monkeypatch):
    from openpyxl import Workbook

    Workbook().save(tmp_path / "plain.xlsx")
    plain = StandInBook(tmp_path / "plain.xlsx")
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: plain))
    message = excel.ribbon(xlwings.__version__, "arHelp")
    assert message == plain.app.alerts[-1] and not message.startswith("arbook: internal") and "README" in message
