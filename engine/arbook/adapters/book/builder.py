"""Build a new, empty arbook workbook from the schema (openpyxl, used once per book)."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from arbook.model.schema import (DEFAULT_SETTINGS, SCHEMA_VERSION, SETTINGS, SHEETS, VERSION_NAME, Column, Kind, Role,
                                 Sheet)
from arbook.adapters.book.sheetxml import column_letter
from arbook.model.statuses import CreditStatus

LAST_ROW = 1_048_576
COMPUTED_FILL = PatternFill("solid", fgColor="7F7F7F")


def code_name(sheet: Sheet) -> str:
    """The VBA codeName of a sheet (``Customers``, ``Invoices``...): the name without spaces."""
    return re.sub(r"\W", "", sheet.name)


def _add_sheet(wb: Workbook, sheet: Sheet, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = sheet.name
    ws.sheet_properties.codeName = code_name(sheet)
    ws.sheet_properties.tabColor = sheet.tab_color
    for idx, column in enumerate(sheet.columns):
        format_column(ws, column, idx)
    if sheet is SETTINGS:
        for row in DEFAULT_SETTINGS:
            ws.append(list(row))
    last_row = max(ws.max_row, 2)
    table = Table(displayName=sheet.table_name, ref=f"A1:{column_letter(len(sheet.columns) - 1)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    DECORATIONS.get(sheet.name, lambda _ws, _sheet: None)(ws, sheet)


def format_column(ws, column: Column, idx: int) -> None:
    """Write a schema column's header at position ``idx`` with its width, format, header style and validation."""
    letter = column_letter(idx)
    dim = ws.column_dimensions[letter]
    dim.width = column.width
    if column.number_format:
        dim.number_format = column.number_format
    header = ws.cell(row=1, column=idx + 1, value=column.name)
    header.alignment = Alignment(wrap_text=False, vertical="center")
    if column.role is Role.COMPUTED:
        header.fill = COMPUTED_FILL
        header.font = Font(bold=True, italic=True, color="FFFFFF")
    if column.kind is Kind.CHOICE and column.choices and column.role is Role.INPUT:
        validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                    allow_blank=True, showErrorMessage=True, errorTitle=column.name,
                                    error=f"Choose one of: {', '.join(column.choices)}")
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(validation)


def _column(sheet: Sheet, name: str) -> str:
    return column_letter(sheet.headers.index(name))


def _alert_formats(ws, sheet: Sheet) -> None:
    """Hold / Over limit and anything more than 90 days overdue stand out at a glance."""
    red = PatternFill("solid", fgColor="FFC7CE")
    amber = PatternFill("solid", fgColor="FFEB9C")
    if sheet.has("Credit Status"):
        col = _column(sheet, "Credit Status")
        cells = f"{col}2:{col}{LAST_ROW}"
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{CreditStatus.HOLD}"'], fill=red,
                                                        font=Font(bold=True, color="9C0006")))
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{CreditStatus.OVER_LIMIT}"'], fill=red))
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{CreditStatus.WATCH}"'], fill=amber))
    if sheet.has("Days Overdue"):
        col = _column(sheet, "Days Overdue")
        ws.conditional_formatting.add(f"A2:{column_letter(len(sheet.columns) - 1)}{LAST_ROW}",
                                      FormulaRule(formula=[f"${col}2>90"], fill=red))


def _dashboard_charts(ws, sheet: Sheet) -> None:
    """Live Excel charts over the Dashboard's fixed rows (filled by ``arbook age``)."""
    item, first_bucket, last_bucket = (sheet.headers.index(n) + 1 for n in ("Item", "Current", ">120"))
    total = sheet.headers.index("Total") + 1
    aging = BarChart()
    aging.type, aging.grouping, aging.overlap = "col", "stacked", 100
    aging.title, aging.y_axis.title = "Open receivables by days past due (per currency)", "Amount"
    aging.add_data(Reference(ws, min_col=item, max_col=last_bucket, min_row=2, max_row=6), from_rows=True,
                   titles_from_data=True)
    aging.set_categories(Reference(ws, min_col=first_bucket, max_col=last_bucket, min_row=1, max_row=1))
    aging.height, aging.width = 8, 16
    ws.add_chart(aging, "M2")
    top = BarChart()
    top.type, top.title = "bar", "Top overdue clients (each in its own currency)"
    top.add_data(Reference(ws, min_col=total, min_row=7, max_row=16), titles_from_data=False)
    top.set_categories(Reference(ws, min_col=item, min_row=7, max_row=16))
    top.legend, top.height, top.width = None, 8, 16
    ws.add_chart(top, "M19")
    credit = PieChart()
    credit.title = "Clients by credit status"
    credit.add_data(Reference(ws, min_col=total, min_row=17, max_row=20), titles_from_data=False)
    credit.set_categories(Reference(ws, min_col=item, min_row=17, max_row=20))
    credit.height, credit.width = 8, 12
    ws.add_chart(credit, "M36")


DECORATIONS = {"Customers": _alert_formats, "Invoices": _alert_formats, "Dashboard": _dashboard_charts}


def schema_workbook() -> Workbook:
    """A new workbook with every schema sheet as a formatted Excel table (not yet saved)."""
    wb = Workbook()
    for i, sheet in enumerate(SHEETS):
        _add_sheet(wb, sheet, first=i == 0)
    mark_version(wb)
    return wb


def mark_version(wb: Workbook) -> None:
    """Record the current schema version in the workbook (a hidden defined name)."""
    wb.defined_names[VERSION_NAME] = DefinedName(VERSION_NAME, attr_text=str(SCHEMA_VERSION), hidden=True)


def build_book_bytes() -> bytes:
    """The bytes of a new empty .xlsx book."""
    buffer = io.BytesIO()
    schema_workbook().save(buffer)
    return buffer.getvalue()
