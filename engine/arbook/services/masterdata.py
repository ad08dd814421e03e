"""Customers and invoices from users' files: validate, then upsert by key.

Keys are trimmed and NFKC-normalised; a re-import never moves money silently: changing the client,
currency, amount or type of a document with allocations is refused unless forced (which unapplies
them first, logged); learned payer names are merged, never dropped.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from arbook.adapters.tabular import TableFile, read_table_file
from arbook.domain.matching.normalize import name_key
from arbook.model.addresses import AddressError, address_list, one_address
from arbook.model.book import Book
from arbook.model.cells import csv_unguarded
from arbook.model.errors import InputError, Problem
from arbook.model.frames import frame_from_rows
from arbook.model.statuses import AllocationStatus, BankStatus
from arbook.model.schema import (ALLOCATIONS, BANK, CREDIT_NOTE, CURRENCY_CODES, CUSTOMERS, DEBIT_NOTE, INVOICE_TYPE,
                                 INVOICES, Kind, Role, Sheet)

#: Text columns holding keys: trimmed and NFKC-normalised on import (" INV-1001 " is INV-1001).
KEY_COLUMNS = ("Customer ID", "Invoice No", "Ref")
#: ';'-separated lists the engine learns (payer names, payers of other clients): merged on re-import.
LIST_COLUMNS = ("Payer Names", "Paid By")
#: Invoice columns that decide where applied money belongs (a note's Ref: which invoice its credit went to).
MONEY_FIELDS = ("Customer ID", "Currency", "Amount", "Type", "Ref")
#: Allocation statuses that are no longer in force.
INACTIVE = (AllocationStatus.REJECTED,)


@dataclass(frozen=True)
class UpsertResult:
    """The new table and what changed: counts a person reads in the summary and the log."""

    frame: pd.DataFrame
    added: int
    updated: int
    unchanged: int
    unapplied: int = 0
    cleared: tuple[str, ...] = ()  # "C002 Name Kana": a field that held a value and an empty cell emptied

    def summary(self, what: str) -> str:
        extra = f"; {self.unapplied} allocation(s) unapplied (--force)" if self.unapplied else ""
        if self.cleared:
            shown = ", ".join(self.cleared[:5]) + (f" and {len(self.cleared) - 5} more" if len(self.cleared) > 5 else "")
            extra += (f"; emptied by empty cells: {shown} (leave a column out of the file to keep what the book "
                      "holds)")
        return f"{what}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged{extra}"


def clean_key(value: Any) -> Any:
    """A key as stored: NFKC-normalised and trimmed (None stays None)."""
    if value is None:
        return None
    return unicodedata.normalize("NFKC", str(value)).strip() or None


def check_case_twins(sheet: Sheet, incoming: pd.DataFrame, current: pd.DataFrame, source: str) -> None:
    """InputError for a new key that differs from a key in the book only in letter case (inv-1001 beside
    INV-1001 is almost always the same document typed differently, never a second one)."""
    key = sheet.key[0]
    known = {clean_key(k) for k in current[key]}
    folded = {str(k).casefold(): k for k in known if k is not None}
    problems = [Problem(source, int(line), key, f"{value!r} differs from {folded[str(value).casefold()]!r} in the "
                        "book only in letter case; use the book's spelling")
                for line, value in zip(incoming.index, incoming[key])
                if value is not None and value not in known and str(value).casefold() in folded]
    if problems:
        raise InputError(problems)


def billed_currencies(customer: dict) -> set[str]:
    """The currencies a client may be invoiced in: its Currencies list, else its Currency."""
    listed = {c.strip().upper() for c in str(customer.get("Currencies") or "").replace(",", ";").split(";")}
    listed.discard("")
    return listed or {customer.get("Currency")}


def load_input(sheet: Sheet, table: TableFile, partial: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """Typed rows of an input file for ``sheet`` and the input columns it carries.

    Headers match the schema's case- and space-insensitively; computed columns are skipped;
    unknown columns, bad values and repeated keys raise InputError naming file, line and field.
    With ``partial`` only the key column is required (rows update the columns present).
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
    present = [h for h in header if h]
    shape = sheet
    if partial:
        relaxed = tuple(c if c.name in present or c.name in sheet.key else replace(c, required=False)
                        for c in sheet.columns)
        shape = Sheet(sheet.name, relaxed, key=sheet.key)
    frame = frame_from_rows(shape, header, table.rows, table.path, lines=table.lines)
    for column in shape.columns:  # an exported sheet's guarded texts ('=...) come back as they were
        if column.kind is Kind.TEXT and column.name in frame.columns:
            frame[column.name] = pd.Series([csv_unguarded(v) if isinstance(v, str) else v for v in frame[column.name]],
                                           index=frame.index, dtype=object)
    for name in KEY_COLUMNS:
        if name in frame.columns:
            frame[name] = pd.Series([clean_key(v) for v in frame[name]], index=frame.index, dtype=object)
    key = sheet.key[0]
    seen: dict[Any, int] = {}
    for line, value in zip(frame.index, frame[key]):
        if value is None:
            problems.append(Problem(table.path, int(line), key, "is required"))
        elif value in seen:
            problems.append(Problem(table.path, int(line), key, f"{value!r} repeats line {seen[value]}"))
        seen.setdefault(value, int(line))
    if problems:
        raise InputError(problems)
    return frame, present


