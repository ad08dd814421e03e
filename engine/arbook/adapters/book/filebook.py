"""The file adapter: reads with calamine, writes by rewriting only the changed parts of the package.

Every part that is not a changed sheet or its table is copied byte for byte, so VBA
(``xl/vbaProject.bin``), the ribbon (``customUI/``) and their relationships survive every save.
"""
from __future__ import annotations

import contextlib
import functools
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from xml.sax.saxutils import quoteattr
from typing import Any, BinaryIO, Callable, Collection, Mapping, Sequence

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, XmlError, ZipError

from arbook.model.errors import ArbookError, BookFormatError, InputError
from arbook.model.schema import INVOICES, LOG, SCHEMA_VERSION, Kind, Sheet, sheet as sheet_named
from arbook.adapters.book.atomic import atomic_write, check_not_locked, exclusive, remove_stale_temps
from arbook.adapters.book.base import StagedBook, current_user
from arbook.adapters.book.history import DEFAULT_GENERATIONS, Generation, keep_generation, record_head
from arbook.model.book import Report
from arbook.model.frames import (CELL_KINDS, cell_columns, cells_of, columns_read, frame_from_columns, frame_from_rows,
                                 frame_headers)
from arbook.adapters.book.package import (CALC_CHAIN, NS_MAIN, NS_REL, Producer, SheetPart, deflate,
                                          deflate_produced, inflated, schema_version, sheet_parts, stored, write_part)
from arbook.adapters.book.sheetxml import column_letter, render_table, table_ref, write_sheet
from arbook.adapters.book.splice import RowCells, find_cells, splice_columns, table_headers

BOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Sheets of this much XML and more are read by column when some columns are asked for (see ``_by_column``): below
#: it, importing pyarrow (0.1 s) costs more than the column reader saves (about 9 ms per MB of XML).
BY_COLUMN_FROM = 8 << 20
_FORMULA = re.compile(rb"<f[\s>/]")
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"')

#: A sheet part read ahead for a rewrite: its XML and where its rows' cells are (None: laid out otherwise).
Ahead = tuple[bytes, RowCells | None]
#: A sheet read ahead: its raw rows (header, data rows; None when read by column) and its frame, or why the rows do
#: not fit one.
Parsed = tuple[tuple[Sequence[Any], list[Sequence[Any]]] | None, pd.DataFrame | InputError]


def _header_and_rows(rows: list[list[Any]]) -> tuple[Sequence[Any], list[Sequence[Any]]]:
    """(header row, data rows) of a sheet's rows."""
    return (rows[0], rows[1:]) if rows else ([], [])


