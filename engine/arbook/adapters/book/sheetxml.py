"""Rewrite one worksheet's cell data in place, keeping everything around it.

The sheet's view, column widths and styles, validations, conditional formats and table parts
are kept as they are; only ``<sheetData>``, ``<dimension>`` and the table's range and column
list change. Text is always written as an inline string, so it can never become a formula.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from arbook.model.textparse import date_to_excel_serial

_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")
_NEEDS_CARE = re.compile(r"[&<>\x00-\x1f\ufffe\uffff]|_x|^\s|\s$")  # escaping, or xml:space="preserve"
_COLUMN_CARE = re.compile(r"[&<>\x00-\x1f\ufffe\uffff]|_x|(?:^|\|)\s|\s(?:\||$)")  # over texts joined by |
_CONTROL_SPACE = re.compile("[\t\n\r]")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_COL = re.compile(r"<col\b([^>]*)/?>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_HEADER_CELL = re.compile(r'<c\b[^>]*\br="([A-Z]+)1"[^>]*>')
_DIMENSION = re.compile(r"<dimension\b[^>]*/>")
_TABLE_COLUMNS = re.compile(r"<tableColumns\b[^>]*>.*?</tableColumns>", re.S)
_TABLE_COLUMN = re.compile(r"<tableColumn\b.*?(?:/>|</tableColumn>)", re.S)


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based index of Excel column letters."""
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    return value - 1


