"""The ``arbook`` command line: a thin layer over the library; one-line errors, exit code 1."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import click

from arbook import __version__
from arbook.adapters.book import new_book, open_book
from arbook.model.errors import ArbookError
from arbook.services.export import export_csv
from arbook.services.masterdata import import_master
from arbook.model.schema import CUSTOMERS, INVOICES, SHEETS, Sheet, sheet as sheet_named
from arbook.adapters.tabular import read_table_file


class Steps:
    """A progress bar over a command's named steps, shown only on a terminal."""

    def __init__(self, labels: list[str]):
        self._bar = None
        if sys.stderr.isatty():
            self._bar = click.progressbar(length=len(labels), label=labels[0], file=sys.stderr,
                                          show_eta=False, width=24)
            self._bar.__enter__()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.label = label
            self._bar.render_progress()
        yield
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(__version__, prog_name="arbook")
def cli(debug: bool) -> None:
    """arbook: accounts receivable in an Excel workbook.

    Keep customers and invoices in BOOK (.xlsx or .xlsm), import bank statements, match
    payments to invoices, age the ledger and send statements. Every change is saved
    atomically (BOOK.bak keeps the previous version) and logged on the Log sheet.
    """


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace BOOK if it exists (the old one is kept as BOOK.bak).")
def new(book: str, force: bool) -> None:
    """Create an empty book with every sheet of the schema.

    Example: arbook new ar.xlsx
    """
    path = new_book(book, overwrite=force)
    click.echo(f"created {path} with sheets {', '.join(s.name for s in SHEETS)}")


def _import_master(book: str, file: str, sheet: Sheet) -> None:
    steps = Steps(["reading file", "reading book", "validating", "saving"])
    try:
        with steps.step("reading file"):
            table = read_table_file(file)
        with steps.step("reading book"), open_book(book) as handle:
            with steps.step("validating"):
                result = import_master(handle, sheet, table)
            with steps.step("saving"):
                handle.commit()
    finally:
        steps.close()
    click.echo(result.summary(sheet.name))


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
def customers(book: str, file: str) -> None:
    """Add or update customers from a CSV (UTF-8, CP932, GB18030...) or .xlsx file, by Customer ID.

    Only the columns present in FILE are updated. Any bad row stops the whole file.
    Example: arbook customers ar.xlsx customers.csv
    """
    _import_master(book, file, CUSTOMERS)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
def invoices(book: str, file: str) -> None:
    """Add or update invoices from a CSV or .xlsx file, by Invoice No.

    An empty Due Date becomes Issue Date + the client's Terms Days.
    Example: arbook invoices ar.xlsx invoices.csv
    """
    _import_master(book, file, INVOICES)


@cli.command("import")
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--profile", help="Use the column mapping saved in the book under this name.")
@click.option("--map", "mapping", multiple=True, metavar="ROLE=COLUMN",
              help="Map a CSV column (header text or 1-based number) to a role: date, amount, credit, debit, "
                   "dc, payer, memo, ref, currency, account, value_date, balance, status.")
@click.option("--save-profile", metavar="NAME", help="Save --map/--currency/--date-order as a bank profile.")
@click.option("--currency", help="Currency of files that name none (else the book's Home Currency setting).")
@click.option("--date-order", type=click.Choice(["dmy", "mdy", "ymd"]), help="Day/month order when ambiguous.")
def import_(book: str, files: tuple[str, ...], profile: str | None, mapping: tuple[str, ...],
            save_profile: str | None, currency: str | None, date_order: str | None) -> None:
    """Import bank statement files (CSV/TSV/xlsx, camt.052/053/054, MT940, OFX/QFX, Zengin) into Bank.

    Formats, encodings and columns are detected. Re-importing a file adds nothing; if any file
    is unreadable or its stated balances do not add up, nothing is imported.
    Example: arbook import ar.xlsx statement.csv zengin.txt camt053.xml
    """
    from arbook.services.bankimport import import_bank_files, profile_options, save_profile as store_profile

    pairs = []
    for item in mapping:
        role, sep, column = item.partition("=")
        if not sep or not role.strip() or not column.strip():
            raise click.BadParameter(f"{item!r}: use ROLE=COLUMN, e.g. date=1 or amount=Betrag", param_hint="--map")
        pairs.append((role.strip().lower(), column.strip()))
    steps = Steps(["reading book", "reading files", "saving"])
    try:
        with steps.step("reading book"), open_book(book) as handle:
            options = profile_options(handle, profile, pairs, currency and currency.upper(), date_order)
            with steps.step("reading files"):
                reports = import_bank_files(handle, files, options)
            if save_profile:
                store_profile(handle, save_profile, options)
            with steps.step("saving"):
                handle.commit()
    finally:
        steps.close()
    for report in reports:
        click.echo(report.summary())


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
def match(book: str) -> None:
    """Match unmatched bank credits to open invoices (cash application; 入金消込; 核销).

    Clear matches become Allocations with Status auto; the rest are proposed on the Review
    sheet. Each allocation carries its Rule, Reason and Score. Re-running adds no duplicates.
    Example: arbook match ar.xlsx
    """
    from arbook.services.cashapp import match_book

    steps = Steps(["reading book", "matching", "saving"])
    try:
        with steps.step("reading book"), open_book(book) as handle:
            with steps.step("matching"):
                result = match_book(handle)
            with steps.step("saving"):
                handle.commit()
    finally:
        steps.close()
    click.echo(result.summary())


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
def confirm(book: str) -> None:
    """Apply the Review sheet's Accept column: yes confirms a proposal, no rejects it.

    A confirmed payer name is learned into the client's Payer Names, so next month the same
    payer is matched automatically. Example: arbook confirm ar.xlsx
    """
    from arbook.services.cashapp import confirm_book

    with open_book(book) as handle:
        result = confirm_book(handle)
    click.echo(result.summary())


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("bank_ref")
def unmatch(book: str, bank_ref: str) -> None:
    """Reverse the allocation of one bank line (kept as rejected, so it is not proposed again).

    Example: arbook unmatch ar.xlsx US00000012
    """
    from arbook.services.cashapp import unmatch_book

    with open_book(book) as handle:
        count = unmatch_book(handle, bank_ref)
    click.echo(f"reversed {count} allocation row(s) of {bank_ref}; the line is unmatched again")


