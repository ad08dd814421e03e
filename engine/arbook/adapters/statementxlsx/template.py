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

MONEY = "#,##0.00;[Red]-#,##0.00"
DATE = "yyyy-mm-dd"


def build_template(path: Path) -> Path:
    """Write the default statement template to ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Statement"
    bold, head = Font(bold=True), PatternFill("solid", fgColor="1F4E78")
    white = Font(bold=True, color="FFFFFF")
    line = Border(bottom=Side(style="thin", color="999999"))
    ws["A1"] = "{{ company.name }}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "{{ company.address }}"
    ws["A4"] = "{{ t.title }}"
    ws["A4"].font = Font(bold=True, size=16)
    for row, (label, value) in enumerate((("{{ t.customer }}", "{{ customer.name }} ({{ customer.id }})"),
                                          ("{{ t.period }}", "{{ period_from }} – {{ as_of }}"),
                                          ("{{ t.as_of }}", "{{ as_of }}")), start=5):
        ws.cell(row, 1, label).font = bold
        ws.cell(row, 2, value)
    headers = ["{{ t.date }}", "{{ t.document }}", "{{ t.description }}", "{{ t.currency }}", "{{ t.debit }}",
               "{{ t.credit }}", "{{ t.balance }}"]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(9, col, text)
        cell.font, cell.fill = white, head
    ws.cell(10, 3, "{{ t.opening }}")
    ws.cell(10, 4, "{{ opening.currency }}")
    ws.cell(10, 7, "{{ opening.amount }}")
    body = ["{{ lines.date }}", "{{ lines.document }}", "{{ lines.description }}", "{{ lines.currency }}",
            "{{ lines.debit }}", "{{ lines.credit }}", "{{ lines.balance }}"]
    for col, text in enumerate(body, start=1):
        ws.cell(11, col, text).border = line
    ws.cell(12, 3, "{{ t.closing }}").font = bold
    ws.cell(12, 4, "{{ closing.currency }}").font = bold
    ws.cell(12, 7, "{{ closing.amount }}").font = bold
    ws.cell(14, 1, "{{ t.open_items }}").font = Font(bold=True, size=12)
    for col, text in enumerate(["{{ t.invoice }}", "{{ t.due }}", "{{ t.currency }}", "{{ t.open }}", "{{ t.days }}",
                                "{{ t.bucket }}"], start=1):
        cell = ws.cell(15, col, text)
        cell.font, cell.fill = white, head
    for col, text in enumerate(["{{ open_items.number }}", "{{ open_items.due }}", "{{ open_items.currency }}",
                                "{{ open_items.open }}", "{{ open_items.days }}", "{{ open_items.bucket }}"], start=1):
        ws.cell(16, col, text)
    ws.cell(17, 3, "{{ totals.currency }}").font = bold
    ws.cell(17, 1, "{{ t.totals }}").font = bold
    ws.cell(17, 4, "{{ totals.amount }}").font = bold
    ws.cell(19, 1, "{{ t.payment_info }}").font = bold
    ws.cell(20, 1, "{{ company.payment }}")
    for row in (10, 11, 12):
        ws.cell(row, 1).number_format = DATE
        for col in (5, 6, 7):
            ws.cell(row, col).number_format = MONEY
    ws.cell(16, 2).number_format = DATE
    ws.cell(16, 4).number_format = MONEY
    ws.cell(17, 4).number_format = MONEY
    for letter, width in zip("ABCDEFG", (12, 26, 30, 9, 15, 15, 15)):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no accidental edits; the Confirm sheet is where the client answers

    confirm = wb.create_sheet("Confirm")
    confirm["A1"] = "{{ t.confirm_title }}"
    confirm["A1"].font = Font(bold=True, size=12)
    for col, text in enumerate(["{{ t.date }}", "{{ t.document }}", "{{ t.description }}", "{{ t.currency }}",
                                "{{ t.debit }}", "{{ t.credit }}", "{{ t.answer }}", "{{ t.comment }}"], start=1):
        cell = confirm.cell(3, col, text)
        cell.font, cell.fill = white, head
    answers = ["{{ lines.date }}", "{{ lines.document }}", "{{ lines.description }}", "{{ lines.currency }}",
               "{{ lines.debit }}", "{{ lines.credit }}", "", ""]
    for col, text in enumerate(answers, start=1):
        cell = confirm.cell(4, col, text or None)
        if col in (7, 8):
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    confirm.cell(4, 1).number_format = DATE
    for col in (5, 6):
        confirm.cell(4, col).number_format = MONEY
    confirm.cell(4, 7).alignment = Alignment(horizontal="center")
    choice = DataValidation(type="list", formula1='"agree,dispute"', allow_blank=True)
    choice.add("G4:G2000")
    confirm.add_data_validation(choice)
    for letter, width in zip("ABCDEFGH", (12, 26, 30, 9, 15, 15, 16, 40)):
        confirm.column_dimensions[letter].width = width
    confirm.page_setup.orientation = "landscape"
    confirm.page_setup.fitToWidth, confirm.page_setup.fitToHeight = 1, 0
    confirm.sheet_properties.pageSetUpPr.fitToPage = True
    confirm.protection.sheet = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
