"""Sheet rows <-> typed DataFrames, driven by the schema (one converter for every adapter)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import is_, itemgetter
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from arbook.model.errors import InputError, Problem
from arbook.model.schema import Column, Kind, Role, Sheet
from arbook.model.cells import to_value
from arbook.model.money import excel_number, minor_digits, scaled


def empty_frame(sheet: Sheet) -> pd.DataFrame:
    """A DataFrame with the sheet's columns (object dtype) and no rows."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in sheet.headers})


def make_frame(sheet: Sheet, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A sheet DataFrame from dicts keyed by header; absent columns are None."""
    names = {k for r in records for k in r}
    return frame_of_columns(sheet, {c: [r.get(c) for r in records] for c in names}, len(records))


def frame_of_columns(sheet: Sheet, columns: dict[str, list[Any]], rows: int) -> pd.DataFrame:
    """A sheet DataFrame of ``rows`` rows from lists keyed by header: the sheet's columns (None where not given),
    then the others in name order."""
    names = sheet.headers + sorted(set(columns) - set(sheet.headers))
    blank = [None] * rows
    return pd.DataFrame({c: pd.Series(columns.get(c, blank), dtype=object) for c in names}, columns=names)


def frame_from_rows(sheet: Sheet, header: Sequence[Any], rows: Iterable[Sequence[Any]],
                    source: str, first_line: int = 2, lines: Sequence[int] | None = None,
                    columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Typed DataFrame of a sheet's rows, matched to the schema by header name.

    Unknown columns are kept (as text) so a user's own columns survive a rewrite; a missing
    required input column, or a value that does not fit its column, raises InputError naming
    ``source``, the line (``lines``, else counted from ``first_line``) and the field. The index
    holds each row's line number. ``columns`` (schema names) limits which schema columns are read.
    """
    read = columns_read(sheet, columns)
    wanted = [c for c in sheet.columns if c.name in read]
    names = [("" if h is None else str(h)).strip() for h in header]
    position = {n: i for i, n in enumerate(names) if n}
    missing = [c.name for c in wanted if c.role is Role.INPUT and c.required and c.name not in position]
    if missing:
        raise InputError([Problem(source, (lines[0] - 1) if lines else first_line - 1, None,
                                  f"{sheet.name}: missing column {', '.join(map(repr, missing))}")])
    extras = [n for n in names if n and not sheet.has(n)]
    rows = list(rows)
    lines = list(lines) if lines is not None else [first_line + i for i in range(len(rows))]
    if not all(map(any, rows)):  # a row of only falsy cells (0, "", None...): drop those wholly empty
        keep = [i for i, r in enumerate(rows) if any(r) or r.count("") + r.count(None) < len(r)]
        rows, lines = [rows[i] for i in keep], [lines[i] for i in keep]
    width = max(map(len, rows), default=0)
    if min(map(len, rows), default=width) < width:
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    blank: list[Any] = [None] * len(rows)

    def raw_column(name: str) -> Sequence[Any]:
        idx = position.get(name)
        return list(map(itemgetter(idx), rows)) if idx is not None and idx < width else blank

    problems: list[Problem] = []
    frame = _typed_frame(sheet, wanted, extras, raw_column, lines, source, problems)
    if problems:
        problems.sort(key=lambda p: (p.line or 0, sheet.headers.index(p.field) if p.field in sheet.headers else 0))
        raise InputError(_noted(problems, rows, lines, names))
    return frame


def frame_from_columns(sheet: Sheet, values: Mapping[str, Sequence[Any]], count: int, source: str,
                       columns: Sequence[str] | None = None) -> pd.DataFrame | None:
    """``frame_from_rows``' frame of a sheet read column by column: ``values`` holds the raw cells of each header
    read (every schema column ``columns`` asks for that the sheet has, and the user's own), empty cells as None,
    ``count`` data rows on lines 2.. with no row left empty. None when a value does not fit its column or a
    required column is missing: ``frame_from_rows`` says where."""
    read = columns_read(sheet, columns)
    wanted = [c for c in sheet.columns if c.name in read]
    if any(c.role is Role.INPUT and c.required and c.name not in values for c in wanted):
        return None
    blank: list[Any] = [None] * count
    problems: list[Problem] = []
    frame = _typed_frame(sheet, wanted, [n for n in values if not sheet.has(n)], lambda n: values.get(n, blank),
                         list(range(2, count + 2)), source, problems)
    return None if problems else frame


def columns_read(sheet: Sheet, columns: Sequence[str] | None) -> set[str]:
    """The schema columns a frame of ``columns`` reads: those and their currency columns (all when None)."""
    if columns is None:
        return set(sheet.headers)
    return set(columns) | {sheet.column(c).currency_col for c in columns}


def _typed_frame(sheet: Sheet, wanted: list[Column], extras: list[str], raw_column: Callable[[str], Sequence[Any]],
                 lines: list[int], source: str, problems: list[Problem]) -> pd.DataFrame:
    """The frame of the ``wanted`` schema columns (typed) and ``extras`` (as they are, "" as None), indexed by
    ``lines``; each value that does not fit its column is added to ``problems``."""
    data: dict[str, list[Any]] = {}
    currencies: dict[str, list[Any]] = {}
    ordered = sorted(wanted, key=lambda c: c.kind is Kind.MONEY)  # currency columns first
    for column in ordered:
        raw = raw_column(column.name)
        ccy = currencies.get(column.currency_col) if column.currency_col else None
        data[column.name] = _convert_column(column, raw, ccy, lines, source, problems)
        if column.kind is Kind.CHOICE:
            currencies[column.name] = data[column.name]
    for name in extras:
        data[name] = [None if v == "" else v for v in raw_column(name)]
    kept = [c.name for c in wanted] + extras
    frame = pd.DataFrame({n: pd.Series(data[n], dtype=object) for n in kept}, columns=kept)
    frame.index = pd.Index(lines, dtype="int64", name="line")
    return frame


_NATIVE = {Kind.TEXT: str, Kind.DATE: date, Kind.DATETIME: datetime, Kind.BOOL: bool}


def _noted(problems: list[Problem], rows: list[Sequence[Any]], lines: list[int], names: list[str]) -> list[Problem]:
    """``problems``, the first of a row holding one cell only saying so: a note typed below a table
    reads as a row that lacks everything else."""
    at = {line: i for i, line in enumerate(lines)}
    out, said = [], set()
    for problem in problems:
        row = rows[at[problem.line]] if problem.line in at else ()
        filled = [(i, v) for i, v in enumerate(row) if v not in (None, "")]
        if len(filled) == 1 and problem.line not in said:
            said.add(problem.line)
            i, value = filled[0]
            where = f"column {names[i]!r}" if i < len(names) and names[i] else f"column {i + 1}"
            problem = Problem(problem.file, problem.line, problem.field,
                              f"{problem.message} (the row holds only {str(value)[:40]!r} in {where}: a note? "
                              "keep notes off the table's rows and columns)")
        out.append(problem)
    return out


def _convert_column(column: Column, raw: Sequence[Any], currencies: list[Any] | None, lines: list[int],
                    source: str, problems: list[Problem]) -> list[Any]:
    """Typed values of one column; values already of the right type skip ``to_value``."""
    native = _NATIVE.get(column.kind)
    if column.kind is Kind.MONEY:
        raw = _exact_floats_as_money(raw, currencies)
        native = Decimal
    choices = set(column.choices)
    required = column.required and column.role is Role.INPUT
    ready = _already_typed(raw, native, choices)
    if ready is not None:
        if required and _has_none(ready):
            problems.extend(Problem(source, lines[i], column.name, "is required")
                            for i, value in enumerate(ready) if value is None)
        return _at_least(column, ready, lines, source, problems)
    out: list[Any] = []
    append = out.append
    for i, value in enumerate(raw):
        if value is None or value == "":
            typed = None
        elif type(value) is native:
            typed = None if native is str and value.isspace() else value
        elif value in choices:
            typed = value
        else:
            try:
                typed = to_value(column, value, currencies[i] if currencies else None)
            except ValueError as exc:
                problems.append(Problem(source, lines[i], column.name, str(exc)))
                append(None)
                continue
        if typed is None and required:
            problems.append(Problem(source, lines[i], column.name, "is required"))
        append(typed)
    return _at_least(column, out, lines, source, problems)


def _at_least(column: Column, values: list[Any], lines: list[int], source: str, problems: list[Problem]) -> list[Any]:
    """``values``, with a problem for each input value below the column's ``minimum``."""
    if column.minimum is not None and column.role is Role.INPUT:
        problems.extend(Problem(source, lines[i], column.name, f"{value} is below {column.minimum}")
                        for i, value in enumerate(values) if value is not None and value < column.minimum)
    return values


def _has_none(values: Sequence[Any]) -> bool:
    """Whether any of ``values`` is None (by identity: comparing a Decimal with None is slow)."""
    return any(map(is_, values, repeat(None)))


def _already_typed(raw: Sequence[Any], native: type | None, choices: set[str]) -> list[Any] | None:
    """The column's values when each is empty or already of its type (a whole column in one pass,
    the common case), else None."""
    kinds = set(map(type, raw))
    if str in kinds and "" in raw:  # compared with "" only when there are texts (a Decimal compares slowly)
        values = [None if v == "" else v for v in raw]
        kinds = set(map(type, values))
    else:
        values = list(raw)
    kinds.discard(type(None))
    if choices and kinds <= {str}:
        return values if set(values) <= choices | {None} else None
    if native is str and kinds <= {str}:
        if not any(map(str.isspace, filter(None, values))):  # the common case, without a loop in Python
            return values
        return [None if v is not None and v.isspace() else v for v in values]
    return values if native is not None and kinds <= {native} else None


def _exact_floats_as_money(raw: Sequence[Any], currencies: list[Any] | None) -> list[Any]:
    """Money cells holding a float with no more than the currency's decimals, as Decimal with exactly
    those decimals (what ``money`` gives, without going through text); other values are left as they are."""
    out = list(raw)
    where = np.flatnonzero(np.fromiter(map(is_, map(type, out), repeat(float)), dtype=bool, count=len(out)))
    if not len(where):
        return out
    every = len(where) == len(out)
    values = np.array(out if every else [out[i] for i in where.tolist()], dtype=float)
    digits = {c: minor_digits(c) for c in set(currencies or [None])}
    places = (np.fromiter(map(digits.__getitem__, currencies), dtype=np.int64, count=len(out))[where] if currencies
              else np.full(len(where), digits[None], dtype=np.int64))
    power = 10.0 ** places
    with np.errstate(invalid="ignore", over="ignore"):
        units = np.rint(values * power)  # round half to even, as round() does
        exact = (np.isfinite(values) & (units / power == values) & (np.abs(units) < 2 ** 50)
                 & ((units != 0) | ~np.signbit(values)))
    made = scaled(units[exact].astype(np.int64).tolist(), places[exact].tolist())
    if every and len(made) == len(out):
        return made
    for i, amount in zip(where[exact].tolist(), made):
        out[i] = amount
    return out


def frame_headers(sheet: Sheet, frame: pd.DataFrame) -> list[str]:
    """Headers in writing order: the schema's columns, then the user's own."""
    return sheet.headers + [c for c in frame.columns if not sheet.has(c)]


def table_columns(sheet: Sheet, frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Headers in writing order (schema columns, then the user's own) and each one's values."""
    headers = frame_headers(sheet, frame)
    return headers, [frame[h].tolist() if h in frame.columns else [None] * len(frame) for h in headers]


#: How each kind is written into a cell (see ``sheetxml.render_sheet``).
CELL_KINDS = {Kind.TEXT: "text", Kind.CHOICE: "text", Kind.MONEY: "number", Kind.INT: "number",
              Kind.NUMBER: "number", Kind.DATE: "date", Kind.DATETIME: "date", Kind.BOOL: "bool"}


def cell_columns(sheet: Sheet, frame: pd.DataFrame) -> tuple[list[str], list[str], list[list[Any]]]:
    """Headers, cell kinds and raw cell values per column for writing ``frame``.

    Missing values (None, NaN, NaT) become None; Decimal becomes int or float; the user's own
    columns are written as whatever they hold (kind "any").
    """
    headers, columns = table_columns(sheet, frame)
    kinds = [CELL_KINDS[sheet.column(h).kind] if sheet.has(h) else "any" for h in headers]
    return headers, kinds, [_cells(col) for col in columns]


_CONVERTED = {Decimal, float, type(pd.NaT)}


def cells_of(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, list[Any]]:
    """Raw cell values (as ``cell_columns`` gives them) of the columns ``names`` only (None where absent)."""
    return {n: _cells(frame[n].tolist()) if n in frame.columns else [None] * len(frame) for n in names}


def _cells(values: list[Any]) -> list[Any]:
    """Raw cell values of one column: missing values as None, Decimal as int or float."""
    if not set(map(type, values)) & _CONVERTED:
        return values  # the common case (texts, dates, None): nothing to convert
    out: list[Any] = []
    append, nat = out.append, pd.NaT
    for value in values:
        kind = type(value)
        if kind is Decimal:
            value = excel_number(value)
        elif value is nat or (kind is float and value != value):
            value = None
        append(value)
    return out


def rows_from_frame(sheet: Sheet, frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """Header and raw cell rows of ``frame`` (row-major, for adapters that write ranges)."""
    headers, _, columns = cell_columns(sheet, frame)
    return headers, [list(row) for row in zip(*columns)]
