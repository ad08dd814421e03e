"""A STAND-IN for the small part of the xlwings object model that ``LiveBook`` uses, in memory, so the
live adapter's own code runs on Linux. It is not Excel: it mimics only what LiveBook touches (books,
sheets, tables, ranges with ``options(ndim=2)``, the status bar, message boxes, save) and Excel's
value rules that matter to it: numbers come back as floats and dates as datetimes, a leading
apostrophe makes text stay text (and is not part of the value), and any other text that Excel would
turn into a formula, number or date is refused so a missing apostrophe fails loudly.
The contract tests that need real Excel still run only on Windows/macOS.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from arbook.model.cells import is_formula_like


def _excel_value(value: Any) -> Any:
    """What Excel stores for a value assigned through the object model."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if is_formula_like(value) or _looks_numeric(value):
            raise AssertionError(f"stand-in: Excel would not keep {value!r} as text (no leading apostrophe)")
        return value or None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        raise AssertionError("stand-in: a Decimal reached Excel's object model")
    raise AssertionError(f"stand-in: unexpected cell value {value!r}")


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


class StandInApp:
    """``xlwings.App``: status bar, screen updating and message boxes (recorded)."""

    def __init__(self) -> None:
        self.statuses: list[Any] = [False]  # every value the status bar was given, in order
        self.screen_updating = True
        self.alerts: list[str] = []

    @property
    def status_bar(self) -> Any:
        return self.statuses[-1]

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self.statuses.append(value)

    def alert(self, prompt: str, title: str = "") -> None:
        self.alerts.append(prompt)


class StandInRange:
    """``xlwings.Range`` over a rectangle of a stand-in sheet (1-based, inclusive)."""

    def __init__(self, sheet: "StandInSheet", first: tuple[int, int], last: tuple[int, int] | None = None,
                 ndim: int | None = None):
        self.sheet, self.first, self.last, self.ndim = sheet, first, last or first, ndim

    def options(self, ndim: int | None = None, **other: Any) -> "StandInRange":
        if other:
            raise AssertionError(f"stand-in: options {sorted(other)} not mimicked")
        return StandInRange(self.sheet, self.first, self.last, ndim)

    @property
    def rows(self) -> "_Rows":
        return _Rows(self.last[0] - self.first[0] + 1)

    @property
    def value(self) -> Any:
        (r1, c1), (r2, c2) = self.first, self.last
        grid = [[self.sheet.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self.ndim == 2:
            return grid
        if r1 == r2 and c1 == c2:
            return grid[0][0]
        if r1 == r2:
            return grid[0]
        return grid

    @value.setter
    def value(self, values: Any) -> None:
        rows = values if isinstance(values, list) and values and isinstance(values[0], list) else [values]
        rows = [row if isinstance(row, list) else [row] for row in rows]
        r1, c1 = self.first
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self.sheet.cells[(r1 + i, c1 + j)] = _excel_value(value)

    def clear_contents(self) -> None:
        (r1, c1), (r2, c2) = self.first, self.last
        for key in [k for k in self.sheet.cells if r1 <= k[0] <= r2 and c1 <= k[1] <= c2]:
            del self.sheet.cells[key]


class _Rows:
    def __init__(self, count: int):
        self.count = count


class StandInTable:
    """``xlwings.main.Table`` (a ListObject): header row, data body, resize."""

    def __init__(self, sheet: "StandInSheet", name: str, first: tuple[int, int], last: tuple[int, int]):
        self.sheet, self.name, self.first, self.last = sheet, name, first, last

    @property
    def header_row_range(self) -> StandInRange:
        return StandInRange(self.sheet, self.first, (self.first[0], self.last[1]))

    @property
    def data_body_range(self) -> StandInRange | None:
        if self.last[0] == self.first[0]:
            return None
        return StandInRange(self.sheet, (self.first[0] + 1, self.first[1]), self.last)

    def resize(self, rng: StandInRange) -> None:
        self.first, self.last = rng.first, rng.last


class StandInSheet:
    """``xlwings.Sheet``: cells, tables, ranges."""

    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.tables: dict[str, StandInTable] = {}

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> StandInRange:
        return StandInRange(self, first, last)

    def clear_contents(self) -> None:
        self.cells.clear()


class StandInSheets(list):
    """``xlwings.main.Sheets``: by name or position, and ``add(name, after=)``."""

    def __getitem__(self, key: Any) -> StandInSheet:
        if isinstance(key, str):
            for sheet in self:
                if sheet.name.lower() == key.lower():
                    return sheet
            raise KeyError(key)
        return list.__getitem__(self, key)

    def add(self, name: str, after: StandInSheet | None = None) -> StandInSheet:
        sheet = StandInSheet(name)
        self.insert(self.index(after) + 1 if after is not None else 0, sheet)
        return sheet


class StandInBook:
    """``xlwings.Book`` loaded from an .xlsx file (values and table ranges); ``save`` only counts."""

    def __init__(self, path: Path, app: StandInApp | None = None):
        self.fullname, self.app, self.saves = str(path), app or StandInApp(), 0
        self.sheets = StandInSheets()
        workbook = load_workbook(path)
        for ws in workbook.worksheets:
            sheet = StandInSheet(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = _excel_value(
                            cell.value if not isinstance(cell.value, str) else "'" + cell.value)
            for name, ref in ws.tables.items():
                start, end = ref.split(":")
                sheet.tables[name] = StandInTable(sheet, name, _cell(ws, start), _cell(ws, end))
            self.sheets.append(sheet)

    def save(self) -> None:
        self.saves += 1


def _cell(ws: Any, address: str) -> tuple[int, int]:
    cell = ws[address]
    return cell.row, cell.column
