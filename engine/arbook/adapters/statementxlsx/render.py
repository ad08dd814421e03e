"""Fill a statement template fast: parse it once, then write each client's workbook by reusing
every part of the template package and generating only the two sheets' cell data and the
hidden custom properties (client ID, as-of date, checksum of the lines).
"""
from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
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
from arbook.model.money import excel_money_format, excel_number
from arbook.model.textparse import date_to_excel_serial

SHEETS = ("Statement", "Confirm")
COLLECTIONS = ("lines", "opening", "closing", "open_items", "totals", "balances", "address_lines")
CUSTOM = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_EXPRESSION = re.compile(r"^\{\{\s*(.+?)\s*\}\}$", re.S)
_COLLECTION = re.compile(r"\{\{[^}]*?\b(" + "|".join(COLLECTIONS) + r")\.")
_REF = re.compile(r"([A-Z]+)(\d+)")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.\w+)*$")
STYLES = "xl/styles.xml"
_text = functools.lru_cache(maxsize=8192)(text_xml)  # labels, currencies and names repeat across statements
_MERGE = re.compile(r'<mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"\s*/>')
ONE_PAGE_ROWS = 48  # a statement this short is printed on one page (fit to height too)
PAPER = {"A4": "9", "Letter": "1"}


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
        self.money_styles = self._money_styles()
        self.variants: dict[tuple[str, str], str] = {}
        self._fixed: dict[str, tuple[int, int, bytes]] | None = None  # name -> (crc, size, deflated data)

    def _money_styles(self) -> set[str]:
        """Indexes of the cell styles whose number format shows two decimals (money in the template)."""
        root = etree.fromstring(self.parts[STYLES])
        codes = {f.get("numFmtId"): f.get("formatCode", "") for f in root.iter(f"{{{NS_MAIN}}}numFmt")}
        xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
        return {str(n) for n, xf in enumerate(xfs) if "0.00" in codes.get(xf.get("numFmtId"), "")}

    def prepare(self, currencies: set[str], display: str = "code") -> None:
        """Add a copy of every money style per currency (its minor digits; code or symbol) for ``render``."""
        root = etree.fromstring(self.parts[STYLES])
        formats = root.find(f"{{{NS_MAIN}}}numFmts")
        if formats is None:
            formats = etree.Element(f"{{{NS_MAIN}}}numFmts")
            root.insert(0, formats)
        xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
        next_id = max([int(f.get("numFmtId")) for f in formats] + [163]) + 1
        for currency in sorted(currencies):
            code = excel_money_format(currency, display)
            etree.SubElement(formats, f"{{{NS_MAIN}}}numFmt", numFmtId=str(next_id), formatCode=code)
            for style in sorted(self.money_styles, key=int):
                clone = etree.fromstring(etree.tostring(xfs[int(style)]))
                clone.set("numFmtId", str(next_id))
                clone.set("applyNumberFormat", "1")
                xfs.append(clone)
                self.variants[(style, currency)] = str(len(xfs) - 1)
            next_id += 1
        formats.set("count", str(len(formats)))
        xfs.set("count", str(len(xfs)))
        self.parts[STYLES] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        self._fixed = None

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
                compiled = self.env.compile_expression(single.group(1), undefined_to_none=False)
                cell.expression = lambda scope, compiled=compiled: compiled(**scope)
            else:
                cell.text = self.env.from_string(cell.source)
        return cell

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> bytes:
        """The bytes of one filled statement workbook (the parts that never change are compressed once)."""
        if self._fixed is None:
            fixed = dict(self.parts)
            fixed["_rels/.rels"] = _with(fixed["_rels/.rels"], b"</Relationships>",
                                         f'<Relationship Id="rIdArbookCustom" Type="{CUSTOM_REL}" Target="{CUSTOM}"/>')
            fixed["[Content_Types].xml"] = _with(fixed["[Content_Types].xml"], b"</Types>",
                                                 f'<Override PartName="/{CUSTOM}" ContentType="{CUSTOM_TYPE}"/>')
            self._fixed = {name: _deflated(data) for name, data in fixed.items()
                           if name not in {s.path for s in self.sheets.values()}}
        entries = dict(self._fixed)
        for sheet in self.sheets.values():
            entries[sheet.path] = _deflated(self._render_sheet(sheet, context))
        entries[CUSTOM] = _deflated(_custom_properties(properties))
        return _zip(entries)

    def _render_sheet(self, sheet: TemplateSheet, context: dict[str, Any]) -> bytes:
        rows: list[str] = []
        shift = 0  # rows added (or removed) above by repeated rows
        shifts: list[tuple[int, int]] = []  # (template row, rows added by it)
        number = 0
        for row in sheet.rows:
            items = context.get(row.collection, []) if row.collection else [None]
            number = row.number + shift - 1
            shift += len(items) - 1
            if row.collection:
                shifts.append((row.number, len(items) - 1))
            for item in items:
                number += 1
                scope = {**context, row.collection: item} if row.collection else context
                currency = item.get("currency") if isinstance(item, dict) else None
                styles = [self.variants.get((c.style, currency), c.style) for c in row.cells] if currency \
                    else [c.style for c in row.cells]
                cells = "".join([_cell(f"{c.column}{number}", style, _value(c, scope))
                                 for c, style in zip(row.cells, styles)])
                rows.append(f'<row r="{number}" {row.attributes}>{cells}</row>')
        last = max((column_index(c.column) for r in sheet.rows for c in r.cells), default=0)
        prefix = re.sub(r"<dimension\b[^>]*/>", f'<dimension ref="A1:{column_letter(last)}{max(number, 1)}"/>', sheet.prefix)
        suffix = _MERGE.sub(lambda m: _moved(m, shifts), sheet.suffix) if shifts else sheet.suffix
        return f"{prefix}<sheetData>{''.join(rows)}</sheetData>{_page(suffix, context, number)}".encode("utf-8")


