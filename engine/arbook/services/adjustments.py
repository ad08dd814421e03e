"""Credit notes, write-offs and refunds on a book: staged allocations, every one logged.

The rules are the pure ``domain.credits``; this module reads Settings, writes through the Book
interface and keeps the Write-offs report sheet current.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from arbook.domain.credits import (BAD_DEBT_RULE, CREDIT_POLICIES, REFUND_RULE, SMALL_WRITEOFF_RULE, WRITEOFF_RULES,
                                   apply_credit_notes, credits_on_account, writeoff_rows)
from arbook.domain.matching.engine import APPLIED_STATUSES, bank_totals
from arbook.model.book import Book, Report
from arbook.model.errors import ArbookError
from arbook.model.frames import make_frame
from arbook.model.money import MoneyError, money
from arbook.model.schema import ALLOCATIONS, BANK, CURRENCY_CODES, DEFAULT_SETTINGS, INVOICES, REVIEW
from arbook.model.statuses import AllocationStatus, BankStatus

WRITEOFF_PREFIX = "WO-"
DEFAULTS = {key: value for key, value, _ in DEFAULT_SETTINGS}
REFUND_NAME_SCORE = 0.8  # how sure the payee name must be to propose a refund on the amount alone
WRITEOFFS_SHEET = "Write-offs"


def credit_policy(settings: dict[str, str]) -> str:
    """The Credit Notes setting (``oldest`` by default); ArbookError for another value."""
    value = (settings.get("Credit Notes") or "oldest").strip().lower()
    if value not in CREDIT_POLICIES:
        raise ArbookError(f"Settings: Credit Notes: {value!r} must be one of {', '.join(CREDIT_POLICIES)}")
    return value


def apply_credits(book: Book) -> int:
    """Apply every credit note's remaining credit (staged) and log each application; returns the count."""
    run = apply_credit_notes(book.read(INVOICES.name), book.read(ALLOCATIONS.name), credit_policy(book.settings()))
    if not run.allocations.equals(book.read(ALLOCATIONS.name).reset_index(drop=True)):
        book.replace(ALLOCATIONS.name, run.allocations)
    for line in run.notes:
        book.log("credit note", line)
    return len(run.notes)


