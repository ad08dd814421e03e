"""The file adapter: reads with calamine, writes by rewriting only the changed parts of the package.

Every part that is not a changed sheet or its table is copied byte for byte, so VBA
(``xl/vbaProject.bin``), the ribbon (``customUI/``) and their relationships survive every save.
"""
from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Sequence

import pandas as pd
from python_calamine import CalamineWorkbook

from ..errors import ArbookError, BookFormatError
from ..schema import Sheet
from .atomic import atomic_write, check_not_locked, exclusive, remove_stale_temps
from .base import Book
from .frames import cell_columns
from .package import CALC_CHAIN, SheetPart, sheet_parts
from .sheetxml import render_sheet, render_table

BOOK_SUFFIXES = (".xlsx", ".xlsm")


class FileBook(Book):
    """A book file on disk, held under an advisory lock from open until close."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__(str(self.path))
        if self.path.suffix.lower() not in BOOK_SUFFIXES:
            raise ArbookError(f"{self.path}: a book must be an .xlsx or .xlsm file")
        if not self.path.is_file():
            raise ArbookError(f"{self.path}: no such book (create one with 'arbook new {self.path}')")
        check_not_locked(self.path)
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(exclusive(self.path))
        remove_stale_temps(self.path)
        self._calamine: CalamineWorkbook | None = None
        try:
            with zipfile.ZipFile(self.path) as zf:
                self._parts = sheet_parts(zf)
        except (zipfile.BadZipFile, KeyError) as exc:
            self.close()
            raise BookFormatError(f"{self.path}: not an Excel workbook ({exc})") from None

    def _part(self, sheet: Sheet) -> SheetPart:
        part = self._parts.get(sheet.name)
        if part is None or part.table_path is None:
            raise BookFormatError(f"{self.path}: no {sheet.name} sheet with a table (is this an arbook book?)")
        return part

    def _load_rows(self, sheet: Sheet) -> tuple[Sequence[Any], list[Sequence[Any]]]:
        self._part(sheet)
        if self._calamine is None:
            self._calamine = CalamineWorkbook.from_path(str(self.path))
        rows = self._calamine.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        if not rows:
            return [], []
        return rows[0], rows[1:]

    def _write(self, changes: dict[Sheet, pd.DataFrame]) -> None:
        check_not_locked(self.path)
        replaced: dict[str, bytes] = {}
        with zipfile.ZipFile(self.path) as zin:
            for sheet, frame in changes.items():
                part = self._part(sheet)
                headers, kinds, columns = cell_columns(sheet, frame)
                sheet_xml, ref = render_sheet(zin.read(part.path), headers, kinds, columns)
                replaced[part.path] = sheet_xml
                replaced[part.table_path] = render_table(zin.read(part.table_path), ref, headers)
            names = zin.namelist()
            drop_calc_chain = CALC_CHAIN in names
            if drop_calc_chain:  # cell formulas may have moved; Excel rebuilds the chain itself
                replaced["[Content_Types].xml"] = _without_calc_chain(zin.read("[Content_Types].xml"))
                replaced["xl/_rels/workbook.xml.rels"] = _without_calc_chain(
                    zin.read("xl/_rels/workbook.xml.rels"))

            def write(handle: BinaryIO) -> None:
                with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
                    for info in zin.infolist():
                        if drop_calc_chain and info.filename == CALC_CHAIN:
                            continue
                        data = replaced.get(info.filename)
                        if data is None:
                            data = zin.read(info.filename)
                        zout.writestr(_copy_info(info), data)

            atomic_write(self.path, write)
        self._calamine = None

    def close(self) -> None:
        self._lock.close()


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the same name, time and compression (sizes are recomputed)."""
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    return copy


def _without_calc_chain(xml: bytes) -> bytes:
    return re.sub(rb"<(Override|Relationship)\b[^>]*calcChain[^>]*/>", b"", xml)


def open_book(path: str | Path) -> FileBook:
    """Open a book file for reading and staged writing (use as a context manager to commit)."""
    return FileBook(path)
