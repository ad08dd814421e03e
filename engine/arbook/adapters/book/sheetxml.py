"""Rewrite one worksheet's cell data in place, keeping everything around it.

The sheet's view, column widths and styles, validations, conditional formats and table parts
are kept as they are; only ``<sheetData>``, ``<dimension>`` and the table's range and column
list change. Text is always written as an inline string, so it can never become a formula.
"""
from __future__ import annotations

import re
from itertools import chain, repeat
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from arbook.model.textparse import date_to_excel_serial

_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")
_SPECIAL = re.compile("[&<>\x00-\x1f\ufffe\uffff]")  # escaping, or xml:space="preserve" (tab, newline)
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


def _needs_care(text: str) -> bool:
    """True when a text needs escaping or keeps outer or control whitespace (see ``_t``)."""
    return text != text.strip() or "_x" in text or _SPECIAL.search(text) is not None


_PLAIN_ASCII = bytes(b for b in range(0x20, 0x80) if b not in b"&<>")  # with \x7f, the separator below


def _plain(values: Sequence[str | None]) -> bool:
    """True when no text of a column needs care (see ``_needs_care``): a few C-level passes over all of them."""
    texts = [v for v in values if v]
    joined = "\x7f".join(texts)
    if "_" in joined and "_x" in joined:
        return False
    if texts != list(map(str.strip, texts)):  # outer whitespace of any kind (strip gives the same text back)
        return False
    if joined.isascii():  # bytes left after deleting the plain ones are markup or controls (tab, newline...)
        return not joined.encode("ascii").translate(None, _PLAIN_ASCII)
    return not _SPECIAL.search(joined)


#: A column's cells as streams with one item per row; a row's items joined in stream order make its cells.
Pieces = list[Iterable[str]]


def _pieces(letter: str, head: str, tail: str, rows: Sequence[str], texts: Sequence[str | None]) -> Pieces:
    """The cells ``<c r="{letter}{row}{head}{text}{tail}``, none where a text is None."""
    pre = f'<c r="{letter}'
    if None not in texts:
        return [repeat(pre), rows, repeat(head), texts, repeat(tail)]
    return [[f"{pre}{n}{head}{v}{tail}" if v is not None else "" for n, v in zip(rows, texts)]]


def _text_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> Pieces:
    if _plain(values):  # the common case: the texts go in as they are
        return _pieces(letter, f'"{s} t="inlineStr"><is><t>', "</t></is></c>", rows, values)
    inner = {v: _t(v) if _needs_care(v) else f"<t>{v}</t>" for v in set(values) - {None}}  # each text once
    return _pieces(letter, f'"{s} t="inlineStr"><is>', "</is></c>", rows, list(map(inner.get, values)))


def _number_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> Pieces:
    texts = list(map(repr, values)) if None not in values else [None if v is None else repr(v) for v in values]
    return _pieces(letter, f'"{s}><v>', "</v></c>", rows, texts)


def _date_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> Pieces:
    serial = {v: repr(date_to_excel_serial(v)) for v in set(values) if v is not None}  # dates repeat
    return _pieces(letter, f'"{s}><v>', "</v></c>", rows, [serial.get(v) for v in values])


def _bool_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> Pieces:
    return _pieces(letter, f'"{s} t="b"><v>', "</v></c>", rows, [None if v is None else str(int(v)) for v in values])


