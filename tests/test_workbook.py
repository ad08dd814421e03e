"""The macro-enabled book: VBA built from source, the ribbon, codeNames, reproducibility, and the
ribbon's Python entry points. What can be checked without Excel is checked here."""
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from arbook.adapters import excel
from arbook.adapters.book import new_book, open_book
from arbook.model.schema import SHEETS
from arbook.adapters.vba.build import (ADDIN_CODE_NAME, CONF_CODE_NAME, CONF_ROWS, CONF_SHEET, MACROS,
                                       build_addin_bytes, build_workbook_bytes, xlwings_modules)
from arbook.resources import resource
from arbook.adapters.vba.ovba import compress

NS_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "arbook.xlsm"
    path.write_bytes(build_workbook_bytes())
    return path


@pytest.fixture(scope="module")
def built_addin(tmp_path_factory):
    path = tmp_path_factory.mktemp("addin") / "arbook.xlam"
    path.write_bytes(build_addin_bytes())
    return path


def modules(path):
    return {name.rsplit(".", 1)[0]: code for _, _, name, code in VBA_Parser(str(path)).extract_macros()}


def test_olevba_extracts_every_module_byte_identical_to_its_source(built):
    found = modules(built)
    assert found["ArbookRibbon"] == (MACROS / "ArbookRibbon.bas").read_bytes().decode("ascii")
    assert found["ArbookLabels"] == (MACROS / "ArbookLabels.bas").read_bytes().decode("ascii")
    for module in xlwings_modules():
        assert found[module.name] == module.source
    document_names = {"ThisWorkbook", CONF_CODE_NAME} | {s.name.replace(" ", "") for s in SHEETS}
    assert document_names <= set(found)


def test_addin_carries_the_ribbon_modules_and_xlwings_custom_addin_module(built_addin):
    found = modules(built_addin)
    assert found["ArbookRibbon"] == (MACROS / "ArbookRibbon.bas").read_bytes().decode("ascii")
    assert found["ArbookLabels"] == (MACROS / "ArbookLabels.bas").read_bytes().decode("ascii")
    for module in xlwings_modules(addin=True):
        assert found[module.name] == module.source
    assert set(found) == {"ThisWorkbook", ADDIN_CODE_NAME, "ArbookRibbon", "ArbookLabels", "xlwings", "Dictionary"}
    assert "Set wb = ActiveWorkbook" in found["xlwings"]  # runs Python on the active book, not on the add-in
    assert 'PROJECT_NAME As String = "xlwings"' in found["xlwings"]  # same xlwings.conf places as the book
    with zipfile.ZipFile(built_addin) as z:
        assert b"application/vnd.ms-excel.addin.macroEnabled.main+xml" in z.read("[Content_Types].xml")
        assert z.read("customUI/customUI14.xml") == excel.custom_ui()
        assert b'codeName="ThisWorkbook"' in z.read("xl/workbook.xml")


def test_conf_sheet_holds_only_settings_with_values(built):
    from openpyxl import load_workbook

    rows = list(load_workbook(built)[CONF_SHEET].iter_rows(values_only=True))
    assert rows == [tuple(r) for r in CONF_ROWS] and all(key and value for key, value in rows)


