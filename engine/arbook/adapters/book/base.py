"""The small interface every book adapter exposes, with the staging both adapters share.

Reads give typed DataFrames (see ``frames``); ``replace``/``append``/``log`` only stage changes,
and ``commit`` writes them all at once, so a failure half-way leaves the book as it was.
"""
from __future__ import annotations

import getpass
import os
from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, Mapping, Sequence

import pandas as pd

from arbook.domain.forking import collector_paused
from arbook.model.audit import parse_hash, row_hash
from arbook.model.errors import ArbookError
from arbook.model.schema import LOG, SETTINGS, Sheet, sheet as sheet_named
from arbook.model.book import Report
from arbook.model.frames import frame_from_rows, make_frame


def os_account() -> str:
    """The operating-system account running this process (not an environment variable)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # Windows (no pwd), or a uid without a passwd entry
        try:
            return os.getlogin()
        except OSError:
            try:
                return getpass.getuser()
            except Exception:  # getpass raises when no user name can be found (some containers)
                return "unknown"


def current_user() -> str:
    """The name recorded in the audit log: the OS account, and ARBOOK_USER only as "on behalf of"."""
    account = os_account()
    behalf = (os.environ.get("ARBOOK_USER") or "").strip()
    return f"{account} on behalf of {behalf}" if behalf and behalf != account else account


class StagedBook(ABC):
    """A workbook the engine reads from and writes to, whatever holds it (file or live Excel)."""

    def __init__(self, source: str):
        self.source = source
        self._cache: dict[str, pd.DataFrame] = {}
        self._raw: dict[str, tuple[Sequence[Any], list[Sequence[Any]]]] = {}  # read in part so far
        self._staged: dict[str, pd.DataFrame] = {}
        self._only: dict[str, tuple[set[str], list[int]]] = {}  # sheet -> (columns, lines) that alone changed
        self._reports: dict[str, Report] = {}
        self._pending: list[tuple[str, str]] = []  # (action, details) logged since the last commit

    # -- what adapters provide -------------------------------------------------------------
    @abstractmethod
    def _load_rows(self, sheet: Sheet) -> tuple[Sequence[Any], list[Sequence[Any]]]:
        """(header row, data rows) of the sheet's table, as raw cell values."""

    def _ready_frame(self, sheet: Sheet, columns: Sequence[str] | None) -> pd.DataFrame | None:
        """The sheet's frame of ``columns`` when the adapter made it ahead (see ``prefetch``), else None."""
        return None

    @abstractmethod
    def _write(self, changes: dict[Sheet, pd.DataFrame], reports: dict[str, Report]) -> None:
        """Write every changed sheet (the whole table of each) and report sheet in one go."""

    # -- the interface ---------------------------------------------------------------------
    def read(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The sheet's table as a typed DataFrame (a copy: changing it changes nothing).

        ``columns`` limits the schema columns read and checked to those named (the user's own
        columns always come along), so a command converts only what it uses."""
        sheet = sheet_named(name)
        held = self._staged.get(sheet.name)
        if held is None:
            held = self._cache.get(sheet.name)
        if held is not None:
            return held[[c for c in held.columns if c in columns or not sheet.has(c)]].copy() if columns else held.copy()
        with collector_paused():  # millions of cells become objects: no full collections walking them
            frame = self._ready_frame(sheet, columns)
            if frame is None:
                if sheet.name not in self._raw:
                    self._raw[sheet.name] = self._load_rows(sheet)
                header, rows = self._raw[sheet.name]
                frame = frame_from_rows(sheet, header, rows, self._where(sheet), columns=columns)
        if columns is None:
            self._cache[sheet.name] = frame
            del self._raw[sheet.name]
            return frame.copy()
        return frame

    def _where(self, sheet: Sheet) -> str:
        """How problems name the sheet: ``BOOK [Sheet]``."""
        return f"{self.source} [{sheet.name}]"

    def prefetch(self, reads: Mapping[str, Sequence[str] | None], rewrite: Sequence[str] = ()) -> None:
        """A hint that these sheets are read next, each with those columns (None: all), and those in ``rewrite``
        written back with only some columns changed: an adapter may start reading them now (none does by
        default)."""

    def replace(self, name: str, frame: pd.DataFrame, changed: Sequence[str] | None = None) -> None:
        """Stage ``frame`` as the sheet's whole new content. ``changed`` names the only columns that differ
        from the sheet as read (``frame`` holds its rows in order, its index their lines), so an adapter may
        rewrite just those cells."""
        sheet = sheet_named(name)
        if sheet.append_only:
            raise ArbookError(f"{sheet.name} is append-only; use append()")
        before = self._only.pop(sheet.name, None)
        if changed is not None and (sheet.name not in self._staged or before is not None):
            self._only[sheet.name] = (set(changed) | (before[0] if before else set()),
                                      before[1] if before else frame.index.tolist())
        self._staged[sheet.name] = frame.reset_index(drop=True)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        """Stage ``frame``'s rows added below the sheet's current rows."""
        sheet = sheet_named(name)
        current = self.read(sheet.name)
        if frame.empty:
            return
        combined = pd.concat([current.reset_index(drop=True), frame.reset_index(drop=True)],
                             ignore_index=True).astype(object)
        self._only.pop(sheet.name, None)
        self._staged[sheet.name] = combined.where(combined.notna(), None)

    def log(self, action: str, details: str) -> None:
        """Stage one audit-log row: now, this user, the action, a readable detail line and the
        hash chaining it to the row before (see ``model.audit``)."""
        log = self.read(LOG.name)
        previous = next((h for h in reversed(log["Hash"].tolist()) if parse_hash(h)), None) if len(log) else None
        seq = parse_hash(previous)[0] + 1 if previous else 1
        row = {"Time": datetime.now().replace(microsecond=0), "User": current_user(), "Action": action,
               "Details": details}
        row["Hash"] = row_hash(previous, seq, row["Time"], row["User"], action, details)
        self.append(LOG.name, make_frame(LOG, [row]))
        self._pending.append((action, details))

    def settings(self) -> dict[str, str]:
        """The Settings sheet as key -> value text (empty values as '')."""
        frame = self.read(SETTINGS.name)
        return {str(k): "" if v is None else str(v) for k, v in zip(frame["Key"], frame["Value"])}

    def put_report(self, report: Report) -> None:
        """Stage a report sheet (outside the schema, e.g. a client ledger): created or replaced whole."""
        self._reports[report.name] = report

    @property
    def changed(self) -> list[str]:
        """Names of the sheets with staged changes."""
        return list(self._staged) + list(self._reports)

    def commit(self) -> None:
        """Write every staged change at once; nothing staged writes nothing."""
        if not self._staged and not self._reports:
            return
        changes = {sheet_named(name): frame for name, frame in self._staged.items()}
        with collector_paused():
            self._write(changes, dict(self._reports))
        self._cache.update(self._staged)
        self._raw.clear()
        self._staged.clear()
        self._only.clear()
        self._reports.clear()
        self._pending.clear()

    def discard(self) -> None:
        """Forget staged changes."""
        self._staged.clear()
        self._only.clear()
        self._reports.clear()
        self._pending.clear()

    def close(self) -> None:
        """Release what the adapter holds (nothing by default)."""

    def __enter__(self) -> "StagedBook":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.discard()
        finally:
            self.close()
