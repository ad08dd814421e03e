"""Book adapters: the file adapter (openpyxl/calamine) and the live adapter (xlwings)."""
from arbook.adapters.book.base import Book
from arbook.adapters.book.builder import new_book
from arbook.adapters.book.filebook import FileBook, open_book

__all__ = ["Book", "FileBook", "new_book", "open_book"]