def _norm(name: str) -> str:
    return "".join(str(name).split()).lower()


def upsert(sheet: Sheet, current: pd.DataFrame, incoming: pd.DataFrame, present: list[str]) -> UpsertResult:
    """``current`` with ``incoming`` rows merged by the sheet's (normalised) key: existing rows get
    the ``present`` columns' values, new rows are appended in file order."""
    key = sheet.key[0]
    current = current.reset_index(drop=True)
    position = {clean_key(k): i for i, k in enumerate(current[key])}
    columns = {c: current[c].tolist() for c in current.columns}
    new_rows: list[dict[str, Any]] = []
    updated = unchanged = 0
    cleared: list[str] = []
    for record in incoming.to_dict("records"):
        idx = position.get(record[key])
        if idx is None:
            new_rows.append(record)
            continue
        changes = [c for c in present if columns[c][idx] != record[c]]
        for c in changes:
            if record[c] is None and columns[c][idx] not in (None, ""):
                cleared.append(f"{record[key]} {c}")
            columns[c][idx] = record[c]
        updated += bool(changes)
        unchanged += not changes
    merged = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()}, columns=current.columns)
    if new_rows:
        added = pd.DataFrame({c: pd.Series([r.get(c) for r in new_rows], dtype=object) for c in current.columns})
        merged = pd.concat([merged, added], ignore_index=True)
    return UpsertResult(merged, len(new_rows), updated, unchanged, cleared=tuple(cleared))


def merge_lists(incoming: pd.DataFrame, present: list[str], current: pd.DataFrame) -> pd.DataFrame:
    """Incoming customers whose learned lists (Payer Names, Paid By) keep every name already in the book."""
    out = incoming.copy()
    by_id = current.set_index(current["Customer ID"].map(clean_key)) if len(current) else None
    for column in LIST_COLUMNS:
        if column not in present or by_id is None or column not in by_id.columns:
            continue
        merged = []
        for cid, value in zip(out["Customer ID"], out[column]):
            old = by_id[column].get(cid) if cid in by_id.index else None
            merged.append(merge_names(old, value))
        out[column] = pd.Series(merged, index=out.index, dtype=object)
    return out


def merge_names(old: Any, new: Any) -> str | None:
    """``old``'s ';'-separated names followed by those of ``new`` not already there (by name key)."""
    names = [name for name in str(old or "").split(";") if name.strip()]
    keys = {name_key(name) or name for name in names}
    for name in str(new or "").split(";"):
        name = " ".join(name.split())
        key = name_key(name) or name
        if name and key not in keys:
            names.append(name)
            keys.add(key)
    return ";".join(names) or None


def check_customers(incoming: pd.DataFrame, present: list[str], current: pd.DataFrame, source: str) -> None:
    """InputError for a new client missing a required column or an unknown code in Currencies."""
    known = {clean_key(k) for k in current["Customer ID"]}
    required = [c.name for c in CUSTOMERS.input_columns if c.required]
    problems: list[Problem] = []
    for line, record in zip(incoming.index, incoming.to_dict("records")):
        if record["Customer ID"] not in known:
            for name in required:
                if record.get(name) is None:
                    problems.append(Problem(source, int(line), name, "is required for a new customer"))
        for code in billed_currencies(record) - {record.get("Currency")}:
            if code not in CURRENCY_CODES:
                problems.append(Problem(source, int(line), "Currencies", f"{code!r} is not a currency code"))
    if problems:
        raise InputError(problems)


