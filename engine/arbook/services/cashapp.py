"""Cash application on a book: match, confirm the accountant's review decisions, unmatch.

Reads and writes through the Book interface (either adapter); the matching itself is the pure
``matching.engine``. Every action is logged.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from arbook.model.book import Book
from arbook.model.errors import ArbookError, InputError, Problem
from arbook.domain.matching.engine import APPLIED_STATUSES, MatchResult, bank_totals, open_items, run_matching
from arbook.domain.matching.normalize import name_key
from arbook.model.money import to_minor
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES, REVIEW
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
    source = f"{getattr(book, 'source', 'book')} [Review]"
    decided = review[review["Accept"].isin(list(Accept))]
    accepted = decided[decided["Accept"] == Accept.YES]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, ref in zip(accepted.index, accepted["Bank Ref"]):
        if ref in seen:
            problems.append(Problem(source, int(line), "Accept", f"bank line {ref} is already accepted on line "
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
    result = ConfirmResult(undecided=len(review) - len(decided))
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
    result.confirmed, result.rejected = len(accepted_tags), len(rejected_tags)
    result.learned = _learn_payers(book, customers, accepted)
    bank_status = {}
    for ref in set(decided["Bank Ref"]):
        rows = allocations[allocations["Bank Ref"] == ref]
        if rows["Status"].isin(APPLIED_STATUSES).any():
            bank_status[ref] = BankStatus.MATCHED.value
        elif not rows["Status"].eq(AllocationStatus.SUGGESTED).any():
            bank_status[ref] = BankStatus.UNMATCHED.value
    book.replace(ALLOCATIONS.name, allocations)
    book.replace(BANK.name, bank_totals(bank, allocations, bank_status))
    remaining = review[~review["Proposal"].isin(set(decided["Proposal"])) & ~review["Bank Ref"].isin(accepted_refs)]
    book.replace(REVIEW.name, remaining)
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


def _learn_payers(book: Book, customers: pd.DataFrame, accepted: pd.DataFrame) -> int:
    """Add each confirmed payer string to its client's Payer Names unless already known."""
    learned = 0
    names = dict(zip(customers["Customer ID"], customers["Payer Names"]))
    known = {cid: {name_key(a) for a in str(names[cid] or "").split(";") if a.strip()} for cid in names}
    for cid, payer in zip(accepted["Customer ID"], accepted["Payer"]):
        if not payer or cid not in names:
            continue
        key = name_key(payer, drop_digits=True)
        if not key or key in known[cid]:
            continue
        cleaned = " ".join(str(payer).replace(";", " ").split())
        names[cid] = f"{names[cid]};{cleaned}" if names[cid] else cleaned
        known[cid].add(key)
        learned += 1
        book.log("learn", f"{cid}: payer name {cleaned!r} added to Payer Names")
    if learned:
        customers = customers.copy()
        customers["Payer Names"] = [names[c] for c in customers["Customer ID"]]
        book.replace(CUSTOMERS.name, customers)
    return learned


def unmatch_book(book: Book, bank_ref: str) -> int:
    """Reverse the applied allocations of one bank line (kept as rejected); returns rows reversed."""
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    mask = (allocations["Bank Ref"] == bank_ref) & allocations["Status"].isin(APPLIED_STATUSES)
    if not mask.any():
        raise ArbookError(f"bank line {bank_ref!r} has no auto or confirmed allocation to reverse")
    reversed_rows = allocations[mask]
    allocations.loc[mask, "Status"] = AllocationStatus.REJECTED.value
    book.replace(ALLOCATIONS.name, allocations)
    book.replace(BANK.name, bank_totals(book.read(BANK.name), allocations, {bank_ref: BankStatus.UNMATCHED.value}))
    invoices = ", ".join(n for n in reversed_rows["Invoice No"] if n)
    book.log("unmatch", f"{bank_ref}: reversed {len(reversed_rows)} allocation(s) ({invoices or 'no invoice'})")
    return len(reversed_rows)


__all__ = ["match_book", "confirm_book", "unmatch_book", "ConfirmResult"]