def _as_of(value: str | None) -> date | None:
    from arbook.model.textparse import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


@cli.command("age")
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", metavar="DATE", help="Age as of this date (default today), e.g. 2026-10-31.")
def age_(book: str, as_of: str | None) -> None:
    """Recalculate Applied/Open/Days Overdue/Bucket/Status/Reminder Level of every invoice, the
    clients' balances and credit status, and the Aging sheet (per currency).

    Example: arbook age ar.xlsx --as-of 2026-10-31
    """
    from arbook.services.receivables import age_book

    with open_book(book) as handle:
        result = age_book(handle, _as_of(as_of))
    click.echo(result.summary())


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this client (repeatable).")
def ledger(book: str, customers: tuple[str, ...]) -> None:
    """Write a ledger sheet per client (得意先元帳 / 客户帐本): date, document, description,
    debit, credit and running balance from invoices and applied payments. Regenerating
    replaces a client's sheet, never duplicates it. Example: arbook ledger ar.xlsx --customer C00012
    """
    from arbook.services.receivables import ledger_book

    with open_book(book) as handle:
        count = ledger_book(handle, list(customers) or None)
    click.echo(f"wrote {count} ledger sheet(s)")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the messages.")
@click.option("--as-of", "as_of", metavar="DATE", help="As of this date (default today).")
@click.option("--unconfirmed-days", type=click.IntRange(min=0), metavar="N",
              help="Also ask each client whose statement is N or more days old without a reply to confirm its balance.")
def reminders(book: str, out_dir: str, as_of: str | None, unconfirmed_days: int | None) -> None:
    """Write one reminder message per client and dunning level, in the client's language (ja/zh/en).

    Levels start at the Reminder Days setting (default 7, 30, 60 days past due); disputed
    invoices get no reminder. Example: arbook reminders ar.xlsx --out reminders/
    """
    from arbook.services.receivables import write_reminders

    with open_book(book) as handle:
        files = write_reminders(handle, Path(out_dir), _as_of(as_of), unconfirmed_days)
    click.echo(f"wrote {len(files)} reminder message(s) to {out_dir}")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder for the statements.")
@click.option("--as-of", "as_of", metavar="DATE", help="Statement date (default today).")
@click.option("--from", "period_from", metavar="DATE", help="Period start (default the 1st of the as-of month).")
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this client (repeatable).")
@click.option("--open-only", is_flag=True, help="Only open items, no transaction lines.")
@click.option("--template", type=click.Path(dir_okay=False), help="Another statement template (.xlsx).")
@click.option("--pdf", is_flag=True, help="Also a PDF of each statement (needs LibreOffice).")
@click.option("--encrypt", is_flag=True, help="Encrypt each workbook with its own password "
                                              "(listed in statement-passwords.csv, never emailed).")
def statements(book: str, out_dir: str, as_of: str | None, period_from: str | None, customers: tuple[str, ...],
               open_only: bool, template: str | None, pdf: bool, encrypt: bool) -> None:
    """Write one statement workbook per client from templates/statement.xlsx, labels in the
    client's language, with a Confirm sheet the client fills in and returns.

    Example: arbook statements ar.xlsx --out statements/ --as-of 2026-10-31
    """
    from arbook.services.statements import write_statements

    with open_book(book) as handle:
        run = write_statements(handle, Path(out_dir), _as_of(as_of), _as_of(period_from), list(customers) or None,
                               open_only, Path(template) if template else None, pdf=pdf, encrypt=encrypt)
    extra = (f", {len(run.pdfs)} PDF(s)" if run.pdfs else "") + (
        f"; passwords in {run.passwords} (give them to each client another way)" if run.passwords else "")
    click.echo(f"wrote {len(run.files)} statement(s) to {out_dir}{extra}")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@click.option("--passwords", type=click.Path(dir_okay=False, exists=True),
              help="The password file --encrypt wrote, to open encrypted returns.")
