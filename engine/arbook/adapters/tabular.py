"""Read a user's table file (CSV/TSV in any common encoding, or .xlsx) as a header and numbered rows."""
from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from python_calamine import CalamineWorkbook

from arbook.adapters.encoding import decode_file
from arbook.model.errors import fail

DELIMITERS = (",", "\t", ";", "|")
csv.field_size_limit(64 * 1024 * 1024)  # bank memos can be long; the default 128 KiB stops real files
MAX_INFLATED = 1 << 30   # bytes a spreadsheet (a zip) may inflate to, all members together
MAX_RATIO = 200          # inflated : compressed, per member, past its first 16 MiB
MAX_MEMBERS = 10_000
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def check_zip(data: bytes, source: str) -> None:
    """InputError (one line) unless the zip inflates within MAX_INFLATED and MAX_RATIO: counted while
    inflating, not taken from the sizes the archive declares."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise fail(source, None, None, f"not a readable spreadsheet: {exc}") from None
    if len(members) > MAX_MEMBERS:
        raise fail(source, None, None, f"not a spreadsheet: the archive holds {len(members):,} files")
    total = 0
    for member in members:
        inflated = 0
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    inflated += len(chunk)
                    total += len(chunk)
                    if total > MAX_INFLATED:
                        raise fail(source, None, None, f"refused: the spreadsheet inflates past "
                                                       f"{MAX_INFLATED >> 20:,} MiB (a zip bomb?)")
                    if inflated > 16 << 20 and inflated > MAX_RATIO * max(member.compress_size, 1):
                        raise fail(source, None, None, f"refused: {member.filename} inflates more than "
                                                       f"{MAX_RATIO}:1 (a zip bomb?)")
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise fail(source, None, None, f"not a readable spreadsheet: {member.filename}: {exc}") from None


def spreadsheet_rows(data: bytes, source: str) -> list[list[Any]]:
    """The first sheet's rows of an .xlsx/.xlsm/.ods (zip checked first, see check_zip) or .xls."""
    if data[:4] == b"PK\x03\x04":
        check_zip(data, source)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise fail(source, None, None, f"not a readable spreadsheet: {exc}") from None


@dataclass
class TableFile:
    """A table read from a file: header cells, data rows, and each row's line number in the file."""

    path: str
    header: list[Any]
    rows: list[list[Any]]
    lines: list[int]
    encoding: str = ""


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample lines into the most equal, widest rows."""
    def score(delimiter: str) -> tuple[int, int]:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines if line.strip()]
        if not counts:
            return (0, 0)
        mode = max(set(counts), key=counts.count)
        return (counts.count(mode) if mode > 1 else 0, mode)
    return max(DELIMITERS, key=score)


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their line ends, one at a time (no copy of a large text)."""
    start, find = 0, text.find
    while start < len(text):
        end = find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def read_text_table(path: str, text: str, strict: bool = True) -> tuple[list[list[str]], list[int]]:
    """CSV rows of ``text`` and the physical line each row starts on (quoted newlines allowed).

    ``strict=False`` accepts what bank exports do, such as a tab between a closing quote and
    the delimiter.
    """
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line ends
    sample = list(itertools.islice(_lines(text), 50))
    delimiter = sniff_delimiter([line.rstrip("\r\n") for line in sample])
    if '"' not in text:  # no field can span lines: row N is line N, all read in one C loop
        physical = text.split("\n")
        if physical[-1] == "":
            physical.pop()
        reader = csv.reader(physical, delimiter=delimiter, strict=strict)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise fail(path, reader.line_num, None, f"unreadable CSV: {exc}") from None
        return rows, list(range(1, len(rows) + 1))
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=strict)
    rows = []
    lines: list[int] = []
    line = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise fail(path, line, None, f"unreadable CSV: {exc}") from None
    return rows, lines


def read_table_file(path: str | Path) -> TableFile:
    """The first non-empty row as header and the rest as data; InputError when unreadable."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise fail(name, None, None, "no such file")
    if path.suffix.lower() in SPREADSHEETS:
        rows = spreadsheet_rows(path.read_bytes(), name)
        lines, encoding = list(range(1, len(rows) + 1)), "xlsx"
    else:
        text, encoding = decode_file(path.read_bytes(), name)
        rows, lines = read_text_table(name, text)
    keep = [i for i, r in enumerate(rows) if any(v is not None and str(v).strip() != "" for v in r)]
    if not keep:
        raise fail(name, 1, None, "the file is empty")
    head = keep[0]
    return TableFile(name, [str(v).strip() if v is not None else "" for v in rows[head]],
                     [rows[i] for i in keep[1:]], [lines[i] for i in keep[1:]], encoding)
