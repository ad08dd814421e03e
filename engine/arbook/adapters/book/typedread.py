"""Reading some columns of a large sheet fast: fastexcel parses only the columns asked for, into typed (Arrow)
columns, without a Python object per cell of the others.

The cells come back as calamine's row reader gives them (str, float, date or datetime, bool; empty as None), so
``frames.frame_from_columns`` types them as ``frame_from_rows`` would. Anything out of the plain case (fastexcel
or pyarrow not installed, a column of mixed types, an empty row, a header that is not the table's) gives None:
the caller reads the sheet's rows instead, which also says what is wrong.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import numpy as np

try:
    import fastexcel
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # machines without their wheels: the row reader serves alone
    fastexcel = None

logging.getLogger("fastexcel").setLevel(logging.ERROR)  # its dtype guesses are not the user's business

#: Arrow types whose values come back as they are (dates and numbers are converted below).
_AS_THEY_ARE = ("string", "large_string", "bool", "null")


def typed_columns(path: Path, sheet: str, header: list[str], keep: Callable[[str], bool]) -> dict[str, list[Any]] | None:
    """Each column ``keep`` names (by header) of the sheet whose header row is ``header`` (its table's columns,
    from A1 on): its data cells, rows 2.. to the sheet's last; None when that cannot be read plainly (see above)."""
    if fastexcel is None or len(set(header)) != len(header) or not all(h and h == h.strip() for h in header):
        return None
    seen: list[str] = []  # every column's header, as fastexcel offers each to be read or not

    def use(column: Any) -> bool:
        seen.append(column.name)
        return keep(column.name)

    try:
        loaded = fastexcel.read_excel(str(path)).load_sheet(sheet, use_columns=use, dtype_coercion="strict",
                                                            schema_sample_rows=None)  # every row, not a sample
        if seen != header:
            return None
        batch = loaded.to_arrow()
    except Exception:  # noqa: BLE001 (fastexcel's errors have no common base): the row reader says what is wrong
        return None
    values = {}
    for name, column in zip(batch.schema.names, batch.columns):
        cells = _cells(column)
        if cells is None:
            return None
        values[name] = cells
    if batch.num_rows and values and _empty_row(batch):
        return None  # a blank row (or one with only unread cells) in the table: the row reader decides
    return values


def _cells(column: "pa.Array") -> list[Any] | None:
    """The column's cells as calamine's row reader gives them, or None for a type it does not give."""
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        instants = column.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        days = instants.astype("datetime64[D]")
        midnight = np.isnat(instants) | (instants == days)
        return [d if whole else t for d, t, whole in zip(days.tolist(), instants.tolist(), midnight.tolist())] \
            if not midnight.all() else days.tolist()
    if pa.types.is_floating(kind):
        return column.to_pylist()
    if pa.types.is_integer(kind):
        return column.cast(pa.float64()).to_pylist()
    if str(kind) in _AS_THEY_ARE:
        return column.to_pylist()
    return None


def _empty_row(batch: "pa.RecordBatch") -> bool:
    """Whether some row has no value (nothing, or "") in any column read."""
    filled = np.zeros(batch.num_rows, dtype=bool)
    for column in batch.columns:
        present = column.is_valid()
        if pa.types.is_string(column.type):
            present = pc.and_(present, pc.not_equal(column, "").fill_null(False))
        filled |= present.to_numpy(zero_copy_only=False)
    return not filled.all()
