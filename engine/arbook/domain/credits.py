"""Credit notes, write-offs and refunds as Allocations rows (pure DataFrame work).

A credit note (Invoices row of Type ``credit note``, positive Amount) is an allocation source
like a bank line: its rows carry the note's number in Bank Ref. It goes first to the invoice
its Ref names, then (policy ``oldest``) to the client's oldest open invoices in its currency;
what is left stays a credit balance row. A write-off is a source too (Bank Ref ``WO-...``);
a refund is a debit bank line applied to a credit note or to unapplied cash.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from arbook.model.frames import make_frame
from arbook.model.money import money
from arbook.model.schema import ALLOCATIONS, BANK, CREDIT_NOTE
from arbook.model.statuses import APPLIED as APPLIED_STATUSES, AllocationStatus, Rule

CREDIT_REF_RULE = Rule.CREDIT_REF
CREDIT_OLDEST_RULE = Rule.CREDIT_OLDEST
CREDIT_BALANCE_RULE = Rule.CREDIT_BALANCE
SMALL_WRITEOFF_RULE = Rule.SMALL_WRITEOFF
BAD_DEBT_RULE = Rule.BAD_DEBT
REFUND_RULE = Rule.REFUND
FEE_RULE = Rule.FEE
UNAPPLIED_RULE = Rule.UNAPPLIED
WRITEOFF_RULES = (SMALL_WRITEOFF_RULE, BAD_DEBT_RULE)
#: Rules whose rows are informational (they restate a remaining credit, they do not move money).
MEMO_RULES = (CREDIT_BALANCE_RULE,)
CREDIT_POLICIES = ("oldest", "balance")
ZERO = Decimal(0)


def is_credit_note(kind: Any) -> bool:
    """True for the Type of a credit note (case-insensitive)."""
    return str(kind or "").strip().lower() == CREDIT_NOTE


def where(frame: pd.DataFrame, mask: list[bool]) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` is true (an empty mask selects no rows, not columns)."""
    return frame.loc[np.array(mask, dtype=bool)]


def in_force(allocations: pd.DataFrame) -> pd.DataFrame:
    """The allocation rows that move money: auto or confirmed, not a memo row."""
    return allocations[allocations["Status"].isin(APPLIED_STATUSES) & ~allocations["Rule"].isin(MEMO_RULES)]


def credit_used(allocations: pd.DataFrame, notes: set[str], bank: pd.DataFrame | None = None,
                as_of: date | None = None) -> dict[str, Decimal]:
    """Credit note number (of ``notes``) -> amount taken from it, applied to invoices or refunded
    (with ``as_of``: by rows taking effect on or before it, see ``booked_by``)."""
    rows = in_force(allocations)
    refund = rows["Rule"].eq(REFUND_RULE)
    source = rows["Invoice No"].where(refund, rows["Bank Ref"])
    mine = source.isin(notes).to_numpy()
    rows, source = rows.loc[mine], source.loc[mine]
    if as_of is not None and len(rows):
        booked = booked_by(rows, bank, as_of).index
        rows, source = rows.loc[booked], source.loc[booked]
    if rows.empty:
        return {}
    return rows["Applied Amount"].groupby(source.to_numpy(), sort=False).sum().to_dict()


def invoice_open(invoices: pd.DataFrame, allocations: pd.DataFrame) -> dict[str, Decimal]:
    """Invoice No -> amount still open (invoices and debit notes only), after every row in force."""
    applied: dict[str, Decimal] = defaultdict(Decimal)
    rows = in_force(allocations)
    for number, amount, rule in zip(rows["Invoice No"], rows["Applied Amount"], rows["Rule"]):
        if number and rule != REFUND_RULE:
            applied[number] += amount
    return {number: amount - applied.get(number, ZERO)
            for number, amount, kind in zip(invoices["Invoice No"], invoices["Amount"], invoices["Type"])
            if not is_credit_note(kind)}


@dataclass
class CreditRun:
    """New Allocations and what happened, in lines a person reads (for the Log)."""

    allocations: pd.DataFrame
    notes: list[str]


