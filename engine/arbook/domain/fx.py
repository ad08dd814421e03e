"""Home-currency totals: balances in every currency turned into the Home Currency at the FX Rates
in force on the aging date (pure). Sums stay exact: each converted amount is rounded once, half up,
to the home currency's minor unit."""
from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from arbook.model.errors import ArbookError
from arbook.model.money import minor_digits
from arbook.model.schema import DASHBOARD

ZERO = Decimal(0)


class Rates:
    """The FX Rates sheet as currency -> dated rates; ``strict`` when the sheet has any row."""

    def __init__(self, frame: pd.DataFrame, home: str):
        self.home = home
        self.by_currency: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for day, currency, rate in zip(frame["Date"], frame["Currency"], frame["Rate"]):
            if day is not None and currency and rate:
                self.by_currency[currency].append((day, Decimal(repr(rate)) if isinstance(rate, float) else Decimal(rate)))
        for rows in self.by_currency.values():
            rows.sort()
        self.strict = bool(self.by_currency)

    def rate(self, currency: str, day: date) -> Decimal | None:
        """Home units per unit of ``currency`` on ``day``: 1 for the home currency; the latest rate
        on or before ``day``; ArbookError naming currency and date when the sheet has rates but not
        this one (None when the sheet is empty)."""
        if currency == self.home:
            return Decimal(1)
        rows = self.by_currency.get(currency, [])
        i = bisect.bisect_right(rows, (day, Decimal("Infinity")))
        if i:
            return rows[i - 1][1]
        if self.strict:
            raise ArbookError(f"FX Rates: no {currency} rate on or before {day} (add a row: Date, {currency}, "
                              f"{self.home} per {currency})")
        return None

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        rate = self.rate(currency, day)
        if rate is None:
            return None
        return (amount * rate).quantize(Decimal(1).scaleb(-minor_digits(self.home)), ROUND_HALF_UP)


def home_columns(customers: pd.DataFrame, aging: pd.DataFrame, rates: Rates, as_of: date) -> tuple[pd.DataFrame, list[dict]]:
    """Customers with Home Balance and Home Credit Used % filled, and the Dashboard's Home rows
    (each currency's net balance in the home currency, then the total)."""
    home_net: dict[str, Decimal | None] = defaultdict(lambda: ZERO)
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    rows = aging[aging["Customer ID"].notna()]
    for cid, currency, net in zip(rows["Customer ID"], rows["Currency"], rows["Net"]):
        converted = rates.convert(net, currency, as_of)
        if converted is None or home_net[cid] is None:
            home_net[cid] = None
            continue
        home_net[cid] += converted
        per_currency[currency] += converted
    out = customers.copy()
    balances, used = [], []
    for cid, currency, limit in zip(out["Customer ID"], out["Currency"], out["Credit Limit"]):
        balance = home_net[cid] if cid in home_net else ZERO
        balances.append(balance)
        home_limit = rates.convert(limit, currency, as_of) if limit and balance is not None else None
        used.append(round(float(balance / home_limit * 100), 1) if home_limit else None)
    out["Home Balance"] = pd.Series(balances, index=out.index, dtype=object)
    out["Home Credit Used %"] = pd.Series(used, index=out.index, dtype=object)
    blank = {h: None for h in DASHBOARD.headers}
    extra = [{**blank, "Section": "Home", "Currency": currency, "Item": f"{currency} in {rates.home}",
              "Total": amount, "Note": f"at {rates.rate(currency, as_of)} on {as_of}"}
             for currency, amount in sorted(per_currency.items())]
    if extra:
        extra.append({**blank, "Section": "Home", "Currency": rates.home, "Item": f"Total in {rates.home}",
                      "Total": sum(per_currency.values(), ZERO)})
    return out, extra