class FileBook(StagedBook):
    """A book file on disk, held under an advisory lock from open until close."""

    def __init__(self, path: str | Path, timeout: float | None = None):
        given = Path(path)
        super().__init__(str(given))
        if given.suffix.lower() not in BOOK_SUFFIXES:
            raise ArbookError(f"{given}: a book must be an .xlsx or .xlsm file")
        if not given.is_file():
            raise ArbookError(f"{given}: no such book (create one with 'arbook new {given}')")
        self.path = given.resolve()  # every link to the book shares one lock, and a save keeps the link
        check_not_locked(given)
        check_not_locked(self.path)
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(exclusive(self.path, timeout))
        remove_stale_temps(self.path)
        self._calamine: CalamineWorkbook | None = None
        self._prefetched: dict[str, Future[Parsed]] = {}  # sheet name -> its rows and frame, made on a thread
        self._prefetch_columns: dict[str, list[str] | None] = {}  # sheet name -> the columns of that frame
        self._parts_ahead: dict[str, Future[Ahead]] = {}  # part name -> its XML and cells, read for a rewrite
        self.generations = True  # keep the state before each save (see ``history``)
        try:
            with zipfile.ZipFile(self.path) as zf:
                self._parts = sheet_parts(zf)
                version = book_version(zf, self.source)
        except (zipfile.BadZipFile, KeyError) as exc:
            self.close()
            raise BookFormatError(f"{self.source}: not an Excel workbook ({exc})") from None
        except BookFormatError:
            self.close()
            raise
        if version != SCHEMA_VERSION:
            self.close()
            raise BookFormatError(version_message(Path(self.source), version))

    def _part(self, sheet: Sheet) -> SheetPart:
        part = self._parts.get(sheet.name)
        if part is None or part.table_path is None:
            raise BookFormatError(f"{self.source}: no {sheet.name} sheet with a table (is this an arbook book?)")
        return part

    def _taken(self, sheet: Sheet) -> Parsed:
        """The sheet's rows and frame made ahead (see ``prefetch``)."""
        del self._prefetch_columns[sheet.name]
        return self._prefetched.pop(sheet.name).result()

    def _ready_frame(self, sheet: Sheet, columns: Sequence[str] | None) -> pd.DataFrame | None:
        if sheet.name not in self._prefetched or self._prefetch_columns[sheet.name] != (
                None if columns is None else list(columns)):
            return None
        raw, frame = self._taken(sheet)
        if raw is not None:
            self._raw[sheet.name] = raw
        if isinstance(frame, InputError):
            raise frame
        return frame

    def _load_rows(self, sheet: Sheet) -> tuple[Sequence[Any], list[Sequence[Any]]]:
        self._part(sheet)
        raw = self._taken(sheet)[0] if sheet.name in self._prefetched else None
        if raw is not None:
            return raw
        if self._calamine is None:
            self._calamine = CalamineWorkbook.from_path(str(self.path))
        return self._rows(self._calamine, sheet)

    def _rows(self, workbook: CalamineWorkbook, sheet: Sheet) -> tuple[Sequence[Any], list[Sequence[Any]]]:
        """The sheet's header and data rows as calamine reads them; BookFormatError naming the book and
        sheet when its XML is damaged."""
        try:
            return _header_and_rows(workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False))
        except (CalamineError, XmlError, ZipError) as exc:
            raise BookFormatError(f"{self._where(sheet)}: the sheet cannot be read, its XML is damaged "
                                  f"({exc}); 'arbook undo' puts back the book as it was before the last change") from None

    def prefetch(self, reads: Mapping[str, Sequence[str] | None], rewrite: Sequence[str] = ()) -> None:
        """Start parsing these sheets and making their frames on two threads (calamine parses without holding
        the GIL, so one thread converts while the other parses; this one only waits), the sheets split so both
        threads have about as many bytes of XML; ``read`` with the same columns takes the frame. The XML of
        those in ``rewrite`` is then read (inflated) and its cells found there, for a save that rewrites only
        some columns: after the thread's sheets, so not to slow them, while the other thread or the engine
        still works."""
        rewrite = [sheet_named(n).name for n in rewrite]
        reads = {sheet_named(n).name: columns for n, columns in reads.items()}
        sheets = [sheet_named(n) for n in reads]
        todo = [s.name for s in sheets if s.name in self._parts and s.name not in self._prefetched
                and s.name not in self._cache and s.name not in self._staged and s.name not in self._raw]
        if not todo:
            return
        with zipfile.ZipFile(self.path) as zf:
            size = {name: zf.getinfo(self._parts[name].path).file_size for name in todo}
        groups: tuple[list[str], list[str]] = ([], [])
        for name in sorted(todo, key=size.__getitem__, reverse=True):
            min(groups, key=lambda g: sum(map(size.__getitem__, g))).append(name)
        for group in groups:
            if not group:
                continue
            opened = functools.cache(lambda: CalamineWorkbook.from_path(str(self.path)))
            worker = ThreadPoolExecutor(1, thread_name_prefix="arbook-read")  # one thread per workbook
            for name in sorted(group, key=todo.index):
                columns = reads[name]
                self._prefetch_columns[name] = None if columns is None else list(columns)
                self._prefetched[name] = worker.submit(self._parse, opened, sheet_named(name), columns)
            for name in sorted(set(group) & set(rewrite), key=size.__getitem__, reverse=True):
                self._parts_ahead[self._parts[name].path] = worker.submit(self._read_cells, self._parts[name].path)
            worker.shutdown(wait=False)

    def _parse(self, opened: Callable[[], CalamineWorkbook], sheet: Sheet, columns: Sequence[str] | None) -> Parsed:
        """The sheet's rows (header, data rows) and its frame of ``columns`` (see ``frame_from_rows``), or why the
        rows do not fit it. A frame of some columns comes from those columns alone when they read plainly (see
        ``typedread``; the rows are then None)."""
        if columns is not None:
            frame = self._by_column(sheet, columns)
            if frame is not None:
                return None, frame
        raw = self._rows(opened(), sheet)
        try:
            return raw, frame_from_rows(sheet, *raw, self._where(sheet), columns=columns)
        except InputError as problems:
            return raw, problems

    def _by_column(self, sheet: Sheet, columns: Sequence[str]) -> pd.DataFrame | None:
        """The sheet's frame of ``columns`` (and the user's own columns) read column by column, or None (then by
        row, which says what is wrong: a damaged table part too); a small sheet is read by row."""
        from arbook.adapters.book.typedread import typed_columns  # pyarrow's import (0.1 s) only when used

        part = self._part(sheet)
        try:
            with zipfile.ZipFile(self.path) as zf:
                if zf.getinfo(part.path).file_size < BY_COLUMN_FROM:
                    return None
                header = table_headers(zf.read(part.table_path))[1]
        except (ET.ParseError, KeyError, zipfile.BadZipFile, OSError, zlib.error, EOFError):
            return None
        read = columns_read(sheet, columns)
        dates = [c.name for c in sheet.columns if c.kind in (Kind.DATE, Kind.DATETIME)]
        values = typed_columns(self.path, sheet.name, header, lambda name: name in read or not sheet.has(name), dates)
        if not values:
            return None
        return frame_from_columns(sheet, values, len(next(iter(values.values()))), self._where(sheet), columns)

    def _read_cells(self, name: str) -> Ahead:
        """A sheet part's XML and where its rows' cells are (see ``find_cells``)."""
        with zipfile.ZipFile(self.path) as zf:
            xml = inflated(zf, name)
        return xml, find_cells(xml)

    def _forget_prefetched(self, keep_parts: bool = False) -> dict[str, Ahead]:
        """Drop what was read ahead (the file is about to change), waiting for work under way; returns the
        parts read for a rewrite (part name -> XML and cells): with ``keep_parts`` all of them, else only those
        already read."""
        for ahead in (*self._prefetched.values(), *(() if keep_parts else self._parts_ahead.values())):
            ahead.cancel()
        for ahead in self._prefetched.values():
            with contextlib.suppress(Exception):
                ahead.exception()
        parts = {}
        for name, ahead in self._parts_ahead.items():
            with contextlib.suppress(Exception):
                parts[name] = ahead.result()
        self._prefetched.clear()
        self._prefetch_columns.clear()
        self._parts_ahead.clear()
        return parts

    def _write(self, changes: dict[Sheet, pd.DataFrame], reports: dict[str, Report]) -> None:
        check_not_locked(self.path)
        ahead = self._forget_prefetched(keep_parts=True)
        with zipfile.ZipFile(self.path) as zin:
            replaced: dict[str, bytes] = {}
            sheets: dict[str, Producer] = {}  # each changed sheet's XML, spliced into the old or written whole
            for sheet, frame in changes.items():
                part = self._part(sheet)
                old = ahead.get(part.path)
                patched = self._patched(zin, sheet, frame, old)
                if patched is not None:
                    sheets[part.path] = patched
                    continue
                headers = frame_headers(sheet, frame)
                old_xml = old[0] if old else zin.read(part.path)
                self._check_no_formulas(sheet, old_xml)
                sheets[part.path] = partial(_write_frame, old_xml, sheet, frame)
                replaced[part.table_path] = render_table(zin.read(part.table_path), table_ref(headers, len(frame)),
                                                         headers)
            if reports:
                self._write_reports(zin, reports, replaced, sheets)
            names = zin.namelist()
            drop_calc_chain = CALC_CHAIN in names
            if drop_calc_chain:  # cell formulas may have moved; Excel rebuilds the chain itself
                replaced["[Content_Types].xml"] = _without_calc_chain(zin.read("[Content_Types].xml"))
                replaced["xl/_rels/workbook.xml.rels"] = _without_calc_chain(
                    zin.read("xl/_rels/workbook.xml.rels"))
            with ThreadPoolExecutor(max_workers=1) as pool:
                made = {name: deflate_produced(produce, pool) for name, produce in sheets.items()}
            made.update((name, deflate(data)) for name, data in replaced.items())  # small: tables, relationships
            order = [info for info in zin.infolist() if not (drop_calc_chain and info.filename == CALC_CHAIN)]
            order += [zipfile.ZipInfo(name) for name in sheets if name not in names]  # new report sheets

            def package(handle: BinaryIO) -> None:
                with zipfile.ZipFile(handle, "w") as zout:
                    for info in order:
                        entry = _copy_info(info)
                        if info.filename in made:
                            entry.compress_type = zipfile.ZIP_DEFLATED
                        write_part(zout, entry, made.get(info.filename) or stored(zin, info))

            atomic_write(self.path, package, before_replace=self._keep_generation)
        if LOG in changes:
            record_head(self.path, next((h for h in reversed(changes[LOG]["Hash"].tolist()) if h), None))
        self._calamine = None
        with zipfile.ZipFile(self.path) as zf:
            self._parts = sheet_parts(zf)

    def _check_no_formulas(self, sheet: Sheet, xml: bytes) -> None:
        """BookFormatError (before anything is written) when the sheet, about to be written whole from its values,
        holds a formula: writing it would put the formula's last value in its place."""
        found = _FORMULA.search(xml, max(xml.find(b"<sheetData"), 0))
        if found is None:
            return
        cell = _CELL_REF.match(xml, max(xml.rfind(b"<c ", 0, found.start()), 0))
        where = f" (first in {cell.group(1).decode()})" if cell else ""
        raise BookFormatError(
            f"{self.source} [{sheet.name}]: the sheet holds formulas{where}, and this command rewrites the sheet whole "
            "(blank rows inside the table, or a column outside it, make that necessary), which would keep only "
            "their values: paste them as values or move them to another sheet, then run the command again")

    def _patched(self, zin: zipfile.ZipFile, sheet: Sheet, frame: pd.DataFrame, old: Ahead | None) -> Producer | None:
        """The writer of the sheet's XML (``old`` and its cells, when read ahead) with only the columns staged as
        changed rewritten, when the frame still has the sheet's rows (lines 2.. in order) and the table its
        columns; None otherwise (written whole)."""
        only = self._only.get(sheet.name)
        if only is None:
            return None
        names, lines = only
        part = self._part(sheet)
        ref, table = table_headers(zin.read(part.table_path))
        headers = frame_headers(sheet, frame)
        if (lines != list(range(2, len(frame) + 2)) or table != headers or ref != table_ref(headers, len(frame))
                or not all(map(sheet.has, names))):
            return None
        cells = old[1] if old else find_cells(zin.read(part.path))
        if cells is None or cells.count != len(frame):
            return None  # rows laid out otherwise (a blank row, cells without references...)
        names = sorted(names, key=headers.index)
        kinds = {n: CELL_KINDS[sheet.column(n).kind] for n in names}
        return partial(splice_columns, cells, headers, kinds, cells_of(frame, names))

    def _write_reports(self, zin: zipfile.ZipFile, reports: dict[str, Report], replaced: dict[str, bytes],
                       sheets: dict[str, Producer]) -> None:
        """Rewrite existing report sheets; add new ones (part, relationship, content type, workbook entry):
        the small parts go to ``replaced``, each sheet's writer to ``sheets``."""
        invoices_xml = zin.read(self._part(INVOICES).path)
        styles = _report_styles(invoices_xml)
        for report in reports.values():
            kinds = ["number" if k == "money" else "text" if k == "currency" else k for k in report.kinds]
            existing = self._parts.get(report.name)
            if existing is not None:
                sheets[existing.path] = partial(write_sheet, zin.read(existing.path), report.headers, kinds,
                                                report.columns())
                continue
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{14 if k != "text" else 30}" customWidth="1"'
                           + (f' style="{styles[k]}"' if k in styles else "") + "/>"
                           for i, k in enumerate(report.kinds))
            shell = (f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheetPr><pageSetUpPr fitToPage="1"/>'
                     '</sheetPr><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                     f'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                     f'<cols>{cols}</cols><sheetData/>{_currency_formats(invoices_xml, report.kinds)}{REPORT_PAGE}'
                     '</worksheet>')
            part = _register_sheet(zin, report.name, replaced, sheets)
            sheets[part] = partial(write_sheet, shell.encode("utf-8"), report.headers, kinds, report.columns())

    def _keep_generation(self) -> None:
        """Keep the book as it is before this save, for history and undo (Settings: Undo Generations)."""
        if not self.generations:
            return
        text = self.settings().get("Undo Generations", "").strip()
        limit = int(text) if text.isdigit() else DEFAULT_GENERATIONS
        actions = list(dict.fromkeys(action for action, _ in self._pending)) or ["edit"]
        first = self._pending[0][1] if self._pending else ", ".join(self.changed)
        keep_generation(self.path, current_user(), f"{' + '.join(actions)}: {first}"[:300], limit)

    def restore(self, generation: Generation) -> None:
        """Put a kept generation's bytes in place of the book (atomically; the current state is
        kept as a generation first). Staged changes are dropped; read again afterwards."""
        self.discard()
        self._forget_prefetched()
        data = generation.file.read_bytes()
        self._pending.append(("undo", f"restore version {generation.number}"))
        atomic_write(self.path, lambda handle: handle.write(data), before_replace=self._keep_generation)
        self._pending.clear()
        self._cache.clear()
        self._calamine = None
        with zipfile.ZipFile(self.path) as zf:
            self._parts = sheet_parts(zf)

    def close(self) -> None:
        self._forget_prefetched()
        self._lock.close()


