"""``arbook demo``: the month-end on the sample book, as far as the features exist."""
from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from arbook.adapters.bankfiles import Options
from arbook.adapters.book import open_book
from arbook.model.errors import ArbookError
from arbook.resources import resource
from arbook.domain.credits import is_credit_note
from arbook.model.book import Book
from arbook.model.money import money
from arbook.model.schema import BANK, INVOICES, REVIEW
from arbook.model.statuses import APPLIED, BankStatus
from arbook.services.adjustments import refund_book, writeoff_book
from arbook.services.bankimport import import_bank_files
from arbook.services.cashapp import apply_book, match_book
from arbook.services.mail import email_statements
from arbook.services.receivables import age_book, ledger_book, write_reminders
from arbook.services.statements import write_statements

REPO_SAMPLES = resource("samples")
# What the shipped samples are (tools/samplegen writes them; a test keeps these in step).
SAMPLE_AS_OF = date(2026, 11, 16)
BANK_FILES = ("zengin_03.txt", "bank_cn_gb18030.csv", "camt053_usd.xml")


def copy_samples(out_dir: Path) -> list[Path]:
    """Copy the shipped sample book and files into ``out_dir``."""
    if not (REPO_SAMPLES / "book.xlsx").is_file():
        raise ArbookError(f"the sample book is missing from {REPO_SAMPLES} (reinstall arbook)")
    out_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted(REPO_SAMPLES.iterdir()):
        if source.is_file() and source.suffix in (".xlsx", ".xlsm", ".csv", ".txt", ".xml", ".sta", ".ofx"):
            target = out_dir / source.name
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def credit_note_lines(book: Book) -> list[str]:
    """What the book's credit notes did: one line per allocation they made (or the credit they left)."""
    invoices = book.read("Invoices")
    currency = {n: c for n, c, k in zip(invoices["Invoice No"], invoices["Currency"], invoices["Type"])
                if is_credit_note(k)}
    allocations = book.read("Allocations")
    return [f"{r['Bank Ref']} {currency[r['Bank Ref']]} {money(r['Applied Amount'], currency[r['Bank Ref']]):,} -> "
            f"{r['Invoice No'] or r['Customer ID']} ({r['Rule']})"
            for r in allocations.to_dict("records") if r["Bank Ref"] in currency and r["Status"] in APPLIED]


def review_lines(book: Book, out_dir: Path) -> list[str]:
    """What waits for the accountant after matching, with the command that settles each; the
    proposal leaving the smallest rest is settled by hand, as an accountant would."""
    review = book.read(REVIEW.name)
    bank = book.read(BANK.name)
    amounts = dict(zip(book.read(INVOICES.name)["Invoice No"], book.read(INVOICES.name)["Amount"]))
    target = out_dir / "book.xlsx"
    lines = [f"Review: {len(review)} proposal(s) on the Review sheet: set Accept (yes/no) or type invoice numbers "
             f"in Apply To, then `arbook confirm {target}`; or apply one directly:"]
    for row in review.head(4).to_dict("records"):
        lines.append(f"  {row['Bank Ref']}: {row['Currency']} {row['Amount']:,} from {row['Payer']} "
                     f"({row['Rule']}) -> arbook apply {target} {row['Bank Ref']} {row['Invoices']}={row['Applied']}")
    unmatched = bank[bank["Status"] == BankStatus.UNMATCHED]
    if len(unmatched):
        first = unmatched.iloc[0]
        lines.append(f"No candidate: {len(unmatched)} payment(s) with Status unmatched on the Bank sheet (unknown "
                     f"payers, interest, own transfers); e.g. {first['Bank Ref']} {first['Currency']} "
                     f"{first['Amount']:,} from {first['Payer']}: if you know the invoice, "
                     f"arbook apply {target} {first['Bank Ref']} INVOICE")
    single = [r for r in review.to_dict("records") if r["Invoices"] in amounts and "," not in r["Invoices"]]
    if single:
        row = min(single, key=lambda r: amounts[r["Invoices"]] - r["Applied"])
        lines.append("Applied by hand: " + apply_book(book, row["Bank Ref"], [f"{row['Invoices']}={row['Applied']}"]))
    return lines


def run_demo(out_dir: Path) -> list[str]:
    """Copy the samples into ``out_dir``, run every month-end step on them; the summary lines."""
    lines: list[str] = []
    echo = lines.append
    files = copy_samples(out_dir)
    book_path = out_dir / "book.xlsx"
    echo(f"Sample copied to {out_dir}/ ({len(files)} files)")
    with open_book(book_path) as book:
        customers = book.read("Customers")
        invoices = book.read("Invoices")
        languages = Counter(customers["Language"])
        echo(f"Customers: {len(customers)} ({', '.join(f'{k} {v}' for k, v in sorted(languages.items()))})")
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for currency, amount in zip(invoices["Currency"], invoices["Amount"]):
            totals[currency] += amount
        disputed = sum(bool(d) for d in invoices["Disputed"])
        echo(f"Invoices: {len(invoices)}, {disputed} disputed; billed "
             + ", ".join(f"{c} {v:,}" for c, v in sorted(totals.items())))
        book.log("demo", f"demo run in {out_dir}")
        bank_files = [out_dir / name for name in BANK_FILES if (out_dir / name).is_file()]
        echo(f"Importing {len(bank_files)} bank files ({', '.join(p.name for p in bank_files)}):")
        for report in import_bank_files(book, bank_files, Options()):
            echo("  " + report.summary())
        echo("Cash application: " + match_book(book).summary())
        for line in review_lines(book, out_dir):
            echo(line)
        for line in credit_note_lines(book):
            echo("Credit note: " + line)
        for proposal in refund_book(book, confirm=True):
            echo("Refund: " + proposal.line())
        echo("Write-off: " + writeoff_book(book, None, None, SAMPLE_AS_OF).summary())
        aged = age_book(book, SAMPLE_AS_OF)
        echo(aged.summary())
        home = aged.dashboard[aged.dashboard["Section"] == "Home"] if aged.dashboard is not None else None
        if home is not None and len(home):
            echo("Home currency: " + "; ".join(f"{r['Item']} {r['Total']:,}" for r in home.to_dict("records")))
        echo(f"Ledgers: {ledger_book(book)} client ledger sheets")
        reminders = write_reminders(book, out_dir / "reminders", SAMPLE_AS_OF, aged)
        echo(f"Reminders: {len(reminders)} messages in {out_dir / 'reminders'}")
        run = write_statements(book, out_dir / "statements", SAMPLE_AS_OF, aged=aged)
        echo(f"Statements: {len(run.files)} workbooks in {out_dir / 'statements'}")
        book.commit()
        echo("Email: " + email_statements(book, out_dir / "statements").summary()
             + f" ({out_dir / 'statements' / 'outbox'})")
    echo(f"Book: {book_path} (open it in Excel or LibreOffice)")
    return lines
