"""Book adapters: the file adapter (openpyxl/calamine) and the live adapter (xlwings)."""
from arbook.adapters.book.create import new_book
from arbook.adapters.book.filebook import FileBook, open_book
from arbook.model.book import Book

__all__ = ["Book", "FileBook", "new_book", "open_book"]
