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
_AFTER_CELL_NAME = np.frombuffer(b" \t\n\r\x0b\x0c>/", np.uint8)  # what may follow "<c" in a cell's tag
_POWERS_OF_TEN = 10 ** np.arange(1, 19, dtype=np.int64)


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


def _is_letter(codes: np.ndarray) -> np.ndarray:
    """Whether each byte is a capital letter."""
    return (codes >= ord("A")) & (codes <= ord("Z"))


#: Bytes of sheetData looked at a time by ``find_cells``, so its arrays never grow as large as the XML.
BLOCK = 1 << 25


def _tags(data: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the tags starting "<c", "</r" and "<ro" are in ``data[lo:hi]``."""
    tags = np.flatnonzero(data[lo:hi] == ord("<"))
    tags += lo
    second = data[tags + 1]
    closing, opening = tags[second == ord("/")], tags[second == ord("r")]
    return (tags[second == ord("c")], closing[data[closing + 2] == ord("r")],
            opening[data[opening + 2] == ord("o")])


def _numbered(data: np.ndarray, starts: np.ndarray, close: int) -> bool:
    """Whether the rows at ``starts`` begin ``<row r="2"``, ``<row r="3"``... (all before ``close``)."""
    numbers = np.arange(2, len(starts) + 2)
    sizes = np.searchsorted(_POWERS_OF_TEN, numbers, side="right") + 1 + len('<row r=""')  # the digits and the rest
    expected = ('<row r="' + '"<row r="'.join(map(str, numbers.tolist())) + '"').encode()
    offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(len(expected))
    return bool(offsets[-1] < close and np.array_equal(data[offsets], np.frombuffer(expected, np.uint8)))


def _columns(heads: np.ndarray) -> np.ndarray | None:
    """The 0-based columns of cells whose tags start ``heads`` (``<c r="`` and the reference's first 4 bytes);
    None unless each reference is 1 to 3 capital letters and a digit."""
    letter = _is_letter(heads[:, 6:9])
    two = letter[:, 1]
    three = two & letter[:, 2]
    digit = heads[np.arange(len(heads)), 7 + two + three]
    if not (letter[:, 0] & (digit >= ord("0")) & (digit <= ord("9"))).all():
        return None
    value = heads[:, 6:9].astype(np.int64) - ord("@")  # A = 1
    return np.where(three, (value[:, 0] * 26 + value[:, 1]) * 26 + value[:, 2],
                    np.where(two, value[:, 0] * 26 + value[:, 1], value[:, 0])) - 1


def find_cells(xml: bytes) -> RowCells | None:
    """Where the rows and cells of a sheet's XML are; None unless laid out as arbook writes it: one
    ``<sheetData>`` holding the header row then rows ``<row r="2"``, ``<row r="3"``... each right after
    the one before, every cell written ``<c r="`` + its reference, the cells of a row in column order.
    Few calls into numpy, each on many bytes: on a thread, each waits for the GIL."""
    begin, close = xml.find(_OPEN), xml.rfind(_CLOSE)
    if begin < 0 or close < begin:
        return None  # no rows, or a sheetData with attributes: not ours to patch
    data = np.frombuffer(xml, np.uint8)
    windows = np.lib.stride_tricks.sliding_window_view(data, 10)  # "</sheetData>" follows: every tag has 10 bytes
    found = [_tags(data, lo, min(lo + BLOCK, close)) for lo in range(begin + len(_OPEN), close, BLOCK)]
    if not found:
        return None
    tags, closing, rows = (np.concatenate(parts) for parts in zip(*found))
    heads = windows[tags]
    element = np.isin(heads[:, 2], _AFTER_CELL_NAME)  # "<c" elements, not "<col"...
    cells, heads = tags[element], heads[element]
    ends = closing[(windows[closing][:, 3:6] == np.frombuffer(b"ow>", np.uint8)).all(axis=1)]
    if (not len(ends) or len(rows) != len(ends) or xml[ends[-1] + 6:close].strip()
            or not (heads[:, 2:6] == np.frombuffer(b' r="', np.uint8)).all()):
        return None  # rows written another way (self-closing, cells without references): not ours to patch
    starts = ends[:-1] + 6  # data rows, each right after the row before
    columns = _columns(heads)
    if columns is None or len(starts) and not _numbered(data, starts, close):
        return None
    turns = np.flatnonzero(np.diff(columns) <= 0)  # where the column goes back: only from one row to the next
    if (np.searchsorted(ends, cells[turns]) == np.searchsorted(ends, cells[turns + 1])).any():
        return None
    data_cells = cells > ends[0]
    return RowCells(xml, starts, ends[1:], cells[data_cells], columns[data_cells])


def splice_columns(rows: RowCells, headers: Sequence[str], kinds: dict[str, str],
                   values: Callable[[int, int], dict[str, Sequence[Any]]], write: Callable[[bytes], Any]) -> None:
    """Write through ``write`` the sheet XML of ``rows`` with the cells of the columns ``kinds`` names (written as
    it says) replaced and every other byte kept, ``CHUNK_ROWS`` rows at a time; ``values(lo, hi)`` gives their
    raw cell values for data rows lo..hi-1 (by header). ``headers`` are the sheet's columns from A on."""
    xml, count = rows.xml, rows.count
    runs = _runs([headers.index(name) for name in kinds])
    bounds = np.empty((count, 2 * len(runs)), dtype=np.int64)  # per row, each run's cells: where they start, end
    for k, (first, last) in enumerate(runs):
        bounds[:, 2 * k] = rows.first(first, rows.starts)
        bounds[:, 2 * k + 1] = rows.first(last + 1, bounds[:, 2 * k])
    cuts = [0, *bounds.ravel().tolist(), len(xml)]  # old bytes cuts[2m]:cuts[2m+1] come before the m-th new run
    del bounds
    styles = _column_styles(xml[:xml.find(_OPEN)].decode("utf-8"))
    step = 2 * len(runs)
    for lo in range(0, count, CHUNK_ROWS):
        hi = min(lo + CHUNK_ROWS, count)
        numbers = [str(n) for n in range(lo + 2, hi + 2)]
        columns = values(lo, hi)
        streams = []
        for k, (first, last) in enumerate(runs):
            first_cut = lo * step + 2 * k
            kept = map(slice, cuts[first_cut:hi * step:step], cuts[first_cut + 1:hi * step:step])
            streams.append(list(map(bytes.decode, map(xml.__getitem__, kept))))
            for i in range(first, last + 1):
                streams += _COLUMN_PIECES[kinds[headers[i]]](column_letter(i), f' s="{styles[i]}"' if i in styles else "",
                                                             columns[headers[i]], numbers)
        write("".join(chain.from_iterable(zip(*streams))).encode("utf-8"))
    write(xml[cuts[-2]:])
