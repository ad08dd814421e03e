"""Bank statement lines into the Bank sheet: fingerprinted, de-duplicated, all files or none.

Idempotent: a line already in the book (same content fingerprint, or the same bank reference
on the same account from another file) is skipped, so re-importing a file or an overlapping
statement adds nothing; two identical lines inside one file are both kept (the fingerprint
counts occurrences within the file).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from arbook.model.book import Book
from arbook.adapters.bankfiles import Options, Statement, read_statements
from arbook.model.frames import make_frame
from arbook.model.errors import ArbookError, InputError, Problem
from arbook.model.money import MoneyError, money
from arbook.model.schema import BANK, PROFILES
from arbook.model.statuses import BankStatus

PROFILE_SETTINGS = ("Default Currency", "Date Order")


@dataclass
class FileReport:
    """What one file contributed: shown to the user and written to the Log."""

    path: str
    format: str
    statements: int
    lines: int
    added: int = 0
    credits: int = 0
    duplicates: int = 0
    balances_checked: int = 0

    def summary(self) -> str:
        checked = f"; balances checked on {self.balances_checked} statement(s)" if self.balances_checked else ""
        return (f"{Path(self.path).name}: {self.format}, {self.lines} lines: {self.added} new "
                f"({self.credits} credits to match, {self.added - self.credits} debits excluded), "
                f"{self.duplicates} already in the book{checked}")


def fingerprint(account: str, day: Any, amount: Any, currency: str, payer: str, memo: str, ref: str,
                occurrence: int) -> str:
    """Content hash of a line plus its occurrence number among identical lines of its file."""
    text = "\x1f".join([account, str(day), str(amount), currency, " ".join(payer.split()), " ".join(memo.split()),
                        ref, str(occurrence)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def statement_rows(statements: Sequence[Statement], source_name: str) -> list[dict[str, Any]]:
    """Bank-sheet records for every line, with fingerprints; InputError for a bad amount/currency."""
    records: list[dict[str, Any]] = []
    seen: Counter[tuple[Any, ...]] = Counter()
    for statement in statements:
        for line in statement.lines:
            currency = (line.currency or statement.currency or "").upper()
            if not currency:
                raise InputError([Problem(statement.source, line.line, "currency", "the line has no currency")])
            try:
                amount = money(line.amount, currency)
            except MoneyError as exc:
                raise InputError([Problem(statement.source, line.line, "amount", str(exc))]) from None
            account = line.account or statement.account
            content = (account, line.date, amount, currency, line.payer, line.memo, line.ref)
            seen[content] += 1
            fp = fingerprint(*map(str, content), occurrence=seen[content])
            records.append({"Bank Ref": line.ref, "Date": line.date, "Amount": amount, "Currency": currency,
                            "Payer": line.payer or None, "Memo": line.memo or None, "Account": account or None,
                            "Source": source_name, "Fingerprint": fp,
                            "Status": BankStatus.NEW.value if amount > 0 else BankStatus.EXCLUDED.value})
    return records


def merge_lines(existing: pd.DataFrame, records: list[dict[str, Any]], report: FileReport) -> pd.DataFrame:
    """``existing`` plus the records that are not already there (see module doc); updates ``report``."""
    fingerprints = set(existing["Fingerprint"].dropna())
    used_refs = set(existing["Bank Ref"].dropna())
    by_account = {(a or "", r) for a, r in zip(existing["Account"], existing["Bank Ref"])}
    by_account |= {(a or "", r[: -len(a) - 1]) for a, r in by_account if a and str(r).endswith("/" + a)}
    fresh: list[dict[str, Any]] = []
    for record in records:
        account, ref = record["Account"] or "", record["Bank Ref"]
        if record["Fingerprint"] in fingerprints or (ref and (account, ref) in by_account):
            report.duplicates += 1
            continue
        if not ref:
            ref = "FP-" + record["Fingerprint"][:16]
        elif ref in used_refs:
            ref = f"{ref}/{account}" if account and f"{ref}/{account}" not in used_refs else ref
            suffix = 2
            base = ref
            while ref in used_refs:
                ref, suffix = f"{base}#{suffix}", suffix + 1
        record = {**record, "Bank Ref": ref}
        used_refs.add(ref)
        fingerprints.add(record["Fingerprint"])
        fresh.append(record)
        report.added += 1
        report.credits += record["Status"] == BankStatus.NEW
    if not fresh:
        return existing
    return pd.concat([existing.reset_index(drop=True), make_frame(BANK, fresh)], ignore_index=True).astype(object)


def profile_options(book: Book, name: str | None, mapping: Sequence[tuple[str, str]], currency: str | None,
                    date_order: str | None) -> Options:
    """Options from a saved profile, overridden by what was given now; the book's Home Currency last."""
    saved: dict[str, str] = {}
    if name:
        profiles = book.read(PROFILES.name)
        rows = profiles[profiles["Profile"] == name]
        if rows.empty and not mapping:
            known = sorted(set(profiles["Profile"]))
            raise ArbookError(f"no bank profile {name!r} in the book (profiles: {', '.join(known) or 'none'})")
        saved = dict(zip(rows["Setting"], rows["Value"].astype(str)))
    columns = {k: v for k, v in saved.items() if k not in PROFILE_SETTINGS}
    columns.update(dict(mapping))
    home = book.settings().get("Home Currency", "").strip().upper() or None
    return Options(currency=currency or saved.get("Default Currency") or None, home_currency=home,
                   date_order=date_order or saved.get("Date Order") or None,
                   mapping=tuple(sorted(columns.items())))


