"""What services need of a book (``Book``), whatever holds it, and the report sheets they write.

Both adapters (``FileBook`` on a file, ``LiveBook`` on a workbook open in Excel) satisfy ``Book``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

import pandas as pd

from arbook.model.cells import to_cell


@dataclass
class Report:
    """A sheet outside the schema that the engine writes whole: headers, rows, and per column
    how its values are written (``text``, ``number``, ``date``; ``money`` is a number shown as money in
    the currency of the row's ``currency`` column, which is text)."""

    name: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def columns(self) -> list[list[Any]]:
        """The rows column by column (money values as cell numbers)."""
        return [[to_cell(row[i]) for row in self.rows] for i in range(len(self.headers))]


@runtime_checkable
class Book(Protocol):
    """A workbook: typed reads, staged changes (``replace``/``append``/``log``/``put_report``) written
    all at once by ``commit`` or dropped by ``discard``."""

    source: str

    def read(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The schema sheet ``name`` as a typed frame (staged changes included); ``columns`` limits the
        schema columns read to those named (the user's own columns always come along)."""
        ...

    def prefetch(self, reads: Mapping[str, Sequence[str] | None], rewrite: Sequence[str] = ()) -> None:
        """A hint that these sheets are read next, each with those columns (None: all), and those in ``rewrite``
        saved with only some columns changed (an adapter may start reading them at once)."""
        ...

    def replace(self, name: str, frame: pd.DataFrame, changed: Sequence[str] | None = None) -> None:
        """Stage the whole content of sheet ``name``; ``changed`` names the only columns that differ from
        the sheet as read (same rows, same order, the index their lines)."""
        ...

    def append(self, name: str, frame: pd.DataFrame) -> None:
        """Stage rows added at the end of sheet ``name``."""
        ...

    def log(self, action: str, details: str) -> None:
        """Stage a row of the Log sheet."""
        ...

    def settings(self) -> dict[str, str]:
        """The Settings sheet as key -> text."""
        ...

    def put_report(self, report: Report) -> None:
        """Stage a report sheet, created or replaced whole."""
        ...

    def commit(self) -> None:
        """Write every staged change at once."""
        ...

    def discard(self) -> None:
        """Forget staged changes."""
        ...

    def close(self) -> None:
        """Release what the adapter holds."""
        ...
