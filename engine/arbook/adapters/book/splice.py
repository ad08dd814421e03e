"""Rewrite only some columns of a sheet: every other cell keeps its XML byte for byte.

A command that computes a few columns of a large table (``age`` fills 6 of the 15 Invoices columns)
gives the new values of those columns for the same rows in the same order; the rows' other cells
are copied from the old XML, so they are neither converted nor rendered again.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Sequence

from arbook.adapters.book.package import NS_MAIN
from arbook.adapters.book.sheetxml import _COLUMN_RENDERERS, _column_styles, column_letter, split_sheet

_CELL = '<c r="'
_UNREFERENCED = re.compile(r'<c(?! r=")[\s>/]')  # a cell whose reference is missing or not its first attribute


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
    """Finds in a row the first cell of any of the columns ``letters`` (in column order), fast when it is
    the first of them."""

    def __init__(self, letters: Sequence[str]):
        self.literal = _CELL + letters[0] if letters else None
        self.size = len(self.literal or "")
        self.pattern = re.compile(re.escape(_CELL) + "(?:" + "|".join(letters) + r")\d") if letters else None

    def at(self, row: str, start: int) -> int:
        """Where the cell starts, from ``start`` on; the row's end when it has none."""
        if self.pattern is None:
            return len(row)
        found = row.find(self.literal, start)
        if found >= 0 and row[found + self.size:found + self.size + 1].isdigit():
            return found
        match = self.pattern.search(row, start)
        return match.start() if match else len(row)


def splice_columns(old_xml: bytes, headers: Sequence[str], count: int, kinds: dict[str, str],
                   columns: dict[str, Sequence[Any]]) -> bytes | None:
    """The sheet XML with the cells of ``columns`` (header -> raw cell values, one per data row, written
    as ``kinds`` says) replaced and every other cell kept; None when the sheet is not laid out as
    ``headers`` from column A with exactly ``count`` data rows in rows 2.. (the caller writes it whole)."""
    prefix, data, suffix = split_sheet(old_xml.decode("utf-8"))
    rows = data.split("</row>")
    if len(rows) != count + 2 or rows[-1].strip() or _UNREFERENCED.search(data):
        return None  # rows written another way (self-closing, cells without references): not ours to patch
    letters = [column_letter(i) for i in range(len(headers))]
    styles = _column_styles(prefix)
    numbers = [str(n) for n in range(2, count + 2)]
    indexes = sorted(headers.index(name) for name in columns)
    rendered = {i: _COLUMN_RENDERERS[kinds[headers[i]]](letters[i], f' s="{styles[i]}"' if i in styles else "",
                                                        columns[headers[i]], numbers) for i in indexes}
    pieces = [(_Finder(letters[first:]), _Finder(letters[last + 1:]),
               ["".join(cells) for cells in zip(*(rendered[i] for i in range(first, last + 1)))])
              for first, last in reversed(_runs(indexes))]  # from the right, so earlier positions hold
    out = [rows[0]]
    for n, row in enumerate(rows[1:-1]):
        if not row.startswith(f'<row r="{n + 2}"'):
            return None
        for starts, ends, cells in pieces:
            start = starts.at(row, 0)
            row = row[:start] + cells[n] + row[ends.at(row, start):]
        out.append(row)
    out.append(rows[-1])
    return f'{prefix}<sheetData>{"</row>".join(out)}</sheetData>{suffix}'.encode("utf-8")
