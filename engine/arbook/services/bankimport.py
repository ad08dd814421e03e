"""Bank statement lines into the Bank sheet: fingerprinted, de-duplicated, all files or none.

Idempotent whatever the column mapping: a line's fingerprint is its own record in the file
(decoded, whitespace folded) plus account and date, so re-importing a file adds nothing, and
re-importing it with another mapping updates its lines in place while none of them is applied.
A line from another file with the same bank reference on the same account is skipped too.
Two identical lines inside one file are both kept (the fingerprint counts occurrences).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress
from pathlib import Path
from typing import AbstractSet, Any, Sequence

import pandas as pd

from arbook.domain.forking import collector_paused
from arbook.model.book import Book
from arbook.adapters.bankfiles import Options, Statement, read_statements
from arbook.model.frames import make_frame
from arbook.model.errors import ArbookError, InputError, Problem
from arbook.model.money import CURRENCIES, MoneyError, money
from arbook.model.schema import ALLOCATIONS, BANK, PROFILES
from arbook.model.statuses import AllocationStatus, BankStatus

PROFILE_SETTINGS = ("Default Currency", "Date Order", "Encoding")


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
    updated: int = 0
    unbalanced: list[str] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)  # why -> lines of rows left out on purpose

    def summary(self) -> str:
        checked = f"; balances checked on {self.balances_checked} statement(s)" if self.balances_checked else ""
        updated = f" ({self.updated} of them updated)" if self.updated else ""
        unbalanced = "; IMPORTED UNBALANCED: " + "; ".join(self.unbalanced) if self.unbalanced else ""
        left = sum(map(len, self.skipped.values()))
        skipped = (f"; {counted(left, 'row')} left out: " + ", ".join(
            f"{len(at)} {why} ({'line' if len(at) == 1 else 'lines'} {', '.join(map(str, at[:5]))}"
            f"{', ...' if len(at) > 5 else ''})" for why, at in self.skipped.items())) if left else ""
        return (f"{Path(self.path).name}: {self.format}, {counted(self.lines, 'line')}: {self.added} new "
                f"({counted(self.credits, 'credit')} to match, {counted(self.added - self.credits, 'debit')} "
                f"excluded), {self.duplicates} already in the book{updated}{checked}{unbalanced}{skipped}")


def counted(number: int, noun: str) -> str:
    """``1 line``, ``2 lines``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


#: Characters no bank text holds: replacement, C0/C1 controls (tab and newline aside), private use.
_MOJIBAKE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
EXCEL_ROWS = 1_048_576  # a worksheet's row limit, header row included
RECORD_COLUMNS = ("Bank Ref", "Date", "Amount", "Currency", "Payer", "Memo", "Account", "Source", "Fingerprint",
                  "Status", "Raw Text", "Charges")  # what statement_rows gives; the sheet's other columns are computed
UPDATABLE = ("Date", "Amount", "Currency", "Payer", "Memo", "Account", "Raw Text", "Charges")