def apply_credit_notes(invoices: pd.DataFrame, allocations: pd.DataFrame, policy: str = "oldest") -> CreditRun:
    """Allocations with every credit note's remaining credit applied (Ref invoice first, then with
    policy ``oldest`` the client's oldest open invoices in its currency) and its credit balance row
    restated; rows already applied are kept as they are."""
    notes = where(invoices, [is_credit_note(k) for k in invoices["Type"]])
    numbers = set(notes["Invoice No"])
    kept = allocations[~(allocations["Bank Ref"].isin(numbers) & allocations["Rule"].isin(MEMO_RULES))]
    kept = kept.reset_index(drop=True)
    if notes.empty:
        return CreditRun(kept, [])
    used = credit_used(kept, numbers)
    open_now = invoice_open(invoices, kept)
    plain = where(invoices, [not is_credit_note(k) for k in invoices["Type"]])
    by_client: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for number, cid, currency, issued, due, disputed in zip(plain["Invoice No"], plain["Customer ID"],
                                                           plain["Currency"], plain["Issue Date"], plain["Due Date"],
                                                           plain["Disputed"]):
        if not disputed:
            by_client[(cid, currency)].append((due or issued, issued, number))
    rows: list[dict] = []
    lines: list[str] = []
    ordered = sorted(notes.to_dict("records"), key=lambda r: (r["Issue Date"], r["Invoice No"]))
    for note in ordered:
        number, cid, currency = note["Invoice No"], note["Customer ID"], note["Currency"]
        left = note["Amount"] - used.get(number, ZERO)
        base = {"Bank Ref": number, "Customer ID": cid, "Status": AllocationStatus.AUTO, "Date": note["Issue Date"]}
        targets: list[tuple[str, str, str]] = []
        ref = note.get("Ref")
        if ref and open_now.get(ref, ZERO) > 0:
            targets.append((ref, CREDIT_REF_RULE, f"credit note {number} names invoice {ref}"))
        if policy == "oldest":
            targets += [(n, CREDIT_OLDEST_RULE, f"credit note {number}: {cid}'s oldest open {currency} invoice")
                        for _, _, n in sorted(by_client.get((cid, currency), ())) if n != ref]
        for target, rule, reason in targets:
            if left <= 0:
                break
            take = min(left, open_now.get(target, ZERO))
            if take <= 0:
                continue
            rows.append({**base, "Invoice No": target, "Applied Amount": money(take, currency), "Rule": rule,
                         "Reason": reason})
            open_now[target] -= take
            left -= take
            lines.append(f"{number} -> {target} {take:,} ({rule})")
        if left > 0:
            rows.append({**base, "Invoice No": None, "Applied Amount": money(left, currency),
                         "Rule": CREDIT_BALANCE_RULE,
                         "Reason": f"{currency} {left:,} of credit note {number} is on {cid}'s account"})
    if not rows:
        return CreditRun(kept, lines)
    combined = pd.concat([kept, make_frame(ALLOCATIONS, rows)], ignore_index=True).astype(object)
    return CreditRun(combined.where(combined.notna(), None), lines)


def writeoff_rows(invoices: pd.DataFrame, allocations: pd.DataFrame, numbers: list[str] | None,
                  thresholds: dict[str, Decimal] | None, rule: str, reason: str, account: str, day: date,
                  ref: str) -> list[dict]:
    """Write-off allocation rows (Bank Ref ``ref``) clearing the open amount of the given invoices,
    or with ``thresholds`` of every open invoice whose residual is at most its currency's threshold."""
    open_now = invoice_open(invoices, allocations)
    info = {n: (c, cur) for n, c, cur in zip(invoices["Invoice No"], invoices["Customer ID"], invoices["Currency"])}
    if numbers is None:
        numbers = [n for n, left in open_now.items()
                   if left > 0 and thresholds and left <= thresholds.get(info[n][1], Decimal(-1))]
    rows = []
    for number in numbers:
        left = open_now.get(number, ZERO)
        if left <= 0:
            continue
        cid, currency = info[number]
        rows.append({"Bank Ref": ref, "Invoice No": number, "Customer ID": cid, "Applied Amount": left,
                     "Status": AllocationStatus.CONFIRMED, "Rule": rule, "Reason": reason, "Date": day, "Account": account})
    return rows


def credits_on_account(invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, Decimal]]]:
    """(client, currency) -> sources with credit left: credit notes and bank lines' unapplied cash."""
    found: dict[tuple[str, str], list[tuple[str, Decimal]]] = defaultdict(list)
    used = credit_used(allocations, set(invoices.loc[invoices["Type"].eq(CREDIT_NOTE).to_numpy(), "Invoice No"]))
    for number, cid, currency, amount, kind in zip(invoices["Invoice No"], invoices["Customer ID"],
                                                   invoices["Currency"], invoices["Amount"], invoices["Type"]):
        if is_credit_note(kind) and amount - used.get(number, ZERO) > 0:
            found[(cid, currency)].append((number, amount - used.get(number, ZERO)))
    currency_of = dict(zip(bank["Bank Ref"], bank["Currency"]))
    cash: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    rows = in_force(allocations)
    for ref, number, cid, amount, rule in zip(rows["Bank Ref"], rows["Invoice No"], rows["Customer ID"],
                                              rows["Applied Amount"], rows["Rule"]):
        if rule == UNAPPLIED_RULE and cid and ref in currency_of:
            cash[(cid, currency_of[ref], ref)] += amount
    back = refunded(allocations)
    for (cid, currency, ref), amount in cash.items():
        left = amount - back.get(ref, ZERO)
        if left > 0:
            found[(cid, currency)].append((ref, left))
    return found


def refunded(allocations: pd.DataFrame) -> dict[str, Decimal]:
    """Source refunded (a credit note, or the bank line whose unapplied cash went back) -> amount;
    refund rows name their source in Invoice No."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    rows = in_force(allocations)
    for number, amount, rule in zip(rows["Invoice No"], rows["Applied Amount"], rows["Rule"]):
        if rule == REFUND_RULE and number:
            out[number] += amount
    return out


__all__ = ["apply_credit_notes", "writeoff_rows", "credits_on_account", "credit_used", "invoice_open",
           "is_credit_note", "in_force", "refunded", "CREDIT_REF_RULE", "CREDIT_OLDEST_RULE", "CREDIT_BALANCE_RULE",
           "SMALL_WRITEOFF_RULE", "BAD_DEBT_RULE", "REFUND_RULE", "WRITEOFF_RULES", "FEE_RULE"]


def booked_by(allocations: pd.DataFrame, bank: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The rows in force (not memo rows) that take effect on or before ``as_of``: on their own Date
    (credit notes, write-offs) or their bank line's."""
    rows = in_force(allocations)
    bank_day = bank.drop_duplicates("Bank Ref", keep="last").set_index("Bank Ref")["Date"]
    when = rows["Date"].where(rows["Date"].notna(), rows["Bank Ref"].map(bank_day))
    days = np.array(when.to_numpy(dtype=object), dtype="datetime64[D]")
    return rows.loc[days <= np.datetime64(as_of)]


def aging_view(invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame,
               as_of: date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What aging reads when a book has credit notes, write-offs and refunds: (invoices without the
    credit notes, allocations, bank) in which every allocation source that is not a bank line (a
    credit note, a write-off) is a dated line of its own, each credit note's credit left as of
    ``as_of`` is unapplied credit of its client, and refunded unapplied cash is taken back."""
    notes = invoices["Type"].eq(CREDIT_NOTE).to_numpy()
    credit_notes = invoices.loc[notes]
    rows = in_force(allocations)
    used = credit_used(allocations, set(credit_notes["Invoice No"]), bank, as_of)
    currency = dict(zip(invoices["Invoice No"], invoices["Currency"]))
    cash_refs = set(bank["Bank Ref"])
    lines: dict[str, dict] = {}
    own = rows[~rows["Bank Ref"].isin(cash_refs)]  # credit notes and write-offs: few rows
    for ref, day, number in zip(own["Bank Ref"], own["Date"], own["Invoice No"]):
        if ref not in lines and day is not None:
            lines[ref] = {"Bank Ref": ref, "Date": day, "Currency": currency.get(ref) or currency.get(number)}
    extra: list[dict] = []
    for number, cid, cur, amount, issued in zip(credit_notes["Invoice No"], credit_notes["Customer ID"],
                                                credit_notes["Currency"], credit_notes["Amount"],
                                                credit_notes["Issue Date"]):
        lines.setdefault(number, {"Bank Ref": number, "Date": issued, "Currency": cur})
        left = amount - used.get(number, ZERO)
        if issued <= as_of and left:
            extra.append({"Bank Ref": number, "Customer ID": cid, "Applied Amount": left,
                          "Status": AllocationStatus.AUTO, "Rule": UNAPPLIED_RULE})
    refunds = rows[rows["Rule"].eq(REFUND_RULE)]
    for ref, number, cid, amount in zip(refunds["Bank Ref"], refunds["Invoice No"], refunds["Customer ID"],
                                        refunds["Applied Amount"]):
        if number in cash_refs:  # unapplied cash paid back: less credit on the account from the refund's date
            extra.append({"Bank Ref": ref, "Customer ID": cid, "Applied Amount": -amount,
                          "Status": AllocationStatus.AUTO, "Rule": UNAPPLIED_RULE})
    kept = rows[~rows["Rule"].eq(REFUND_RULE)].copy()
    # a credit note or write-off is no payment: it must not move the client's Last Payment
    kept.loc[~kept["Bank Ref"].isin(cash_refs), "Customer ID"] = None
    view_bank = pd.concat([bank, make_frame(BANK, list(lines.values()))], ignore_index=True) if lines else bank
    view_allocations = pd.concat([kept, make_frame(ALLOCATIONS, extra)], ignore_index=True) if extra else kept
    return (invoices.loc[~notes], view_allocations.astype(object).reset_index(drop=True),
            view_bank.astype(object).reset_index(drop=True))


def note_columns(credit_notes: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame,
                 as_of: date) -> pd.DataFrame:
    """Credit notes with their computed columns as of ``as_of``: Applied (credit used), Open (minus
    the credit left), Status paid or open; no bucket, days or reminders."""
    used = credit_used(allocations, set(credit_notes["Invoice No"]), bank, as_of)
    out = credit_notes.copy()
    applied, left, status = [], [], []
    for number, amount, issued in zip(out["Invoice No"], out["Amount"], out["Issue Date"]):
        shown = issued <= as_of
        take = used.get(number, ZERO)
        applied.append(take if shown else None)
        left.append(-(amount - take) if shown else None)
        status.append(("paid" if amount - take <= 0 else "open") if shown else None)
    out["Applied"] = pd.Series(applied, index=out.index, dtype=object)
    out["Open"] = pd.Series(left, index=out.index, dtype=object)
    out["Status"] = pd.Series(status, index=out.index, dtype=object)
    for column in ("Days Overdue", "Bucket", "Reminder Level"):
        out[column] = None
    return out


def age_ledger(customers: pd.DataFrame, invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame,
               policy: Any, as_of: date) -> Any:
    """``aging.age`` over a book with credit notes, write-offs and refunds (see ``aging_view``); the
    credit notes come back in their place on Invoices with ``note_columns``."""
    from arbook.domain.aging import age

    plain_book = (not invoices["Type"].eq(CREDIT_NOTE).any() and not allocations["Date"].notna().any()
                  and not allocations["Rule"].eq(REFUND_RULE).any())
    if plain_book:  # nothing but bank lines and invoices: aging as it is (no per-row work here)
        return age(customers, invoices, allocations, bank, policy, as_of)
    plain, view_allocations, view_bank = aging_view(invoices, allocations, bank, as_of)
    result = age(customers, plain, view_allocations, view_bank, policy, as_of)
    notes = invoices["Type"].eq(CREDIT_NOTE).to_numpy()
    if notes.any():
        positions = pd.RangeIndex(len(invoices))
        aged = result.invoices.set_axis(positions[~notes])
        credited = note_columns(invoices.loc[notes], allocations, bank, as_of).set_axis(positions[notes])
        merged = pd.concat([aged, credited]).sort_index()
        result.invoices = merged.set_axis(invoices.index)
    return result