def thresholds(settings: dict[str, str]) -> dict[str, Decimal]:
    """The Write-off Threshold setting (``JPY 1000; USD 10``) as currency -> largest amount."""
    text = settings.get("Write-off Threshold", DEFAULTS["Write-off Threshold"])  # a book from before the setting
    out: dict[str, Decimal] = {}
    for part in text.replace("；", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        code, _, amount = part.strip().partition(" ")
        code = code.upper()
        try:
            if code not in CURRENCY_CODES:
                raise MoneyError(code)
            out[code] = money(amount.strip(), code)
        except (MoneyError, ValueError):
            raise ArbookError(f"Settings: Write-off Threshold: {part.strip()!r} is not like 'JPY 1000'") from None
    return out


@dataclass
class WriteoffRun:
    """A write-off done (its reference and rows) or reversed (``reversed`` rows)."""

    ref: str
    rows: list[dict]
    reversed: int = 0

    def summary(self) -> str:
        if self.reversed:
            return f"reversed {self.reversed} write-off row(s) of {self.ref}"
        if not self.rows:
            return "nothing to write off"
        totals: dict[str, Decimal] = {}
        for row in self.rows:
            totals[row["Currency"]] = totals.get(row["Currency"], Decimal(0)) + row["Applied Amount"]
        return (f"{self.ref}: wrote off {len(self.rows)} invoice(s), "
                + ", ".join(f"{c} {t:,}" for c, t in sorted(totals.items())))


def _next_ref(allocations: pd.DataFrame, day: date) -> str:
    stem = f"{WRITEOFF_PREFIX}{day:%Y%m%d}-"
    taken = {str(r) for r in allocations["Bank Ref"] if str(r).startswith(stem)}
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def writeoff_book(book: Book, numbers: list[str] | None = None, reason: str | None = None,
                  day: date | None = None) -> WriteoffRun:
    """Write off (staged, logged): the given invoices as bad debt (a reason is required), or with no
    invoices every open residual at most its currency's Write-off Threshold."""
    day = day or date.today()
    settings = book.settings()
    invoices = book.read(INVOICES.name)
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    ref = _next_ref(allocations, day)
    if numbers:
        if not reason:
            raise ArbookError("a bad-debt write-off needs --reason (e.g. 'customer bankrupt')")
        unknown = [n for n in numbers if n not in set(invoices["Invoice No"])]
        if unknown:
            raise ArbookError(f"no such invoice: {', '.join(unknown)}")
        rows = writeoff_rows(invoices, allocations, numbers, None, BAD_DEBT_RULE, reason,
                             settings.get("Bad Debt Account") or DEFAULTS["Bad Debt Account"], day, ref)
        closed = [n for n in dict.fromkeys(numbers) if n not in {r["Invoice No"] for r in rows}]
        if closed:
            raise ArbookError(f"nothing left open to write off on {', '.join(closed)}")
    else:
        limits = thresholds(settings)
        rows = writeoff_rows(invoices, allocations, None, limits, SMALL_WRITEOFF_RULE,
                             reason or "residual within the Write-off Threshold",
                             settings.get("Write-off Account") or DEFAULTS["Write-off Account"], day, ref)
    currency = dict(zip(invoices["Invoice No"], invoices["Currency"]))
    run = WriteoffRun(ref, [{**r, "Currency": currency[r["Invoice No"]]} for r in rows])
    if rows:
        combined = pd.concat([allocations, make_frame(ALLOCATIONS, rows)], ignore_index=True).astype(object)
        book.replace(ALLOCATIONS.name, combined.where(combined.notna(), None))
        for row in run.rows:
            book.log("writeoff", f"{ref}: {row['Invoice No']} {row['Currency']} {row['Applied Amount']:,} "
                                 f"({row['Rule']}, {row['Account']}): {row['Reason']}")
        book.put_report(writeoffs_report(book))
    return run


def writeoff(book: Book, invoices: list[str] | None = None, reason: str | None = None, reverse: str | None = None,
             day: date | None = None) -> WriteoffRun:
    """The ``writeoff`` command: reverse the write-off ``reverse``, else write off (see ``writeoff_book``)."""
    if reverse:
        return WriteoffRun(reverse, [], reverse_writeoff(book, reverse))
    return writeoff_book(book, invoices or None, reason, day)


def reverse_writeoff(book: Book, ref: str) -> int:
    """Reverse a write-off (its rows kept as rejected; staged, logged); returns the rows reversed."""
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    mask = ((allocations["Bank Ref"] == ref) & allocations["Rule"].isin(WRITEOFF_RULES)
            & allocations["Status"].isin(APPLIED_STATUSES))
    if not mask.any():
        raise ArbookError(f"{ref!r} is not a write-off in force (see the {WRITEOFFS_SHEET} sheet)")
    allocations.loc[mask, "Status"] = AllocationStatus.REJECTED
    book.replace(ALLOCATIONS.name, allocations)
    book.log("writeoff reversed", f"{ref}: {int(mask.sum())} row(s) back to open")
    book.put_report(writeoffs_report(book))
    return int(mask.sum())


def writeoffs_report(book: Book) -> Report:
    """Every write-off row (in force or reversed) as the Write-offs report sheet."""
    allocations = book.read(ALLOCATIONS.name)
    currency = dict(zip(book.read(INVOICES.name)["Invoice No"], book.read(INVOICES.name)["Currency"]))
    rows = [[r["Date"], r["Bank Ref"], r["Invoice No"], r["Customer ID"], currency.get(r["Invoice No"]),
             r["Applied Amount"], r["Rule"], r["Account"], r["Reason"],
             "in force" if r["Status"] in APPLIED_STATUSES else "reversed"]
            for r in allocations.to_dict("records") if r["Rule"] in WRITEOFF_RULES]
    return Report(WRITEOFFS_SHEET, ["Date", "Write-off", "Invoice No", "Customer ID", "Currency", "Amount", "Rule",
                                    "Account", "Reason", "State"],
                  ["date", "text", "text", "text", "text", "money", "text", "text", "text", "text"], rows)


@dataclass
class RefundProposal:
    """A debit bank line that pays back a client's credit (a credit note or unapplied cash)."""

    bank_ref: str
    customer: str
    source: str
    amount: Decimal
    reason: str

    def line(self) -> str:
        return f"{self.bank_ref}: refund of {self.source} to {self.customer} {self.amount:,} ({self.reason})"


def _review_row(book: Book, proposal: RefundProposal) -> dict:
    """The Review sheet row of a refund proposal (Accept yes confirms it through ``confirm``)."""
    line = book.read(BANK.name).set_index("Bank Ref").loc[proposal.bank_ref]
    names = dict(zip(book.read("Customers")["Customer ID"], book.read("Customers")["Name"]))
    return {"Proposal": f"{proposal.bank_ref}#r", "Bank Ref": proposal.bank_ref, "Date": line["Date"],
            "Amount": line["Amount"], "Currency": line["Currency"], "Payer": line["Payer"], "Memo": line["Memo"],
            "Customer ID": proposal.customer, "Customer": names.get(proposal.customer), "Invoices": proposal.source,
            "Applied": proposal.amount, "Rule": REFUND_RULE, "Reason": proposal.reason, "Score": 1.0}


def refund_proposals(book: Book) -> list[RefundProposal]:
    """Debit bank lines not yet applied whose payee is a client with a credit (credit note or
    unapplied cash) of exactly that amount in that currency, or whose memo names the credit."""
    from arbook.domain.matching.names import CustomerIndex

    bank = book.read(BANK.name)
    allocations = book.read(ALLOCATIONS.name)
    customers = book.read("Customers")
    credits = credits_on_account(book.read(INVOICES.name), allocations, bank)
    if not credits:
        return []
    index = CustomerIndex(customers.to_dict("records"))
    applied = set(allocations.loc[allocations["Status"].isin(APPLIED_STATUSES), "Bank Ref"])
    refused = allocations[allocations["Rule"].eq(REFUND_RULE) & allocations["Status"].eq(AllocationStatus.REJECTED)]
    declined = set(zip(refused["Bank Ref"], refused["Invoice No"]))  # the accountant said no: not proposed again
    out = []
    for line in bank[(bank["Amount"] < 0) & ~bank["Bank Ref"].isin(applied)].to_dict("records"):
        amount, currency = -line["Amount"], line["Currency"]
        memo = f"{line.get('Memo') or ''} {line.get('Payer') or ''}"
        payer = str(line.get("Payer") or "")
        hits = {h.customer for h in index.identify(payer) if h.score >= REFUND_NAME_SCORE} if payer else set()
        for (cid, ccy), sources in sorted(credits.items()):
            if ccy != currency:
                continue
            for source, left in sources:
                named = source in memo
                if left == amount and (named or cid in hits) and (line["Bank Ref"], source) not in declined:
                    why = "memo names " + source if named else f"payee is {cid}"
                    out.append(RefundProposal(line["Bank Ref"], cid, source, amount,
                                              f"debit {currency} {amount:,} = credit {source} left; {why}"))
                    break
            else:
                continue
            break
    return out


def refund_book(book: Book, confirm: bool = False) -> list[RefundProposal]:
    """Record the refund proposals (staged, logged): suggested, each on the Review sheet for ``confirm``
    to accept, or confirmed at once with ``confirm``."""
    proposals = refund_proposals(book)
    if not proposals:
        return []
    allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
    refs = {p.bank_ref for p in proposals}
    allocations = allocations[~(allocations["Bank Ref"].isin(refs)
                                & allocations["Status"].eq(AllocationStatus.SUGGESTED))]
    state = AllocationStatus.CONFIRMED if confirm else AllocationStatus.SUGGESTED
    rows = [{"Bank Ref": p.bank_ref, "Invoice No": p.source, "Customer ID": p.customer, "Applied Amount": p.amount,
             "Status": state, "Rule": REFUND_RULE, "Reason": p.reason, "Score": 1.0, "Proposal": f"{p.bank_ref}#r"}
            for p in proposals]
    combined = pd.concat([allocations, make_frame(ALLOCATIONS, rows)], ignore_index=True).astype(object)
    combined = combined.where(combined.notna(), None)
    book.replace(ALLOCATIONS.name, combined)
    review = book.read(REVIEW.name)
    review = review[~review["Bank Ref"].isin(refs)]
    if not confirm:
        review = pd.concat([review, make_frame(REVIEW, [_review_row(book, p) for p in proposals])],
                           ignore_index=True).astype(object)
    book.replace(REVIEW.name, review.where(review.notna(), None))
    status = {p.bank_ref: BankStatus.MATCHED if confirm else BankStatus.SUGGESTED for p in proposals}
    book.replace(BANK.name, bank_totals(book.read(BANK.name), combined, status))
    for p in proposals:
        book.log(REFUND_RULE.value, f"{p.bank_ref} -> {p.customer} {p.source} {p.amount:,} ({state}): {p.reason}")
    apply_credits(book)  # restate the credit balances the refunds closed
    return proposals
