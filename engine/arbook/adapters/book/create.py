"""New books: ``.xlsx`` from the schema builder, ``.xlsm`` with the ribbon and VBA project."""
from __future__ import annotations

from pathlib import Path

from arbook.adapters.book.atomic import atomic_write
from arbook.adapters.book.builder import build_book_bytes
from arbook.adapters.vba.build import build_workbook_bytes
from arbook.model.errors import ArbookError


def new_book(path: str | Path, overwrite: bool = False) -> Path:
    """Create an empty book at ``path`` (.xlsx, or .xlsm for a macro-enabled book)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise ArbookError(f"{path}: a book must be an .xlsx or .xlsm file")
    if path.exists() and not overwrite:
        raise ArbookError(f"{path}: already exists (use --force to replace it)")
    if suffix == ".xlsm":  # the same builder as workbook/arbook.xlsm: ribbon and VBA included
        data = build_workbook_bytes()
    else:
        data = build_book_bytes()
    atomic_write(path, lambda handle: handle.write(data), backup=overwrite)
    return path
