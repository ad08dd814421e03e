"""The aging implementation before vectorisation (commit 9cf5a98), frozen as an oracle for the tests.

It walks object frames row by row with Decimal arithmetic; tests compare the vectorised
``arbook.domain.aging.age`` with it on generated books. Not part of the package.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from arbook.domain.aging import AgingResult, Policy, dashboard
from arbook.model.frames import make_frame
from arbook.domain.matching.engine import APPLIED_STATUSES, UNAPPLIED_RULE
from arbook.model.money import money
from arbook.model.schema import AGING

ZERO = Decimal(0)


def _payments(allocations: pd.DataFrame, bank: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Applied allocations whose bank line is booked on or before ``as_of``, with that date."""
    dates = dict(zip(bank["Bank Ref"], bank["Date"]))
    frame = allocations[allocations["Status"].isin(APPLIED_STATUSES)].copy()
    frame["Paid On"] = [dates.get(ref) for ref in frame["Bank Ref"]]
    booked = pd.Series([d is not None and d <= as_of for d in frame["Paid On"]], index=frame.index, dtype=bool)
    return frame.loc[booked]


def age(customers: pd.DataFrame, invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame,
        policy: Policy, as_of: date) -> AgingResult:
    """Every computed column of Invoices and Customers, and the Aging table, as of ``as_of``."""
    paid = _payments(allocations, bank, as_of)
    applied: dict[str, Decimal] = defaultdict(Decimal)
    last_paid: dict[str, date] = {}
    for number, amount, day in zip(paid["Invoice No"], paid["Applied Amount"], paid["Paid On"]):
        if number:
            applied[number] += amount
            last_paid[number] = max(day, last_paid.get(number, day))
    inv = invoices.copy()
    columns: dict[str, list[Any]] = {c: [] for c in ("Applied", "Open", "Days Overdue", "Bucket", "Status",
                                                     "Reminder Level")}
    open_by: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    overdue: dict[str, Decimal] = defaultdict(Decimal)
    worst: dict[str, int] = defaultdict(int)
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    lateness: dict[str, list[int]] = defaultdict(list)
    for number, cid, issued, due, currency, amount, disputed in zip(
            inv["Invoice No"], inv["Customer ID"], inv["Issue Date"], inv["Due Date"], inv["Currency"],
            inv["Amount"], inv["Disputed"]):
        if issued > as_of:
            for values in columns.values():
                values.append(None)
            continue
        due = due or issued
        done = money(applied.get(number, ZERO), currency)  # allocations hold amounts without their currency
        remaining = amount - done
        days = (as_of - due).days if remaining > 0 else 0
        status = ("paid" if remaining <= 0 else "disputed" if disputed else "partial" if done else "open")
        bucket = policy.bucket(days) if remaining > 0 else None
        columns["Applied"].append(done)
        columns["Open"].append(remaining)
        columns["Days Overdue"].append(max(days, 0) if remaining > 0 else None)
        columns["Bucket"].append(bucket)
        columns["Status"].append(status)
        columns["Reminder Level"].append(policy.reminder(days) or None if remaining > 0 and not disputed else None)
        if remaining > 0:
            open_by[(cid, currency)][bucket] += remaining
            if days > 0:
                overdue[cid] += remaining
                worst[cid] = max(worst[cid], days)
        elif number in last_paid:
            lateness[cid].append(max(0, (last_paid[number] - due).days))
        if issued > as_of - timedelta(days=365):
            revenue[(cid, currency)] += amount
    for name, values in columns.items():
        inv[name] = pd.Series(values, index=inv.index, dtype=object)
    unapplied: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    currency_of = dict(zip(customers["Customer ID"], customers["Currency"]))
    last_payment: dict[str, date] = {}
    bank_currency = dict(zip(bank["Bank Ref"], bank["Currency"]))
    for ref, cid, number, amount, rule, day in zip(paid["Bank Ref"], paid["Customer ID"], paid["Invoice No"],
                                                   paid["Applied Amount"], paid["Rule"], paid["Paid On"]):
        if cid:
            last_payment[cid] = max(day, last_payment.get(cid, day))
        if not number and rule == UNAPPLIED_RULE and cid:
            currency = bank_currency.get(ref) or currency_of.get(cid)
            unapplied[(cid, currency)] += money(amount, currency)
    result_customers = _customer_columns(customers, open_by, overdue, worst, unapplied, revenue, lateness,
                                         last_payment, policy, as_of)
    table = _aging_table(customers, open_by, unapplied, policy)
    return AgingResult(inv, result_customers, table, as_of, dashboard(table, result_customers, policy))