def complete_invoices(invoices: pd.DataFrame, customers: pd.DataFrame, source: str) -> pd.DataFrame:
    """Invoices with Due Date defaulted from the client's Terms Days; InputError for an
    unknown Customer ID, a Due Date before the Issue Date, an amount that is not positive or a
    currency the client is not billed in."""
    records = {clean_key(r["Customer ID"]): r for r in customers.to_dict("records")}
    problems: list[Problem] = []
    due = invoices["Due Date"].tolist()
    for i, (line, number, cid, issued, currency, amount) in enumerate(zip(
            invoices.index, invoices["Invoice No"], invoices["Customer ID"], invoices["Issue Date"],
            invoices["Currency"], invoices["Amount"])):
        customer = records.get(cid)
        if customer is None:
            problems.append(Problem(source, int(line), "Customer ID",
                                    f"{cid!r} (invoice {number}) is not on the Customers sheet"))
            continue
        if amount is not None and amount <= 0:
            problems.append(Problem(source, int(line), "Amount", f"{amount} is not positive (a credit is Type "
                                                                 f"'{CREDIT_NOTE}' with a positive amount)"))
        if currency not in billed_currencies(customer):
            problems.append(Problem(source, int(line), "Currency",
                                    f"{cid} is billed in {', '.join(sorted(billed_currencies(customer)))}, not "
                                    f"{currency} (add it to the client's Currencies)"))
        if due[i] is None:
            due[i] = issued + timedelta(days=int(customer.get("Terms Days") or 0))
        elif due[i] < issued:
            problems.append(Problem(source, int(line), "Due Date", f"{due[i]} is before Issue Date {issued}"))
    if problems:
        raise InputError(problems)
    out = invoices.copy()
    out["Due Date"] = pd.Series(due, index=invoices.index, dtype=object)
    return out


def check_refs(incoming: pd.DataFrame, current: pd.DataFrame, source: str) -> None:
    """InputError for a Ref on a plain invoice, or naming no invoice of the same client and currency."""
    documents = {clean_key(r["Invoice No"]): r for r in current.to_dict("records")}
    documents.update({r["Invoice No"]: r for r in incoming.to_dict("records")})
    problems: list[Problem] = []
    for line, record in zip(incoming.index, incoming.to_dict("records")):
        ref = record.get("Ref")
        if not ref:
            continue
        if (record.get("Type") or INVOICE_TYPE) not in (CREDIT_NOTE, DEBIT_NOTE):
            problems.append(Problem(source, int(line), "Ref", "only a credit or debit note names an invoice"))
            continue
        target = documents.get(ref)
        if target is None or (target.get("Type") or INVOICE_TYPE) == CREDIT_NOTE:
            problems.append(Problem(source, int(line), "Ref", f"{ref!r} is not an invoice in the book or the file"))
        elif (target["Customer ID"], target["Currency"]) != (record["Customer ID"], record["Currency"]):
            problems.append(Problem(source, int(line), "Ref", f"{ref} is {target['Customer ID']}'s "
                                                              f"{target['Currency']} invoice, not {record['Customer ID']}'s "
                                                              f"{record['Currency']}"))
    if problems:
        raise InputError(problems)


def allocations_of(allocations: pd.DataFrame, numbers: set[str]) -> dict[str, list[int]]:
    """Document number -> row positions of the allocations in force that apply to it or come from it."""
    found: dict[str, list[int]] = defaultdict(list)
    for i, (ref, number, status) in enumerate(zip(allocations["Bank Ref"], allocations["Invoice No"],
                                                  allocations["Status"])):
        if status in INACTIVE:
            continue
        for document in {number, ref} & numbers:
            found[document].append(i)
    return found


def moved_documents(incoming: pd.DataFrame, present: list[str], current: pd.DataFrame) -> dict[str, tuple[int, list[str]]]:
    """Invoice No -> (file line, changed money fields) for existing documents whose client, currency,
    amount or type the file changes."""
    existing = {clean_key(r["Invoice No"]): r for r in current.to_dict("records")}
    moved = {}
    for line, record in zip(incoming.index, incoming.to_dict("records")):
        old = existing.get(record["Invoice No"])
        if old is None:
            continue
        fields = [f for f in MONEY_FIELDS if f in present and (old.get(f) or None) != (record.get(f) or None)
                  and not (f == "Type" and {old.get(f) or INVOICE_TYPE, record.get(f) or INVOICE_TYPE} == {INVOICE_TYPE})]
        if fields:
            moved[record["Invoice No"]] = (int(line), fields)
    return moved