def store_profile(book: Book, name: str, options: Options) -> None:
    """Store (replace) the named profile: its column mapping and settings."""
    profiles = book.read(PROFILES.name)
    kept = profiles[profiles["Profile"] != name]
    rows = [{"Profile": name, "Setting": role, "Value": column} for role, column in options.mapping]
    if options.currency:
        rows.append({"Profile": name, "Setting": "Default Currency", "Value": options.currency})
    if options.date_order:
        rows.append({"Profile": name, "Setting": "Date Order", "Value": options.date_order})
    book.replace(PROFILES.name, pd.concat([kept, make_frame(PROFILES, rows)], ignore_index=True).astype(object))
    book.log("profile", f"saved bank profile {name}: " + ", ".join(f"{r['Setting']}={r['Value']}" for r in rows))


def import_bank_files(book: Book, paths: Sequence[str | Path], options: Options) -> list[FileReport]:
    """Read every file (all must be readable), then add their new lines to the Bank sheet (staged)."""
    parsed = [(str(p), read_statements(p, options)) for p in paths]
    bank = book.read(BANK.name)
    reports = []
    for path, statements in parsed:
        formats = sorted({s.format for s in statements})
        report = FileReport(path, "/".join(formats), len(statements), sum(len(s.lines) for s in statements),
                            balances_checked=sum(s.opening is not None and s.closing is not None for s in statements))
        bank = merge_lines(bank, statement_rows(statements, Path(path).name), report)
        reports.append(report)
    if any(r.added for r in reports):
        book.replace(BANK.name, bank)
    for report in reports:
        book.log("import bank", report.summary())
    return reports


def import_bank(book: Book, files: Sequence[str | Path], profile: str | None = None,
                mapping: Sequence[tuple[str, str]] | None = None, save_profile: str | None = None,
                currency: str | None = None, date_order: str | None = None) -> list[FileReport]:
    """Import bank statement files into the Bank sheet (staged): options from the named ``profile``,
    overridden by ``mapping`` (role, column), ``currency`` and ``date_order``; ``save_profile`` stores them."""
    options = profile_options(book, profile, mapping or [], currency and currency.upper(), date_order)
    reports = import_bank_files(book, files, options)
    if save_profile:
        store_profile(book, save_profile, options)
    return reports