def _write_frame(old_xml: bytes, sheet: Sheet, frame: pd.DataFrame, write: Callable[[bytes], Any]) -> None:
    """Write ``frame`` as the sheet's XML through ``write`` (its cell values are made only now)."""
    write_sheet(old_xml, *cell_columns(sheet, frame), write)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the same name, time and compression (sizes are recomputed)."""
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    return copy


def _without_calc_chain(xml: bytes) -> bytes:
    return re.sub(rb"<(Override|Relationship)\b[^>]*calcChain[^>]*/>", b"", xml)


#: Print setup of report sheets (ledgers): A4 portrait, fit to the page width, sheet and file name in the
#: header, page numbers in the footer.
REPORT_PAGE = ('<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               '<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>'
               '<headerFooter><oddHeader>&amp;L&amp;A&amp;R&amp;F</oddHeader><oddFooter>&amp;C&amp;P / &amp;N'
               '</oddFooter></headerFooter>')
_CURRENCY_RULE = re.compile(r'<cfRule type="expression" priority="\d+" dxfId="(\d+)"><formula>(OR\([^<]*\))'
                            r'</formula></cfRule>')


def _currency_formats(invoices_xml: bytes, kinds: list[str]) -> str:
    """The Invoices sheet's per-currency number formats (JPY without decimals...) applied to a report's
    money columns, keyed on its currency column; '' when either is missing."""
    if "currency" not in kinds:
        return ""
    key = column_letter(kinds.index("currency"))
    rules, seen = [], set()
    for dxf, formula in _CURRENCY_RULE.findall(invoices_xml.decode("utf-8")):
        if dxf not in seen:
            seen.add(dxf)
            rules.append((dxf, re.sub(r"\$[A-Z]+2=", f"${key}2=", formula)))
    return "".join(f'<conditionalFormatting sqref="{column_letter(i)}2:{column_letter(i)}1048576">'
                   + "".join(f'<cfRule type="expression" priority="{n + 1}" dxfId="{dxf}"><formula>'
                             f'{formula}</formula></cfRule>' for n, (dxf, formula) in enumerate(rules))
                   + "</conditionalFormatting>" for i, kind in enumerate(kinds) if kind == "money" and rules)


def _report_styles(invoices_xml: bytes) -> dict[str, str]:
    """Cell style ids for dates and money, borrowed from the Invoices sheet's column formats."""
    from arbook.adapters.book.sheetxml import _column_styles, split_sheet

    styles = _column_styles(split_sheet(invoices_xml.decode("utf-8"))[0])
    found = {}
    for kind, column in (("date", "Issue Date"), ("money", "Amount")):
        index = INVOICES.headers.index(column)
        if index in styles:
            found[kind] = styles[index]
    return found


