"""Build a new, empty arbook workbook from the schema (openpyxl, used once per book)."""
from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from arbook.model.schema import (DEFAULT_SETTINGS, SCHEMA_VERSION, SETTINGS, SHEETS, VERSION_NAME, Column, Kind, Role,
                                 Sheet)
from arbook.adapters.book.sheetxml import column_letter
from arbook.model.cells import ANSWERS
from arbook.model.money import CURRENCIES, excel_money_format
from arbook.model.statuses import CreditStatus
from arbook.model.words import WORDS

LAST_ROW = 1_048_576
COMPUTED_FILL = PatternFill("solid", fgColor="7F7F7F")
SHRINK = {"Bank Ref", "Invoices", "Account", "Source", "Fingerprint"}  # references: shrunk to fit, never wrapped


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
    _money_formats(ws, sheet)
    _print_setup(ws, sheet)
    DECORATIONS.get(sheet.name, lambda _ws, _sheet: None)(ws, sheet)


def format_column(ws, column: Column, idx: int) -> None:
    """Write a schema column's header at position ``idx`` with its width, format, alignment, header style
    and validation."""
    letter = column_letter(idx)
    dim = ws.column_dimensions[letter]
    dim.width = column_width(column)
    if column.number_format:
        dim.number_format = column.number_format
    if column.kind is Kind.TEXT and column.width >= 20:  # long references and texts: shrink or wrap
        dim.alignment = Alignment(shrink_to_fit=column.name in SHRINK, wrap_text=column.name not in SHRINK,
                                  vertical="top")
    header = ws.cell(row=1, column=idx + 1, value=column.name)
    header.alignment = Alignment(wrap_text=False, vertical="center")
    if column.role is Role.COMPUTED:
        header.fill = COMPUTED_FILL
        header.font = Font(bold=True, italic=True, color="FFFFFF")
    if column.kind is Kind.CHOICE and column.choices and column.role is Role.INPUT:
        # yes/no may be typed in Japanese or Chinese too (はい, 是): the list offers what is read back
        offered = [*column.choices, *(w for c in column.choices if c in ANSWERS for w in WORDS[c][1:])]
        validation = DataValidation(type="list", formula1='"' + ",".join(offered) + '"',
                                    allow_blank=True, showErrorMessage=True, errorTitle=column.name,
                                    error=f"Choose one of: {', '.join(offered)}")
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(validation)


def column_width(column: Column) -> float:
    """A width that shows the whole header (with the filter button) and the largest amounts without ###."""
    width = max(column.width, len(column.name) * 1.15 + 4)
    return max(width, 17) if column.kind is Kind.MONEY else width


def _money_formats(ws, sheet: Sheet) -> None:
    """Amounts shown with their row's currency digits (JPY 0, USD 2, BHD 3): a conditional number
    format per digit count over the money columns, keyed on the row's currency column."""
    currency = next((c.currency_col for c in sheet.columns if c.currency_col), None)
    if currency is None and sheet.has("Currency"):
        currency = "Currency"
    money = [column_letter(i) for i, c in enumerate(sheet.columns) if c.kind is Kind.MONEY]
    if currency is None or not money:
        return
    key = _column(sheet, currency)
    for digits in sorted({d for d in CURRENCIES.values() if d != 2}):
        codes = sorted(code for code, d in CURRENCIES.items() if d == digits)
        formula = "OR(" + ",".join(f'${key}2="{code}"' for code in codes) + ")"
        style = DifferentialStyle(numFmt=NumberFormat(numFmtId=300 + digits,
                                                      formatCode=excel_money_format(codes[0], "none")))
        for letter in money:
            ws.conditional_formatting.add(f"{letter}2:{letter}{LAST_ROW}",
                                          Rule(type="expression", dxf=style, formula=[formula]))


def _print_setup(ws, sheet: Sheet) -> None:
    """A4, fit to the page width, the header row repeated on every page, landscape for wide sheets,
    the sheet and file name in the header and page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(column_width(c) for c in sheet.columns) > 100 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.left.text = "&A"
    ws.oddHeader.right.text = "&F"
    ws.oddFooter.center.text = "&P / &N"


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
    """Live Excel charts over the Dashboard's fixed rows (filled by ``arbook age``): one aging chart
    per currency row (2-6; never two currencies on one axis; an unused row shows an empty chart, no
    phantom series) and the clients per credit status (rows 17-20)."""
    item, first_bucket, last_bucket = (sheet.headers.index(n) + 1 for n in ("Item", "Current", ">120"))
    total = sheet.headers.index("Total") + 1
    currency = column_letter(sheet.headers.index("Currency"))
    for n, row in enumerate(range(2, 7)):
        chart = BarChart()
        chart.type = "col"
        chart.title = "Open by days past due"
        chart.add_data(Reference(ws, min_col=first_bucket, max_col=last_bucket, min_row=row, max_row=row),
                       from_rows=True, titles_from_data=False)
        chart.series[0].cat = AxDataSource(strRef=StrRef(
            f"'{sheet.name}'!${column_letter(first_bucket - 1)}$1:${column_letter(last_bucket - 1)}$1"))
        chart.series[0].tx = SeriesLabel(strRef=StrRef(f"'{sheet.name}'!${currency}${row}"))  # the currency
        chart.legend.position = "t"
        chart.height, chart.width = 6, 12
        chart.y_axis.title = "Open amount"
        chart.x_axis.delete = chart.y_axis.delete = False
        ws.add_chart(chart, f"{'MT'[n % 2]}{2 + (n // 2) * 13}")
    credit = PieChart()
    credit.title = "Clients by credit status"
    credit.add_data(Reference(ws, min_col=total, min_row=17, max_row=20), titles_from_data=False)
    credit.set_categories(Reference(ws, min_col=item, min_row=17, max_row=20))
    credit.height, credit.width = 6, 11
    ws.add_chart(credit, "T28")


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
