"""Every user action once: its library function, parameters, help and labels in ja/zh/en.

The command line (``arbook.cli``) and the Excel ribbon (``arbook.adapters.excel`` and the generated
VBA in ``macros/``) are both built from ``ACTIONS``; see docs/actions.md for adding one.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from arbook.model.book import Book
from arbook.model.words import labels

Kind = Literal["book", "file", "files", "folder", "path", "text", "date", "flag", "choice", "pairs", "count"]
Say = Callable[..., str]


@dataclass(frozen=True)
class Param:
    """One input of an action. ``option`` (e.g. ``"--out"``) makes it a CLI option, else a positional
    argument; ``name`` is the keyword the library function takes. ``ask`` makes the ribbon prompt for it
    (a file picker for ``files``, a folder picker for ``folder``, an input box for ``text``)."""

    name: str
    kind: Kind
    help: str = ""
    option: str | None = None
    required: bool = False
    multiple: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    exists: bool = False
    metavar: str | None = None
    ask: bool = False
    optional: bool = False  # a positional argument that may be left out


@dataclass(frozen=True)
class Ribbon:
    """Where the action sits on the AR ribbon tab: group label, Office icon (``imageMso``) and, for a
    file picker, its filter (Excel's ``GetOpenFilename`` form: ``"Label (*.a;*.b),*.a;*.b"``)."""

    group: str
    image: str
    filter: str = ""


@dataclass(frozen=True)
class Action:
    """A user action. ``run`` is ``"module:function"`` (imported when used), called with the opened Book
    first when ``book`` is set, then the arguments in order and the options by keyword; ``say`` turns its
    result (and the parameters, by keyword) into the line shown to the user."""

    name: str
    run: str
    help: str
    params: tuple[Param, ...] = ()
    say: Say = field(default=lambda result, **_: str(result))
    book: bool = True
    cli: bool = True
    ribbon: Ribbon | None = None
    ok: Callable[[Any], bool] = field(default=lambda result: True)

    @property
    def control_id(self) -> str:
        """The ribbon button id, e.g. ``arStatements`` for ``statements``."""
        return "ar" + "".join(part.title() for part in self.name.split("-"))

    @property
    def labels(self) -> dict[str, str]:
        """The action's label in each language (``action.<name>`` of ``arbook.model.words``)."""
        return labels("action." + self.name)

    @property
    def asks(self) -> Param | None:
        """The parameter the ribbon prompts for, if any (at most one per action)."""
        return next((p for p in self.params if p.ask), None)

    def function(self) -> Callable[..., Any]:
        """The library function behind the action."""
        module, _, name = self.run.partition(":")
        return getattr(importlib.import_module(module), name)

    def outcome(self, book: Book | None, values: dict[str, Any]) -> tuple[Any, str]:
        """Run the action with ``values`` (by parameter name; missing ones take their defaults): its
        result and the user's message; ``book`` is the opened Book or None when the action takes none."""
        values = {p.name: values.get(p.name, p.default) for p in self.params}
        given = {p.name: _converted(p, values[p.name]) for p in self.params}
        positional = [given[p.name] for p in self.params if p.option is None]
        keywords = {p.name: given[p.name] for p in self.params if p.option is not None}
        result = self.function()(*([book] if self.book else []), *positional, **keywords)
        return result, self.say(result, **values)

    def call(self, book: Book | None, values: dict[str, Any]) -> str:
        """The user's message after running the action (see ``outcome``)."""
        return self.outcome(book, values)[1]


def _converted(param: Param, value: Any) -> Any:
    """File and folder parameters as Paths (lists of Paths for ``files``); the rest as given."""
    if value is None or param.kind not in ("file", "files", "folder", "path"):
        return value
    return [Path(v) for v in value] if param.kind == "files" else Path(value)


TABLES = "CSV or Excel (*.csv;*.txt;*.xlsx),*.csv;*.txt;*.xlsx"
BANK_FILES = "Bank statements (*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx),*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx"
RETURNS = "Returned statements (*.xlsx),*.xlsx"
AS_OF = Param("as_of", "date", "As of this date (default today), e.g. 2026-10-31.", option="--as-of", metavar="DATE")
CUSTOMER = Param("customer_ids", "text", "Only this client (repeatable).", option="--customer", multiple=True,
                 metavar="ID")


def _state(confirmed: bool) -> str:
    from arbook.model.statuses import AllocationStatus

    return (AllocationStatus.CONFIRMED if confirmed else AllocationStatus.SUGGESTED).value


def _lines(results: list[Any], **_: Any) -> str:
    return "\n".join(r.summary() for r in results)


ACTIONS: tuple[Action, ...] = (
    Action("new", "arbook.adapters.book.create:new_book", """Create an empty book with every sheet of the schema.

    Example: arbook new ar.xlsx""",
           (Param("book", "path", metavar="BOOK"),
            Param("overwrite", "flag", "Replace BOOK if it exists (the old one is kept as BOOK.bak).", option="--force")),
           say=lambda r, **_: "created {} with sheets {}".format(r, ", ".join(_sheet_names())), book=False),
    Action("customers", "arbook.services.masterdata:import_customers",
           """Add or update customers from a CSV (UTF-8, CP932, GB18030...) or .xlsx file, by Customer ID.

    Only the columns present in FILE are updated. Any bad row stops the whole file.
    Example: arbook customers ar.xlsx customers.csv""",
           (Param("file", "file", ask=True),), say=lambda r, **_: r.summary("Customers"),
           ribbon=Ribbon("Import", "ImportExcel", TABLES)),
    Action("invoices", "arbook.services.masterdata:import_invoices", """Add or update invoices, credit notes and debit notes from a CSV or .xlsx file, by Invoice No.

    An empty Due Date becomes Issue Date + the client's Terms Days. Amounts are positive; a credit
    note has Type 'credit note' and Ref the invoice it corrects. Changing the client, currency or
    amount of a document with allocations is refused unless --force.
    Example: arbook invoices ar.xlsx invoices.csv""",
           (Param("file", "file", ask=True),
            Param("force", "flag", "Unapply (logged) the allocations of documents whose client, currency, amount "
                  "or type the file changes.", option="--force")),
           say=lambda r, **_: r.summary("Invoices"), ribbon=Ribbon("Import", "ImportMoreMenu", TABLES)),
    Action("import", "arbook.services.bankimport:import_bank",
           """Import bank statement files (CSV/TSV/xlsx, camt.052/053/054, MT940, OFX/QFX, Zengin) into Bank.

    Formats, encodings and columns are detected; payers are read from descriptions. Re-importing
    a file adds nothing (with another --map it updates its unapplied lines); if any file is
    unreadable or its stated balances do not add up (see --allow-unbalanced), nothing is imported.
    Example: arbook import ar.xlsx statement.csv zengin.txt camt053.xml""",
           (Param("files", "files", ask=True),
            Param("profile", "text", "Use the column mapping saved in the book under this name.", option="--profile"),
            Param("mapping", "pairs", "Map a CSV column (header text or 1-based number) to a role: date, amount, "
                  "credit, debit, dc, payer, memo, ref, currency, account, value_date, balance, status.",
                  option="--map", multiple=True, metavar="ROLE=COLUMN"),
            Param("save_profile", "text", "Save --map/--currency/--date-order as a bank profile.",
                  option="--save-profile", metavar="NAME"),
            Param("currency", "text", "Currency of files that name none (else the book's Home Currency setting).",
                  option="--currency"),
            Param("date_order", "choice", "Day/month order when ambiguous.", option="--date-order",
                  choices=("dmy", "mdy", "ymd")),
            Param("encoding", "text", "Text encoding of the files (e.g. cp932, gb18030, cp852) when detection "
                  "fails or refuses.", option="--encoding", metavar="NAME"),
            Param("allow_unbalanced", "flag", "Import statements whose stated balances do not add up (the "
                  "difference is noted on each line's Source and in the Log).", option="--allow-unbalanced")),
           say=_lines, ribbon=Ribbon("Import", "ImportTextFile", BANK_FILES)),
    Action("unimport", "arbook.services.bankimport:unimport_file",
           """Remove the Bank lines imported from FILE (its lines, not another file's of the same name), unless an allocation holds one of them (then name them).

    Example: arbook unimport ar.xlsx statement.csv""",
           (Param("path", "path", metavar="FILE"),),
           say=lambda n, path, **_: f"removed {n} Bank line(s) imported from {Path(path).name}"),
    Action("match", "arbook.services.cashapp:match_book", """Match unmatched bank credits to open invoices (cash application; 入金消込; 核销).

    Clear matches become Allocations with Status auto; the rest are proposed on the Review
    sheet. Each allocation carries its Rule, Reason and Score. Re-running adds no duplicates.
    Example: arbook match ar.xlsx""",
           say=lambda r, **_: r.summary(), ribbon=Ribbon("Match & Review", "ReviewAcceptChange")),
    Action("confirm", "arbook.services.cashapp:confirm_book", """Apply the Review sheet's Accept column: yes confirms a proposal, no rejects it.

    A confirmed payer name is learned into the client's Payer Names, so next month the same
    payer is matched automatically. Example: arbook confirm ar.xlsx""",
           say=lambda r, **_: r.summary(), ribbon=Ribbon("Match & Review", "AcceptInvitation")),
    Action("unmatch", "arbook.services.cashapp:unmatch_book",
           """Reverse the allocation of one bank line (kept as rejected, so it is not proposed again).

    Example: arbook unmatch ar.xlsx US00000012""",
           (Param("bank_ref", "text", ask=True),),
           say=lambda r, **_: r.summary(),
           ribbon=Ribbon("Match & Review", "ReviewRejectChange")),
    Action("apply", "arbook.services.cashapp:apply_book",
           """Apply a bank line (or the cash it left unapplied) by hand to the invoices named.

    The invoices must be one client's (several only when the payer is learned for each, e.g. in
    Paid By); without =AMOUNT an invoice gets its open amount; what is left stays unapplied cash;
    a shortfall that is a real bank fee (stated, learned or published) is booked as one. A payer
    recognised as another client needs --third-party. The payer name is learned.
    On the Review sheet, the Apply To column does the same through confirm.
    Example: arbook apply ar.xlsx US00000012 INV-1042 INV-1043=500""",
           (Param("bank_ref", "text"),
            Param("targets", "text", multiple=True, metavar="INVOICE[=AMOUNT]..."),
            Param("third_party", "flag", "The payer is recognised as another client and pays these invoices for "
                  "their client (a parent, a factor): apply anyway and learn it in Paid By.", option="--third-party")),
           say=lambda summary, **_: summary),
    Action("age", "arbook.services.receivables:age_book",
           """Recalculate Applied/Open/Days Overdue/Bucket/Status/Reminder Level of every invoice, the
    clients' balances and credit status, and the Aging sheet (per currency).

    Example: arbook age ar.xlsx --as-of 2026-10-31""",
           (AS_OF,), say=lambda r, **_: r.summary(), ribbon=Ribbon("Aging & Credit", "CalendarMonthDetailsSplit")),
    Action("ledger", "arbook.services.receivables:ledger_book",
           """Write a ledger sheet per client (得意先元帳 / 客户帐本): date, document, description,
    debit, credit and running balance from invoices and applied payments. Regenerating
    replaces a client's sheet, never duplicates it. Example: arbook ledger ar.xlsx --customer C00012""",
           (CUSTOMER,), say=lambda n, **_: f"wrote {n} ledger sheet(s)", ribbon=Ribbon("Aging & Credit", "AccountingFormat")),
    Action("reminders", "arbook.services.receivables:write_reminders",
           """Write one reminder message per client and dunning level, in the client's language (ja/zh/en).

    Levels start at the Reminder Days setting (default 7, 30, 60 days past due); disputed
    invoices get no reminder. Example: arbook reminders ar.xlsx --out reminders/""",
           (Param("out_dir", "folder", "Folder for the messages.", option="--out", required=True, ask=True), AS_OF,
            Param("unconfirmed_days", "count", "Also ask each client whose statement is N or more days old without a "
                  "reply to confirm its balance.", option="--unconfirmed-days", metavar="N")),
           say=lambda r, out_dir, **_: f"wrote {len(r)} reminder message(s) to {out_dir}",
           ribbon=Ribbon("Aging & Credit", "EnvelopesAndLabelsDialog")),
    Action("statements", "arbook.services.statements:write_statements",
           """Write one statement workbook per client from templates/statement.xlsx, labels in the
    client's language, with a Confirm sheet the client fills in and returns.

    Example: arbook statements ar.xlsx --out statements/ --as-of 2026-10-31""",
           (Param("out_dir", "folder", "Folder for the statements.", option="--out", required=True, ask=True),
            Param("as_of", "date", "Statement date (default today).", option="--as-of", metavar="DATE"),
            Param("period_from", "date", "Period start (default the 1st of the as-of month).", option="--from",
                  metavar="DATE"),
            CUSTOMER,
            Param("open_only", "flag", "Only open items, no transaction lines.", option="--open-only"),
            Param("template", "file", "Another statement template (.xlsx).", option="--template"),
            Param("pdf", "flag", "Also a PDF of each statement (needs LibreOffice).", option="--pdf"),
            Param("encrypt", "flag", "Encrypt each workbook with its own password (listed in "
                  "BOOK-statement-passwords-DATE.csv beside the book, mode 0600, never emailed).", option="--encrypt")),
           say=lambda run, out_dir, **_: run.summary(out_dir),
           ribbon=Ribbon("Statements & Email", "FileSaveAsExcelXlsx")),
    Action("confirmations", "arbook.services.statements:read_returned",
           """Read returned statements: verify each (client, keyed checksum), record each client's answer
    (Confirmation, Confirmed Balance, Confirmed On; a disputed line sets the invoice's Disputed flag)
    and report files that were altered or belong to another client (exit code 1 then).
    Example: arbook confirmations ar.xlsx returned/*.xlsx""",
           (Param("files", "files", exists=True, ask=True, optional=True),
            Param("passwords", "file", "The password file --encrypt wrote, to open encrypted returns.",
                  option="--passwords", exists=True),
            Param("overdue_days", "count", "List the clients whose statement is N or more days old with no reply.",
                  option="--overdue-days", metavar="N")),
           say=lambda r, **_: r.summary(), ok=lambda r: not r.rejected,
           ribbon=Ribbon("Statements & Email", "FileOpen", RETURNS)),
    Action("email", "arbook.services.mail:email_statements",
           """Email each client its statement in its language: .eml drafts by default, or send by SMTP.

    A statement goes only to the client and addresses fixed in its signed manifest, and never
    twice; sends are journalled beside the book, so a crash never leads to a second delivery.
    Exits 1 when a send is not settled (check it, then --resend or --mark-sent) or was refused.
    Example: arbook email ar.xlsx --statements statements/ --smtp smtp.example.com:587""",
           (Param("folder", "folder", "The folder 'arbook statements' wrote.", option="--statements", required=True,
                  exists=True, ask=True),
            Param("outbox", "folder", "Where .eml drafts go (default STATEMENTS/outbox).", option="--outbox"),
            Param("smtp", "text", "Send through this server (STARTTLS when offered; credentials from "
                  "ARBOOK_SMTP_USER / ARBOOK_SMTP_PASSWORD).", option="--smtp", metavar="HOST:PORT"),
            Param("resend", "text", "Send this client's statement again, on purpose.", option="--resend",
                  multiple=True, metavar="ID"),
            Param("mark_sent", "text", "Record this client's statement as sent without sending it (after checking "
                  "a send that was never confirmed).", option="--mark-sent", multiple=True, metavar="ID"),
            Param("accept_changed", "flag", "Send to the book's current addresses even where they changed since the "
                  "statements were written.", option="--accept-changed-addresses")),
           say=lambda r, **_: r.summary(), ok=lambda r: not (r.pending or r.failed),
           ribbon=Ribbon("Statements & Email", "SendCopyToMe")),
    Action("writeoff", "arbook.services.adjustments:writeoff",
           """Write off (端数/差額処理, 坏账核销, 貸倒): without --invoice every residual at most its currency's
    Write-off Threshold setting; with --invoice the whole open amount as bad debt (--reason needed).
    Each is an allocation with its rule and account, listed on the Write-offs sheet, reversible.

    Example: arbook writeoff ar.xlsx --invoice INV-1042 --reason 'customer bankrupt'""",
           (Param("invoices", "text", "Write off this invoice as bad debt (repeatable).", option="--invoice",
                  multiple=True, metavar="INVOICE"),
            Param("reason", "text", "Why (required for a bad-debt write-off).", option="--reason"),
            Param("reverse", "text", "Reverse this write-off instead (its WO- reference).", option="--reverse",
                  metavar="WO-REF"),
            Param("day", "date", "Date of the write-off (default today).", option="--date", metavar="DATE")),
           say=lambda r, **_: r.summary()),
    Action("refunds", "arbook.services.adjustments:refund_book",
           """Match debit bank lines paid to clients with a credit (credit note or unapplied cash) of that
    amount: suggested refund allocations, confirmed with --confirm, that close the credit.

    Example: arbook refunds ar.xlsx --confirm""",
           (Param("confirm", "flag", "Record the refunds as confirmed, not suggested.", option="--confirm"),),
           say=lambda found, confirm, **_: "\n".join([*(p.line() for p in found),
                                                      f"{len(found)} refund(s) {_state(confirm)}"])),
    Action("history", "arbook.services.history:history",
           """List the kept versions of BOOK, newest first: number, time, user and the command that
    changed it next (undo with 'arbook undo BOOK --to N'). Example: arbook history ar.xlsx""",
           say=lambda kept, **_: "\n".join(g.line() for g in kept) or "no earlier version kept yet"),
    Action("undo", "arbook.services.history:undo_book",
           """Put BOOK back as it was before the last command (or before command N and all after it).

    The undo is logged and can itself be undone. Example: arbook undo ar.xlsx --to 12""",
           (Param("number", "text", "Restore the version before command N (see history).", option="--to",
                  metavar="N"),),
           say=lambda r, **_: r.summary()),
    Action("verify", "arbook.services.history:verify_book",
           """Check the Log's hash chain: report every edited, inserted or deleted Log row (exit 1 if any).

    Example: arbook verify ar.xlsx""",
           say=lambda r, **_: "\n".join([*r.problems, r.summary()]), ok=lambda r: not r.problems),
    Action("help", "arbook.actions:help_text", "Where to read about the commands, sheets and buttons.", cli=False, ribbon=Ribbon("Settings & Help", "Help")),
    Action("build-workbook", "arbook.adapters.vba.build:build_workbook",
           """Build the macro-enabled book with the AR ribbon from the schema, macros/ and xlwings' VBA
    (standalone: no add-in needed). The same input always gives the same bytes.""",
           (Param("path", "path", option="--out", default="arbook.xlsm"),),
           say=lambda r, **_: f"built {r}", book=False),
    Action("build-addin", "arbook.adapters.vba.build:build_addin",
           """Build the add-in arbook.xlam: the AR tab for whichever arbook book is active in Excel, plain
    .xlsx books included (the same builder as build-workbook; see docs/excel.md).""",
           (Param("path", "path", option="--out", default="arbook.xlam"),),
           say=lambda r, **_: f"built {r}", book=False),
    Action("export", "arbook.services.export:export_sheet", """Write SHEET of BOOK to OUT as UTF-8 CSV (with BOM) with the schema's headers.

    Example: arbook export ar.xlsx Invoices invoices-out.csv""",
           (Param("sheet", "text", metavar="SHEET"), Param("out", "path", metavar="OUT")),
           say=lambda r, out, **_: f"wrote {r[1]} {r[0]} rows to {out}"),
    Action("schema", "arbook.model.schemadoc:schema_text", "Print every sheet and column of the workbook schema.",
           (Param("markdown", "flag", "As Markdown tables (the README's schema section).", option="--markdown"),),
           book=False),
    Action("upgrade", "arbook.adapters.book.upgrade:upgrade_book",
           """Bring a book made by an earlier arbook to the current schema, in place, keeping every value,
    your own columns and sheets (BOOK.bak kept). Example: arbook upgrade ar.xlsx""",
           (Param("path", "path", metavar="BOOK", exists=True),),
           say=lambda done, path, **_: f"upgraded {path}: " + "; ".join(done) if done
           else f"{path} is already at the current schema", book=False),
    Action("doctor", "arbook.services.doctor:diagnose",
           """Check Python, xlwings (and the version inside the workbook), the interpreter Excel will use,
    LibreOffice and CJK fonts for PDFs, a mail server and BOOK; each problem with its fix.

    Exits 1 when something must be fixed. Example: arbook doctor ar.xlsm --smtp smtp.example.com:587""",
           (Param("book", "path", metavar="[BOOK]", optional=True),
            Param("smtp", "text", "Also check that this mail server answers.", option="--smtp",
                  metavar="HOST:PORT")),
           say=lambda checks, **_: "\n".join(c.line() for c in checks), book=False,
           ok=lambda checks: all(c.state != "fail" for c in checks), ribbon=Ribbon("Settings & Help", "HappyFace")),
    Action("demo", "arbook.services.demo:run_demo",
           "Copy the sample book and files into a folder and run the month-end on them.",
           (Param("out_dir", "folder", "Folder to copy the sample book and bank files into.", option="--out",
                  default="arbook-demo"),),
           say=lambda lines, **_: "\n".join(lines), book=False),
)


def _sheet_names() -> list[str]:
    from arbook.model.schema import SHEETS

    return [s.name for s in SHEETS]


def help_text(book: Book) -> str:
    """The ribbon's Help button message."""
    return "arbook: see README.md (commands, sheets, what each button does)."


def action(name: str) -> Action:
    """The action called ``name`` (CLI name) or with that ribbon control id."""
    for item in ACTIONS:
        if name in (item.name, item.control_id):
            return item
    raise KeyError(name)
