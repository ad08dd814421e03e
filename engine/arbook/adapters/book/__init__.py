"""Book adapters: the file adapter (openpyxl/calamine) and the live adapter (xlwings).

``new_book`` is imported on first use: creating an .xlsm needs the VBA builder, which itself uses
this package's atomic writer and sheet builder.
"""
from typing import Any

from arbook.adapters.book.filebook import FileBook, open_book
from arbook.model.book import Book

__all__ = ["Book", "FileBook", "new_book", "open_book"]


def __getattr__(name: str) -> Any:
    if name == "new_book":
        from importlib import import_module

        return import_module("arbook.adapters.book.create").new_book
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