def _escape_excel(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"  # "_" before a literal "x0041_" becomes "_x005F_"


def text_xml(text: str) -> str:
    """XML text for a cell string: escaped, with control characters in Excel's ``_xHHHH_`` form."""
    return escape(_ILLEGAL_XML.sub(_escape_excel, text))


def _column_styles(prefix: str) -> dict[int, str]:
    styles: dict[int, str] = {}
    for match in _COL.finditer(prefix):
        attrs = dict(_ATTR.findall(match.group(1)))
        if "style" in attrs and "min" in attrs:
            for idx in range(int(attrs["min"]) - 1, int(attrs.get("max", attrs["min"]))):
                styles[idx] = attrs["style"]
    return styles


def _header_styles(old_data: str) -> dict[int, str]:
    end = old_data.find("</row>")
    first_row = old_data[:end] if end >= 0 else ""
    styles = {}
    for match in _HEADER_CELL.finditer(first_row):
        attrs = dict(_ATTR.findall(match.group(0)))
        if "s" in attrs:
            styles[column_index(match.group(1))] = attrs["s"]
    return styles


def _t(text: str) -> str:
    """The ``<t>`` element of a text that needs escaping or keeps outer or control whitespace."""
    body = text_xml(text) if _NEEDS_ESCAPE.search(text) else text
    space = ' xml:space="preserve"' if text != text.strip() or _CONTROL_SPACE.search(text) else ""
    return f"<t{space}>{body}</t>"


def _text_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
    if not _COLUMN_CARE.search("|".join(v for v in values if v is not None)):  # the common case: one search
        return ["" if v is None else f'<c r="{letter}{n}"{s} t="inlineStr"><is><t>{v}</t></is></c>'
                for n, v in zip(rows, values)]
    needs = _NEEDS_CARE.search
    return ["" if v is None else
            f'<c r="{letter}{n}"{s} t="inlineStr"><is>{_t(v) if needs(v) else f"<t>{v}</t>"}</is></c>'
            for n, v in zip(rows, values)]


def _number_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
    return ["" if v is None else f'<c r="{letter}{n}"{s}><v>{v!r}</v></c>' for n, v in zip(rows, values)]


def _date_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
    serial = date_to_excel_serial
    return ["" if v is None else f'<c r="{letter}{n}"{s}><v>{serial(v)!r}</v></c>' for n, v in zip(rows, values)]


def _bool_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
    return ["" if v is None else f'<c r="{letter}{n}"{s} t="b"><v>{int(v)}</v></c>' for n, v in zip(rows, values)]


def _mixed_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
    out = []
    for n, v in zip(rows, values):
        if v is None:
            out.append("")
            continue
        kind = ("text" if isinstance(v, str) else "bool" if isinstance(v, bool)
                else "date" if isinstance(v, (date, datetime)) else "number")
        out.append(_COLUMN_RENDERERS[kind](letter, s, [v], [n])[0])
    return out


_COLUMN_RENDERERS: dict[str, Callable[[str, str, Sequence[Any], Sequence[str]], list[str]]] = {
    "text": _text_cells, "number": _number_cells, "date": _date_cells, "bool": _bool_cells, "any": _mixed_cells}


def split_sheet(xml: str) -> tuple[str, str, str]:
    """(text before ``<sheetData>``, the old sheetData, text after it)."""
    start = xml.index("<sheetData")
    open_end = xml.index(">", start)
    if xml[open_end - 1] == "/":
        return xml[:start], "", xml[open_end + 1:]
    close = xml.index("</sheetData>", open_end)
    return xml[:start], xml[open_end + 1:close], xml[close + len("</sheetData>"):]


def render_sheet(old_xml: bytes, headers: Sequence[str], kinds: Sequence[str],
                 columns: Sequence[Sequence[Any]]) -> tuple[bytes, str]:
    """New sheet XML with ``headers`` in row 1 and the column-major ``columns`` below.

    ``kinds`` says per column how its values are written: text, number, date, bool or any.
    Returns (xml, table ref).
    """
    prefix, old_data, suffix = split_sheet(old_xml.decode("utf-8"))
    body_styles = _column_styles(prefix)
    head_styles = _header_styles(old_data)
    letters = [column_letter(i) for i in range(len(headers))]
    count = len(columns[0]) if columns else 0
    row_numbers = [str(n) for n in range(2, count + 2)]
    rendered = [_COLUMN_RENDERERS[kind](letter, f' s="{body_styles[i]}"' if i in body_styles else "",
                                        values, row_numbers)
                for i, (letter, kind, values) in enumerate(zip(letters, kinds, columns))]
    head = "".join(_text_cells(letters[i], f' s="{head_styles[i]}"' if i in head_styles else "", [h], ["1"])[0]
                   for i, h in enumerate(headers))
    body = "".join([f'<row r="{n}">{"".join(cells)}</row>' for n, cells in zip(row_numbers, zip(*rendered))])
    last = letters[-1] if letters else "A"
    table_ref = f"A1:{last}{max(count + 1, 2)}"
    prefix = _DIMENSION.sub(f'<dimension ref="A1:{last}{count + 1}"/>', prefix, count=1)
    xml = f'{prefix}<sheetData><row r="1">{head}</row>{body}</sheetData>{suffix}'
    return xml.encode("utf-8"), table_ref


def render_table(old_xml: bytes, ref: str, headers: Sequence[str]) -> bytes:
    """The table part with its range set to ``ref`` and one column per header, in order.

    Columns that already existed keep their element (id, formats); new ones get fresh ids.
    """
    xml = old_xml.decode("utf-8")
    root_end = xml.index(">", xml.index("<table")) + 1
    root = re.sub(r'\bref="[^"]*"', f'ref="{ref}"', xml[:root_end], count=1)
    body = re.sub(r'(<autoFilter\b[^>]*?\bref=)"[^"]*"', rf'\1"{ref}"', xml[root_end:], count=1)
    existing: dict[str, str] = {}
    ids: list[int] = []
    match = _TABLE_COLUMNS.search(body)
    if match:
        for element in _TABLE_COLUMN.findall(match.group(0)):
            attrs = dict(_ATTR.findall(element[: element.index(">")]))
            existing[_unescape_attr(attrs.get("name", ""))] = element
            ids.append(int(attrs.get("id", "0")))
    next_id = max(ids, default=0) + 1
    columns = []
    for header in headers:
        if header in existing:
            columns.append(existing[header])
        else:
            columns.append(f'<tableColumn id="{next_id}" name={quoteattr(header)}/>')
            next_id += 1
    new_columns = f'<tableColumns count="{len(headers)}">{"".join(columns)}</tableColumns>'
    body = _TABLE_COLUMNS.sub(lambda _: new_columns, body, count=1) if match else body
    return (root + body).encode("utf-8")


def _unescape_attr(value: str) -> str:
    return (value.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
            .replace("&gt;", ">").replace("&amp;", "&"))