def fingerprint(account: str, day: Any, content: str, occurrence: int) -> str:
    """Hash of a line's own record in its file (whitespace folded), account, date (or its ISO text) and
    occurrence number."""
    text = f"{account}\x1f{day}\x1f{' '.join(content.split())}\x1f{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def statement_rows(statements: Sequence[Statement], source_name: str) -> dict[str, list[Any]]:
    """Bank-sheet records of every line, column by column (RECORD_COLUMNS), with fingerprints (unique:
    a repeated line counts its occurrences); InputError for a missing currency, a bad amount or misread
    text. Each statement's lines are let go once turned into columns (the statements end up empty), so a
    large file is not held twice."""
    columns: dict[str, list[Any]] = {c: [] for c in RECORD_COLUMNS}
    seen: dict[str, int] = {}  # first-occurrence fingerprint -> occurrences so far (identical lines in a file)
    for statement in statements:
        note = statement.unbalanced_note()
        lines, statement.lines = statement.lines, []
        currencies = [(line.currency or statement.currency or "").upper() for line in lines]
        if "" in currencies:
            line = lines[currencies.index("")]
            raise InputError([Problem(statement.source, line.line, "currency", "the line has no currency")])
        try:
            amounts = [money(line.amount, currency) for line, currency in zip(lines, currencies)]
        except MoneyError:
            amounts = []
            for line, currency in zip(lines, currencies):
                try:
                    amounts.append(money(line.amount, currency))
                except MoneyError as exc:
                    raise InputError([Problem(statement.source, line.line, "amount", str(exc))]) from None
        if _MOJIBAKE.search("\n".join([f"{line.payer}{line.memo}{line.raw}" for line in lines])):
            _refuse_mojibake(statement.source, next(line for line in lines
                                                    if _MOJIBAKE.search(f"{line.payer}{line.memo}{line.raw}")))
        accounts = [line.account or statement.account for line in lines]
        contents = [line.content or "\x1f".join(map(str, (amount, currency, line.payer, line.memo, line.ref)))
                    for line, amount, currency in zip(lines, amounts, currencies)]
        days = {day: str(day) for day in {line.date for line in lines}}  # a date's text, made once per date
        prints = [fingerprint(account, days[line.date], content, 1)
                  for line, account, content in zip(lines, accounts, contents)]
        del contents
        for i, fp in enumerate(prints):
            count = seen[fp] = seen.get(fp, 0) + 1
            if count > 1:
                prints[i] = fingerprint(accounts[i], lines[i].date, lines[i].content or "\x1f".join(
                    map(str, (amounts[i], currencies[i], lines[i].payer, lines[i].memo, lines[i].ref))), count)
        columns["Bank Ref"] += [line.ref for line in lines]
        columns["Date"] += [line.date for line in lines]
        columns["Amount"] += amounts
        columns["Currency"] += currencies
        columns["Payer"] += [tidy(line.payer) or None for line in lines]
        columns["Memo"] += [tidy(line.memo) or None for line in lines]
        columns["Account"] += [account or None for account in accounts]
        columns["Source"] += [f"{source_name} ({note})" if note else source_name] * len(lines)
        columns["Fingerprint"] += prints
        columns["Status"] += [BankStatus.NEW.value if amount > 0 else BankStatus.EXCLUDED.value for amount in amounts]
        columns["Raw Text"] += [line.raw[:32000] or None for line in lines]
        columns["Charges"] += ([_charges(line, currency) for line, currency in zip(lines, currencies)]
                               if any(line.charges for line in lines) else [None] * len(lines))  # camt only
        del lines, amounts, currencies, accounts, prints
    return columns


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))  # soft hyphen, zero widths


def tidy(text: str) -> str:
    """Payer or memo text on one line: tabs and line breaks as single spaces, invisible characters dropped
    (the Raw Text column keeps the bank's text as it was)."""
    if not text or (text.isprintable() and "  " not in text):
        return text  # the common case, without a split
    return " ".join(text.translate(_INVISIBLE).split())


def _charges(line: Any, currency: str) -> Decimal | None:
    """The line's stated charges as money of its currency (None when the file states none or a bad one)."""
    if not line.charges:
        return None
    try:
        return money(line.charges, currency)
    except MoneyError:
        return None


def _refuse_mojibake(source: str, line: Any) -> None:
    for field_name, text in (("payer", line.payer), ("memo", line.memo), ("text", line.raw)):
        bad = _MOJIBAKE.search(text)
        if bad:
            raise InputError([Problem(source, line.line, field_name,
                                      f"unreadable character U+{ord(bad.group()):04X} in {text[:40]!r}: the "
                                      "file's encoding was misread or the file is damaged; name the "
                                      "encoding with --encoding (e.g. --encoding cp852)")])


def held_refs(book: Book) -> set[str]:
    """Bank Refs that an allocation (auto, suggested or confirmed) holds."""
    allocations = book.read(ALLOCATIONS.name)
    held = allocations[allocations["Status"] != AllocationStatus.REJECTED]
    return set(held["Bank Ref"].dropna().astype(str))


