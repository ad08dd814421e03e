"""Aging, credit status, dunning levels and client grades as of a date (pure DataFrame work).

Only auto and confirmed allocations of payments booked on or before the as-of date count as
paid; invoices issued after it are left out entirely. Amounts are never added across
currencies: every sum is per currency.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import sub
from typing import Any, Sequence

import numpy as np
import pandas as pd

from arbook.model.frames import frame_of_columns, make_frame
from arbook.model.errors import ArbookError
from arbook.model.money import CURRENCIES, MoneyError, minor_digits, scaled
from arbook.model.schema import AGING, ALLOCATIONS, BANK, CREDIT_STATUSES, CUSTOMERS, DASHBOARD, INVOICES
from arbook.model.statuses import APPLIED as APPLIED_STATUSES, CreditStatus, InvoiceStatus, Rule

DASHBOARD_AGING_ROWS, DASHBOARD_TOP_ROWS = 5, 10

#: The columns ``age`` uses of each sheet (the computed columns of Customers and Invoices are its output).
READS: dict[str, list[str]] = {
    CUSTOMERS.name: [c.name for c in CUSTOMERS.input_columns],
    INVOICES.name: [c.name for c in INVOICES.input_columns],
    ALLOCATIONS.name: ["Bank Ref", "Invoice No", "Customer ID", "Applied Amount", "Status", "Rule", "Date"],
    BANK.name: ["Bank Ref", "Date", "Currency"],
}

ZERO = Decimal(0)


@dataclass(frozen=True)
class Policy:
    """The Settings that drive aging: bucket edges, credit thresholds, reminder days."""

    edges: tuple[int, ...] = (30, 60, 90, 120)
    watch_percent: Decimal = Decimal(80)
    hold_days: int = 90
    reminder_days: tuple[int, ...] = (7, 30, 60)

    @property
    def labels(self) -> list[str]:
        """Bucket labels after Current: 1-30, 31-60, ..., >120."""
        lows = [1] + [e + 1 for e in self.edges[:-1]]
        return [f"{lo}-{hi}" for lo, hi in zip(lows, self.edges)] + [f">{self.edges[-1]}"]

    def bucket(self, days_overdue: int) -> str:
        if days_overdue <= 0:
            return "Current"
        for label, edge in zip(self.labels, self.edges):
            if days_overdue <= edge:
                return label
        return self.labels[-1]

    def reminder(self, days_overdue: int) -> int:
        return sum(1 for threshold in self.reminder_days if days_overdue >= threshold)

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> "Policy":
        def numbers(key: str, default: tuple[int, ...]) -> tuple[int, ...]:
            text = settings.get(key, "").strip()
            if not text:
                return default
            try:
                values = tuple(int(v) for v in text.replace("、", ",").split(","))
            except ValueError:
                raise ArbookError(f"Settings: {key}: {text!r} is not a list of whole numbers like 30,60,90") from None
            if list(values) != sorted(set(values)) or values[0] <= 0:
                raise ArbookError(f"Settings: {key}: {text!r} must be increasing positive numbers")
            return values

        def number(key: str, default: Any) -> Any:
            text = settings.get(key, "").strip()
            try:
                return type(default)(text) if text else default
            except (ValueError, ArithmeticError):
                raise ArbookError(f"Settings: {key}: {text!r} is not a number") from None

        return cls(numbers("Aging Buckets", cls.edges), number("Watch Threshold %", cls.watch_percent),
                   number("Hold Days Overdue", cls.hold_days), numbers("Reminder Days", cls.reminder_days))


@dataclass
class AgingResult:
    invoices: pd.DataFrame
    customers: pd.DataFrame
    aging: pd.DataFrame
    as_of: date
    dashboard: pd.DataFrame | None = None

    def summary(self) -> str:
        totals = self.aging[self.aging["Customer ID"].isna()]
        parts = [f"{r['Currency']} {r['Total Open']:,} open ({r['Current']:,} current)" for r in totals.to_dict("records")]
        holds = int((self.customers["Credit Status"] == CreditStatus.HOLD).sum())
        return f"Aged as of {self.as_of}: " + ("; ".join(parts) or "nothing open") + f"; {holds} client(s) on Hold"


#: Allocations carry no currency: their amounts are summed in units of 10**-SCALE, the finest minor unit.
SCALE = max(CURRENCIES.values())
_EXACT_FLOAT = 2 ** 50  # below this many minor units a float amount converts to units exactly
DAY = np.timedelta64(1, "D")


def minor_digits_of(currencies: pd.Series) -> np.ndarray:
    """Minor-unit digits of each row's currency (2 when empty or unknown), as an int64 array."""
    codes, uniques = pd.factorize(currencies)
    table = np.array([minor_digits(c) for c in uniques] + [minor_digits(None)], dtype=np.int64)
    return table[codes]  # code -1 (missing) takes the last entry


