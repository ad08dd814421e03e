"""Build a new, empty arbook workbook from the schema (openpyxl, used once per book)."""
from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from ..errors import ArbookError
from ..schema import DEFAULT_SETTINGS, SETTINGS, SHEETS, Kind, Role, Sheet
from .atomic import atomic_write
from .sheetxml import column_letter

MACRO_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
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
    ws.append(sheet.headers)
    for idx, column in enumerate(sheet.columns):
        letter = column_letter(idx)
        dim = ws.column_dimensions[letter]
        dim.width = column.width
        if column.number_format:
            dim.number_format = column.number_format
        header = ws.cell(row=1, column=idx + 1)
        header.alignment = Alignment(wrap_text=False, vertical="center")
        if column.role is Role.COMPUTED:
            header.fill = COMPUTED_FILL
            header.font = Font(bold=True, italic=True, color="FFFFFF")
        if column.kind is Kind.CHOICE and column.choices and column.role is Role.INPUT:
            validation = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                                        allow_blank=True, showErrorMessage=True,
                                        errorTitle=column.name,
                                        error=f"Choose one of: {', '.join(column.choices)}")
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
    if sheet is SETTINGS:
        for row in DEFAULT_SETTINGS:
            ws.append(list(row))
    last_row = max(ws.max_row, 2)
    table = Table(displayName=sheet.table_name, ref=f"A1:{column_letter(len(sheet.columns) - 1)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def build_book_bytes(macro_enabled: bool) -> bytes:
    """The bytes of a new empty book: every schema sheet as a formatted Excel table."""
    wb = Workbook()
    for i, sheet in enumerate(SHEETS):
        _add_sheet(wb, sheet, first=i == 0)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if macro_enabled:
        data = _set_main_content_type(data, MACRO_MAIN)
    return data


def _set_main_content_type(data: bytes, content_type: bytes) -> bytes:
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                payload = payload.replace(PLAIN_MAIN, content_type)
            dst.writestr(info, payload)
    return out.getvalue()


def new_book(path: str | Path, overwrite: bool = False) -> Path:
    """Create an empty book at ``path`` (.xlsx, or .xlsm for a macro-enabled book)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise ArbookError(f"{path}: a book must be an .xlsx or .xlsm file")
    if path.exists() and not overwrite:
        raise ArbookError(f"{path}: already exists (use --force to replace it)")
    data = build_book_bytes(macro_enabled=suffix == ".xlsm")
    atomic_write(path, lambda handle: handle.write(data), backup=overwrite)
    return path