@click.option("--overdue-days", type=click.IntRange(min=0), metavar="N",
              help="List the clients whose statement is N or more days old with no reply.")
def confirmations(book: str, files: tuple[str, ...], passwords: str | None, overdue_days: int | None) -> None:
    """Read returned statements: verify each (client, keyed checksum), record each client's answer
    (Confirmation, Confirmed Balance, Confirmed On; a disputed line sets the invoice's Disputed
    flag) and report files that were altered or belong to another client (exit code 1 then).
    Example: arbook confirmations ar.xlsx returned/*.xlsx
    """
    from arbook.services.receivables import unanswered
    from arbook.services.statements import load_passwords, read_confirmations

    if not files and overdue_days is None:
        raise click.UsageError("give the returned FILES, or --overdue-days N")
    report = None
    with open_book(book) as handle:
        if files:
            report = read_confirmations(handle, [Path(f) for f in files],
                                        load_passwords(Path(passwords)) if passwords else None)
        waiting = unanswered(handle, overdue_days) if overdue_days is not None else []
    if report is not None:
        click.echo(report.summary())
    for row in waiting:
        click.echo(f"no reply: {row['Customer ID']} {row['Name']} <{row.get('Email') or ''}> statement as of "
                   f"{row['Confirmed On']}")
    if overdue_days is not None:
        click.echo(f"{len(waiting)} client(s) with no reply for {overdue_days}+ day(s)")
    if report is not None and report.rejected:
        click.echo(f"arbook: {len(report.rejected)} file(s) rejected (see above); the others were recorded", err=True)
        sys.exit(1)


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--statements", "folder", type=click.Path(file_okay=False, exists=True), required=True,
              help="The folder 'arbook statements' wrote.")
@click.option("--outbox", type=click.Path(file_okay=False), help="Where .eml drafts go (default STATEMENTS/outbox).")
@click.option("--smtp", metavar="HOST:PORT", help="Send through this server (STARTTLS when offered; credentials "
                                                   "from ARBOOK_SMTP_USER / ARBOOK_SMTP_PASSWORD).")
@click.option("--resend", multiple=True, metavar="ID", help="Send this client's statement again, on purpose.")
@click.option("--mark-sent", multiple=True, metavar="ID",
              help="Record this client's statement as sent without sending it (after checking a send that was "
                   "never confirmed).")
@click.option("--accept-changed-addresses", is_flag=True,
              help="Send to the book's current addresses even where they changed since the statements were written.")
def email(book: str, folder: str, outbox: str | None, smtp: str | None, resend: tuple[str, ...],
          mark_sent: tuple[str, ...], accept_changed_addresses: bool) -> None:
    """Email each client its statement in its language: .eml drafts by default, or send by SMTP.

    A statement goes only to the client and addresses fixed in its signed manifest, and never
    twice; sends are journalled beside the book, so a crash never leads to a second delivery.
    Example: arbook email ar.xlsx --statements statements/ --smtp smtp.example.com:587
    """
    from arbook.services.mail import email_statements

    with open_book(book) as handle:
        run = email_statements(handle, Path(folder), Path(outbox) if outbox else None, smtp, resend, mark_sent,
                               accept_changed_addresses)
    click.echo(run.summary())


@cli.command("build-workbook")
@click.option("--out", default="arbook.xlsm", show_default=True, type=click.Path(dir_okay=False))
def build_workbook_(out: str) -> None:
    """Build the macro-enabled book with the AR ribbon from the schema, macros/ and xlwings' VBA
    (standalone: no add-in needed). The same input always gives the same bytes.
    """
    from arbook.adapters.vba.build import build_workbook

    click.echo(f"built {build_workbook(Path(out))}")


@cli.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("sheet")
@click.argument("out", type=click.Path(dir_okay=False))
def export(book: str, sheet: str, out: str) -> None:
    """Write SHEET of BOOK to OUT as UTF-8 CSV (with BOM) with the schema's headers.

    Example: arbook export ar.xlsx Invoices invoices-out.csv
    """
    target = sheet_named(sheet)
    with open_book(book) as handle:
        count = export_csv(target, handle.read(target.name), out)
    click.echo(f"wrote {count} {target.name} rows to {out}")


@cli.command()
@click.option("--markdown", is_flag=True, help="As Markdown tables (the README's schema section).")
def schema(markdown: bool) -> None:
    """Print every sheet and column of the workbook schema."""
    from arbook.model.schemadoc import schema_text

    click.echo(schema_text(markdown=markdown))


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="arbook-demo",
              show_default=True, help="Folder to copy the sample book and bank files into.")
def demo(out_dir: str) -> None:
    """Copy the sample book and files into a folder and run the month-end on them."""
    from arbook.services.demo import run_demo

    run_demo(Path(out_dir), click.echo)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: ArbookError -> one line on stderr and exit code 1."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="arbook", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("arbook: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ArbookError as exc:
        if debug:
            raise
        click.echo(f"arbook: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: still one line unless --debug
        if debug:
            raise
        click.echo(f"arbook: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(2)
