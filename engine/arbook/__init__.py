"""arbook: accounts receivable in an Excel workbook — import, match, age, statements.

The library API the command line uses, for scripts and notebooks::

    from pathlib import Path
    import arbook
    with arbook.open_book("ar.xlsx") as book:      # saved (atomically) when the block ends
        arbook.import_bank(book, ["statement.csv"])
        print(arbook.match(book).summary())
        arbook.age(book)
        arbook.write_statements(book, Path("statements"))

Names are imported when first used, so ``import arbook`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "Book": "arbook.model.book:Book",
    "ArbookError": "arbook.model.errors:ArbookError",
    "open_book": "arbook.adapters.book.filebook:open_book",
    "new_book": "arbook.adapters.book.create:new_book",
    "import_customers": "arbook.services.masterdata:import_customers",
    "import_invoices": "arbook.services.masterdata:import_invoices",
    "import_bank": "arbook.services.bankimport:import_bank",
    "match": "arbook.services.cashapp:match_book",
    "confirm": "arbook.services.cashapp:confirm_book",
    "apply": "arbook.services.cashapp:apply_book",
    "unmatch": "arbook.services.cashapp:unmatch_book",
    "age": "arbook.services.receivables:age_book",
    "write_ledgers": "arbook.services.receivables:ledger_book",
    "write_reminders": "arbook.services.receivables:write_reminders",
    "write_statements": "arbook.services.statements:write_statements",
    "read_confirmations": "arbook.services.statements:read_confirmations",
    "load_passwords": "arbook.services.statements:load_passwords",
    "email_statements": "arbook.services.mail:email_statements",
    "export_sheet": "arbook.services.export:export_sheet",
    "build_workbook": "arbook.adapters.vba.build:build_workbook",
    "writeoff": "arbook.services.adjustments:writeoff",
    "refunds": "arbook.services.adjustments:refund_book",
    "history": "arbook.services.history:history",
    "undo": "arbook.services.history:undo_book",
    "verify": "arbook.services.history:verify_book",
    "upgrade_book": "arbook.adapters.book.upgrade:upgrade_book",
    "diagnose": "arbook.services.doctor:diagnose",
}
__all__ = ["__version__", *_API]

if TYPE_CHECKING:
    from arbook.adapters.book.create import new_book
    from arbook.adapters.book.filebook import open_book
    from arbook.adapters.book.upgrade import upgrade_book
    from arbook.adapters.vba.build import build_workbook
    from arbook.model.book import Book
    from arbook.model.errors import ArbookError
    from arbook.services.adjustments import refund_book as refunds, writeoff
    from arbook.services.bankimport import import_bank
    from arbook.services.doctor import diagnose
    from arbook.services.cashapp import (apply_book as apply, confirm_book as confirm, match_book as match,
                                         unmatch_book as unmatch)
    from arbook.services.export import export_sheet
    from arbook.services.history import history, undo_book as undo, verify_book as verify
    from arbook.services.mail import email_statements
    from arbook.services.masterdata import import_customers, import_invoices
    from arbook.services.receivables import age_book as age, ledger_book as write_ledgers, write_reminders
    from arbook.services.statements import load_passwords, read_confirmations, write_statements


def __getattr__(name: str) -> Any:
    """The API function ``name``, imported on first use."""
    if name not in _API:
        raise AttributeError(f"module 'arbook' has no attribute {name!r}")
    module, _, attribute = _API[name].partition(":")
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The API names too, so ``help(arbook)`` and completion list them."""
    return sorted({*globals(), *_API})
