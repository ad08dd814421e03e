"""Rewrite only some columns of a sheet: every other cell keeps its XML byte for byte.

A command that computes a few columns of a large table (``age`` fills 6 of the 15 Invoices columns)
gives the new values of those columns for the same rows in the same order; the rows' other cells
are copied from the old XML, so they are neither converted nor rendered again. ``find_cells`` locates
every row and cell with array operations over the XML's bytes (numpy releases the GIL, so a reading
thread can do it while the values are computed); ``splice_columns`` then writes the rows a chunk at a time.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable, Sequence

import numpy as np

from arbook.adapters.book.package import NS_MAIN
from arbook.adapters.book.sheetxml import CHUNK_ROWS, _COLUMN_PIECES, _column_styles, column_letter

_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"


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


@dataclass(frozen=True)
class RowCells:
    """Where the data rows of a sheet's XML and their cells are (byte offsets into ``xml``)."""

    xml: bytes
    starts: np.ndarray  # each data row's "<row", rows 2, 3, ... in order
    ends: np.ndarray  # each data row's "</row>"
    cells: np.ndarray  # each data row cell's "<c", in order
    columns: np.ndarray  # each of those cells' 0-based column

    @property
    def count(self) -> int:
        """The number of data rows."""
        return len(self.starts)

    def first(self, column: int, after: np.ndarray) -> np.ndarray:
        """Per data row, where its first cell of column ``column`` or a later one is, from ``after`` on;
        the row's end where it has none."""
        found = self.cells[self.columns >= column]
        if not len(found):
            return self.ends.copy()
        at = np.searchsorted(found, after)
        cell = found[np.minimum(at, len(found) - 1)]
        return np.where((at < len(found)) & (cell < self.ends), cell, self.ends)


def _table(values: dict[bytes, int]) -> np.ndarray:
    """A lookup table over byte values: ``values`` for those bytes, 0 for every other."""
    table = np.zeros(256, dtype=np.uint8)
    for chars, value in values.items():
        table[np.frombuffer(chars, np.uint8)] = value
    return table


_LETTER = _table({bytes([c]): c - ord("@") for c in range(ord("A"), ord("Z") + 1)})  # A = 1 ... Z = 26
_DIGIT = _table({bytes([c]): c - ord("0") + 1 for c in range(ord("0"), ord("9") + 1)})  # "0" = 1 ... "9" = 10


def _words(xml: bytes, size: int) -> np.ndarray:
    """The ``size`` bytes (2, 4 or 8) from each position of ``xml`` as one little-endian unsigned integer."""
    return np.ndarray((len(xml) - size + 1,), dtype=f"<u{size}", buffer=xml, strides=(1,))


def _word(text: bytes) -> int:
    return int.from_bytes(text, "little")


#: Bytes scanned at a time by ``_at``: its compares stay in the cache, not a mask as long as the XML.
SCAN = 4 << 20


