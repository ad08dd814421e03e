"""Customer ledgers (得意先元帳 / 客户帐本): every invoice and payment of a client with a running balance."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from arbook.domain.credits import WRITEOFF_RULES, is_credit_note
from arbook.model.book import Report
from arbook.model.statuses import APPLIED as APPLIED_STATUSES, DocumentType, Rule
from arbook.model.money import money
from arbook.model.words import words as words_in

COLUMNS = ("date", "document", "description", "currency", "dr", "cr", "balance")
KINDS = ["date", "text", "text", "currency", "money", "money", "money"]
#: Allocation rules that move money between documents of the account without a line of their own.
INTERNAL_RULES = (Rule.CREDIT_REF, Rule.CREDIT_OLDEST, Rule.CREDIT_BALANCE)


def sheet_name(customer_id: str) -> str:
    """The ledger sheet's name: ``Ledger <Customer ID>``, within Excel's 31 characters and rules."""
    return ("Ledger " + re.sub(r"[\[\]:*?/\\]", "_", str(customer_id)))[:31]


@dataclass(frozen=True)
class Event:
    """One line of a client's account: an invoice, debit note or refund (debit), a payment, deducted
    fee, credit note or write-off (credit)."""

    date: date
    order: int
    document: str
    kind: str  # "invoice", "debit", "payment", "fee", "credit", "writeoff" or "repaid" (a refund)
    currency: str
    debit: Decimal | None
    credit: Decimal | None
    payer: str = ""
    settled: tuple[str, ...] = ()  # a payment's invoices (what a client recognises it by)

    def description(self, words: dict[str, str]) -> str:
        """``入金 ｶ)ﾔﾏﾀﾞ (INV-1, INV-2)``: the kind of line, who paid, and the invoices a payment settled."""
        shown = ", ".join(self.settled[:3]) + (", ..." if len(self.settled) > 3 else "")
        return " ".join(filter(None, (words[f"kind_{self.kind}"], self.payer, f"({shown})" if shown else "")))


def bank_index(bank: pd.DataFrame) -> dict[str, tuple[date, str, str]]:
    """Bank Ref -> (date, currency, payer), for looking up many clients' payments."""
    return {ref: (day, currency, payer or "") for ref, day, currency, payer in
            zip(bank["Bank Ref"], bank["Date"], bank["Currency"], bank["Payer"])}


@dataclass
class AccountRows:
    """Every client's invoice and applied-allocation rows, grouped once for many ledgers."""

    invoices: dict[str, list[tuple]]
    allocations: dict[str, list[tuple]]
    bank: dict[str, tuple[date, str, str]]

    @classmethod
    def of(cls, invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame) -> "AccountRows":
        by_invoice: dict[str, list[tuple]] = defaultdict(list)
        for row in zip(invoices["Customer ID"], invoices["Invoice No"], invoices["Issue Date"], invoices["Currency"],
                       invoices["Amount"], invoices["Type"]):
            by_invoice[row[0]].append(row[1:])
        currency = dict(zip(invoices["Invoice No"], invoices["Currency"]))
        by_allocation: dict[str, list[tuple]] = defaultdict(list)
        for row in zip(allocations["Customer ID"], allocations["Bank Ref"], allocations["Applied Amount"],
                       allocations["Rule"], allocations["Status"], allocations["Date"], allocations["Invoice No"]):
            if row[4] in APPLIED_STATUSES and row[3] not in INTERNAL_RULES:
                by_allocation[row[0]].append((row[1], row[2], row[3], row[5], currency.get(row[6]), row[6]))
        return cls(by_invoice, by_allocation, bank_index(bank))


def ledger_events(customer_id: str, rows: AccountRows) -> list[Event]:
    """The client's documents and applied payments, oldest first (fees deducted by the payer apart;
    credit notes, write-offs and refunds as their own lines)."""
    events = []
    for number, issued, currency, amount, kind in rows.invoices.get(customer_id, ()):
        if is_credit_note(kind):
            events.append(Event(issued, 0, number, "credit", currency, None, amount))
        else:
            events.append(Event(issued, 0, number, "debit" if kind == DocumentType.DEBIT_NOTE else "invoice",
                                currency, amount, None))
    paid: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    settled: dict[str, list[str]] = defaultdict(list)
    for ref, amount, rule, day, currency, number in rows.allocations.get(customer_id, ()):
        if number and rule not in (Rule.FEE, Rule.REFUND, *WRITEOFF_RULES) and number not in settled[ref]:
            settled[ref].append(number)
        if rule == Rule.FEE:
            fees[ref] -= amount
        elif rule == Rule.REFUND:
            refunds[ref] += amount
        elif rule in WRITEOFF_RULES:
            events.append(Event(day, 3, ref, "writeoff", currency, None, amount))
        else:
            paid[ref] += amount
    for ref in sorted(set(paid) | set(fees) | set(refunds)):
        if ref not in rows.bank:
            continue
        day, currency, payer = rows.bank[ref]
        if ref in refunds:
            events.append(Event(day, 1, ref, "repaid", currency, money(refunds[ref], currency), None, payer))
        if ref in paid or ref in fees:
            events.append(Event(day, 1, ref, "payment", currency, None, money(paid[ref] - fees[ref], currency), payer,
                                tuple(settled[ref])))
        if fees[ref]:
            events.append(Event(day, 2, ref, "fee", currency, None, money(fees[ref], currency)))
    return sorted(events, key=lambda e: (e.date, e.order, e.document))


def ledger_report(customer: dict, rows: AccountRows) -> Report:
    """One client's ledger: invoices as debits, payments and deducted fees as credits, oldest first."""
    words = words_in(customer.get("Language") or "en")
    balance: dict[str, Decimal] = defaultdict(Decimal)
    lines = []
    for event in ledger_events(customer["Customer ID"], rows):
        balance[event.currency] += (event.debit or 0) - (event.credit or 0)
        lines.append([event.date, event.document, event.description(words), event.currency, event.debit, event.credit,
                     balance[event.currency]])
    return Report(sheet_name(customer["Customer ID"]), [words[c] for c in COLUMNS], KINDS, lines)
