"""Entry points of the AR ribbon: ``on_ribbon(control_id, args)``, called by the VBA dispatcher
through xlwings ``RunPython`` on ``xlwings.Book.caller()``.

The same engine as the command line runs through the live adapter; progress shows in Excel's
status bar, the result in a short message box, an error as a message box with its one-line
reason (never a traceback), and the book is left as it was when something fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from arbook.model.errors import ArbookError


@dataclass(frozen=True)
class Button:
    """A ribbon button: group, Office icon and its label in each language."""

    id: str
    group: str
    image: str
    labels: dict[str, str]


BUTTONS: tuple[Button, ...] = (
    Button("arImport", "Import", "ImportTextFile", {"en": "Import bank files", "ja": "入出金明細の取込", "zh": "导入银行流水"}),
    Button("arMatch", "Match & Review", "ReviewAcceptChange", {"en": "Match payments", "ja": "入金消込", "zh": "核销"}),
    Button("arConfirm", "Match & Review", "AcceptInvitation", {"en": "Apply review", "ja": "確認を反映", "zh": "确认审核"}),
    Button("arAge", "Aging & Credit", "CalendarMonthDetailsSplit", {"en": "Age & credit", "ja": "年齢調べ・与信", "zh": "账龄与信用"}),
    Button("arLedger", "Aging & Credit", "AccountingFormat", {"en": "Customer ledgers", "ja": "得意先元帳", "zh": "客户帐本"}),
    Button("arReminders", "Aging & Credit", "EnvelopesAndLabelsDialog", {"en": "Reminders", "ja": "督促状", "zh": "催款函"}),
    Button("arStatements", "Statements & Email", "FileSaveAsExcelXlsx", {"en": "Statements", "ja": "残高確認書", "zh": "对账单"}),
    Button("arEmail", "Statements & Email", "SendCopyToMe", {"en": "Email statements", "ja": "メール送信", "zh": "发送邮件"}),
    Button("arHelp", "Settings & Help", "Help", {"en": "Help", "ja": "ヘルプ", "zh": "帮助"}),
)


def _live_book() -> Any:
    import xlwings as xw

    from arbook.adapters.book.livebook import LiveBook

    return LiveBook(xw.Book.caller())


def _status(book: Any, text: str | None) -> None:
    book.app.status_bar = text if text else False


def _import(book: Any, paths: list[str]) -> str:
    from arbook.services.bankimport import import_bank_files, profile_options

    reports = import_bank_files(book, paths, profile_options(book, None, [], None, None))
    return "\n".join(r.summary() for r in reports)


def _match(book: Any) -> str:
    from arbook.services.cashapp import match_book

    return match_book(book).summary()


def _confirm(book: Any) -> str:
    from arbook.services.cashapp import confirm_book

    return confirm_book(book).summary()


def _age(book: Any) -> str:
    from arbook.services.receivables import age_book

    return age_book(book).summary()


def _ledger(book: Any) -> str:
    from arbook.services.receivables import ledger_book

    return f"{ledger_book(book)} ledger sheet(s) written"


def _reminders(book: Any, folder: str) -> str:
    from arbook.services.receivables import write_reminders

    return f"{len(write_reminders(book, Path(folder)))} reminder message(s) in {folder}"


def _statements(book: Any, folder: str) -> str:
    from arbook.services.statements import write_statements

    return f"{len(write_statements(book, Path(folder)).files)} statement(s) in {folder}"


def _email(book: Any, folder: str) -> str:
    from arbook.services.mail import email_statements

    return email_statements(book, Path(folder)).summary()


def _help(book: Any) -> str:
    return "arbook: see README.md (commands, sheets, what each button does)."


ACTIONS: dict[str, Callable[..., str]] = {
    "arImport": _import, "arMatch": _match, "arConfirm": _confirm, "arAge": _age, "arLedger": _ledger,
    "arReminders": _reminders, "arStatements": _statements, "arEmail": _email, "arHelp": _help,
}


def on_ribbon(control_id: str, *args: Any, book: Any = None) -> str:
    """Run the button's action on the calling workbook; show the result or the one-line error.

    ``book`` is the live book of the calling workbook unless given (any Book with an ``app``
    that has ``status_bar`` and ``alert``, as xlwings' App has)."""
    action = ACTIONS.get(control_id)
    if action is None:
        raise ArbookError(f"unknown ribbon button {control_id!r}")
    book = book if book is not None else _live_book()
    try:
        _status(book, f"arbook: {control_id[2:]}…")
        message = action(book, *args)
        book.commit()
    except ArbookError as exc:
        book.discard()
        message = f"arbook: {exc}"
    except Exception as exc:  # a bug: still one line for the accountant
        book.discard()
        message = f"arbook: internal error: {type(exc).__name__}: {exc}"
    finally:
        _status(book, None)
    book.app.alert(message, title="arbook")
    return message


def labels_module() -> str:
    """The VBA module ``ArbookLabels`` (CRLF, ASCII): ``ArbookLabel(id, language)``, generated from BUTTONS.

    Non-ASCII labels are written with ChrW so the module stays ASCII for any code page.
    """
    def vba_string(text: str) -> str:
        parts, plain = [], ""
        for ch in text:
            if ord(ch) < 128 and ch != '"':
                plain += ch
                continue
            if plain:
                parts.append(f'"{plain}"')
                plain = ""
            parts.append(f"ChrW({ord(ch)})")
        if plain:
            parts.append(f'"{plain}"')
        return " & ".join(parts) or '""'

    lines = ['Attribute VB_Name = "ArbookLabels"', "' Generated by arbook build-workbook from arbook.adapters.excel.BUTTONS;"
             " do not edit.", "Option Explicit", "",
             "Function ArbookLabel(id As String, language As String) As String",
             "    Select Case id & \"/\" & language"]
    for button in BUTTONS:
        for language in ("en", "ja", "zh"):
            lines.append(f'        Case "{button.id}/{language}": ArbookLabel = {vba_string(button.labels[language])}')
    lines += ["        Case Else: ArbookLabel = id", "    End Select", "End Function", ""]
    return "\r\n".join(lines)
