"""Every status and rule word the engine writes or reads in the book, as string enums.

The schema's choices come from these; code compares with the members, never with literals. Members
are ``str``, so they compare equal to the cell text and are written as their value.
"""
from __future__ import annotations

from enum import StrEnum


class AllocationStatus(StrEnum):
    """Allocations sheet: how an allocation was decided."""

    AUTO = "auto"
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


APPLIED = (AllocationStatus.AUTO, AllocationStatus.CONFIRMED)  # allocations that reduce an invoice


class BankStatus(StrEnum):
    """Bank sheet: where a bank line stands in cash application."""

    NEW = "new"
    MATCHED = "matched"
    PARTIAL = "partial"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    EXCLUDED = "excluded"


class InvoiceStatus(StrEnum):
    """Invoices sheet: computed by aging."""

    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    DISPUTED = "disputed"


class CreditStatus(StrEnum):
    """Customers sheet: computed credit status."""

    OK = "OK"
    WATCH = "Watch"
    OVER_LIMIT = "Over limit"
    HOLD = "Hold"


class Accept(StrEnum):
    """Review sheet: the accountant's answer to a proposal."""

    YES = "yes"
    NO = "no"


class Rule(StrEnum):
    """The rule names cash application writes in the Allocations sheet's Rule column."""

    INVOICE_AMOUNT = "invoice no + amount"
    INVOICE_AMOUNT_FEE = "invoice no + amount - fee"
    INVOICE_OTHERS = "invoice no + other invoices"
    INVOICE_PART_PAID = "invoice no, part paid"
    INVOICE_OVERPAID = "invoice no, overpaid"
    NAME_AMOUNT = "name + amount"
    NAME_AMOUNT_FEE = "name + amount - fee"
    NAME_SEVERAL = "name + several invoices"
    NAME_SEVERAL_FEE = "name + several invoices - fee"
    NAME_OVERPAID = "name, overpaid"
    NAME_OLDEST_FIRST = "name, oldest first"
    NAME_PART_OF_ONE = "name, part of one invoice"
    AMOUNT_ONLY = "amount only"
    THIRD_PARTY_AMOUNT = "payer not a client, amount"
    CREDIT_REF = "credit note to its invoice"
    CREDIT_OLDEST = "credit note oldest first"
    CREDIT_BALANCE = "credit balance"  # restates a credit note's credit left; moves no money
    SMALL_WRITEOFF = "small residual write-off"
    BAD_DEBT = "bad debt write-off"
    REFUND = "refund"
    MANUAL = "manual"
    FEE = "bank fee"
    UNAPPLIED = "unapplied cash"


class Confirmation(StrEnum):
    """Customers sheet: the client's answer to its last statement (set by statements and confirmations)."""

    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    NO_REPLY = "no reply"


class Delivery(StrEnum):
    """Customers sheet: how the client's statements go out (empty = email)."""

    EMAIL = "email"
    POST = "post"
    BOTH = "both"


class DocumentType(StrEnum):
    """Invoices sheet: what a row is (empty = invoice); every Amount is positive."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit note"
    DEBIT_NOTE = "debit note"


def choices(enum: type[StrEnum]) -> tuple[str, ...]:
    """The values of ``enum`` as a schema column's choices."""
    return tuple(member.value for member in enum)