def test_sheet_code_names_match_the_document_modules(built):
    found = set(modules(built))
    with zipfile.ZipFile(built) as z:
        assert b'codeName="ThisWorkbook"' in z.read("xl/workbook.xml")
        code_names = {re.search(rb'codeName="([^"]+)"', z.read(n)).group(1).decode()
                      for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        types = z.read("[Content_Types].xml")
        assert b"macroEnabled.main+xml" in types and b'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
        assert b"customUI/customUI14.xml" in z.read("_rels/.rels")
        assert b'Target="vbaProject.bin"' in z.read("xl/_rels/workbook.xml.rels")
    assert code_names <= found and len(code_names) == len(SHEETS) + 1


def test_ribbon_callbacks_exist_with_the_right_signatures():
    ui = ET.parse(MACROS / "customUI14.xml").getroot()
    assert ui.tag == f"{NS_UI}customUI"
    source = (MACROS / "ArbookRibbon.bas").read_text(encoding="ascii")
    signatures = {
        "onAction": r"Sub {}\(control As IRibbonControl\)",
        "getLabel": r"Sub {}\(control As IRibbonControl, ByRef label\)",
        "onLoad": r"Sub {}\(ribbon As IRibbonUI\)",
    }
    callbacks = [(attr, el.get(attr)) for el in ui.iter() for attr in signatures if el.get(attr)]
    assert {a for a, _ in callbacks} == set(signatures)
    for attribute, name in callbacks:
        assert re.search(signatures[attribute].format(name), source), (attribute, name)
    buttons = [el.get("id") for el in ui.iter(f"{NS_UI}button")]
    assert buttons == list(excel.BUTTONS)
    groups = [el.get("id") for el in ui.iter(f"{NS_UI}group")]
    assert groups == [excel.group_id(g) for g in excel.groups()]
    assert list(excel.groups()) == ["Import", "Match & Review", "Aging & Credit", "Statements & Email", "Settings & Help"]
    labels = (MACROS / "ArbookLabels.bas").read_text(encoding="ascii")
    for control in buttons + groups:
        for language in ("en", "ja", "zh"):
            assert f'Case "{control}/{language}": ArbookLabel = ' in labels
    for button in excel.BUTTONS.values():  # what the dispatcher asks for before calling Python
        ask = button.asks.kind if button.asks else None
        assert (f'Case "{button.control_id}": ArbookAsk = "{ask}"' in labels) == bool(ask)
        if ask in ("file", "files"):
            assert f'Case "{button.control_id}": ArbookFilter = "{button.ribbon.filter}"' in labels


def test_every_runpython_command_names_an_entry_point():
    source = (MACROS / "ArbookRibbon.bas").read_text(encoding="ascii")
    commands = re.findall(r'RunPython "import (\S+) as (\w+); \2\.(\w+)\(', source)
    assert commands
    for module, _, function in commands:
        assert module == "arbook.adapters.excel" and callable(getattr(excel, function))


def test_committed_workbook_equals_a_fresh_build():
    assert (resource("workbook", "arbook.xlsm")).read_bytes() == build_workbook_bytes()


def test_new_xlsm_books_carry_the_ribbon_and_keep_it(tmp_path):
    book = new_book(tmp_path / "mine.xlsm")
    with open_book(book) as handle:
        handle.log("test", "a write")
    with zipfile.ZipFile(book) as z:
        assert "customUI/customUI14.xml" in z.namelist() and "xl/vbaProject.bin" in z.namelist()
    assert "ArbookRibbon" in modules(book)


def test_compression_round_trips_long_and_incompressible_modules(tmp_path):
    import os
    import random

    from oletools.olevba import decompress_stream

    for data in (b"Sub A()\r\n    x = 1\r\nEnd Sub\r\n" * 900, os.urandom(9000), bytes(random.Random(1).choices(b"ab", k=20000))):
        assert decompress_stream(bytearray(compress(data))) == data


class _App:
    def __init__(self):
        self.status_bar, self.alerts = None, []

    def alert(self, text, title=""):
        self.alerts.append(text)


def _ribbon(path, app):
    """Press a ribbon button on the book at ``path`` (file adapter; Excel's UI object replaced by ``app``)."""
    def run(control, *args):
        book = open_book(path)
        book.app = app
        try:
            return excel.on_ribbon(control, *args, book=book)
        finally:
            book.close()
    return run


def test_on_ribbon_dispatches_commits_and_reports_errors_in_one_line(tmp_path):
    """Dispatch, commit/discard and messages with the file adapter; only Excel's UI object is replaced."""
    shutil.copyfile(resource("samples") / "book.xlsx", tmp_path / "book.xlsx")
    for name in ("zengin_03.txt", "camt053_usd.xml"):
        shutil.copyfile(resource("samples") / name, tmp_path / name)
    app = _App()
    run = _ribbon(tmp_path / "book.xlsx", app)

    assert "zengin_03.txt: zengin-03" in run("arImport", [str(tmp_path / "zengin_03.txt"), str(tmp_path / "camt053_usd.xml")])
    assert run("arMatch").startswith("Matched ")
    before = (tmp_path / "book.xlsx").read_bytes()
    message = run("arImport", [str(tmp_path / "missing.csv")])
    assert message.startswith("arbook: ") and "\n" not in message
    assert (tmp_path / "book.xlsx").read_bytes() == before and app.alerts[-1] == message and app.status_bar is False


def test_every_button_runs_its_engine_function_on_a_book(tmp_path):
    """The buttons added for customers, invoices, unmatch and confirmations reach the same services as the CLI."""
    new_book(tmp_path / "book.xlsx")
    for name in ("customers.csv", "invoices.csv", "zengin_03.txt"):
        shutil.copyfile(resource("samples") / name, tmp_path / name)
    app = _App()
    run = _ribbon(tmp_path / "book.xlsx", app)

    assert "Customers" in run("arCustomers", str(tmp_path / "customers.csv"))
    assert "Invoices" in run("arInvoices", str(tmp_path / "invoices.csv"))
    with open_book(tmp_path / "book.xlsx") as book:
        assert len(book.read("Customers")) > 0 and len(book.read("Invoices")) > 0
    run("arImport", [str(tmp_path / "zengin_03.txt")])
    assert run("arMatch").startswith("Matched ")
    with open_book(tmp_path / "book.xlsx") as book:
        matched = book.read("Allocations")
    ref = str(matched["Bank Ref"].iloc[0])
    message = run("arUnmatch", ref)
    assert f"of {ref};" in message and not message.startswith("reversed 0 ")
    assert "customers.csv" in run("arConfirmations", [str(tmp_path / "customers.csv")])
    user_actions = {"customers", "invoices", "import", "match", "confirm", "unmatch", "age", "ledger", "reminders",
                    "statements", "email", "confirmations"}  # manual apply and undo: no library function yet
    assert user_actions <= {b.name for b in excel.BUTTONS.values()}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed (.ci/run installs it)")
@pytest.mark.parametrize("kind", ["xlsm", "xlam"])
def test_libreoffice_opens_the_book_and_the_addin_and_lists_their_vba_modules(kind, built, built_addin, tmp_path):
    source = built if kind == "xlsm" else built_addin
    # LibreOffice 7.4 does not detect .xlam by its type (the Excel-made xlwings add-in neither): name the filter
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "arbook.ods") as z:
        basic = {Path(n).parent.name: set() for n in z.namelist() if n.startswith("Basic/") and n.endswith(".xml")}
        for name in z.namelist():
            if name.startswith("Basic/") and name.endswith(".xml") and Path(name).parent.name in basic:
                basic[Path(name).parent.name].add(Path(name).stem)
    project = "VBAProject" if kind == "xlsm" else "arbook"
    first = {"ArbookRibbon", "ArbookLabels", "xlwings", "Dictionary", "ThisWorkbook"}
    assert first | ({"Customers"} if kind == "xlsm" else {ADDIN_CODE_NAME}) <= basic[project]


