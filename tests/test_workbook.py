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
from arbook.adapters.vba.build import CONF_CODE_NAME, MACROS, build_workbook_bytes, xlwings_modules
from arbook.resources import resource
from arbook.adapters.vba.ovba import compress

NS_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "arbook.xlsm"
    path.write_bytes(build_workbook_bytes())
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
    groups = [el.get("label") for el in ui.iter(f"{NS_UI}group")]
    assert groups == ["Import", "Match & Review", "Aging & Credit", "Statements & Email", "Settings & Help"]


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


def test_on_ribbon_dispatches_commits_and_reports_errors_in_one_line(tmp_path):
    """Dispatch, commit/discard and messages with the file adapter; only Excel's UI object is replaced."""
    shutil.copyfile(resource("samples") / "book.xlsx", tmp_path / "book.xlsx")
    for name in ("zengin_03.txt", "camt053_usd.xml"):
        shutil.copyfile(resource("samples") / name, tmp_path / name)
    app = _App()

    def run(control, *args):
        book = open_book(tmp_path / "book.xlsx")
        book.app = app
        try:
            return excel.on_ribbon(control, *args, book=book)
        finally:
            book.close()

    assert "zengin_03.txt: zengin-03" in run("arImport", [str(tmp_path / "zengin_03.txt"), str(tmp_path / "camt053_usd.xml")])
    assert run("arMatch").startswith("Matched ")
    before = (tmp_path / "book.xlsx").read_bytes()
    message = run("arImport", [str(tmp_path / "missing.csv")])
    assert message.startswith("arbook: ") and "\n" not in message
    assert (tmp_path / "book.xlsx").read_bytes() == before and app.alerts[-1] == message and app.status_bar is False


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed (.ci/run installs it)")
def test_libreoffice_opens_the_xlsm_and_lists_its_vba_modules(built, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "ods",
                    "--outdir", str(tmp_path), str(built)], check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "arbook.ods") as z:
        basic = {Path(n).stem for n in z.namelist() if n.startswith("Basic/VBAProject/") and n.endswith(".xml")}
    assert {"ArbookRibbon", "ArbookLabels", "xlwings", "Dictionary", "ThisWorkbook", "Customers"} <= basic