def merge_lines(existing: pd.DataFrame, records: dict[str, list[Any]], report: FileReport,
                held: AbstractSet[str] = frozenset()) -> pd.DataFrame:
    """``existing`` plus the ``records`` (columns, as ``statement_rows`` gives) not already there (see
    module doc); lines already there and not held by an allocation take the record's values (a new
    mapping); updates ``report``."""
    by_fingerprint = {fp: i for i, fp in zip(existing.index, existing["Fingerprint"]) if isinstance(fp, str)}
    used_refs = set(existing["Bank Ref"].dropna())
    by_account = {(a or "", r) for a, r in zip(existing["Account"], existing["Bank Ref"])}
    by_account |= {(a or "", r[: -len(a) - 1]) for a, r in by_account if a and str(r).endswith("/" + a)}
    refs, accounts, statuses = records["Bank Ref"], records["Account"], records["Status"]
    fresh = bytearray(len(refs))  # 1 where the line is new (fingerprints are unique within ``records``)
    existing = existing.copy()
    for i, fp in enumerate(records["Fingerprint"]):
        at = by_fingerprint.get(fp)
        if at is not None:
            report.duplicates += 1
            old = existing.loc[at]
            if old["Bank Ref"] not in held and any(_differs(old[c], records[c][i]) for c in UPDATABLE):
                for column in UPDATABLE:
                    existing.at[at, column] = records[column][i]
                if old["Status"] in (BankStatus.NEW, BankStatus.EXCLUDED, None):
                    existing.at[at, "Status"] = statuses[i]
                report.updated += 1
            continue
        account, ref = accounts[i] or "", refs[i]
        if ref and (account, ref) in by_account:
            report.duplicates += 1
            continue
        if not ref:
            ref = "FP-" + fp[:16]
        elif ref in used_refs:
            ref = f"{ref}/{account}" if account and f"{ref}/{account}" not in used_refs else ref
            suffix = 2
            base = ref
            while ref in used_refs:
                ref, suffix = f"{base}#{suffix}", suffix + 1
        refs[i] = ref
        used_refs.add(ref)
        fresh[i] = 1
    added = fresh.count(1)
    report.added += added
    report.credits += sum(compress(map(BankStatus.NEW.value.__eq__, statuses), fresh))
    if not added:
        return existing
    blank = [None] * added
    every = added == len(fresh)
    new = pd.DataFrame({c: pd.Series((records.pop(c) if every else list(compress(records.pop(c), fresh)))
                                     if c in records else blank, dtype=object)
                        for c in existing.columns})  # each list let go once it is a column
    if existing.empty:
        return new
    return pd.concat([existing.reset_index(drop=True), new], ignore_index=True).astype(object)


def _differs(old: Any, new: Any) -> bool:
    blank = lambda v: v is None or (isinstance(v, float) and v != v) or v == ""  # noqa: E731
    if blank(old) and blank(new):
        return False
    return str(old) != str(new)


def profile_options(book: Book, name: str | None, mapping: Sequence[tuple[str, str]], currency: str | None,
                    date_order: str | None, encoding: str | None = None, allow_unbalanced: bool = False) -> Options:
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
    given = currency or saved.get("Default Currency") or None
    if given and given.upper() not in CURRENCIES:  # the Bank sheet could not hold it: refused before anything
        raise ArbookError(f"--currency {given}: not a currency code the book knows ({', '.join(CURRENCIES)})")
    return Options(currency=given and given.upper(), home_currency=home,
                   date_order=date_order or saved.get("Date Order") or None,
                   mapping=tuple(sorted(columns.items())), encoding=encoding or saved.get("Encoding") or None,
                   allow_unbalanced=allow_unbalanced)


def store_profile(book: Book, name: str, options: Options) -> None:
    """Store (replace) the named profile: its column mapping and settings."""
    profiles = book.read(PROFILES.name)
    kept = profiles[profiles["Profile"] != name]
    rows = [{"Profile": name, "Setting": role, "Value": column} for role, column in options.mapping]
    if options.currency:
        rows.append({"Profile": name, "Setting": "Default Currency", "Value": options.currency})
    if options.date_order:
        rows.append({"Profile": name, "Setting": "Date Order", "Value": options.date_order})
    if options.encoding:
        rows.append({"Profile": name, "Setting": "Encoding", "Value": options.encoding})
    book.replace(PROFILES.name, pd.concat([kept, make_frame(PROFILES, rows)], ignore_index=True).astype(object))
    book.log("profile", f"saved bank profile {name}: " + ", ".join(f"{r['Setting']}={r['Value']}" for r in rows))


def import_bank_files(book: Book, paths: Sequence[str | Path], options: Options) -> list[FileReport]:
    """Read every file (all must be readable), then add their new lines to the Bank sheet (staged).

    InputError (nothing staged) when the Bank sheet would pass Excel's row limit.
    """
    with collector_paused():
        return _import(book, paths, options)


