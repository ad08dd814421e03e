"""Reading some columns of a large sheet fast: fastexcel parses the sheet in Rust and hands over only the columns
asked for, as typed (Arrow) columns, without a Python object per cell of the others.

The cells come back as calamine's row reader gives them (str, float, date or datetime, bool; empty as None), so
``frames.frame_from_columns`` types them as ``frame_from_rows`` would. Anything out of the plain case (fastexcel
or pyarrow not installed, a column of mixed types, an empty row, a header that is not the table's, a date-styled
cell that is not a date of 1904-9999, a date in a column not of dates) gives None: the caller reads the sheet's
rows instead, which also says what is wrong. The sheet is then parsed twice.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Collection

import numpy as np

try:
    import fastexcel
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # machines without their wheels: the row reader serves alone
    fastexcel = None

logging.getLogger("fastexcel").setLevel(logging.ERROR)  # its dtype guesses are not the user's business

#: Arrow types whose values come back as they are (dates are converted below).
_AS_THEY_ARE = ("string", "large_string", "bool", "null", "double")
#: Date-styled cells read as dates only from here to before ``_LAST``: below 1904-01-02 a cell may be a time of
#: day or a zero (calamine gives a time, fastexcel a day of 1899 or 1904), past 9999 no Python date holds it.
_FIRST, _LAST = np.datetime64("1904-01-02"), np.datetime64("10000-01-01")


def typed_columns(path: Path, sheet: str, header: list[str], keep: Callable[[str], bool],
                  dates: Collection[str]) -> dict[str, list[Any]] | None:
    """Each column ``keep`` names (by header) of the sheet whose header row is ``header`` (its table's columns,
    from A1 on): its data cells, rows 2.. to the sheet's last; None when that cannot be read plainly (see above).
    Only the columns named in ``dates`` may hold dates."""
    if fastexcel is None or len(set(header)) != len(header) or not all(map(_plain_header, header)):
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
        values = {}
        for name, column in zip(batch.schema.names, batch.columns):
            cells = _cells(column, name in dates)
            if cells is None:
                return None
            values[name] = cells
        if batch.num_rows and values and _empty_row(batch):
            return None  # a blank row (or one with only unread cells) in the table: the row reader decides
        return values
    except BaseException as exc:  # noqa: BLE001: the row reader says what is wrong
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":  # a panic in fastexcel's Rust
            return None
        raise


def _plain_header(name: str) -> bool:
    """Whether a table column's name reads the same from the sheet by either reader (not blank, not padded, not a
    number, which calamine gives as "2024.0", not a name fastexcel gives a blank header)."""
    if not name or name != name.strip() or name.startswith("__UNNAMED__"):
        return False
    try:
        float(name)
    except ValueError:
        return True
    return False


def _cells(column: "pa.Array", dated: bool) -> list[Any] | None:
    """The column's cells as calamine's row reader gives them, or None for a type it gives otherwise (see above)."""
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        if not dated:
            return None
        instants = column.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        given = instants[~np.isnat(instants)]
        if len(given) and (given.min() < _FIRST or given.max() >= _LAST):
            return None
        days = instants.astype("datetime64[D]")
        midnight = np.isnat(instants) | (instants == days)
        return [d if whole else t for d, t, whole in zip(days.tolist(), instants.tolist(), midnight.tolist())] \
            if not midnight.all() else days.tolist()
    return column.to_pylist() if str(kind) in _AS_THEY_ARE else None


def _empty_row(batch: "pa.RecordBatch") -> bool:
    """Whether some row has no value (nothing, or "") in any column read."""
    filled = np.zeros(batch.num_rows, dtype=bool)
    for column in batch.columns:
        present = column.is_valid()
        if pa.types.is_string(column.type):
            present = pc.and_(present, pc.not_equal(column, "").fill_null(False))
        filled |= present.to_numpy(zero_copy_only=False)
    return not filled.all()
