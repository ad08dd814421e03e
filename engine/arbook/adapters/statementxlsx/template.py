"""The default statement template (``templates/statement.xlsx``): a normal workbook an
accountant can restyle in Excel.

Cells hold jinja2 text (``{{ customer.name }}``, ``{{ t.title }}``). A row whose cells name a
collection (``{{ lines.date }}``, ``{{ open_items.number }}``) is repeated once per item of
that collection. Labels come from ``t``: ``arbook.model.words`` in the client's language (ja/zh/en).
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

MONEY = "#,##0.00;[Red]-#,##0.00"  # the renderer swaps in each amount's currency format (digits, code or symbol)
DATE = "yyyy-mm-dd"
WIDTHS = (11, 20, 30, 10, 16, 16, 16)
FONT = "Calibri"  # named on every font, so LibreOffice does not fall back to a serif face for bold cells


def _print_setup(ws, header_rows: str | None = None) -> None:
    """A4 portrait, fit to the page width, company name in the header, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddHeader.right.text = "{{ company.name }}"
    ws.oddFooter.center.text = "&P / &N"
    if header_rows:
        ws.print_title_rows = header_rows


def build_template(path: Path) -> Path:
    """Write the default statement template to ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Statement"
    bold, head = Font(name=FONT, bold=True), PatternFill("solid", fgColor="1F4E78")
    white = Font(name=FONT, bold=True, color="FFFFFF")
    line = Border(bottom=Side(style="thin", color="999999"))
    wrap = Alignment(wrap_text=True, vertical="top")
    right = Alignment(horizontal="right")
    ws["A1"] = "{{ address_lines.text }}"  # the addressee block, one row per line
    ws["A1"].font = Font(name=FONT, size=12)
    ws["G3"] = "{{ company.name }}"
    ws["G3"].font, ws["G3"].alignment = bold, right
    ws["G4"] = "{{ company.address }}"
    ws["G4"].alignment = right
    ws["A6"] = "{{ t.title }}"
    ws["A6"].font = Font(name=FONT, bold=True, size=16)
    ws["A7"] = "{{ t.intro }}"
    ws["A7"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A7:G7")
    ws.row_dimensions[7].height = 45
    for row, (label, value) in enumerate((("{{ t.customer }}", "{{ customer.name }} ({{ customer.id }})"),
                                          ("{{ t.period }}", "{{ period_from }} – {{ as_of }}"),
                                          ("{{ t.as_of }}", "{{ as_of }}")), start=8):
        ws.cell(row, 1, label).font = bold
        ws.cell(row, 2, value)
    headers = ["{{ t.date }}", "{{ t.document }}", "{{ t.description }}", "{{ t.currency }}", "{{ t.debit }}",
               "{{ t.credit }}", "{{ t.balance }}"]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(12, col, text)
        cell.font, cell.fill, cell.alignment = white, head, Alignment(wrap_text=True, vertical="center")
    ws.cell(13, 3, "{{ t.opening }}")
    ws.cell(13, 4, "{{ opening.currency }}")
    ws.cell(13, 7, "{{ opening.amount }}")
    body = ["{{ lines.date }}", "{{ lines.document }}", "{{ lines.description }}", "{{ lines.currency }}",
            "{{ lines.debit }}", "{{ lines.credit }}", "{{ lines.balance }}"]
    for col, text in enumerate(body, start=1):
        cell = ws.cell(14, col, text)
        cell.border = line
        if col in (2, 3):
            cell.alignment = wrap
    ws.cell(15, 3, "{{ t.closing }}").font = bold
    ws.cell(15, 4, "{{ closing.currency }}").font = bold
    ws.cell(15, 7, "{{ closing.amount }}").font = bold
    ws.cell(17, 1, "{{ t.open_items }}").font = Font(name=FONT, bold=True, size=12)
    for col, text in enumerate(["{{ t.invoice }}", "{{ t.due }}", "{{ t.description }}", "{{ t.currency }}",
                                "{{ t.open }}", "{{ t.days }}", "{{ t.bucket }}"], start=1):
        cell = ws.cell(18, col, text)
        cell.font, cell.fill, cell.alignment = white, head, Alignment(wrap_text=True, vertical="center")
    for col, text in enumerate(["{{ open_items.number }}", "{{ open_items.due }}", "{{ open_items.description }}",
                                "{{ open_items.currency }}", "{{ open_items.open }}", "{{ open_items.days }}",
                                "{{ open_items.bucket }}"], start=1):
        cell = ws.cell(19, col, text)
        if col in (1, 3):
            cell.alignment = wrap
        elif col == 6:
            cell.alignment = Alignment(horizontal="center")
    ws.cell(20, 1, "{{ t.net_balance }}").font = bold
    ws.cell(20, 4, "{{ totals.currency }}").font = bold
    ws.cell(20, 5, "{{ totals.amount }}").font = bold
    ws.cell(22, 1, "{{ t.payment_info }}").font = bold
    ws.cell(23, 1, "{{ company.payment }}")
    ws.cell(25, 1, "{{ t.reply_title }}").font = Font(name=FONT, bold=True, size=12)
    thin = Side(style="thin")
    for row, text in zip(range(26, 30), ("{{ t.reply_text }}", "{{ t.reply_date }}", "{{ t.reply_name }}",
                                         "{{ t.reply_sign }}")):
        ws.cell(row, 1, text).alignment = Alignment(wrap_text=True, vertical="center")
        for col in range(1, 8):  # one box per line, across the page
            ws.cell(row, col).border = Border(top=thin, bottom=thin, left=thin if col == 1 else None,
                                              right=thin if col == 7 else None)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        ws.row_dimensions[row].height = 30 if row != 29 else 42
    ws.cell(29, 1).alignment = Alignment(horizontal="right", vertical="center")
    for row in (13, 14, 15):
        ws.cell(row, 1).number_format = DATE
        for col in (5, 6, 7):
            ws.cell(row, col).number_format = MONEY
    ws.cell(19, 2).number_format = DATE
    ws.cell(19, 5).number_format = MONEY
    ws.cell(20, 5).number_format = MONEY
    for letter, width in zip("ABCDEFG", WIDTHS):
        ws.column_dimensions[letter].width = width
    _print_setup(ws)
    ws.protection.sheet = True  # no accidental edits; the Confirm sheet is where the client answers

    confirm = wb.create_sheet("Confirm")
    confirm["A1"] = "{{ t.confirm_title }}"
    confirm["A1"].font = Font(name=FONT, bold=True, size=12)
    confirm["A2"] = "{{ t.confirm_help }}"
    confirm["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    confirm.merge_cells("A2:J2")
    confirm.row_dimensions[2].height = 30
    for col, text in enumerate(["{{ t.date }}", "{{ t.document }}", "{{ t.description }}", "{{ t.currency }}",
                                "{{ t.debit }}", "{{ t.credit }}", "{{ t.balance }}", "{{ t.answer }}",
                                "{{ t.their_balance }}", "{{ t.comment }}"], start=1):
        cell = confirm.cell(3, col, text)
        cell.font, cell.fill, cell.alignment = white, head, Alignment(wrap_text=True, vertical="center")
    balance = ["{{ balances.date }}", "{{ balances.document }}", "{{ balances.description }}",
               "{{ balances.currency }}", "", "", "{{ balances.amount }}"]
    lines = ["{{ lines.date }}", "{{ lines.document }}", "{{ lines.description }}", "{{ lines.currency }}",
             "{{ lines.debit }}", "{{ lines.credit }}", ""]
    for row, values in ((4, balance), (5, lines)):
        for col, text in enumerate(values, start=1):
            cell = confirm.cell(row, col, text or None)
            if row == 4:
                cell.font = bold
            if col in (2, 3):
                cell.alignment = wrap
        for col in (8, 9, 10):  # the client's answer cells
            cell = confirm.cell(row, col)
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        confirm.cell(row, 1).number_format = DATE
        for col in (5, 6, 7, 9):
            confirm.cell(row, col).number_format = MONEY
        confirm.cell(row, 8).alignment = Alignment(horizontal="center")
    choice = DataValidation(type="list", formula1='"agree,dispute"', allow_blank=True)
    choice.add("H4:H2000")
    confirm.add_data_validation(choice)
    for letter, width in zip("ABCDEFGHIJ", (*WIDTHS, 14, 16, 30)):
        confirm.column_dimensions[letter].width = width
    _print_setup(confirm, "3:3")
    confirm.page_setup.orientation = "landscape"
    confirm.protection.sheet = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
