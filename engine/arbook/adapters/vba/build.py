"""Build the macro-enabled book (``workbook/arbook.xlsm``) and the add-in (``arbook.xlam``) on any
OS, byte for byte reproducibly, with one builder.

The book: the schema workbook (openpyxl), document modules named after the sheets' codeNames, an
``xlwings.conf`` sheet, and xlwings' standalone VBA module (users need ``pip install arbook`` and no
xlwings add-in). The add-in: one information sheet and xlwings' custom add-in module (it runs Python
on the active workbook, so plain ``.xlsx`` books get the AR tab without macros inside them). Both
carry the ribbon dispatcher from ``macros/``, the generated ``ArbookLabels`` module, xlwings'
``Dictionary`` class and ``customUI/customUI14.xml`` (the AR tab).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from arbook.adapters.book.atomic import atomic_write
from arbook.adapters.book.builder import code_name, schema_workbook
from arbook.adapters.excel import custom_ui, labels_module
from arbook.adapters.vba.ovba import WORKBOOK_CLSID, Module, vba_project
from arbook.model.errors import ArbookError
from arbook.model.schema import SHEETS
from arbook.resources import resource

MACROS = resource("macros")
STAMP = (2026, 1, 1, 0, 0, 0)
CONF_SHEET, CONF_CODE_NAME = "xlwings.conf", "XlwingsConf"
# Only settings with a value: a row with an empty value would win over ~/.xlwings/xlwings.conf.
CONF_ROWS = (("Debug UDFs", "False"), ("Use UDF Server", "False"), ("Show Console", "False"))
ADDIN_SHEET, ADDIN_CODE_NAME = "arbook", "ArbookAddin"
ADDIN_NOTE = ("arbook add-in: the AR tab acts on the active workbook (an arbook book, .xlsx or .xlsm). "
              "Python is found through an xlwings.conf sheet in that book, an xlwings.conf file next to it, "
              "or ~/.xlwings/xlwings.conf, in that order.")
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
MAIN_XLSX = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAIN_TYPES = {"xlsm": b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
              "xlam": b"application/vnd.ms-excel.addin.macroEnabled.main+xml"}


def xlwings_folder() -> Path:
    """The installed xlwings package folder (its VBA sources and Excel-made quickstart books)."""
    import xlwings

    return Path(xlwings.__file__).parent


def xlwings_modules(addin: bool = False) -> list[Module]:
    """xlwings' VBA from the installed package: its module (standalone, or the custom add-in variant that
    runs on the active workbook and reads the same ``xlwings.conf`` places) and its ``Dictionary`` class."""
    folder = xlwings_folder()
    bas = _crlf((folder / ("xlwings_custom_addin.bas" if addin else "xlwings.bas")).read_bytes().decode("cp1252"))
    if addin:
        project_line = 'Public Const PROJECT_NAME As String = "myaddin"\r\n'
        if project_line not in bas:
            raise ArbookError(f"{folder}: xlwings_custom_addin.bas has no {project_line.strip()!r} line")
        bas = bas.replace(project_line, project_line.replace("myaddin", "xlwings"))
    dictionary = _module_from_book(folder / "quickstart_standalone.xlsm", "Dictionary")
    return [Module("xlwings", bas), Module("Dictionary", dictionary, "class")]


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _module_from_book(path: Path, name: str) -> str:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    for _, _, filename, code in parser.extract_macros():
        if filename.rsplit(".", 1)[0] == name:
            return _crlf(code)
    raise ArbookError(f"{path}: no {name} module (is the installed xlwings standalone quickstart complete?)")


def ribbon_modules() -> list[Module]:
    """The arbook modules both files carry: the dispatcher and the generated labels/inputs module."""
    ribbon = (MACROS / "ArbookRibbon.bas").read_bytes().decode("ascii")
    return [Module("ArbookRibbon", ribbon), Module("ArbookLabels", labels_module())]


def project_modules(addin: bool = False) -> list[Module]:
    """Every module of the book's (or the add-in's) VBA project, in project order."""
    documents = [Module("ThisWorkbook", "", "document", WORKBOOK_CLSID)]
    if addin:
        documents.append(Module(ADDIN_CODE_NAME, "", "document"))
    else:
        documents += [Module(code_name(s), "", "document") for s in SHEETS] + [Module(CONF_CODE_NAME, "", "document")]
    return documents + ribbon_modules() + xlwings_modules(addin)


def _book_workbook() -> Workbook:
    wb = schema_workbook()
    conf = wb.create_sheet(CONF_SHEET)
    conf.sheet_properties.codeName = CONF_CODE_NAME
    for key, value in CONF_ROWS:
        conf.append([key, value])
    conf.column_dimensions["A"].width, conf.column_dimensions["B"].width = 18, 60
    return wb


def _addin_workbook() -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = ADDIN_SHEET
    sheet.sheet_properties.codeName = ADDIN_CODE_NAME
    sheet["A1"] = ADDIN_NOTE
    return wb


def _package(wb: Workbook, modules: list[Module], kind: str, project: str) -> bytes:
    """The zip package of ``wb`` with the VBA project, the ribbon and fixed dates (same input, same bytes)."""
    wb.code_name = "ThisWorkbook"
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "arbook"
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["xl/vbaProject.bin"] = vba_project(modules, project)
    parts["customUI/customUI14.xml"] = custom_ui()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdArbookUI" Type="{UI_REL}" Target="customUI/customUI14.xml"/>'
                             "</Relationships>".encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdArbookVBA" Type="{VBA_REL}" Target="vbaProject.bin"/>'
                             "</Relationships>".encode())
    types = parts["[Content_Types].xml"].replace(MAIN_XLSX, MAIN_TYPES[kind])
    parts["[Content_Types].xml"] = types.replace(b"</Types>", f'<Default Extension="bin" ContentType="{VBA_TYPE}"/>'
                                                             "</Types>".encode())
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>",
                                        lambda m: m.group(0).split(b">")[0] + b">2026-01-01T00:00:00Z</dcterms:"
                                        + m.group(1) + b">", parts["docProps/core.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            zf.writestr(zipfile.ZipInfo(name, date_time=STAMP), parts[name], compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_workbook_bytes() -> bytes:
    """The bytes of the macro-enabled book (same input, same bytes)."""
    return _package(_book_workbook(), project_modules(), "xlsm", "VBAProject")


def build_addin_bytes() -> bytes:
    """The bytes of the add-in ``arbook.xlam`` (same input, same bytes)."""
    return _package(_addin_workbook(), project_modules(addin=True), "xlam", "arbook")


def _write(path: Path, data: bytes) -> Path:
    # The generated sources are kept in macros/ for people to read; written only when the action table
    # changed them (so an installed package, whose copies always match, is never written to).
    for name, content in (("ArbookLabels.bas", labels_module().encode("ascii")), ("customUI14.xml", custom_ui())):
        if (MACROS / name).read_bytes() != content:
            (MACROS / name).write_bytes(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    changed = path.exists() and path.read_bytes() != data  # e.g. a book with data given as --out by mistake
    atomic_write(path, lambda handle: handle.write(data), backup=changed)
    return path


def build_workbook(path: Path) -> Path:
    """Write the macro-enabled book to ``path`` (atomically; a different file there is kept as ``.bak``)."""
    return _write(path, build_workbook_bytes())


def build_addin(path: Path) -> Path:
    """Write the add-in to ``path`` (atomically; a different file there is kept as ``.bak``)."""
    return _write(path, build_addin_bytes())