def minor_units(amounts: pd.Series, digits: np.ndarray, what: pd.Series) -> np.ndarray:
    """Exact integer units of 10**-digits of Decimal ``amounts`` (missing counts 0); MoneyError naming
    ``what`` of the row when an amount has more decimals."""
    values = amounts.to_numpy(dtype=object)
    floats = np.nan_to_num(np.array(values, dtype=float))
    power = 10.0 ** digits
    units = np.rint(floats * power)
    if len(units) and np.abs(units).max() >= _EXACT_FLOAT:  # beyond float precision: exact, one by one
        exact = [0 if v is None else v.scaleb(int(d)) for v, d in zip(values, digits)]
        bad = [i for i, v in enumerate(exact) if v != int(v)]
        try:
            result = np.array([int(v) for v in exact], dtype=np.int64)
        except OverflowError:
            raise MoneyError("an amount is too large to age (more than 18 digits)") from None
    else:
        result = units.astype(np.int64)
        bad = np.flatnonzero(units / power != floats).tolist()
    if bad:
        i = bad[0]
        raise MoneyError(f"{what.iloc[i]}: {values[i]} has more than {digits[i]} decimal places")
    return result


def _days(values: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (missing as NaT); each distinct date converted once."""
    codes, uniques = pd.factorize(values)
    return np.append(np.array(list(uniques), dtype="datetime64[D]"), np.datetime64("NaT"))[codes]


def _given(values: pd.Series) -> np.ndarray:
    """True where a text value is present (not None and not empty)."""
    return (values.notna() & (values != "")).to_numpy()


def _lookup(values: Any, where: np.ndarray, missing: Any) -> np.ndarray:
    """``values`` at positions ``where`` (from ``Index.get_indexer``), ``missing`` where it is -1."""
    return np.append(np.asarray(values), np.array([missing], dtype=np.asarray(values).dtype))[where]


def _decimals(units: np.ndarray, digits: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Decimal amounts of ``units`` at ``digits`` (an object array); None where not ``keep``.
    Each distinct amount is made once."""
    base = SCALE + 1
    distinct, where = np.unique(units * base + digits, return_inverse=True)  # units stay far below 2**59
    made = np.array([*scaled((distinct // base).tolist(), (distinct % base).tolist()), None], dtype=object)
    return made[np.where(keep, where, len(distinct))]


def _kept(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``values`` as Python objects (int, str), None where not ``keep``."""
    out = values.astype(object)
    out[~keep] = None
    return out


def booked_payments(allocations: pd.DataFrame, bank: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Applied allocations (auto, confirmed) whose bank line is booked on or before ``as_of``, with
    ``Paid On`` (datetime64) and ``Bank Currency`` of that line beside the allocation's own columns."""
    lines = bank.drop_duplicates("Bank Ref", keep="last")
    frame = allocations[allocations["Status"].isin(APPLIED_STATUSES)]
    where = pd.Index(lines["Bank Ref"]).get_indexer(frame["Bank Ref"])
    paid_on = _lookup(_days(lines["Date"]), where, np.datetime64("NaT"))
    booked = paid_on <= np.datetime64(as_of)
    out = frame.loc[booked, ["Bank Ref", "Invoice No", "Customer ID", "Applied Amount", "Rule"]].copy()
    out["Paid On"] = paid_on[booked]
    out["Bank Currency"] = lines["Currency"].to_numpy(dtype=object)[where[booked]]
    return out


def applied_by_invoice(payments: pd.DataFrame) -> pd.DataFrame:
    """Per Invoice No: ``Units`` applied (in 10**-SCALE) and the ``Last Paid`` day, from booked payments.

    The one place an invoice's credits come from (credit notes and write-offs belong here too)."""
    rows = payments[_given(payments["Invoice No"])]
    units = minor_units(rows["Applied Amount"], np.full(len(rows), SCALE), rows["Bank Ref"])
    frame = pd.DataFrame({"Invoice No": rows["Invoice No"].to_numpy(), "Units": units,
                          "Last Paid": rows["Paid On"].to_numpy()})
    return frame.groupby("Invoice No", sort=False).agg(Units=("Units", "sum"), **{"Last Paid": ("Last Paid", "max")})


def age(customers: pd.DataFrame, invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame,
        policy: Policy, as_of: date) -> AgingResult:
    """Every computed column of Invoices and Customers, and the Aging table, as of ``as_of``."""
    payments = booked_payments(allocations, bank, as_of)
    applied = applied_by_invoice(payments)
    inv = invoices.copy()
    digits = minor_digits_of(inv["Currency"])
    amount = minor_units(inv["Amount"], digits, inv["Invoice No"])
    issued, due = _days(inv["Issue Date"]), _days(inv["Due Date"])
    due = np.where(np.isnat(due), issued, due)
    today = np.datetime64(as_of)
    shown = issued <= today
    where = applied.index.get_indexer(inv["Invoice No"])
    credited = _lookup(applied["Units"].to_numpy(dtype=np.int64), where, 0)
    factor = 10 ** (SCALE - digits)
    inexact = np.flatnonzero(shown & (credited % factor != 0))
    if len(inexact):
        i = inexact[0]
        raise MoneyError(f"{inv['Invoice No'].iloc[i]}: the amount applied has more than {digits[i]} decimal "
                         f"places for {inv['Currency'].iloc[i]}")
    done = credited // factor
    remaining = amount - done
    is_open = shown & (remaining > 0)
    disputed = inv["Disputed"].eq(True).to_numpy()
    days = np.where(is_open, (today - due) // DAY, 0)
    labels = np.array(["Current", *policy.labels], dtype=object)
    bucket = np.where(days <= 0, 0, 1 + np.searchsorted(policy.edges, days, side="left"))
    level = np.searchsorted(policy.reminder_days, days, side="right")
    status = np.select([remaining <= 0, disputed, done != 0],
                       [InvoiceStatus.PAID.value, InvoiceStatus.DISPUTED.value, InvoiceStatus.PARTIAL.value],
                       InvoiceStatus.OPEN.value)
    inv["Applied"] = pd.Series(_decimals(done, digits, shown), index=inv.index, dtype=object)
    inv["Open"] = pd.Series(_decimals(remaining, digits, shown), index=inv.index, dtype=object)
    inv["Days Overdue"] = pd.Series(_kept(np.maximum(days, 0), is_open), index=inv.index, dtype=object)
    inv["Bucket"] = pd.Series(_kept(labels[bucket], is_open), index=inv.index, dtype=object)
    inv["Status"] = pd.Series(_kept(status, shown), index=inv.index, dtype=object)
    inv["Reminder Level"] = pd.Series(_kept(level, is_open & ~disputed & (level != 0)), index=inv.index, dtype=object)

    cid, currency = inv["Customer ID"].to_numpy(dtype=object), inv["Currency"].to_numpy(dtype=object)
    opened = pd.DataFrame({"cid": cid[is_open], "currency": currency[is_open], "bucket": labels[bucket[is_open]],
                           "units": remaining[is_open]})
    open_by = opened.groupby(["cid", "currency", "bucket"], sort=False)["units"].sum().to_dict()
    late = is_open & (days > 0)
    overdue_rows = pd.DataFrame({"cid": cid[late], "units": remaining[late] * factor[late], "digits": digits[late],
                                 "days": days[late]})
    overdue = overdue_rows.groupby("cid", sort=False).agg(units=("units", "sum"), digits=("digits", "max"),
                                                          worst=("days", "max"))
    settled = shown & ~is_open & (where >= 0)
    lateness = pd.DataFrame({"cid": cid[settled], "days": np.maximum(
        0, (_lookup(applied["Last Paid"].to_numpy(dtype="datetime64[D]"), where, np.datetime64("NaT"))[settled]
                        - due[settled]) // DAY)})
    lateness = lateness.groupby("cid", sort=False)["days"].agg(["sum", "count"])
    recent = shown & (issued > today - np.timedelta64(365, "D"))
    billed = pd.DataFrame({"cid": cid[recent], "currency": currency[recent], "units": amount[recent]})
    revenue = billed.groupby(["cid", "currency"], sort=False)["units"].sum()
    currencies_seen = list(pd.unique(billed["currency"]))

    paid_cid = payments[_given(payments["Customer ID"])]
    last_payment = paid_cid.groupby("Customer ID", sort=False)["Paid On"].max()
    cash = paid_cid[~_given(paid_cid["Invoice No"]) & (paid_cid["Rule"] == Rule.UNAPPLIED)]
    currency_of = dict(zip(customers["Customer ID"], customers["Currency"]))
    cash_currency = [c or currency_of.get(k) for c, k in zip(cash["Bank Currency"], cash["Customer ID"])]
    cash_units = minor_units(cash["Applied Amount"], minor_digits_of(pd.Series(cash_currency, dtype=object)),
                             cash["Bank Ref"])
    unapplied = pd.Series(cash_units).groupby([cash["Customer ID"].to_numpy(), pd.Series(cash_currency)],
                                              sort=False).sum().to_dict() if len(cash) else {}
    totals = Totals(open_by, unapplied, overdue, lateness, revenue, currencies_seen, last_payment)
    result_customers = _customer_columns(customers, totals, policy)
    table = _aging_table(customers, totals, policy)
    return AgingResult(inv, result_customers, table, as_of, dashboard(table, result_customers, policy))


@dataclass
class Totals:
    """Per-client sums of one aging pass, in integer minor units of their currency."""

    open_by: dict[tuple[str, str, str], int]  # (client, currency, bucket) -> open
    unapplied: dict[tuple[str, str], int]  # (client, currency) -> unapplied cash
    overdue: pd.DataFrame  # by client: units (10**-SCALE, all currencies), digits (finest), worst (days)
    lateness: pd.DataFrame  # by client: sum and count of days paid late
    revenue: pd.Series  # (client, currency) -> billed in the last year
    currencies: list[str]  # currencies billed in the last year, in order of first appearance
    last_payment: pd.Series  # client -> last day paid
    open_total: dict[tuple[str, str], int] = field(init=False)  # (client, currency) -> open in all buckets
    accounts: dict[tuple[str, str], dict[str, int]] = field(init=False)  # (client, currency) -> bucket -> open

    def __post_init__(self) -> None:
        self.open_total = defaultdict(int)
        self.accounts = defaultdict(dict)
        for (cid, currency, bucket), units in self.open_by.items():
            self.open_total[cid, currency] += units
            self.accounts[cid, currency][bucket] = units


def dashboard(aging: pd.DataFrame, customers: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The Dashboard rows in their fixed layout (the charts read fixed ranges; see the schema)."""
    buckets = ["Current", *policy.labels]
    shown = [b for b in DASHBOARD.headers if b in buckets]  # the chart's bucket columns
    blank = {h: None for h in DASHBOARD.headers}

    def bucket_row(section: str, record: dict, item: str, note: str | None = None) -> dict:
        row = {**blank, "Section": section, "Currency": record["Currency"], "Item": item, "Note": note,
               "Total": record["Total Open"]}
        row.update({b: record.get(b) for b in shown})
        return row

    totals = aging[aging["Customer ID"].isna()].to_dict("records")
    rows = [bucket_row("Aging", r, r["Currency"]) for r in totals[:DASHBOARD_AGING_ROWS]]
    rows += [{**blank, "Section": "Aging", "Currency": "-", "Note": "unused (charts show one currency per row)"}] \
        * (DASHBOARD_AGING_ROWS - len(rows))
    clients = aging[aging["Customer ID"].notna()]
    late, ids = (clients["Total Open"] - clients["Current"]).tolist(), clients["Customer ID"].tolist()
    first = sorted(range(len(ids)), key=lambda i: (-late[i], ids[i]))[:DASHBOARD_TOP_ROWS]
    top = [bucket_row("Top overdue", r, r["Customer"] or r["Customer ID"], f"{r['Total Open'] - r['Current']:,} overdue")
           for r in clients.iloc[first].to_dict("records") if r["Total Open"] - r["Current"] > 0]
    rows += top + [{**blank, "Section": "Top overdue"}] * (DASHBOARD_TOP_ROWS - len(top))
    counts = customers["Credit Status"].value_counts().to_dict()
    rows += [{**blank, "Section": "Credit", "Item": status, "Total": Decimal(int(counts.get(status, 0))),
              "Note": "clients"} for status in CREDIT_STATUSES]
    alerts = customers.loc[customers["Credit Status"].isin([CreditStatus.HOLD, CreditStatus.OVER_LIMIT]),
                           ["Currency", "Name", "Balance", "Credit Status", "Credit Used %", "Overdue"]]
    for record in alerts.to_dict("records"):
        rows.append({**blank, "Section": "Alert", "Currency": record["Currency"], "Item": record["Name"],
                     "Total": record["Balance"], "Note": f"{record['Credit Status']}; credit used "
                                                         f"{record['Credit Used %']}%; overdue {record['Overdue']:,}"})
    return make_frame(DASHBOARD, rows)


def _customer_columns(customers: pd.DataFrame, totals: Totals, policy: Policy) -> pd.DataFrame:
    """Customers with Balance, Overdue, Unapplied, credit use and status, DSO, lateness, last payment, grade."""
    out = customers.copy()
    ids, currencies = out["Customer ID"].tolist(), out["Currency"].tolist()
    keys = list(zip(ids, currencies))
    limits = out["Credit Limit"].tolist()
    total_open = _amounts(list(map(totals.open_total.get, keys)), currencies)
    cash = _amounts(list(map(totals.unapplied.get, keys)), currencies)
    used = list(map(sub, total_open, cash))
    percent = [float(u / limit * 100) if limit else None for u, limit in zip(used, limits)]
    over = np.array([limit is not None and limit > 0 and u > limit for u, limit in zip(used, limits)], dtype=bool)
    overdue = totals.overdue.reindex(ids)
    late_now = overdue["units"].notna().to_numpy()
    watch = np.array([p is not None and p >= float(policy.watch_percent) for p in percent], dtype=bool)
    status = np.select([(overdue["worst"].fillna(0).to_numpy() > policy.hold_days) | (over & late_now), over, watch],
                       [CreditStatus.HOLD.value, CreditStatus.OVER_LIMIT.value, CreditStatus.WATCH.value],
                       CreditStatus.OK.value)
    sales = _amounts(list(map(totals.revenue.to_dict().get, keys)), currencies)
    lateness = totals.lateness.reindex(ids)
    late_count = lateness["count"].to_numpy(dtype=float)
    grades = _grades(totals)
    columns = {
        "Balance": used,
        "Overdue": [Decimal(int(u) // 10 ** (SCALE - int(d))).scaleb(-int(d)) if late else ZERO
                    for u, d, late in zip(overdue["units"].tolist(), overdue["digits"].tolist(), late_now.tolist())],
        "Unapplied": cash,
        "Credit Used %": [round(p, 1) if p is not None else None for p in percent],
        "Credit Status": status.tolist(),
        "DSO": [round(float(o / s * 365), 1) if s > 0 else None for o, s in zip(total_open, sales)],
        "Avg Days Late": [round(int(s) / int(n), 1) if n == n else None
                          for s, n in zip(lateness["sum"].tolist(), late_count.tolist())],
        "Last Payment": totals.last_payment.reindex(ids).to_numpy(dtype="datetime64[D]").astype(object).tolist(),
        "Grade": [grades.get(c) for c in ids],
    }
    for name, values in columns.items():
        out[name] = pd.Series(values, index=out.index, dtype=object)
    return out


A_SHARE, B_SHARE = Fraction(4, 5), Fraction(19, 20)  # billing shares of grades A and B
LOWER = {"A": "B", "B": "C", "C": "C"}  # the grade of a chronic late payer


def _grades(totals: Totals) -> dict[str, str]:
    """ABC by share of the last year's billing within each currency (A: first 80%, B: next 15%,
    C: the rest), one grade lower for chronic late payers (average over 30 days late)."""
    grades: dict[str, str] = {}
    chronic = set(totals.lateness.index[totals.lateness["sum"] > 30 * totals.lateness["count"]])
    for currency in totals.currencies:
        mine = totals.revenue.xs(currency, level=1)
        total = int(mine.sum())
        running = 0
        for cid, units in sorted(mine.items(), key=lambda x: (-x[1], x[0])):
            grade = "A" if _below(running, total, A_SHARE) else "B" if _below(running, total, B_SHARE) else "C"
            running += int(units)
            grades[cid] = LOWER[grade] if cid in chronic else grade
    return grades


def _below(part: int, whole: int, share: Fraction) -> bool:
    """Whether ``part / whole`` (1 when ``whole`` is 0) is below ``share`` (at most 1), in integers."""
    if whole < 0:
        part, whole = -part, -whole
    return whole > 0 and part * share.denominator < share.numerator * whole


def _amounts(units: Sequence[int | None], currencies: Sequence[str]) -> list[Decimal]:
    """Each of ``units`` (minor units) as the Decimal amount of its currency, a plain 0 where None (see
    ``_decimals``)."""
    given = np.fromiter((u is not None for u in units), dtype=bool, count=len(units))
    values = np.fromiter((u or 0 for u in units), dtype=np.int64, count=len(units))
    made = _decimals(values, minor_digits_of(pd.Series(currencies, dtype=object)), given)
    return [ZERO if amount is None else amount for amount in made.tolist()]


def _aging_table(customers: pd.DataFrame, totals: Totals, policy: Policy) -> pd.DataFrame:
    """One row per client and currency with anything open or unapplied, then a total row per currency."""
    names = dict(zip(customers["Customer ID"], customers["Name"]))
    buckets = ["Current", *policy.labels]
    keys = sorted(set(totals.accounts) | set(totals.unapplied))
    currencies = [currency for _, currency in keys]
    none: dict[str, int] = {}
    columns: dict[str, list[Any]] = {
        label: _amounts([totals.accounts.get(key, none).get(label) for key in keys], currencies) for label in buckets}
    columns["Total Open"] = _amounts(list(map(totals.open_total.get, keys)), currencies)
    columns["Unapplied"] = _amounts(list(map(totals.unapplied.get, keys)), currencies)
    columns["Net"] = list(map(sub, columns["Total Open"], columns["Unapplied"]))
    rows: dict[str, list[int]] = defaultdict(list)  # currency -> its rows' positions
    for i, currency in enumerate(currencies):
        rows[currency].append(i)
    totalled = sorted(rows)
    for values in columns.values():
        values += [sum((values[i] for i in rows[currency]), Decimal()) for currency in totalled]
    columns["Customer ID"] = [cid for cid, _ in keys] + [None] * len(totalled)
    columns["Customer"] = list(map(names.get, columns["Customer ID"][:len(keys)])) + [f"Total {c}" for c in totalled]
    columns["Currency"] = currencies + totalled
    frame = frame_of_columns(AGING, columns, len(keys) + len(totalled))
    order = [c for c in AGING.headers if c in buckets or not _is_bucket(c)]
    extra = [b for b in buckets if b not in order]
    return frame.reindex(columns=order + extra).astype(object)


def _is_bucket(label: str) -> bool:
    return label == "Current" or label[:1] == ">" or label.replace("-", "").isdigit()
