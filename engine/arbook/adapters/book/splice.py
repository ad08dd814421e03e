"""Rewrite only some columns of a sheet: every other cell keeps its XML byte for byte.

A command that computes a few columns of a large table (``age`` fills 6 of the 15 Invoices columns)
gives the new values of those columns for the same rows in the same order; the rows' other cells
are copied from the old XML, so they are neither converted nor rendered again.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Callable, Sequence

from arbook.adapters.book.package import NS_MAIN
from arbook.adapters.book.sheetxml import _COLUMN_RENDERERS, _column_styles, column_letter
from arbook.domain.forking import fork_map

_CELL = b'<c r="'
_UNREFERENCED = re.compile(rb'<c(?! r=")[\s>/]')  # a cell whose reference is missing or not its first attribute
FORK_ROWS = 50_000  # from this many rows the rows are spliced in two forked processes, half each


def table_headers(table_xml: bytes) -> tuple[str, list[str]]:
    """(range, column names in order) of a table part."""
    root = ET.fromstring(table_xml)
    return root.get("ref", ""), [c.get("name", "") for c in root.iter(f"{{{NS_MAIN}}}tableColumn")]


def _runs(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs (first, last) of consecutive column indexes."""
    runs: list[tuple[int, int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class _Finder:
    """Finds in a row the first cell of any of the columns ``letters`` (cells are in column order), by a
    plain search for the first of them before the pattern for any."""

    def __init__(self, letters: Sequence[str]):
        self.literal = _CELL + letters[0].encode() if letters else b""
        self.size = len(self.literal)
        self.pattern = (re.compile(re.escape(_CELL) + b"(?:" + "|".join(letters).encode() + rb")\d") if letters
                        else None)

    def at(self, row: bytes, start: int) -> int:
        """Where the cell starts, from ``start`` on; the row's end when it has none."""
        if self.pattern is None:
            return len(row)
        found = row.find(self.literal, start)
        if found >= 0 and row[found + self.size:found + self.size + 1].isdigit():
            return found
        match = self.pattern.search(row, start)
        return match.start() if match else len(row)


def splice_columns(old_xml: bytes, headers: Sequence[str], count: int, kinds: dict[str, str],
                   values: Callable[[int, int], dict[str, Sequence[Any]]]) -> bytes | None:
    """The sheet XML with the cells of the columns ``kinds`` names (written as it says) replaced and every
    other cell kept; ``values(lo, hi)`` gives their raw cell values for data rows lo..hi-1 (by header).
    None when the sheet is not laid out as
    ``headers`` from column A with exactly ``count`` data rows in rows 2.. (the caller writes it whole).
    A large sheet's rows are spliced in two forked processes, half each."""
    start = old_xml.find(b"<sheetData>")
    close = old_xml.find(b"</sheetData>", start)
    if start < 0 or close < 0:
        return None  # no rows, or a sheetData with attributes: not ours to patch
    data = old_xml[start + len(b"<sheetData>"):close]
    rows = data.split(b"</row>")
    if len(rows) != count + 2 or rows[-1].strip() or _UNREFERENCED.search(data):
        return None  # rows written another way (self-closing, cells without references): not ours to patch
    if not count:
        return old_xml
    half = (count + 1) // 2
    groups = [(0, half), (half, count)] if count >= FORK_ROWS else [(0, count)]
    parts = fork_map(_splice_rows, groups, {
        "rows": rows, "headers": headers, "kinds": kinds, "values": values,
        "styles": _column_styles(old_xml[:start].decode("utf-8"))})
    if any(part is None for part in parts):
        return None
    return b"".join((old_xml[:start], b"<sheetData>", b"</row>".join([rows[0], *parts, rows[-1]]), old_xml[close:]))


def _splice_rows(group: tuple[int, int], rows: list[bytes], headers: Sequence[str], kinds: dict[str, str],
                 values: Callable[[int, int], dict[str, Sequence[Any]]], styles: dict[int, str]) -> bytes | None:
    """Data rows ``lo`` to ``hi`` (0-based; ``rows[0]`` is the header row) with their new cells, joined by
    ``</row>``; None when a row is not the one expected there."""
    lo, hi = group
    letters = [column_letter(i) for i in range(len(headers))]
    numbers = [str(n) for n in range(lo + 2, hi + 2)]
    indexes = sorted(headers.index(name) for name in kinds)
    columns = values(lo, hi)
    rendered = {i: _COLUMN_RENDERERS[kinds[headers[i]]](letters[i], f' s="{styles[i]}"' if i in styles else "",
                                                        columns[headers[i]], numbers) for i in indexes}
    pieces = [(_Finder(letters[first:]), _Finder(letters[last + 1:]),  # "\0" never occurs in sheet XML
               "\0".join("".join(cells) for cells in zip(*(rendered[i] for i in range(first, last + 1))))
               .encode("utf-8").split(b"\0"))
              for first, last in reversed(_runs(indexes))]  # from the right, so earlier positions hold
    out = []
    for n, row in enumerate(rows[lo + 1:hi + 1]):
        if not row.startswith(b'<row r="%d"' % (lo + n + 2)):
            return None
        for starts, ends, cells in pieces:
            at = starts.at(row, 0)
            row = row[:at] + cells[n] + row[ends.at(row, at):]
        out.append(row)
    return b"</row>".join(out)
