"""Exact money: Decimal amounts checked against each currency's minor units (ISO 4217)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from operator import mul
from typing import Sequence

#: Currency code -> number of minor-unit digits (ISO 4217). Codes not listed default to 2.
CURRENCIES: dict[str, int] = {
    "JPY": 0, "USD": 2, "CNY": 2, "EUR": 2, "GBP": 2, "HKD": 2, "TWD": 2, "KRW": 0, "SGD": 2,
    "AUD": 2, "CAD": 2, "CHF": 2, "NZD": 2, "THB": 2, "VND": 0, "IDR": 2, "MYR": 2, "PHP": 2,
    "INR": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "HUF": 2, "CZK": 2, "RON": 2, "BRL": 2,
    "MXN": 2, "ZAR": 2, "AED": 2, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3, "CLP": 0,
    "ISK": 0,
}


_DIGITS_CACHE: dict[str | None, int] = {}
_QUANTUM: dict[str | None, Decimal] = {}


class MoneyError(ValueError):
    """An amount that is not a number, or has more decimals than its currency allows."""


def minor_digits(currency: str | None) -> int:
    """Minor-unit digits of ``currency`` (2 when unknown or not given)."""
    return CURRENCIES.get((currency or "").upper(), 2)


def to_decimal(value: object) -> Decimal:
    """Exact Decimal of an int, Decimal, float (by its shortest repr) or plain numeric string."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError(f"not an amount: {value!r}")
        return Decimal(repr(value))
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return result


def money(value: object, currency: str | None = None) -> Decimal:
    """``value`` as an exact Decimal with the currency's minor digits; MoneyError if it has more."""
    amount = to_decimal(value)
    quantum = _QUANTUM.get(currency) or _QUANTUM.setdefault(currency, Decimal(1).scaleb(-minor_digits(currency)))
    if amount.same_quantum(quantum):
        return amount  # already exact to the minor unit (the common case: no new object)
    digits = minor_digits(currency)
    quantized = amount.quantize(quantum)
    if quantized != amount:
        unit = currency or "this currency"
        raise MoneyError(f"{value} has more than {digits} decimal places for {unit}")
    return quantized


def to_minor(amount: Decimal, currency: str | None) -> int:
    """Integer minor units of an exact amount (e.g. USD 12.34 -> 1234, JPY 500 -> 500)."""
    digits = _DIGITS_CACHE.get(currency)
    if digits is None:
        digits = _DIGITS_CACHE[currency] = minor_digits(currency)
    return int(amount.scaleb(digits))


def from_minor(units: int, currency: str | None) -> Decimal:
    """The Decimal amount of ``units`` minor units of ``currency`` (exact, with its minor digits)."""
    digits = _DIGITS_CACHE.get(currency)
    if digits is None:
        digits = _DIGITS_CACHE[currency] = minor_digits(currency)
    return Decimal(units).scaleb(-digits)


def scaled(units: Sequence[int], digits: Sequence[int]) -> list[Decimal]:
    """``units[i]`` with exponent ``-digits[i]`` as Decimal (``Decimal(u).scaleb(-d)``, exact), many at once: each
    is ``u`` times the unit ``10**-d`` (the same digits and exponent), made in C-level loops."""
    unit = {d: Decimal(1).scaleb(-d) for d in set(digits)}
    return list(map(mul, map(Decimal, units), map(unit.__getitem__, digits)))


def excel_number(amount: Decimal) -> int | float:
    """The number stored in a cell for an exact amount: int when whole, else the nearest float.

    Floats print back by their shortest repr, so ``to_decimal(excel_number(x)) == x`` for any
    amount with up to 15 significant digits.
    """
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


#: Symbols for ``Currency Display = symbol`` (other currencies keep their code).
SYMBOLS: dict[str, str] = {"JPY": "¥", "CNY": "CN¥", "USD": "$", "EUR": "€", "GBP": "£", "KRW": "₩", "HKD": "HK$",
                           "TWD": "NT$", "SGD": "S$", "AUD": "A$", "CAD": "C$", "INR": "₹", "THB": "฿", "VND": "₫"}


def currency_prefix(currency: str | None, display: str = "code") -> str:
    """What stands before an amount: ``'¥'`` (symbol display, when there is one) or ``'JPY '``."""
    code = (currency or "").upper()
    if display == "symbol" and code in SYMBOLS:
        return SYMBOLS[code]
    return f"{code} " if code else ""


def format_money(amount: Decimal, currency: str | None, display: str = "code") -> str:
    """Text of an amount with the currency's minor digits and a leading minus: ``-¥1,500``, ``USD 12.50``."""
    digits = minor_digits(currency)
    text = f"{abs(to_decimal(amount)):,.{digits}f}"
    return ("-" if amount < 0 else "") + currency_prefix(currency, display) + text


def excel_money_format(currency: str | None, display: str = "code") -> str:
    """The Excel number format of amounts in ``currency``: its minor digits, the code or symbol before
    them (``display`` code / symbol / none), negatives red with a minus."""
    digits = minor_digits(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    prefix = "" if display == "none" else currency_prefix(currency, display)
    quoted = f'"{prefix}"' if prefix else ""
    return f"{quoted}{number};[Red]-{quoted}{number}"