def _import(book: Book, paths: Sequence[str | Path], options: Options) -> list[FileReport]:
    parsed = [(str(p), read_statements(p, options)) for p in paths]
    bank = book.read(BANK.name)
    before = len(bank)
    held = held_refs(book)
    reports = []
    for path, statements in parsed:
        formats = sorted({s.format for s in statements})
        report = FileReport(path, "/".join(formats), len(statements), sum(len(s.lines) for s in statements),
                            balances_checked=sum(s.opening is not None and s.closing is not None for s in statements),
                            unbalanced=[n for n in (s.unbalanced_note() for s in statements) if n],
                            skipped={why: [at for s in statements for at in s.skipped.get(why, ())]
                                     for why in dict.fromkeys(w for s in statements for w in s.skipped)})
        bank = merge_lines(bank, statement_rows(statements, Path(path).name), report, held)
        reports.append(report)
    room = EXCEL_ROWS - 1 - before
    added = sum(r.added for r in reports)
    if added > room:
        raise InputError([Problem(reports[-1].path, None, None,
                                  f"{added} new lines would pass Excel's limit of {EXCEL_ROWS:,} rows on the Bank "
                                  f"sheet: {room:,} rows remain; archive old lines to another book first")])
    if any(r.added or r.updated for r in reports):
        book.replace(BANK.name, bank)
    for report in reports:
        book.log("import bank", report.summary())
    return reports


def unimport_file(book: Book, path: str | Path) -> int:
    """Remove the Bank lines imported from ``path``: those of its Source name whose fingerprints the file
    still gives (so another bank's file of the same name keeps its lines), or by name alone when the file
    is gone or reads differently now. ArbookError naming the allocations that hold any of them, with nothing
    removed. Returns how many lines went."""
    name = Path(path).name
    bank = book.read(BANK.name)
    sources = bank["Source"].astype(str)
    mine = (sources == name) | sources.str.startswith(name + " (")
    if not mine.any():
        raise ArbookError(f"{name}: no Bank lines were imported from this file")
    prints = _fingerprints(path, book)
    if prints and (mine & bank["Fingerprint"].isin(prints)).any():
        mine &= bank["Fingerprint"].isin(prints)
    refs = set(bank.loc[mine, "Bank Ref"].astype(str))
    allocations = book.read(ALLOCATIONS.name)
    holding = allocations[allocations["Bank Ref"].astype(str).isin(refs) & (allocations["Status"] != AllocationStatus.REJECTED)]
    if not holding.empty:
        listed = ", ".join(f"{r} -> {i if isinstance(i, str) and i else 'unapplied'} ({s})" for r, i, s in
                           zip(holding["Bank Ref"], holding["Invoice No"], holding["Status"]))
        raise ArbookError(f"{name}: {len(set(holding['Bank Ref']))} of its lines are applied ({listed}); "
                          "reverse them with `arbook unmatch BOOK BANK_REF` first")
    book.replace(BANK.name, bank[~mine].reset_index(drop=True))
    rejected = allocations["Bank Ref"].astype(str).isin(refs)
    if rejected.any():
        book.replace(ALLOCATIONS.name, allocations[~rejected].reset_index(drop=True))
    book.log("unimport bank", f"{name}: removed {int(mine.sum())} Bank line(s)")
    return int(mine.sum())


def _fingerprints(path: str | Path, book: Book) -> set[str]:
    """The fingerprints of the lines the file at ``path`` gives today (empty when it is gone or unreadable
    without the options it was imported with)."""
    if not Path(path).is_file():
        return set()
    home = book.settings().get("Home Currency", "").strip().upper()
    try:  # the currency does not enter a fingerprint: any will do for a file that names none
        statements = read_statements(path, Options(currency=home or "USD", allow_unbalanced=True))
        return set(statement_rows(statements, Path(path).name)["Fingerprint"])
    except InputError:
        return set()


def import_bank(book: Book, files: Sequence[str | Path], profile: str | None = None,
                mapping: Sequence[tuple[str, str]] | None = None, save_profile: str | None = None,
                currency: str | None = None, date_order: str | None = None, encoding: str | None = None,
                allow_unbalanced: bool = False) -> list[FileReport]:
    """Import bank statement files into the Bank sheet (staged): options from the named ``profile``,
    overridden by ``mapping`` (role, column), ``currency``, ``date_order`` and ``encoding``;
    ``save_profile`` stores them; ``allow_unbalanced`` imports statements whose balances do not add up."""
    options = profile_options(book, profile, mapping or [], currency and currency.upper(), date_order, encoding,
                              allow_unbalanced)
    reports = import_bank_files(book, files, options)
    if save_profile:
        store_profile(book, save_profile, options)
    return reports
