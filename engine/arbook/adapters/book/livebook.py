"""The live adapter: the same Book interface over a workbook open in Excel, through xlwings.

Used by the ribbon (``arbook.adapters.excel``) on ``xlwings.Book.caller()``. Every text value is
written with Excel's leading apostrophe, so Excel never turns bank or client text into a
formula, a number or a date; the apostrophe is not part of the value read back.
"""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from arbook.model.errors import BookFormatError
from arbook.model.schema import Sheet
from arbook.adapters.book.base import StagedBook
from arbook.model.book import Report
from arbook.model.cells import to_cell
from arbook.model.frames import rows_from_frame


def excel_literal(value: Any) -> Any:
    """The value to assign to a cell through Excel's object model so that text stays text."""
    if isinstance(value, str):
        return "'" + value
    return value


class LiveBook(StagedBook):
    """A workbook open in Excel (an ``xlwings.Book``); commit writes the tables and saves."""

    def __init__(self, xw_book: Any, save: bool = True):
        super().__init__(str(xw_book.fullname))
        self._book = xw_book
        self.app = xw_book.app  # status bar and message boxes for the ribbon
        self._save = save

    def _table(self, sheet: Sheet) -> tuple[Any, Any]:
        try:
            worksheet = self._book.sheets[sheet.name]
            return worksheet, worksheet.tables[sheet.table_name]
        except Exception:  # xlwings raises COM/AppleScript-specific errors for missing objects
            raise BookFormatError(f"{self.source}: no {sheet.name} sheet with table {sheet.table_name}") from None

    def _load_rows(self, sheet: Sheet) -> tuple[Sequence[Any], list[Sequence[Any]]]:
        _, table = self._table(sheet)
        header = table.header_row_range.value
        body = table.data_body_range
        rows = body.options(ndim=2).value if body is not None else []
        return header, rows

    def _write(self, changes: dict[Sheet, pd.DataFrame], reports: dict[str, Report]) -> None:
        app = self._book.app
        app.screen_updating = False
        try:
            for report in reports.values():
                names = [ws.name for ws in self._book.sheets]
                worksheet = (self._book.sheets[report.name] if report.name in names
                             else self._book.sheets.add(report.name, after=self._book.sheets[-1]))
                worksheet.clear_contents()
                worksheet.range((1, 1)).value = [report.headers] + [[excel_literal(to_cell(v)) for v in row]
                                                                     for row in report.rows]
            for sheet, frame in changes.items():
                worksheet, table = self._table(sheet)
                headers, rows = rows_from_frame(sheet, frame)
                values = [[excel_literal(v) for v in row] for row in rows]
                old_count = table.data_body_range.rows.count if table.data_body_range is not None else 0
                width = len(headers)
                worksheet.range((1, 1), (1, width)).value = [headers]
                table.resize(worksheet.range((1, 1), (max(len(values), 1) + 1, width)))
                if values:
                    worksheet.range((2, 1)).value = values
                if old_count > len(values):
                    worksheet.range((len(values) + 2, 1), (old_count + 1, width)).clear_contents()
            if self._save:
                self._book.save()
        finally:
            app.screen_updating = True