def describe_allocation(row: dict) -> str:
    """One allocation as a person reads it: ``US0001 -> INV-1 5,000 (confirmed)``."""
    target = row.get("Invoice No") or row.get("Rule") or "account"
    return f"{row['Bank Ref']} -> {target} {row['Applied Amount']:,} ({row['Status']})"


def unapply(book: Any, allocations: pd.DataFrame, groups: set[str], why: str) -> pd.DataFrame:
    """Allocations with every row in force of the given Bank Refs (payments, credit notes, write-offs)
    set to rejected, bank lines' totals recomputed (staged); each reversal logged."""
    from arbook.domain.matching.engine import APPLIED_STATUSES, bank_totals

    allocations = allocations.copy()
    mask = allocations["Bank Ref"].isin(groups) & ~allocations["Status"].isin(INACTIVE)
    for row in allocations[mask].to_dict("records"):
        book.log("unapply", f"{describe_allocation(row)}: {why}")
    allocations.loc[mask, "Status"] = AllocationStatus.REJECTED
    bank = book.read(BANK.name)
    in_bank = groups & set(bank["Bank Ref"])
    still = set(allocations.loc[allocations["Status"].isin(APPLIED_STATUSES), "Bank Ref"])
    book.replace(ALLOCATIONS.name, allocations)
    book.replace(BANK.name, bank_totals(bank, allocations, {ref: BankStatus.UNMATCHED for ref in in_bank - still}))
    return allocations


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


def import_master(book: Book, sheet: Sheet, table: TableFile, force: bool = False) -> UpsertResult:
    """Upsert a customers or invoices file into ``book`` (staged; the caller commits) and log it.

    Invoices whose client, currency, amount or type change while allocations apply to them are
    refused naming the allocations; ``force`` unapplies those allocations first."""
    incoming, present = load_input(sheet, table, partial=sheet is CUSTOMERS)
    current = book.read(sheet.name)
    unapplied = 0
    if sheet is CUSTOMERS:
        check_customers(incoming, present, current, table.path)
        _check_addresses(incoming, table.path)
        incoming = merge_lists(incoming, present, current)
    else:
        incoming = complete_invoices(incoming, book.read(CUSTOMERS.name), table.path)
        if "Due Date" not in present:
            present.append("Due Date")
        check_refs(incoming, current, table.path)
        moved = moved_documents(incoming, present, current)
        allocations = book.read(ALLOCATIONS.name).reset_index(drop=True)
        touched = allocations_of(allocations, set(moved))
        if touched and not force:
            rows = allocations.to_dict("records")
            raise InputError([Problem(table.path, moved[number][0], ", ".join(moved[number][1]),
                                      f"{number} has allocations ({'; '.join(describe_allocation(rows[i]) for i in idx)}); "
                                      "unapply them first or re-import with --force")
                              for number, idx in touched.items()])
        if touched:
            groups = {allocations.at[i, "Bank Ref"] for idx in touched.values() for i in idx}
            before = int((~allocations["Status"].isin(INACTIVE)).sum())
            allocations = unapply(book, allocations, groups, f"forced re-import of {table.path}")
            unapplied = before - int((~allocations["Status"].isin(INACTIVE)).sum())
    check_case_twins(sheet, incoming, current, table.path)
    result = upsert(sheet, current, incoming, present)
    result = UpsertResult(result.frame, result.added, result.updated, result.unchanged, unapplied, result.cleared)
    book.replace(sheet.name, result.frame)
    book.log(f"import {sheet.name.lower()}", f"{table.path} ({table.encoding}): {result.summary(sheet.name)}")
    if sheet is INVOICES:
        from arbook.services.adjustments import apply_credits

        apply_credits(book)
    return result


def import_customers(book: Book, file: str | Path) -> UpsertResult:
    """Add or update customers from a CSV or .xlsx file, by Customer ID (staged)."""
    return import_master(book, CUSTOMERS, read_table_file(file))


def import_invoices(book: Book, file: str | Path, force: bool = False) -> UpsertResult:
    """Add or update invoices, credit and debit notes from a CSV or .xlsx file, by Invoice No (staged);
    ``force`` unapplies the allocations of documents whose money the file moves."""
    return import_master(book, INVOICES, read_table_file(file), force)
