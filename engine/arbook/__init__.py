"""arbook: accounts receivable in an Excel workbook — import, match, age, statements."""

__version__ = "0.1.0"