def _moved(match: re.Match, shifts: list[tuple[int, int]]) -> str:
    """A merged range below repeated rows, moved down (or up) with the rows it sits on."""
    def row(number: str) -> int:
        return int(number) + sum(added for start, added in shifts if start < int(number))

    first, last = _REF.match(match.group(1)), _REF.match(match.group(2))
    return (f'<mergeCell ref="{first.group(1)}{row(first.group(2))}:{last.group(1)}{row(last.group(2))}"/>')


def _page(suffix: str, context: dict[str, Any], rows: int) -> str:
    """The sheet's print setup for this statement: company name in the header (Excel's '&' doubled),
    the paper size, and one page tall when the statement is short enough to fit."""
    company = text_xml(str(context.get("company", {}).get("name", "")).replace("&", "&&"))
    suffix = suffix.replace("{{ company.name }}", company)
    paper = PAPER.get(str(context.get("paper", "A4")), "9")
    suffix = re.sub(r'paperSize="\d+"', f'paperSize="{paper}"', suffix)
    if rows <= ONE_PAGE_ROWS:
        suffix = suffix.replace('fitToHeight="0"', 'fitToHeight="1"')
    return suffix


def _lookup(path: tuple[str, ...]) -> Any:
    """A fast evaluator for ``{{ a.b.c }}`` (most template cells): dict keys, else attributes."""
    head, rest = path[0], path[1:]

    def evaluate(scope: dict[str, Any]) -> Any:
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
        return cell.expression(scope)
    if cell.text is not None:
        return cell.text.render(**scope)
    return cell.source


def _cell(ref: str, style: str, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if type(value) is str:  # the most common case first
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        value = excel_number(value)
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, (date, datetime)):
        return f'<c r="{ref}"{s}><v>{date_to_excel_serial(value)!r}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text_xml(str(value))}</t></is></c>'


def _deflated(data: bytes) -> tuple[int, int, bytes]:
    """(CRC-32, size, raw deflate at level 1) of a part, as a zip entry stores it."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), packer.compress(data) + packer.flush()


_DOS_TIME, _DOS_DATE = 0, (2026 - 1980) << 9 | 1 << 5 | 1  # 2026-01-01 00:00, so equal input gives equal bytes


def _zip(entries: dict[str, tuple[int, int, bytes]]) -> bytes:
    """A zip archive of already deflated entries (local headers, data, central directory, end record)."""
    out, central = bytearray(), bytearray()
    for name, (crc, size, data) in entries.items():
        encoded = name.encode("utf-8")
        header = struct.pack("<HHHHHIIIHH", 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, len(data), size, len(encoded), 0)
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0, len(out)) + encoded
        out += b"PK\x03\x04" + header + encoded + data
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


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