def _mixed_cells(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> Pieces:
    cells = []
    for n, v in zip(rows, values):
        kind = ("text" if isinstance(v, str) else "bool" if isinstance(v, bool)
                else "date" if isinstance(v, (date, datetime)) else "number")
        cells.append("" if v is None else _row(_COLUMN_PIECES[kind](letter, s, [v], [n])))
    return [cells]


def _row(pieces: Pieces) -> str:
    """The text of rows made of ``pieces``, row after row."""
    return "".join(chain.from_iterable(zip(*pieces)))


_COLUMN_PIECES: dict[str, Callable[[str, str, Sequence[Any], Sequence[str]], Pieces]] = {
    "text": _text_cells, "number": _number_cells, "date": _date_cells, "bool": _bool_cells, "any": _mixed_cells}


def _cell_renderer(kind: str) -> Callable[[str, str, Sequence[Any], Sequence[str]], list[str]]:
    def render(letter: str, s: str, values: Sequence[Any], rows: Sequence[str]) -> list[str]:
        pieces = _COLUMN_PIECES[kind](letter, s, values, rows)
        return ["".join(cell) for cell in zip(*pieces)] if pieces else [""] * len(rows)
    return render


#: Per kind: (letter, style attribute, values, row numbers) -> each row's cell XML ('' where a value is None).
_COLUMN_RENDERERS: dict[str, Callable[[str, str, Sequence[Any], Sequence[str]], list[str]]] = {
    kind: _cell_renderer(kind) for kind in _COLUMN_PIECES}


def split_sheet(xml: str) -> tuple[str, str, str]:
    """(text before ``<sheetData>``, the old sheetData, text after it)."""
    start = xml.index("<sheetData")
    open_end = xml.index(">", start)
    if xml[open_end - 1] == "/":
        return xml[:start], "", xml[open_end + 1:]
    close = xml.index("</sheetData>", open_end)
    return xml[:start], xml[open_end + 1:close], xml[close + len("</sheetData>"):]


#: Rows rendered at a time by ``write_sheet``: a few MB of XML, so a million-row sheet never sits in memory whole.
CHUNK_ROWS = 5_000


def table_ref(headers: Sequence[str], count: int) -> str:
    """The table range of ``headers`` over ``count`` data rows (at least one row, as Excel requires)."""
    return f"A1:{column_letter(len(headers) - 1) if headers else 'A'}{max(count + 1, 2)}"


def write_sheet(old_xml: bytes, headers: Sequence[str], kinds: Sequence[str], columns: Sequence[Sequence[Any]],
                write: Callable[[bytes], Any], chunk_rows: int | None = None) -> str:
    """Write the new sheet XML (see ``render_sheet``) through ``write`` in pieces of at most
    ``chunk_rows`` (default CHUNK_ROWS) rows, so the whole sheet is never held in memory. Returns the table ref."""
    step = max(chunk_rows or CHUNK_ROWS, 1)
    prefix, old_data, suffix = split_sheet(old_xml.decode("utf-8"))
    body_styles = _column_styles(prefix)
    head_styles = _header_styles(old_data)
    letters = [column_letter(i) for i in range(len(headers))]
    styles = [f' s="{body_styles[i]}"' if i in body_styles else "" for i in range(len(headers))]
    renderers = [_COLUMN_PIECES[kind] for kind in kinds]
    count = len(columns[0]) if columns else 0
    head = "".join(_COLUMN_RENDERERS["text"](letters[i], f' s="{head_styles[i]}"' if i in head_styles else "",
                                             [h], ["1"])[0] for i, h in enumerate(headers))
    last = letters[-1] if letters else "A"
    prefix = _DIMENSION.sub(f'<dimension ref="A1:{last}{count + 1}"/>', prefix, count=1)
    write(f'{prefix}<sheetData><row r="1">{head}</row>'.encode("utf-8"))
    del prefix, old_data
    for start in range(0, count, step):
        stop = min(start + step, count)
        row_numbers = [str(n) for n in range(start + 2, stop + 2)]
        pieces: Pieces = [[f'<row r="{n}">' for n in row_numbers]]
        for render, letter, s, values in zip(renderers, letters, styles, columns):
            pieces += render(letter, s, values[start:stop], row_numbers)
        pieces.append(repeat("</row>"))
        write(_row(pieces).encode("utf-8"))
        del pieces
    write(f"</sheetData>{suffix}".encode("utf-8"))
    return table_ref(headers, count)


def render_sheet(old_xml: bytes, headers: Sequence[str], kinds: Sequence[str],
                 columns: Sequence[Sequence[Any]]) -> tuple[bytes, str]:
    """New sheet XML with ``headers`` in row 1 and the column-major ``columns`` below.

    ``kinds`` says per column how its values are written: text, number, date, bool or any.
    Returns (xml, table ref). ``write_sheet`` gives the same bytes in pieces.
    """
    pieces: list[bytes] = []
    ref = write_sheet(old_xml, headers, kinds, columns, pieces.append)
    return b"".join(pieces), ref


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