def _at(words: np.ndarray, begin: int, close: int, text: bytes) -> np.ndarray:
    """Where ``text`` (as long as a word of ``words``) starts between ``begin`` and ``close``."""
    target = _word(text)
    found = [np.flatnonzero(words[lo:min(lo + SCAN, close)] == target) + lo for lo in range(begin, close, SCAN)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def _numbered(windows: np.ndarray, starts: np.ndarray) -> bool:
    """Whether the rows at ``starts`` begin ``<row r="2"``, ``<row r="3"``... in turn."""
    digits = _DIGIT[windows[starts + len('<row r="'), :8]].astype(np.int64)  # 0 past the number
    size = np.argmin(digits, axis=1)  # how many digits (the byte after them must be the closing quote)
    number = np.zeros(len(starts), dtype=np.int64)
    for k in range(digits.shape[1]):
        number = np.where(k < size, number * 10 + digits[:, k] - 1, number)
    closing = windows[starts + len('<row r="') + size, 0]
    return bool(np.array_equal(number, np.arange(2, len(starts) + 2)) and (closing == ord('"')).all())


def _columns(references: np.ndarray) -> np.ndarray | None:
    """The 0-based columns of cell references starting ``references`` (4 bytes each); None unless each is 1 to 3
    capital letters and a digit."""
    letters, digits = _LETTER[references], _DIGIT[references]
    two = letters[:, 1] > 0
    if not two.any():  # up to column Z (the common case)
        return letters[:, 0].astype(np.int64) - 1 if letters[:, 0].all() and digits[:, 1].all() else None
    three = two & (letters[:, 2] > 0)
    if not (letters[:, 0].all() and np.where(three, digits[:, 3], np.where(two, digits[:, 2], digits[:, 1])).all()):
        return None
    value = letters[:, :3].astype(np.int64)
    column = np.where(two, value[:, 0] * 26 + value[:, 1], value[:, 0])
    return np.where(three, column * 26 + value[:, 2], column) - 1


def find_cells(xml: bytes) -> RowCells | None:
    """Where the rows and cells of a sheet's XML are; None unless laid out as arbook writes it: one
    ``<sheetData>`` holding the header row then rows ``<row r="2"``, ``<row r="3"``... each right after
    the one before, every tag there starting "<c" a cell written ``<c r="`` + its reference, the cells of a
    row in column order. A few dozen calls into numpy (on a thread beside busy Python, each waits for the GIL)."""
    begin, close = xml.find(_OPEN), xml.rfind(_CLOSE)
    if begin < 0 or close < begin or len(xml) < close + len(b"</sheetData></worksheet>"):
        return None  # no rows, a sheetData with attributes, or a part cut short: not ours to patch
    begin += len(_OPEN)
    windows = np.lib.stride_tricks.sliding_window_view(np.frombuffer(xml, np.uint8), 16)  # in range: 24 bytes follow
    cells, ow = _at(_words(xml, 2), begin, close, b"<c"), _at(_words(xml, 2), begin, close, b"ow")
    rows, ends = ow[_words(xml, 4)[ow - 2] == _word(b"<row")] - 2, ow[_words(xml, 4)[ow - 3] == _word(b"</ro")] - 3
    if (not len(ends) or len(rows) != len(ends) or xml[ends[-1] + 6:close].strip()
            or not (_words(xml, 8)[cells] & (1 << 48) - 1 == _word(b'<c r="')).all()
            or not (_words(xml, 2)[ends + 4] == _word(b"w>")).all()):
        return None  # rows written another way (self-closing, cells without references): not ours to patch
    starts = rows[1:]  # the data rows', each right after the row before
    if not np.array_equal(starts, ends[:-1] + 6) or len(starts) and not _numbered(windows, starts):
        return None
    columns = _columns(windows[cells, 6:10])
    if columns is None:
        return None  # a reference of another form
    turns = np.flatnonzero(np.diff(columns) <= 0)  # where the column goes back: only from one row to the next
    if (np.searchsorted(ends, cells[turns]) == np.searchsorted(ends, cells[turns + 1])).any():
        return None
    data_cells = cells > ends[0]
    return RowCells(xml, starts, ends[1:], cells[data_cells], columns[data_cells])


def splice_columns(rows: RowCells, headers: Sequence[str], kinds: dict[str, str], values: dict[str, Sequence[Any]],
                   write: Callable[[bytes], Any]) -> None:
    """Write through ``write`` the sheet XML of ``rows`` with the cells of the columns ``kinds`` names (written as
    it says) replaced by ``values`` (their raw cell values, by header, one per data row) and every other byte
    kept, ``CHUNK_ROWS`` rows at a time. ``headers`` are the sheet's columns from A on."""
    xml, count = rows.xml, rows.count
    runs = _runs([headers.index(name) for name in kinds])
    bounds = np.empty((count, 2 * len(runs)), dtype=np.int64)  # per row, each run's cells: where they start, end
    for k, (first, last) in enumerate(runs):
        bounds[:, 2 * k] = rows.first(first, rows.starts)
        bounds[:, 2 * k + 1] = rows.first(last + 1, bounds[:, 2 * k])
    cuts = [0, *bounds.ravel().tolist(), len(xml)]  # old bytes cuts[2m]:cuts[2m+1] come before the m-th new run
    del bounds
    column_styles = _column_styles(xml[:xml.find(_OPEN)].decode("utf-8"))
    styles = {i: f' s="{column_styles[i]}"' if i in column_styles else "" for i in range(len(headers))}
    step = 2 * len(runs)
    for lo in range(0, count, CHUNK_ROWS):
        hi = min(lo + CHUNK_ROWS, count)
        numbers = [str(n) for n in range(lo + 2, hi + 2)]
        streams = []
        for k, (first, last) in enumerate(runs):
            first_cut = lo * step + 2 * k
            kept = map(slice, cuts[first_cut:hi * step:step], cuts[first_cut + 1:hi * step:step])
            streams.append(list(map(bytes.decode, map(xml.__getitem__, kept))))
            for i in range(first, last + 1):
                streams += _COLUMN_PIECES[kinds[headers[i]]](column_letter(i), styles[i], values[headers[i]][lo:hi],
                                                             numbers)
        write("".join(chain.from_iterable(zip(*streams))).encode("utf-8"))
    write(xml[cuts[-2]:])