def test_pinned_xlwings_is_the_one_the_committed_workbook_embeds():
    import tomllib

    import xlwings

    from arbook.services.doctor import embedded_xlwings_version

    committed = modules(resource("workbook", "arbook.xlsm"))
    # the constant the dispatcher sends to Python (and that names the DLL and the AppleScript)
    embedded = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', committed["xlwings"], re.M).group(1)
    assert embedded_xlwings_version(resource("workbook", "arbook.xlsm")) == embedded  # what arbook doctor reads
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"xlwings=={embedded}" in [d.split(";")[0].strip() for d in pyproject]
    assert xlwings.__version__ == embedded
    assert f'Lib "xlwings64-{embedded}.dll"' in committed["xlwings"]


def test_version_mismatch_message_names_both_versions_and_the_fix():
    assert excel.xlwings_mismatch("0.37.8", "0.37.8") is None
    message = excel.xlwings_mismatch("0.37.8", "0.38.1")
    assert "0.37.8" in message and "0.38.1" in message and 'pip install "xlwings==0.37.8"' in message
    assert "arbook build-addin" in message and "build-workbook" not in message and "\n" not in message
    source = (MACROS / "ArbookRibbon.bas").read_text(encoding="ascii")
    assert 'x.ribbon(" & PythonString(XLWINGS_VERSION) & ", " & PythonString(control.Id) & args & ")"' in source


def test_building_over_another_file_keeps_it_as_a_backup(tmp_path):
    from arbook.adapters.vba.build import build_addin

    target = tmp_path / "mine.xlam"
    target.write_bytes(b"someone's file")
    build_addin(target)
    assert target.read_bytes() == build_addin_bytes()
    backups = [p for p in tmp_path.iterdir() if p.name != "mine.xlam"]
    assert [p.read_bytes() for p in backups] == [b"someone's file"]
    build_addin(target)  # the same bytes again: nothing more to keep
    assert len(list(tmp_path.iterdir())) == 2


def test_the_accept_list_offers_the_japanese_and_chinese_answers_confirm_reads(tmp_path):
    """Excel refuses what the cell's list does not offer: はい typed in Accept must be on it."""
    import openpyxl

    sheet = openpyxl.load_workbook(new_book(tmp_path / "b.xlsx"))["Review"]
    (accept,) = [v for v in sheet.data_validations.dataValidation if v.errorTitle == "Accept"]
    assert accept.formula1 == '"yes,no,はい,是,いいえ,否"' and accept.showErrorMessage
