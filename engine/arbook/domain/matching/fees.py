"""Which shortfall of a payment is a bank charge the payer deducted: the fees banks really charge.

A client that pays an invoice short by a transfer fee has paid the invoice: the accountant closes
it and books the shortfall as bank charges (振込手数料（差引）/ 银行手续费). Any other shortfall is a
part payment. So a shortfall is a fee only when it is one the client states (Fee Deduction), one
it deducted before (learned from applied allocations), one the bank statement states (camt
``Chrgs``), or one of the fees banks publish:

- Japanese domestic transfers (振込手数料) come in a few tax-included steps. Published tables:
  Tottori Bank (tottoribank.co.jp/interest/fee/): ATM card 385/550, ATM cash 495/660, net 165,
  counter 1,100 yen; the three megabanks (news.livedoor.com/article/detail/30554182, Feb 2026):
  net 110 / 154 / 220, ATM 275 / 330 / 880, counter 990 yen; net banks 145, 176, 203, 209, 229.
  Older transfers carry the 8% (2014-2019: 108, 216, 324, 432, 540, 648, 756, 864) or 5%
  (105, 210, 315, 420, 525, 630, 735, 840) consumption tax on the same base fees.
- International wires lose intermediary / lifting charges of about 5-50 units, nearly always
  a whole or half unit (USD 15, EUR 25, GBP 10); Chinese domestic transfers (手续费) cost 0.5 to
  50 yuan; Hong Kong transfers up to HKD 300.
"""
from __future__ import annotations

from decimal import Decimal

from arbook.model.money import to_minor

# Base fees (tax excluded) Japanese banks charge for a transfer, and the consumption tax rates
# they have been charged with (10% since Oct 2019, 8% 2014-2019, 5% 1997-2014).
_JPY_BASES = (100, 140, 150, 160, 190, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000)
_JPY_TAX = (Decimal("1.10"), Decimal("1.08"), Decimal("1.05"))
_JPY_NET_BANKS = (145, 154, 165, 176, 203, 209, 220, 229, 275, 330)  # as published, tax included
JPY_FEES: frozenset[int] = frozenset(
    {int(base * tax) for base in _JPY_BASES for tax in _JPY_TAX} | set(_JPY_NET_BANKS))
# (smallest, largest charge in major units, step in minor units) for currencies whose fees are round
ROUND_FEES: dict[str, tuple[Decimal, Decimal, int]] = {
    "USD": (Decimal(5), Decimal(50), 50), "EUR": (Decimal(5), Decimal(50), 50),
    "GBP": (Decimal(5), Decimal(40), 50), "CHF": (Decimal(5), Decimal(50), 50),
    "SGD": (Decimal(5), Decimal(50), 50), "AUD": (Decimal(5), Decimal(50), 50),
    "CAD": (Decimal(5), Decimal(50), 50), "CNY": (Decimal("0.5"), Decimal(50), 50),
    "HKD": (Decimal(5), Decimal(300), 100),
}
JPY_LARGEST = max(JPY_FEES)
# the same bounds in minor units, made once: (smallest, largest, step)
_ROUND_UNITS: dict[str, tuple[int, int, int]] = {
    currency: (to_minor(low, currency), to_minor(high, currency), step) for currency, (low, high, step) in ROUND_FEES.items()}


def largest_fee(currency: str, stated: int | None = None, learned: frozenset[int] = frozenset()) -> int:
    """The largest shortfall (minor units) that could be a fee for this client in this currency."""
    usual = JPY_LARGEST if currency == "JPY" else _ROUND_UNITS[currency][1] if currency in _ROUND_UNITS else 0
    return max(usual, stated or 0, *learned, 0)


def fee_steps(currency: str) -> tuple[int, ...]:
    """0 and every real bank fee of the currency (minor units), smallest first: the shortfalls an unknown
    payer's amount is tried with."""
    if currency == "JPY":
        return (0, *sorted(JPY_FEES))
    if currency not in _ROUND_UNITS:
        return (0,)
    smallest, largest, step = _ROUND_UNITS[currency]
    return (0, *range(smallest, largest + 1, step))


def fee_reason(shortfall: int, currency: str, stated: int | None = None,
               learned: frozenset[int] = frozenset(), charged: int | None = None) -> str | None:
    """Why a shortfall of ``shortfall`` minor units is a bank fee, or None when it is not one.

    ``stated``: the client's Fee Deduction (a cap for round foreign fees, an exact value for
    yen); ``learned``: fees this client deducted before; ``charged``: the charge the bank
    statement states for this payment."""
    if shortfall <= 0:
        return None
    if charged is not None and shortfall == charged:
        return "the charge the bank statement states for this payment"
    if stated and shortfall == stated:
        return "the client's Fee Deduction"
    if shortfall in learned:
        return "a fee this client deducted before"
    if currency == "JPY":
        return "a published Japanese transfer fee (振込手数料)" if shortfall in JPY_FEES else None
    rounds = _ROUND_UNITS.get(currency)
    if rounds is None:
        return None
    smallest, largest, step = rounds
    cap = largest if not stated else max(stated, smallest)
    if smallest <= shortfall <= cap and shortfall % step == 0:
        kind = "手续费 of a transfer" if currency == "CNY" else "intermediary bank charge of a wire"
        return f"a usual round {kind}"
    return None