def _customer_columns(customers: pd.DataFrame, open_by, overdue, worst, unapplied, revenue, lateness,
                      last_payment, policy: Policy, as_of: date) -> pd.DataFrame:
    out = customers.copy()
    grades = _grades(revenue, lateness)
    values: dict[str, list[Any]] = defaultdict(list)
    for cid, currency, limit in zip(out["Customer ID"], out["Currency"], out["Credit Limit"]):
        total_open = sum(open_by.get((cid, currency), {}).values(), ZERO)
        cash = unapplied.get((cid, currency), ZERO)
        used = total_open - cash
        percent = float(used / limit * 100) if limit else None
        over = limit is not None and limit > 0 and used > limit
        if worst.get(cid, 0) > policy.hold_days or (over and overdue.get(cid, ZERO) > 0):
            status = "Hold"
        elif over:
            status = "Over limit"
        elif percent is not None and percent >= float(policy.watch_percent):
            status = "Watch"
        else:
            status = "OK"
        sales = revenue.get((cid, currency), ZERO)
        values["Balance"].append(used)
        values["Overdue"].append(overdue.get(cid, ZERO))
        values["Unapplied"].append(cash)
        values["Credit Used %"].append(round(percent, 1) if percent is not None else None)
        values["Credit Status"].append(status)
        values["DSO"].append(round(float(total_open / sales * 365), 1) if sales > 0 else None)
        late = lateness.get(cid)
        values["Avg Days Late"].append(round(sum(late) / len(late), 1) if late else None)
        values["Last Payment"].append(last_payment.get(cid))
        values["Grade"].append(grades.get(cid))
    for name, column in values.items():
        out[name] = pd.Series(column, index=out.index, dtype=object)
    return out


def _grades(revenue: dict[tuple[str, str], Decimal], lateness: dict[str, list[int]]) -> dict[str, str]:
    """ABC by share of the last year's billing within each currency (A: first 80%, B: next 15%,
    C: the rest), one grade lower for chronic late payers (average over 30 days late)."""
    grades: dict[str, str] = {}
    by_currency: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    for (cid, currency), amount in revenue.items():
        by_currency[currency].append((amount, cid))
    for currency, items in by_currency.items():
        total = sum((a for a, _ in items), ZERO)
        running = ZERO
        for amount, cid in sorted(items, key=lambda x: (-x[0], x[1])):
            share_before = running / total if total else Decimal(1)
            running += amount
            grade = "A" if share_before < Decimal("0.8") else "B" if share_before < Decimal("0.95") else "C"
            late = lateness.get(cid)
            if late and sum(late) / len(late) > 30:
                grade = {"A": "B", "B": "C", "C": "C"}[grade]
            grades[cid] = grade
    return grades


def _aging_table(customers: pd.DataFrame, open_by, unapplied, policy: Policy) -> pd.DataFrame:
    names = dict(zip(customers["Customer ID"], customers["Name"]))
    buckets = ["Current", *policy.labels]
    records = []
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (cid, currency) in sorted(set(open_by) | set(unapplied)):
        row: dict[str, Any] = {"Customer ID": cid, "Customer": names.get(cid), "Currency": currency}
        for label in buckets:
            row[label] = open_by.get((cid, currency), {}).get(label, ZERO)
        row["Total Open"] = sum((row[b] for b in buckets), ZERO)
        row["Unapplied"] = unapplied.get((cid, currency), ZERO)
        row["Net"] = row["Total Open"] - row["Unapplied"]
        for key in (*buckets, "Total Open", "Unapplied", "Net"):
            totals[currency][key] += row[key]
        records.append(row)
    for currency in sorted(totals):
        records.append({"Customer ID": None, "Customer": f"Total {currency}", "Currency": currency,
                        **totals[currency]})
    frame = make_frame(AGING, records)
    order = [c for c in AGING.headers if c in frame.columns and (c in buckets or not _is_bucket(c))]
    extra = [b for b in buckets if b not in order]
    return frame[order + extra]


def _is_bucket(label: str) -> bool:
    return label == "Current" or label[:1] == ">" or label.replace("-", "").isdigit()