def _register_sheet(zin: zipfile.ZipFile, name: str, replaced: dict[str, bytes], taken: Collection[str]) -> str:
    """Point to a new worksheet part from everything that must (workbook, its rels, content types);
    returns the part's name (a name not in the package nor ``taken``; its XML is the caller's to write)."""
    names = set(zin.namelist()) | set(taken)
    number = 1
    while f"xl/worksheets/sheet{number}.xml" in names:
        number += 1
    part = f"xl/worksheets/sheet{number}.xml"
    rels = replaced.get("xl/_rels/workbook.xml.rels") or zin.read("xl/_rels/workbook.xml.rels")
    rel_id = f"rIdArbook{number}"
    rels = rels.replace(b"</Relationships>", (
        f'<Relationship Id="{rel_id}" Type="{NS_REL}/worksheet" Target="worksheets/sheet{number}.xml"/>'
        "</Relationships>").encode("utf-8"))
    replaced["xl/_rels/workbook.xml.rels"] = rels
    types = replaced.get("[Content_Types].xml") or zin.read("[Content_Types].xml")
    replaced["[Content_Types].xml"] = types.replace(b"</Types>", (
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>').encode("utf-8"))
    workbook = (replaced.get("xl/workbook.xml") or zin.read("xl/workbook.xml")).decode("utf-8")
    sheet_id = max((int(v) for v in re.findall(r'sheetId="(\d+)"', workbook)), default=0) + 1
    entry = f'<sheet xmlns:r="{NS_REL}" name={quoteattr(name)} sheetId="{sheet_id}" r:id="{rel_id}"/>'
    replaced["xl/workbook.xml"] = workbook.replace("</sheets>", entry + "</sheets>", 1).encode("utf-8")
    return part


def book_version(zf: zipfile.ZipFile, source: str | Path) -> int:
    """The schema version the book records; BookFormatError for a workbook that is no arbook book (it records
    none and has no Customers and Invoices sheets: a bank's own .xlsx given where the book goes)."""
    version = schema_version(zf)
    if version == 1 and not {"Customers", "Invoices"} <= set(sheet_parts(zf)):
        raise BookFormatError(f"{source}: not an arbook book (no Customers and Invoices sheets); the book comes "
                              "first in a command (arbook import BOOK FILE...), and `arbook new` makes one")
    return version


def version_message(path: Path, version: int) -> str:
    """Why a book of another schema version is refused, and what to do."""
    if version > SCHEMA_VERSION:
        return (f"{path}: made by a newer arbook (schema version {version}; this arbook knows up to "
                f"{SCHEMA_VERSION}): upgrade arbook (pip install -U arbook)")
    return f"{path}: made by schema version {version} (current {SCHEMA_VERSION}); run `arbook upgrade {path}`"


def open_book(path: str | Path, timeout: float | None = None) -> FileBook:
    """Open a book file for reading and staged writing (use as a context manager to commit);
    waits up to ``timeout`` seconds (default ARBOOK_LOCK_TIMEOUT or 30) for another writer."""
    return FileBook(path, timeout)
