"""Sheets out as UTF-8 CSV with the schema's headers; values in the forms the importers read back."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from arbook.adapters.book.atomic import atomic_write
from arbook.model.cells import csv_guarded
from arbook.model.frames import table_columns
from arbook.model.book import Book
from arbook.model.schema import Sheet, sheet as sheet_named


def csv_text(value: Any) -> str:
    """A typed value as CSV text: ISO dates, plain exact amounts, TRUE/FALSE, '' for empty; text that a
    spreadsheet would run as a formula gets a leading apostrophe (``csv_guarded``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return csv_guarded(str(value))


def export_csv(sheet: Sheet, frame: pd.DataFrame, out: str | Path) -> int:
    """Write ``frame`` to ``out`` as UTF-8 CSV with a BOM (so Excel reads kana and hanzi right).

    Returns the number of data rows written. The file is replaced atomically.
    """
    headers, columns = table_columns(sheet, frame)

    def write(handle: Any) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([csv_guarded(h) for h in headers])
        for row in zip(*columns):
            writer.writerow([csv_text(v) for v in row])
        text.flush()
        text.detach()

    atomic_write(Path(out), write, backup=False)
    return len(frame)


def export_sheet(book: Book, sheet: str, out: str | Path) -> tuple[str, int]:
    """Write the schema sheet named ``sheet`` of ``book`` to ``out`` as CSV; its name and row count."""
    target = sheet_named(sheet)
    return target.name, export_csv(target, book.read(target.name), out)
