"""Typed values <-> cell values, per schema column; shared by every adapter and input reader.

A typed value is what the engine sees: str, int, Decimal, float, date, datetime, bool or None.
A raw value is what a cell or a CSV field holds: str, int, float, bool, date, datetime or None.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from arbook.model.money import MoneyError, excel_number, money
from arbook.model.schema import Column, Kind
from arbook.model.textparse import excel_serial_to_date, parse_amount, parse_bool, parse_date
from arbook.model.words import WORDS

#: A choice typed in another language or as a letter (はい / 是 / y for yes).
ANSWERS: dict[str, frozenset[str]] = {key: frozenset({*WORDS[key], key[0]}) for key in ("yes", "no")}

FORMULA_STARTS = ("=", "+", "-", "@")
CSV_FORMULA_STARTS = (*FORMULA_STARTS, "\t", "\r")  # what spreadsheet programs run when they open a CSV
MAX_DIGITS = 15  # significant digits Excel stores exactly


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # an ID typed as a number: 1001.0 -> "1001"
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"not a whole number: {raw!r}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValueError(f"not a whole number: {raw!r}")
    value = parse_amount(str(raw))
    if value != value.to_integral_value():
        raise ValueError(f"not a whole number: {raw!r}")
    return int(value)


def _number(raw: Any) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    return float(parse_amount(str(raw)))


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return excel_serial_to_date(raw)
    return parse_date(str(raw))


def _datetime(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, date):
        return datetime(raw.year, raw.month, raw.day)
    return datetime.fromisoformat(str(raw).strip())


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return raw != 0
    return parse_bool(str(raw))


def to_value(column: Column, raw: Any, currency: str | None = None) -> Any:
    """The typed value of ``raw`` for ``column``; ValueError with a short reason when it does not fit.

    Empty cells and blank strings become None. ``currency`` is the row's currency for MONEY.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = column.kind
    if kind is Kind.TEXT:
        return _text(raw)
    if kind is Kind.CHOICE:
        value = _text(raw).strip()
        if column.choices and value not in column.choices:
            said = value.lower()
            matches = [c for c in column.choices if c.lower() == said or said in ANSWERS.get(c, ())]
            if not matches:
                raise ValueError(f"{value!r} is not one of {', '.join(column.choices)}")
            value = matches[0]
        return value
    if kind is Kind.MONEY:
        try:
            source = raw if isinstance(raw, (int, float, Decimal)) else parse_amount(str(raw))
            amount = money(source, currency)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        if len(amount.as_tuple().digits) > MAX_DIGITS:
            raise ValueError(f"{raw} has more than {MAX_DIGITS} significant digits (Excel keeps {MAX_DIGITS})")
        return amount
    if kind is Kind.INT:
        return _int(raw)
    if kind is Kind.NUMBER:
        return _number(raw)
    if kind is Kind.DATE:
        return _date(raw)
    if kind is Kind.DATETIME:
        return _datetime(raw)
    if kind is Kind.BOOL:
        return _bool(raw)
    raise AssertionError(f"unhandled kind {kind}")


def to_cell(value: Any) -> Any:
    """The raw cell value for a typed value: Decimal becomes int/float; others pass unchanged."""
    if isinstance(value, Decimal):
        return excel_number(value)
    return value


def is_formula_like(text: str) -> bool:
    """True when Excel would take ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_guarded(text: str) -> str:
    """``text`` for a CSV field: an apostrophe before a leading =, +, -, @, tab or CR, so that
    Excel or LibreOffice opening the file shows the text instead of running it as a formula."""
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def csv_unguarded(text: str) -> str:
    """The text a ``csv_guarded`` field stood for (an exported sheet imports back unchanged)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(CSV_FORMULA_STARTS) else text
