"""Parsing values typed by people or exported by banks: dates, amounts, yes/no."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from arbook.model.money import MoneyError, to_decimal

#: Japanese eras: letter/kanji -> first Gregorian year minus one (era year 1 = that + 1).
ERAS = {"R": 2018, "令和": 2018, "H": 1988, "平成": 1988, "S": 1925, "昭和": 1925}
EXCEL_EPOCH = date(1899, 12, 30)

_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_KANJI_YMD = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_ERA = re.compile(r"^(令和|平成|昭和|[RHS])\.?\s*(\d{1,2}|元)[年./-](\d{1,2})[月./-](\d{1,2})日?$")


def fold(text: str) -> str:
    """NFKC-fold full-width digits, letters and punctuation (``２０２６／１０`` -> ``2026/10``)."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> date:
    """An unambiguous date: ISO-like Y-M-D (``-``, ``/``, ``.``), YYYYMMDD, 2026年10月31日, R8.10.31.

    Day-first or month-first forms are ambiguous row by row and are decided per column by the
    bank importer, not here. Raises ValueError with the text when it is not a date.
    """
    s = fold(text)
    for pattern in (_YMD, _YMD_COMPACT, _KANJI_YMD):
        m = pattern.match(s)
        if m:
            return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    m = _ERA.match(s)
    if m:
        era_year = 1 if m[2] == "元" else int(m[2])
        return _make_date(ERAS[m[1]] + era_year, int(m[3]), int(m[4]), text)
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)")


def _make_date(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"not a calendar date: {text!r}") from None


def excel_serial_to_date(serial: float) -> date:
    """The date of an Excel 1900-system serial number (1 = 1900-01-01); ValueError for one no date holds (past
    9999-12-31, where Excel shows #####)."""
    try:
        return EXCEL_EPOCH + timedelta(days=int(serial))
    except (OverflowError, ValueError):
        raise ValueError(f"not a date: {serial!r} is no date serial of 1900-01-01 to 9999-12-31") from None


def date_to_excel_serial(value: date) -> int | float:
    """The Excel 1900-system serial of a date (int) or datetime (float with the time of day)."""
    if isinstance(value, datetime):
        delta = value - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return (value - EXCEL_EPOCH).days


_NEGATIVE_MARKS = ("△", "▲", "-", "−", "－")
_CURRENCY_MARKS = re.compile(r"[¥￥$€£元円\\\s]|^[A-Z]{3}|[A-Z]{3}$|RMB")


# the whole part of an amount: plain digits, or grouped by thousands (1,234,567; 1.234.567; 1'234'567) or
# the Indian way (12,34,567)
_GROUPED = re.compile(r"\d+|\d{1,3}(?:([,.'])\d{3})(?:\1\d{3})*|\d{1,2}(?:,\d{2})+,\d{3}")
_SEPARATED = re.compile(r"\d[.,']\d")


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal:
    """An amount as banks and people write it: ``1,234.56``, ``¥1,234``, ``△1,000``, ``(1,000)``,
    ``1.234,56`` (with ``decimal_comma``), ``1 234,56``. Raises ValueError when it is not one.
    """
    s = fold(text)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = _CURRENCY_MARKS.sub("", s)
    if s.endswith("-") and len(s) > 1:  # trailing minus, as some banks print
        negative, s = not negative, s[:-1]
    for mark in _NEGATIVE_MARKS:
        if s.startswith(mark):
            negative, s = not negative, s[len(mark):]
            break
    s = s.lstrip("+")
    whole = s.split("," if decimal_comma else ".")[0]
    if _SEPARATED.search(whole) and not _GROUPED.fullmatch(whole):  # "1,2,3" is no amount
        raise ValueError(f"not an amount: {text!r} (digits grouped other than by thousands)")
    if decimal_comma:
        s = s.replace(".", "").replace("'", "").replace(",", ".")
    else:
        s = s.replace(",", "").replace("'", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", s):
        raise ValueError(f"not an amount: {text!r}")
    try:
        amount = to_decimal(s)
    except MoneyError:
        raise ValueError(f"not an amount: {text!r}") from None
    return -amount if negative else amount


_TRUE = {"true", "yes", "y", "1", "x", "はい", "是", "有", "✓", "○", "〇"}
_FALSE = {"false", "no", "n", "0", "", "いいえ", "否", "无", "無", "-"}


def parse_bool(text: str) -> bool:
    """Yes/no as typed in a cell or CSV (TRUE/FALSE, yes/no, 1/0, はい/いいえ, 是/否, x or empty)."""
    s = fold(text).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"not yes/no: {text!r}")
