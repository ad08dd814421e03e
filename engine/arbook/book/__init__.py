"""Book adapters: the file adapter (openpyxl/calamine) and the live adapter (xlwings)."""
from .base import Book
from .builder import new_book
from .filebook import FileBook, open_book

__all__ = ["Book", "FileBook", "new_book", "open_book"]
