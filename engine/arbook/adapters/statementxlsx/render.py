"""Fill a statement template fast: parse it once, then write each client's workbook by reusing
every part of the template package and generating only the two sheets' cell data and the
hidden custom properties (client ID, as-of date, checksum of the lines).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, StrictUndefined
from lxml import etree

from arbook.adapters.book.package import NS_MAIN, sheet_parts
from arbook.adapters.book.sheetxml import column_index, column_letter, split_sheet, text_xml
from arbook.model.errors import ArbookError
from arbook.model.money import excel_number
from arbook.model.textparse import date_to_excel_serial

SHEETS = ("Statement", "Confirm")
COLLECTIONS = ("lines", "opening", "closing", "open_items", "totals")
CUSTOM = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_EXPRESSION = re.compile(r"^\{\{\s*(.+?)\s*\}\}$", re.S)
_COLLECTION = re.compile(r"\{\{[^}]*?\b(" + "|".join(COLLECTIONS) + r")\.")
_REF = re.compile(r"([A-Z]+)(\d+)")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.\w+)*$")


@dataclass
class TemplateCell:
    column: str
    style: str
    source: str | None
    expression: Any = None  # compiled single expression: keeps numbers and dates native
    text: Any = None        # compiled text template


@dataclass
class TemplateRow:
    number: int
    attributes: str
    cells: list[TemplateCell]
    collection: str | None


@dataclass
class TemplateSheet:
    path: str
    prefix: str
    suffix: str
    rows: list[TemplateRow]


class StatementTemplate:
    """A parsed template package, ready to render many statements."""

    def __init__(self, path: Path):
        self.path = path
        try:
            with zipfile.ZipFile(path) as zf:
                self.parts = {name: zf.read(name) for name in zf.namelist()}
                located = sheet_parts(zf)
        except (OSError, zipfile.BadZipFile, KeyError) as exc:
            raise ArbookError(f"{path}: not a statement template workbook ({exc})") from None
        missing = [name for name in SHEETS if name not in located]
        if missing:
            raise ArbookError(f"{path}: the template needs sheets {', '.join(SHEETS)} (missing {', '.join(missing)})")
        self.env = Environment(undefined=StrictUndefined, autoescape=False)
        strings = self._shared_strings()
        self.sheets = {name: self._parse(located[name].path, strings) for name in SHEETS}
        self.parts.pop(CUSTOM, None)

    def _shared_strings(self) -> list[str]:
        data = self.parts.get("xl/sharedStrings.xml")
        if not data:
            return []
        root = etree.fromstring(data)
        return ["".join(si.itertext()) for si in root.iter(f"{{{NS_MAIN}}}si")]

    def _parse(self, path: str, strings: list[str]) -> TemplateSheet:
        prefix, data, suffix = split_sheet(self.parts[path].decode("utf-8"))
        root = etree.fromstring(f'<sheetData xmlns="{NS_MAIN}">{data}</sheetData>'.encode("utf-8"))
        rows = []
        for row in root.iter(f"{{{NS_MAIN}}}row"):
            attributes = " ".join(f'{k}="{escape(v)}"' for k, v in row.attrib.items() if k not in ("r", "spans"))
            cells = []
            for cell in row.iter(f"{{{NS_MAIN}}}c"):
                column = _REF.match(cell.get("r", "")).group(1)
                kind = cell.get("t")
                value = cell.findtext(f"{{{NS_MAIN}}}v")
                if kind == "s" and value is not None:
                    source = strings[int(value)]
                elif kind == "inlineStr":
                    source = "".join(cell.find(f"{{{NS_MAIN}}}is").itertext())
                else:
                    source = value
                cells.append(self._compile(TemplateCell(column, cell.get("s", ""), source)))
            found = {m.group(1) for c in cells if c.source for m in _COLLECTION.finditer(c.source)}
            if len(found) > 1:
                raise ArbookError(f"{self.path}: a row repeats over one collection only, found {', '.join(found)}")
            rows.append(TemplateRow(int(row.get("r", len(rows) + 1)), attributes, cells, found.pop() if found else None))
        return TemplateSheet(path, prefix, suffix, rows)

    def _compile(self, cell: TemplateCell) -> TemplateCell:
        if cell.source and "{{" in cell.source:
            single = _EXPRESSION.match(cell.source)
            if single and _DOTTED.match(single.group(1)):
                cell.expression = _lookup(tuple(single.group(1).split(".")))
            elif single and "{{" not in single.group(1):
                cell.expression = self.env.compile_expression(single.group(1), undefined_to_none=False)
            else:
                cell.text = self.env.from_string(cell.source)
        return cell

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> bytes:
        """The bytes of one filled statement workbook."""
        out = dict(self.parts)
        for sheet in self.sheets.values():
            out[sheet.path] = self._render_sheet(sheet, context)
        out[CUSTOM] = _custom_properties(properties)
        out["_rels/.rels"] = _with(out["_rels/.rels"], b"</Relationships>",
                                   f'<Relationship Id="rIdArbookCustom" Type="{CUSTOM_REL}" Target="{CUSTOM}"/>')
        out["[Content_Types].xml"] = _with(out["[Content_Types].xml"], b"</Types>",
                                           f'<Override PartName="/{CUSTOM}" ContentType="{CUSTOM_TYPE}"/>')
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name, data in out.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    def _render_sheet(self, sheet: TemplateSheet, context: dict[str, Any]) -> bytes:
        rows: list[str] = []
        shift = 0  # rows added (or removed) above by repeated rows
        number = 0
        for row in sheet.rows:
            items = context.get(row.collection, []) if row.collection else [None]
            number = row.number + shift - 1
            shift += len(items) - 1
            for item in items:
                number += 1
                scope = {**context, row.collection: item} if row.collection else context
                cells = "".join(_cell(f"{c.column}{number}", c.style, _value(c, scope)) for c in row.cells)
                rows.append(f'<row r="{number}" {row.attributes}>{cells}</row>')
        last = max((column_index(c.column) for r in sheet.rows for c in r.cells), default=0)
        prefix = re.sub(r"<dimension\b[^>]*/>", f'<dimension ref="A1:{column_letter(last)}{max(number, 1)}"/>', sheet.prefix)
        return f"{prefix}<sheetData>{''.join(rows)}</sheetData>{sheet.suffix}".encode("utf-8")


def _lookup(path: tuple[str, ...]) -> Any:
    """A fast evaluator for ``{{ a.b.c }}`` (most template cells): dict keys, else attributes."""
    head, rest = path[0], path[1:]

    def evaluate(**scope: Any) -> Any:
        if head not in scope:
            raise ArbookError(f"the statement template uses {'.'.join(path)!r}, which is not known")
        value = scope[head]
        for part in rest:
            if isinstance(value, dict):
                if part not in value:
                    raise ArbookError(f"the statement template uses {'.'.join(path)!r}, which is not known")
                value = value[part]
            else:
                value = getattr(value, part)
        return value

    return evaluate


def _value(cell: TemplateCell, scope: dict[str, Any]) -> Any:
    if cell.expression is not None:
        return cell.expression(**scope)
    if cell.text is not None:
        return cell.text.render(**scope)
    return cell.source


def _cell(ref: str, style: str, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        value = excel_number(value)
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, (date, datetime)):
        return f'<c r="{ref}"{s}><v>{date_to_excel_serial(value)!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text_xml(str(value))}</t></is></c>'


def _with(data: bytes, closing: bytes, element: str) -> bytes:
    return data.replace(closing, element.encode("utf-8") + closing, 1)


def _custom_properties(properties: dict[str, str]) -> bytes:
    items = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{n}" name="{escape(k)}">'
                    f"<vt:lpwstr>{escape(v)}</vt:lpwstr></property>" for n, (k, v) in enumerate(properties.items(), 2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats'
            '.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/docPropsVTypes">{items}</Properties>').encode("utf-8")


def read_properties(data: bytes) -> dict[str, str]:
    """The custom properties of a workbook's bytes ({} when it has none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            xml = zf.read(CUSTOM)
    except (zipfile.BadZipFile, KeyError):
        return {}
    root = etree.fromstring(xml)
    return {p.get("name"): "".join(p.itertext()) for p in root}
