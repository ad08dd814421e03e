"""``arbook upgrade``: bring a book made by an earlier schema version to the current one, in place.

Missing sheets are added and missing columns appended to their tables (with formats, validations
and header styles); every value, every user-added column and every user sheet is kept. The book
as it was is kept beside it as ``NAME.schemaN.xlsx``. A macro book keeps its VBA project and gets its ribbon part back (openpyxl drops the ribbon's relationship).
"""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import TableColumn

from arbook.adapters.book.atomic import atomic_write, check_not_locked, exclusive
from arbook.adapters.book.builder import DECORATIONS, _add_sheet, format_column, mark_version
from arbook.adapters.book.filebook import BOOK_SUFFIXES, book_version, open_book, version_message
from arbook.adapters.book.sheetxml import column_letter
from arbook.model.errors import BookFormatError
from arbook.model.schema import SCHEMA_VERSION, SHEETS, Sheet

RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


def _upgrade_sheet(wb: openpyxl.Workbook, sheet: Sheet, path: Path) -> list[str]:
    """Add ``sheet`` or its missing columns to ``wb``; what was done, one phrase each."""
    if sheet.name not in wb.sheetnames:
        _add_sheet(wb, sheet, first=False)
        return [f"added sheet {sheet.name}"]
    ws = wb[sheet.name]
    table = ws.tables.get(sheet.table_name)
    if table is None:
        raise BookFormatError(f"{path}: sheet {sheet.name} has no table {sheet.table_name}; cannot upgrade it")
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    present = {str(ws.cell(row=min_row, column=c).value or "").strip() for c in range(min_col, max_col + 1)}
    added = []
    for column in sheet.columns:
        if column.name in present:
            continue
        max_col += 1
        format_column(ws, column, max_col - 1)
        table.tableColumns.append(TableColumn(id=max(c.id for c in table.tableColumns) + 1, name=column.name))
        added.append(column.name)
    if not added:
        return []
    table.ref = f"{column_letter(min_col - 1)}{min_row}:{column_letter(max_col - 1)}{max_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    return [f"{sheet.name}: added column(s) {', '.join(added)}"]


def _restore_ribbon(data: bytes, original: dict[str, bytes]) -> bytes:
    """Put the original ribbon parts and their package relationship back into a saved package."""
    rels = original.get("_rels/.rels", b"")
    ribbon = re.findall(rb"<Relationship\b[^>]*" + re.escape(RIBBON_REL.encode()) + rb"[^>]*/>", rels)
    if not ribbon:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "_rels/.rels" and RIBBON_REL.encode() not in part:
                part = part.replace(b"</Relationships>", b"".join(ribbon) + b"</Relationships>")
            zout.writestr(info, part)
        for name, part in original.items():
            if name.startswith("customUI/") and name not in zin.namelist():
                zout.writestr(name, part)
    return out.getvalue()


def upgrade_book(path: str | Path) -> list[str]:
    """Upgrade the book at ``path`` to the current schema (atomic, ``BOOK.bak`` kept); what was done."""
    path = Path(path)
    if path.suffix.lower() not in BOOK_SUFFIXES:
        raise BookFormatError(f"{path}: a book must be an .xlsx or .xlsm file")
    check_not_locked(path)
    with exclusive(path):
        try:
            with zipfile.ZipFile(path) as zf:
                version = book_version(zf, path)
                original = {n: zf.read(n) for n in zf.namelist() if n.startswith("customUI/") or n == "_rels/.rels"}
        except (zipfile.BadZipFile, KeyError, FileNotFoundError) as exc:
            raise BookFormatError(f"{path}: not an Excel workbook ({exc})") from None
        if version > SCHEMA_VERSION:
            raise BookFormatError(version_message(path, version))
        if version == SCHEMA_VERSION:
            return []
        macro = path.suffix.lower() == ".xlsm"
        wb = openpyxl.load_workbook(path, keep_vba=macro)
        changes = [change for sheet in SHEETS for change in _upgrade_sheet(wb, sheet, path)]
        if "Dashboard" in wb.sheetnames and not wb["Dashboard"]._charts:  # openpyxl does not load charts
            DECORATIONS["Dashboard"](wb["Dashboard"], next(s for s in SHEETS if s.name == "Dashboard"))
        mark_version(wb)
        buffer = io.BytesIO()
        wb.save(buffer)
        data = _restore_ribbon(buffer.getvalue(), original) if macro else buffer.getvalue()
        kept = path.with_name(f"{path.stem}.schema{version}{path.suffix}")
        shutil.copy2(path, kept)
        atomic_write(path, lambda handle: handle.write(data))
    summary = [f"schema version {version} -> {SCHEMA_VERSION}", *changes, f"the old book is kept as {kept.name}"]
    with open_book(path) as book:
        book.log("upgrade", "; ".join(summary))
        book.commit()
    return summary
