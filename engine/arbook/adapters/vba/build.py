"""Build the macro-enabled book (``workbook/arbook.xlsm``) on any OS, byte for byte reproducibly.

The schema book (openpyxl) gets a source-only VBA project (``ovba``) with the document modules
named after the sheets' codeNames, the ribbon dispatcher from ``macros/``, the generated label
module, and xlwings' own VBA module and Dictionary class (standalone mode: users need
``pip install arbook`` and no add-in); plus ``customUI/customUI14.xml`` (the AR tab) and an
``xlwings.conf`` sheet.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from arbook.adapters.book.atomic import atomic_write
from arbook.adapters.book.builder import code_name, schema_workbook
from arbook.model.errors import ArbookError
from arbook.adapters.excel import custom_ui, labels_module
from arbook.model.schema import SHEETS
from arbook.adapters.vba.ovba import WORKBOOK_CLSID, Module, vba_project
from arbook.resources import resource

MACROS = resource("macros")
STAMP = (2026, 1, 1, 0, 0, 0)
CONF_SHEET, CONF_CODE_NAME = "xlwings.conf", "XlwingsConf"
CONF_ROWS = (("Interpreter_Win", ""), ("Interpreter_Mac", ""), ("PYTHONPATH", ""), ("Conda Path", ""),
             ("Conda Env", ""), ("UDF Modules", ""), ("Debug UDFs", "False"), ("Use UDF Server", "False"),
             ("Show Console", "False"))
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_TYPE = "application/vnd.ms-office.vbaProject"


def xlwings_modules() -> list[Module]:
    """xlwings' standalone VBA: its ``xlwings`` module and ``Dictionary`` class, from the installed package."""
    import xlwings

    folder = Path(xlwings.__file__).parent
    bas = (folder / "xlwings.bas").read_bytes().decode("cp1252").replace("\r\n", "\n").replace("\n", "\r\n")
    dictionary = _module_from_book(folder / "quickstart_standalone.xlsm", "Dictionary")
    return [Module("xlwings", bas), Module("Dictionary", dictionary, "document")]


def _module_from_book(path: Path, name: str) -> str:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    for _, _, filename, code in parser.extract_macros():
        if filename.rsplit(".", 1)[0] == name:
            return code.replace("\r\n", "\n").replace("\n", "\r\n")
    raise ArbookError(f"{path}: no {name} module (is the installed xlwings standalone quickstart complete?)")


def project_modules() -> list[Module]:
    """Every module of the book's VBA project, in project order."""
    labels = labels_module()
    documents = [Module("ThisWorkbook", "", "document", WORKBOOK_CLSID)]
    documents += [Module(code_name(s), "", "document") for s in SHEETS] + [Module(CONF_CODE_NAME, "", "document")]
    ribbon = (MACROS / "ArbookRibbon.bas").read_bytes().decode("ascii")
    return documents + [Module("ArbookRibbon", ribbon), Module("ArbookLabels", labels)] + xlwings_modules()


def build_workbook_bytes() -> bytes:
    """The bytes of the macro-enabled book (same input, same bytes)."""
    from datetime import datetime

    wb = schema_workbook()
    conf = wb.create_sheet(CONF_SHEET)
    conf.sheet_properties.codeName = CONF_CODE_NAME
    for key, value in CONF_ROWS:
        conf.append([key, value])
    conf.column_dimensions["A"].width, conf.column_dimensions["B"].width = 18, 60
    wb.code_name = "ThisWorkbook"
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "arbook"
    buffer = io.BytesIO()
    wb.save(buffer)
    parts = {}
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        for name in zf.namelist():
            parts[name] = zf.read(name)
    parts["xl/vbaProject.bin"] = vba_project(project_modules())
    parts["customUI/customUI14.xml"] = custom_ui()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdArbookUI" Type="{UI_REL}" Target="customUI/customUI14.xml"/>'
                             "</Relationships>".encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdArbookVBA" Type="{VBA_REL}" Target="vbaProject.bin"/>'
                             "</Relationships>".encode())
    types = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
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


def build_workbook(path: Path) -> Path:
    """Write the macro-enabled book to ``path`` (atomically)."""
    # The generated sources are kept in macros/ for people to read; written only when the action table
    # changed them (so an installed package, whose copies always match, is never written to).
    for name, content in (("ArbookLabels.bas", labels_module().encode("ascii")), ("customUI14.xml", custom_ui())):
        if (MACROS / name).read_bytes() != content:
            (MACROS / name).write_bytes(content)
    data = build_workbook_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda handle: handle.write(data), backup=False)
    return path
