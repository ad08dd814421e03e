"""Sheet rows <-> typed DataFrames, driven by the schema (one converter for every adapter)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

import pandas as pd

from ..errors import InputError, Problem
from ..schema import Column, Kind, Role, Sheet
from .cells import to_cell, to_value


def empty_frame(sheet: Sheet) -> pd.DataFrame:
    """A DataFrame with the sheet's columns (object dtype) and no rows."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in sheet.headers})


def make_frame(sheet: Sheet, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A sheet DataFrame from dicts keyed by header; absent columns are None."""
    columns = sheet.headers + sorted({k for r in records for k in r} - set(sheet.headers))
    data = {c: pd.Series([r.get(c) for r in records], dtype=object) for c in columns}
    return pd.DataFrame(data, columns=columns)


def _fast(column: Column) -> Callable[[Any], bool]:
    """A predicate: True when a raw value is already the typed value (skips conversion)."""
    kind = column.kind
    if kind is Kind.TEXT:
        return lambda v: type(v) is str and v.strip() != ""
    if kind is Kind.DATE:
        return lambda v: type(v) is date
    if kind is Kind.DATETIME:
        return lambda v: type(v) is datetime
    if kind is Kind.BOOL:
        return lambda v: type(v) is bool
    return lambda v: False


def frame_from_rows(sheet: Sheet, header: Sequence[Any], rows: Iterable[Sequence[Any]],
                    source: str, first_line: int = 2, lines: Sequence[int] | None = None) -> pd.DataFrame:
    """Typed DataFrame of a sheet's rows, matched to the schema by header name.

    Unknown columns are kept (as text) so a user's own columns survive a rewrite; a missing
    required input column, or a value that does not fit its column, raises InputError naming
    ``source``, the line (``lines``, else counted from ``first_line``) and the field. The index
    holds each row's line number.
    """
    names = [("" if h is None else str(h)).strip() for h in header]
    position = {n: i for i, n in enumerate(names) if n}
    missing = [c.name for c in sheet.input_columns if c.required and c.name not in position]
    if missing:
        raise InputError([Problem(source, (lines[0] - 1) if lines else first_line - 1, None,
                                  f"{sheet.name}: missing column {', '.join(map(repr, missing))}")])
    extras = [n for n in names if n and not sheet.has(n)]
    rows = [list(r) for r in rows]
    lines = list(lines) if lines is not None else [first_line + i for i in range(len(rows))]
    keep = [i for i, r in enumerate(rows) if any(v is not None and str(v).strip() != "" for v in r)]
    rows = [rows[i] for i in keep]
    lines = [lines[i] for i in keep]

    def raw_column(name: str) -> list[Any]:
        idx = position.get(name)
        if idx is None:
            return [None] * len(rows)
        return [r[idx] if idx < len(r) else None for r in rows]

    problems: list[Problem] = []
    data: dict[str, list[Any]] = {}
    currencies: dict[str, list[Any]] = {}
    ordered = sorted(sheet.columns, key=lambda c: c.kind is Kind.MONEY)  # currency columns first
    for column in ordered:
        raw = raw_column(column.name)
        fast = _fast(column)
        ccy = currencies.get(column.currency_col) if column.currency_col else None
        required = column.required and column.role is Role.INPUT
        out: list[Any] = []
        for i, value in enumerate(raw):
            if fast(value):
                out.append(value)
                continue
            try:
                typed = to_value(column, value, ccy[i] if ccy else None)
            except ValueError as exc:
                typed = None
                problems.append(Problem(source, lines[i], column.name, str(exc)))
            else:
                if typed is None and required:
                    problems.append(Problem(source, lines[i], column.name, "is required"))
            out.append(typed)
        data[column.name] = out
        if column.kind is Kind.CHOICE:
            currencies[column.name] = out
    for name in extras:
        data[name] = [None if v in (None, "") else v for v in raw_column(name)]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, sheet.headers.index(p.field) if p.field in sheet.headers else 0))
        raise InputError(problems)
    frame = pd.DataFrame({n: pd.Series(data[n], dtype=object) for n in sheet.headers + extras},
                         columns=sheet.headers + extras)
    frame.index = pd.Index(lines, dtype="int64", name="line")
    return frame


def table_columns(sheet: Sheet, frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Headers in writing order (schema columns, then the user's own) and each one's values."""
    extras = [c for c in frame.columns if not sheet.has(c)]
    headers = sheet.headers + extras
    return headers, [frame[h].tolist() if h in frame.columns else [None] * len(frame) for h in headers]


def rows_from_frame(sheet: Sheet, frame: pd.DataFrame) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and raw cell rows for writing ``frame``: schema columns first, then the user's own."""
    headers, columns = table_columns(sheet, frame)

    def generate() -> Iterator[list[Any]]:
        for row in zip(*columns):
            yield [to_cell(None if _missing(v) else v) for v in row]

    return headers, generate()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT
