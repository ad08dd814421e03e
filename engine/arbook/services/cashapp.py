"""Cash application on a book: match, confirm the accountant's review decisions, unmatch.

Reads and writes through the Book interface (either adapter); the matching itself is the pure
``matching.engine``. Every action is logged.
"""
from __future__ import annotations

import re
from decimal import Decimal
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pandas as pd

from arbook.model.book import Book
from arbook.model.errors import ArbookError, InputError, Problem
from arbook.domain.matching.engine import (APPLIED_STATUSES, AUTO_SCORE, FEE_RULE, UNAPPLIED_RULE, MatchResult,
                                           bank_totals, fee_history, open_items, run_matching, stated_charge,
                                           stated_fee)
from arbook.domain.matching.fees import fee_reason
from arbook.domain.matching.names import THIRD_PARTY, CustomerIndex, split_names
from arbook.domain.matching.normalize import name_key
from arbook.model.money import MoneyError, from_minor, money, to_minor
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES, LOG, REVIEW
from arbook.model.statuses import Accept, AllocationStatus, BankStatus, Rule


def match_book(book: Book) -> MatchResult:
    """Match every open credit in the book (staged; the caller commits) and log the outcome."""
    result = run_matching(book.read(CUSTOMERS.name), book.read(INVOICES.name), book.read(BANK.name),
                          book.read(ALLOCATIONS.name))
    book.replace(ALLOCATIONS.name, result.allocations)
    book.replace(BANK.name, result.bank)
    book.replace(REVIEW.name, result.review)
    book.log("match", result.summary())
    from arbook.services.adjustments import refund_book

    refund_book(book)  # debit lines that pay a client's credit back: proposed on Review too
    return result


@dataclass
class ConfirmResult:
    confirmed: int = 0
    rejected: int = 0
    learned: int = 0
    undecided: int = 0

    def summary(self) -> str:
        return (f"{self.confirmed} proposals confirmed, {self.rejected} rejected, {self.learned} payer names "
                f"learned; {self.undecided} still to review")


def confirm_book(book: Book) -> ConfirmResult:
    """Apply the Accept column of the Review sheet: yes confirms (and learns the payer name),
    no rejects. One yes per bank line; a confirmation that would overpay an invoice is refused."""
    review = book.read(REVIEW.name)
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    customers = book.read(CUSTOMERS.name)
    bank = book.read(BANK.name)
    source = f"{book.source} [Review]"
    typed = review[review["Apply To"].fillna("").astype(str).str.strip() != ""]
    decided = review[review["Accept"].isin(list(Accept)) & ~review.index.isin(typed.index)]
    accepted = decided[decided["Accept"] == Accept.YES]
    problems = [Problem(source, int(line), "Apply To", "Accept says no but Apply To is filled in: clear one of them")
                for line in typed.index[typed["Accept"] == Accept.NO]]
    seen: dict[str, int] = {}
    for line, ref, column in [*zip(accepted.index, accepted["Bank Ref"], ["Accept"] * len(accepted)),
                              *zip(typed.index, typed["Bank Ref"], ["Apply To"] * len(typed))]:
        if ref in seen:
            problems.append(Problem(source, int(line), column, f"bank line {ref} is already accepted on line "
                                                               f"{seen[ref]}; accept one proposal per payment"))
        seen.setdefault(ref, int(line))
    if problems:
        raise InputError(problems)
    known_tags = set(allocations["Proposal"].dropna())
    for line, tag in zip(decided.index, decided["Proposal"]):
        if tag not in known_tags:
            problems.append(Problem(source, int(line), "Proposal", f"{tag} is not in Allocations (re-run match)"))
    if problems:
        raise InputError(problems)
    result = ConfirmResult()
    status = allocations["Status"].tolist()
    tags = allocations["Proposal"].tolist()
    accepted_tags = set(accepted["Proposal"])
    accepted_refs = set(accepted["Bank Ref"])
    rejected_tags = set(decided.loc[decided["Accept"] == Accept.NO, "Proposal"])
    _check_still_open(book.read(INVOICES.name), allocations, accepted, source)
    for i, (tag, ref, state) in enumerate(zip(tags, allocations["Bank Ref"], status)):
        if state != AllocationStatus.SUGGESTED:
            continue
        if tag in accepted_tags:
            status[i] = AllocationStatus.CONFIRMED.value
        elif tag in rejected_tags or ref in accepted_refs:
            status[i] = AllocationStatus.REJECTED.value
    allocations["Status"] = status
    invoices = book.read(INVOICES.name)
    learn = list(zip(accepted["Customer ID"], accepted["Payer"]))
    names = CustomerIndex(customers.to_dict("records")) if len(typed) else None
    for line, row in typed.iterrows():
        where = f"{source}:{int(line)}: Apply To"
        allocations, customer = _manual(allocations, bank, invoices, customers, names, row["Bank Ref"],
                                        parse_targets(str(row["Apply To"]), where), where, "the Review sheet")
        learn.append((customer, row["Payer"]))
    result.confirmed, result.rejected = len(accepted_tags) + len(typed), len(rejected_tags)
    result.learned = len(_learn_payers(book, customers, learn))
    bank_status = {}
    for ref in set(decided["Bank Ref"]) | set(typed["Bank Ref"]):
        rows = allocations[allocations["Bank Ref"] == ref]
        if rows["Status"].isin(APPLIED_STATUSES).any():
            bank_status[ref] = BankStatus.MATCHED.value
        elif not rows["Status"].eq(AllocationStatus.SUGGESTED).any():
            bank_status[ref] = BankStatus.UNMATCHED.value
    book.replace(ALLOCATIONS.name, allocations)
    book.replace(BANK.name, bank_totals(bank, allocations, bank_status))
    done = accepted_refs | set(typed["Bank Ref"])
    remaining = review[~review["Proposal"].isin(set(decided["Proposal"])) & ~review["Bank Ref"].isin(done)]
    book.replace(REVIEW.name, remaining)
    result.undecided = remaining["Bank Ref"].nunique()
    for row in typed.to_dict("records"):
        book.log("apply", f"{row['Bank Ref']} -> {row['Apply To']} (typed on the Review sheet)")
    for row in accepted.to_dict("records"):
        book.log("confirm", f"{row['Bank Ref']} -> {row['Customer ID']} {row['Invoices']} ({row['Rule']})")
    for row in decided[decided["Accept"] == Accept.NO].to_dict("records"):
        book.log("reject", f"{row['Bank Ref']} -/-> {row['Customer ID']} {row['Invoices']} ({row['Rule']})")
    return result


def _check_still_open(invoices: pd.DataFrame, allocations: pd.DataFrame, accepted: pd.DataFrame, source: str) -> None:
    """InputError when an accepted proposal would apply more than an invoice still has open."""
    items = open_items(invoices, allocations)
    line_of = dict(zip(accepted["Proposal"], accepted.index))
    wanted: dict[str, int] = defaultdict(int)
    for tag, number, amount, rule in zip(allocations["Proposal"], allocations["Invoice No"], allocations["Applied Amount"],
                                         allocations["Rule"]):
        if tag not in line_of or not number or rule == Rule.REFUND:  # a refund names a credit, not an invoice
            continue
        item = items.get(number)
        if item is not None:
            wanted[number] += to_minor(amount, item.currency)
        if item is None or wanted[number] > item.open:
            raise InputError([Problem(source, int(line_of[tag]), "Accept",
                                      f"{number} no longer has that much open (paid meanwhile?); re-run match")])


def learned_note(customer: str, payer: str, column: str) -> str:
    """The Log's words for a payer name learned (``unmatch`` looks for them to forget it again)."""
    return f"{customer}: payer name {payer!r} added to {column}"


def _learn_payers(book: Book, customers: pd.DataFrame, confirmed: list[tuple[str, Any]]) -> list[str]:
    """Learn each confirmed (customer, payer): a variant of the client's own name goes to its
    Payer Names, anyone else (parent, factoring company, a director) to its Paid By; returns what was learned."""
    learned: list[str] = []
    lists = {column: dict(zip(customers["Customer ID"], customers[column])) for column in ("Payer Names", "Paid By")}
    records = {r["Customer ID"]: r for r in customers.to_dict("records")}
    for cid, payer in confirmed:
        if not payer or cid not in records:
            continue
        key = name_key(str(payer), drop_digits=True)
        known = {name_key(a, drop_digits=True) for column in lists for a in split_names(lists[column][cid])}
        if not key or key in known:
            continue
        own = {**records[cid], "Payer Names": None, "Paid By": None}
        score = max((h.score for h in CustomerIndex([own]).identify(str(payer))), default=0.0)
        if score >= 0.98:
            continue  # the client's own name as the bank prints it: nothing to learn
        column = "Payer Names" if score >= 0.9 else "Paid By"
        cleaned = " ".join(str(payer).replace(";", " ").split())
        lists[column][cid] = f"{lists[column][cid]};{cleaned}" if lists[column][cid] else cleaned
        learned.append(learned_note(cid, cleaned, column))
        book.log("learn", learned[-1])
    if learned:
        customers = customers.copy()
        for column, values in lists.items():
            customers[column] = [values[c] for c in customers["Customer ID"]]
        book.replace(CUSTOMERS.name, customers)
    return learned


_TARGET = re.compile(r"([^\s,;、=]+)(?:\s*(=)\s*([^\s,;、=]*(?:,\d{3}(?=[\s,;、.]|$))*(?:\.\d+)?))?|(=)")


_PLAIN_AMOUNT = re.compile(r"^[+-]?\d+(?:\.\d+)?$")  # digits (full-width too) and a decimal point, no 1e3 or 1_000


def parse_targets(text: str, where: str) -> list[tuple[str, str | None]]:
    """``INV-1, INV-2=5,000`` (separated by commas, spaces or semicolons; amounts may carry
    thousands separators) -> [(invoice, amount text or None)]; ArbookError on a stray ``=``."""
    targets = []
    for number, equals, amount, stray in _TARGET.findall(text.replace("＝", "=")):
        amount = amount.rstrip(",").replace(",", "")
        if stray or (equals and not amount):
            raise ArbookError(f"{where}: {text.strip()}: write each as INVOICE or INVOICE=AMOUNT")
        if amount and not _PLAIN_AMOUNT.match(amount):
            raise ArbookError(f"{where}: {number}: not an amount: {amount!r}")
        targets.append((number, amount or None))
    if not targets:
        raise ArbookError(f"{where}: no invoice numbers given")
    return targets


def _manual(allocations: pd.DataFrame, bank: pd.DataFrame, invoices: pd.DataFrame, customers: pd.DataFrame,
            names: CustomerIndex, bank_ref: str, targets: list[tuple[str, str | None]], where: str, how: str,
            third_party: bool = False) -> tuple[pd.DataFrame, str]:
    """Allocations with bank line ``bank_ref`` (or the unapplied cash it left) applied to the
    chosen invoices, and the customer paid (``names``: the customers indexed); ArbookError naming ``where`` when
    the checks fail (a payer recognised as another client needs ``third_party``)."""
    lines = bank[bank["Bank Ref"] == bank_ref]
    if lines.empty:
        raise ArbookError(f"{where}: bank line {bank_ref!r} is not on the Bank sheet")
    line = lines.iloc[0]
    currency = line["Currency"]
    mine = allocations[(allocations["Bank Ref"] == bank_ref) & allocations["Status"].isin(APPLIED_STATUSES)]
    applied_before = mine[mine["Invoice No"].notna() & (mine["Invoice No"] != "")]
    if len(applied_before):  # already applied: only the cash it left unapplied can still be applied
        cash_owner = str(applied_before["Customer ID"].iloc[0])
        available = to_minor(sum(mine.loc[mine["Rule"] == UNAPPLIED_RULE, "Applied Amount"], Decimal(0)), currency)
        if available <= 0:
            raise ArbookError(f"{where}: bank line {bank_ref} is already applied and left no unapplied cash; "
                              f"unmatch it first")
    else:
        cash_owner, available = None, to_minor(line["Amount"], currency)
        if available <= 0:
            raise ArbookError(f"{where}: bank line {bank_ref} is not a credit")
    items = open_items(invoices, allocations)
    known = set(invoices["Invoice No"])
    folded: dict[str, list[str]] = defaultdict(list)  # inv-2016 typed for INV-2016
    for known_number in known:
        folded[str(known_number).casefold()].append(known_number)
    named: list[tuple[Any, Any]] = []
    for typed, amount in targets:
        alike = folded.get(str(typed).casefold(), [])
        number = typed if typed in known else alike[0] if len(alike) == 1 else None
        if number is None:
            raise ArbookError(f"{where}: {typed}: no such invoice")
        item = items.get(number)
        if item is None:
            raise ArbookError(f"{where}: {number}: nothing left open on it")
        if item.currency != currency:
            raise ArbookError(f"{where}: {number}: invoice is in {item.currency}, the payment in {currency}")
        if any(other is item for other, _ in named):
            raise ArbookError(f"{where}: {number}: named twice; give it once, with the whole amount to apply")
        named.append((item, amount))
    owners = list(dict.fromkeys(item.customer for item, _ in named))  # whose invoices, before how much of them
    payer = str(line["Payer"] or "")
    if cash_owner is not None and owners != [cash_owner]:
        raise ArbookError(f"{where}: the unapplied cash of {bank_ref} belongs to {cash_owner}; "
                          f"{', '.join(o for o in owners if o != cash_owner)} is another client")
    hits = names.identify(payer) if payer else []
    recognised = {h.customer for h in hits if h.score >= AUTO_SCORE}
    known_third_party = any(h.label == THIRD_PARTY for h in hits)  # a factor or parent already paying for others
    if cash_owner is None and recognised and not set(owners) & recognised and not (third_party or known_third_party):
        raise ArbookError(f"{where}: the payer {payer!r} is {', '.join(sorted(recognised))}, not "
                          f"{', '.join(owners)}: check the invoice numbers, or apply it as a third-party payment "
                          f"(arbook apply BOOK {bank_ref} ... --third-party)")
    if len(owners) > 1:
        known_for = {h.customer for h in hits if h.score >= 0.97}
        if not set(owners) <= known_for:
            raise ArbookError(f"{where}: the invoices belong to {', '.join(owners)}; one payment pays one client "
                              "unless its payer is learned (Paid By) for each")
    chosen: list[tuple[Any, int]] = []
    for item, amount in named:
        try:
            units = item.open if amount is None else to_minor(money(amount, currency), currency)
        except MoneyError as error:
            raise ArbookError(f"{where}: {item.number}: {error}") from None
        if not 0 < units <= item.open:
            raise ArbookError(f"{where}: {item.number}: amount must be more than 0 and at most the open "
                              f"{from_minor(item.open, currency):,}")
        chosen.append((item, units))
    total = sum(units for _, units in chosen)
    fee = 0
    if total > available:
        stated_units = stated_fee(customers.loc[customers["Customer ID"] == owners[0], "Fee Deduction"].iloc[0],
                                  currency)
        learned = fee_history(bank, allocations).get((owners[0], currency), frozenset())
        why = fee_reason(total - available, currency, stated_units, learned,
                         stated_charge(line.get("Charges"), currency) if cash_owner is None else None)
        if cash_owner is not None or why is None:
            raise ArbookError(f"{where}: the invoices come to {from_minor(total, currency):,} but the payment has "
                              f"{from_minor(available, currency):,} (short by no known bank fee); "
                              + ("give amounts as INVOICE=AMOUNT" if all(a is None for _, a in named) else
                                 "lower the amounts given"))
        fee = total - available
    tags = [str(t) for t in allocations.loc[allocations["Bank Ref"] == bank_ref, "Proposal"].dropna()]
    number = max([int(t.rpartition("#")[2]) for t in tags if t.rpartition("#")[2].isdigit()] or [0]) + 1
    reason = f"applied by hand ({how})"
    base = {"Bank Ref": bank_ref, "Status": AllocationStatus.CONFIRMED.value, "Rule": Rule.MANUAL.value, "Reason": reason, "Score": None,
            "Proposal": f"{bank_ref}#{number}"}
    rows = [{**base, "Invoice No": item.number, "Customer ID": item.customer,
             "Applied Amount": from_minor(units, currency)} for item, units in chosen]
    left = available - total + fee
    if fee:
        rows.append({**base, "Invoice No": None, "Customer ID": owners[0], "Rule": FEE_RULE,
                     "Applied Amount": -from_minor(fee, currency)})
    if cash_owner is not None:  # the cash moves from unapplied to the invoices
        rows.append({**base, "Invoice No": None, "Customer ID": cash_owner, "Rule": UNAPPLIED_RULE,
                     "Applied Amount": -from_minor(total, currency)})
    elif left:
        rows.append({**base, "Invoice No": None, "Customer ID": owners[0], "Rule": UNAPPLIED_RULE,
                     "Applied Amount": from_minor(left, currency)})
    status = allocations["Status"].tolist()
    for i, (ref, state) in enumerate(zip(allocations["Bank Ref"], status)):
        if ref == bank_ref and state == AllocationStatus.SUGGESTED:
            status[i] = AllocationStatus.REJECTED.value
    allocations = allocations.assign(Status=status)
    added = pd.DataFrame([{c: r.get(c) for c in allocations.columns} for r in rows], columns=allocations.columns,
                         dtype=object)
    return pd.concat([allocations, added], ignore_index=True), owners[0]


def apply_book(book: Book, bank_ref: str, targets: list[str] | str, third_party: bool = False) -> str:
    """Apply bank line ``bank_ref`` (or the cash it left unapplied) by hand to ``targets``
    (``INVOICE`` or ``INVOICE=AMOUNT``, a list or one comma-separated text): confirmed, logged, payer
    learned; returns a summary.
    ``third_party``: the payer is recognised as another client and pays for this one."""
    where = f"{book.source}: apply {bank_ref}"
    parsed = parse_targets(targets if isinstance(targets, str) else ",".join(targets), where)
    customers = book.read(CUSTOMERS.name)
    bank = book.read(BANK.name)
    before = book.read(ALLOCATIONS.name).reset_index(drop=True)
    allocations, customer = _manual(before, bank, book.read(INVOICES.name), customers,
                                    CustomerIndex(customers.to_dict("records")), bank_ref, parsed, where,
                                    "arbook apply", third_party)
    added = allocations.iloc[len(before):]
    currency = bank.loc[bank["Bank Ref"] == bank_ref, "Currency"].iloc[0]
    book.replace(ALLOCATIONS.name, allocations)
    book.replace(BANK.name, bank_totals(bank, allocations, {bank_ref: BankStatus.MATCHED.value}))
    review = book.read(REVIEW.name)
    book.replace(REVIEW.name, review[review["Bank Ref"] != bank_ref])
    payer = bank.loc[bank["Bank Ref"] == bank_ref, "Payer"].iloc[0]
    learned = _learn_payers(book, book.read(CUSTOMERS.name), [(customer, payer)])
    parts = [f"{number} {currency} {amount:,}" if number else f"{rule} {currency} {amount:,}"
             for number, rule, amount in zip(added["Invoice No"], added["Rule"], added["Applied Amount"])]
    summary = f"{bank_ref} applied to {', '.join(parts)} ({customer})"
    book.log("apply", summary)
    return "; ".join([summary, *learned])


@dataclass
class UnmatchResult:
    """What ``unmatch`` reversed, and the payer names it had taught that nothing else supports now."""

    bank_ref: str
    rows: int
    unlearned: list[str]

    def summary(self) -> str:
        said = f"reversed {self.rows} allocation row(s) of {self.bank_ref}; the line is unmatched again (it is not " \
               "proposed again: apply it by hand with `arbook apply BOOK BANK_REF INVOICE...`)"
        return "; ".join([said, *self.unlearned])


def unmatch_book(book: Book, bank_ref: str) -> UnmatchResult:
    """Reverse the applied allocations of one bank line (kept as rejected), and forget a payer name it taught
    (Log: learn) that no other applied payment of that client supports."""
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    mask = (allocations["Bank Ref"] == bank_ref) & allocations["Status"].isin(APPLIED_STATUSES)
    if not mask.any():
        raise ArbookError(f"{book.source}: bank line {bank_ref!r} has no auto or confirmed "
                          "allocation to reverse")
    reversed_rows = allocations[mask]
    allocations.loc[mask, "Status"] = AllocationStatus.REJECTED.value
    book.replace(ALLOCATIONS.name, allocations)
    bank = book.read(BANK.name)
    book.replace(BANK.name, bank_totals(bank, allocations, {bank_ref: BankStatus.UNMATCHED.value}))
    invoices = ", ".join(n for n in reversed_rows["Invoice No"] if n)
    book.log("unmatch", f"{bank_ref}: reversed {len(reversed_rows)} allocation(s) ({invoices or 'no invoice'})")
    unlearned = _unlearn(book, bank, allocations, bank_ref, set(reversed_rows["Customer ID"].dropna()))
    return UnmatchResult(bank_ref, len(reversed_rows), unlearned)


def _unlearn(book: Book, bank: pd.DataFrame, allocations: pd.DataFrame, bank_ref: str, clients: set[str]) -> list[str]:
    """Take the bank line's payer out of the clients' Payer Names / Paid By where a confirmation learned it
    (the Log says so) and no other applied payment of the client came from that payer."""
    payer_of = dict(zip(bank["Bank Ref"], bank["Payer"]))
    key = name_key(str(payer_of.get(bank_ref) or ""), drop_digits=True)
    if not key:
        return []
    applied = allocations[allocations["Status"].isin(APPLIED_STATUSES) & allocations["Customer ID"].isin(clients)]
    still = {(cid, name_key(str(payer_of.get(ref) or ""), drop_digits=True))
             for cid, ref in zip(applied["Customer ID"], applied["Bank Ref"])}
    log = book.read(LOG.name)
    taught = set(log.loc[log["Action"] == "learn", "Details"])
    customers = book.read(CUSTOMERS.name)
    out: list[str] = []
    for column in ("Payer Names", "Paid By"):
        cells = []
        for cid, cell in zip(customers["Customer ID"], customers[column]):
            names = split_names(cell)
            drop = [n for n in names if cid in clients and (cid, key) not in still
                    and name_key(n, drop_digits=True) == key and learned_note(cid, n, column) in taught]
            cells.append(";".join(n for n in names if n not in drop) or None if drop else cell)
            out += [f"{cid}: payer name {n!r} removed from {column} (learned from this payment)" for n in drop]
        customers[column] = cells
    if out:
        book.replace(CUSTOMERS.name, customers)
        for said in out:
            book.log("unlearn", said)
    return out


__all__ = ["match_book", "confirm_book", "unmatch_book", "apply_book", "ConfirmResult", "UnmatchResult"]
