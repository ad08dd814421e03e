"""Customers and invoices from users' files: validate, then upsert by key (pure DataFrame work)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from arbook.model.frames import frame_from_rows
from arbook.model.addresses import AddressError, address_list, one_address
from arbook.model.errors import InputError, Problem
from arbook.model.schema import CUSTOMERS, INVOICES, Role, Sheet
from arbook.adapters.tabular import TableFile, read_table_file
from arbook.model.book import Book


@dataclass(frozen=True)
class UpsertResult:
    """The new table and what changed: counts a person reads in the summary and the log."""

    frame: pd.DataFrame
    added: int
    updated: int
    unchanged: int

    def summary(self, what: str) -> str:
        return f"{what}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"


def load_input(sheet: Sheet, table: TableFile) -> tuple[pd.DataFrame, list[str]]:
    """Typed rows of an input file for ``sheet`` and the input columns it carries.

    Headers match the schema's case- and space-insensitively; computed columns are skipped;
    unknown columns, bad values and repeated keys raise InputError naming file, line and field.
    """
    canonical = {_norm(c.name): c for c in sheet.columns}
    header: list[str] = []
    problems: list[Problem] = []
    header_line = (table.lines[0] - 1) if table.lines else 1
    for raw in table.header:
        column = canonical.get(_norm(raw))
        if not raw:
            header.append("")
        elif column is None:
            problems.append(Problem(table.path, header_line, raw,
                                    f"unknown column for {sheet.name} (expected: {', '.join(c.name for c in sheet.input_columns)})"))
        elif column.role is Role.COMPUTED:
            header.append("")  # an exported sheet re-imports: computed values are recalculated, not read
        else:
            header.append(column.name)
    if problems:
        raise InputError(problems)
    frame = frame_from_rows(sheet, header, table.rows, table.path, lines=table.lines)
    present = [h for h in header if h]
    key = sheet.key[0]
    seen: dict[Any, int] = {}
    for line, value in zip(frame.index, frame[key]):
        if value in seen:
            problems.append(Problem(table.path, int(line), key, f"{value!r} repeats line {seen[value]}"))
        seen.setdefault(value, int(line))
    if problems:
        raise InputError(problems)
    return frame, present


def _norm(name: str) -> str:
    return "".join(str(name).split()).lower()


def upsert(sheet: Sheet, current: pd.DataFrame, incoming: pd.DataFrame, present: list[str]) -> UpsertResult:
    """``current`` with ``incoming`` rows merged by the sheet's key: existing rows get the
    ``present`` columns' values, new rows are appended in file order."""
    key = sheet.key[0]
    current = current.reset_index(drop=True)
    position = {k: i for i, k in enumerate(current[key])}
    columns = {c: current[c].tolist() for c in current.columns}
    new_rows: list[dict[str, Any]] = []
    updated = unchanged = 0
    for record in incoming.to_dict("records"):
        idx = position.get(record[key])
        if idx is None:
            new_rows.append(record)
            continue
        changes = [c for c in present if columns[c][idx] != record[c]]
        for c in changes:
            columns[c][idx] = record[c]
        updated += bool(changes)
        unchanged += not changes
    merged = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()}, columns=current.columns)
    if new_rows:
        added = pd.DataFrame({c: pd.Series([r.get(c) for r in new_rows], dtype=object) for c in current.columns})
        merged = pd.concat([merged, added], ignore_index=True)
    return UpsertResult(merged, len(new_rows), updated, unchanged)


def complete_invoices(invoices: pd.DataFrame, customers: pd.DataFrame, source: str) -> pd.DataFrame:
    """Invoices with Due Date defaulted from the client's Terms Days; InputError for an
    unknown Customer ID or a Due Date before the Issue Date."""
    terms = dict(zip(customers["Customer ID"], customers["Terms Days"]))
    problems: list[Problem] = []
    due = invoices["Due Date"].tolist()
    for i, (line, number, cid, issued) in enumerate(zip(invoices.index, invoices["Invoice No"],
                                                       invoices["Customer ID"], invoices["Issue Date"])):
        if cid not in terms:
            problems.append(Problem(source, int(line), "Customer ID",
                                    f"{cid!r} (invoice {number}) is not on the Customers sheet"))
            continue
        if due[i] is None:
            due[i] = issued + timedelta(days=int(terms[cid] or 0))
        elif due[i] < issued:
            problems.append(Problem(source, int(line), "Due Date", f"{due[i]} is before Issue Date {issued}"))
    if problems:
        raise InputError(problems)
    out = invoices.copy()
    out["Due Date"] = pd.Series(due, index=invoices.index, dtype=object)
    return out


def _check_addresses(customers: pd.DataFrame, source: str) -> None:
    """InputError for an Email cell holding anything but one address, or a bad CC Emails cell."""
    problems = []
    for column, check in (("Email", one_address), ("CC Emails", address_list)):
        if column in customers:
            for line, value in zip(customers.index, customers[column]):
                try:
                    check(value)
                except AddressError as exc:
                    problems.append(Problem(source, int(line), column, str(exc)))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))


def import_master(book: Book, sheet: Sheet, table: TableFile) -> UpsertResult:
    """Upsert a customers or invoices file into ``book`` (staged; the caller commits) and log it."""
    incoming, present = load_input(sheet, table)
    if sheet is CUSTOMERS:
        _check_addresses(incoming, table.path)
    if sheet is INVOICES:
        incoming = complete_invoices(incoming, book.read(CUSTOMERS.name), table.path)
        if "Due Date" not in present:
            present.append("Due Date")
    result = upsert(sheet, book.read(sheet.name), incoming, present)
    book.replace(sheet.name, result.frame)
    book.log(f"import {sheet.name.lower()}", f"{table.path} ({table.encoding}): {result.summary(sheet.name)}")
    return result


def import_customers(book: Book, file: str | Path) -> UpsertResult:
    """Add or update customers from a CSV or .xlsx file, by Customer ID (staged)."""
    return import_master(book, CUSTOMERS, read_table_file(file))


def import_invoices(book: Book, file: str | Path) -> UpsertResult:
    """Add or update invoices from a CSV or .xlsx file, by Invoice No. (staged)."""
    return import_master(book, INVOICES, read_table_file(file))
