"""Entry points of the AR ribbon: ``on_ribbon(control_id, args)``, called by the VBA dispatcher
through xlwings ``RunPython`` on ``xlwings.Book.caller()``.

The same engine as the command line runs through the live adapter; progress shows in Excel's
status bar, the result in a short message box, an error as a message box with its one-line
reason (never a traceback), and the book is left as it was when something fails.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from arbook.model.errors import ArbookError


@dataclass(frozen=True)
class Button:
    """A ribbon button: group, Office icon, its label in each language, and what the VBA dispatcher
    asks the user before calling Python (``files``/``file`` with a file-type filter, ``folder``,
    ``text`` with the active cell as default, or nothing)."""

    id: str
    group: str
    image: str
    labels: dict[str, str]
    ask: str = ""
    filter: str = ""


TABLES = "CSV or Excel (*.csv;*.txt;*.xlsx),*.csv;*.txt;*.xlsx"
BANK_FILES = "Bank statements (*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx),*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx"
RETURNS = "Returned statements (*.xlsx),*.xlsx"
GROUPS: dict[str, dict[str, str]] = {
    "Data": {"en": "Data", "ja": "データ", "zh": "数据"},
    "Match & Review": {"en": "Match & Review", "ja": "消込・確認", "zh": "核销与审核"},
    "Aging & Credit": {"en": "Aging & Credit", "ja": "年齢調べ・与信", "zh": "账龄与信用"},
    "Statements & Email": {"en": "Statements & Email", "ja": "残高確認・メール", "zh": "对账单与邮件"},
    "Settings & Help": {"en": "Help", "ja": "ヘルプ", "zh": "帮助"},
}
BUTTONS: tuple[Button, ...] = (
    Button("arCustomers", "Data", "ImportExcel", {"en": "Import customers", "ja": "得意先の取込", "zh": "导入客户"},
           "file", TABLES),
    Button("arInvoices", "Data", "ImportTextFile", {"en": "Import invoices", "ja": "請求書の取込", "zh": "导入发票"},
           "file", TABLES),
    Button("arImport", "Data", "ImportMoreMenu", {"en": "Import bank files", "ja": "入出金明細の取込", "zh": "导入银行流水"},
           "files", BANK_FILES),
    Button("arMatch", "Match & Review", "ReviewAcceptChange", {"en": "Match payments", "ja": "入金消込", "zh": "核销"}),
    Button("arConfirm", "Match & Review", "AcceptInvitation", {"en": "Apply review", "ja": "確認を反映", "zh": "确认审核"}),
    Button("arUnmatch", "Match & Review", "ReviewRejectChange",
           {"en": "Unmatch bank line (Bank Ref)", "ja": "消込の取消（銀行参照番号）", "zh": "取消核销（银行参考号）"}, "text"),
    Button("arAge", "Aging & Credit", "CalendarMonthDetailsSplit", {"en": "Age & credit", "ja": "年齢調べ・与信", "zh": "账龄与信用"}),
    Button("arLedger", "Aging & Credit", "AccountingFormat", {"en": "Customer ledgers", "ja": "得意先元帳", "zh": "客户帐本"}),
    Button("arReminders", "Aging & Credit", "EnvelopesAndLabelsDialog", {"en": "Reminders", "ja": "督促状", "zh": "催款函"},
           "folder"),
    Button("arStatements", "Statements & Email", "FileSaveAsExcelXlsx", {"en": "Statements", "ja": "残高確認書", "zh": "对账单"},
           "folder"),
    Button("arEmail", "Statements & Email", "SendCopyToMe", {"en": "Email statements", "ja": "メール送信", "zh": "发送邮件"},
           "folder"),
    Button("arConfirmations", "Statements & Email", "FileOpen",
           {"en": "Read confirmations", "ja": "確認書の回答読込", "zh": "读取回函"}, "files", RETURNS),
    Button("arHelp", "Settings & Help", "Help", {"en": "Help", "ja": "ヘルプ", "zh": "帮助"}),
)
NOT_YET = ("manual apply", "undo")  # user actions with no engine function yet, so no button


def _status(book: Any, text: str | None) -> None:
    book.app.status_bar = text if text else False


def _master(book: Any, path: str, sheet: Any) -> str:
    from arbook.adapters.tabular import read_table_file
    from arbook.services.masterdata import import_master

    return import_master(book, sheet, read_table_file(path)).summary(sheet.name)


def _customers(book: Any, path: str) -> str:
    from arbook.model.schema import CUSTOMERS

    return _master(book, path, CUSTOMERS)


def _invoices(book: Any, path: str) -> str:
    from arbook.model.schema import INVOICES

    return _master(book, path, INVOICES)


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


def _unmatch(book: Any, bank_ref: str) -> str:
    from arbook.services.cashapp import unmatch_book

    count = unmatch_book(book, bank_ref.strip())
    return f"reversed {count} allocation row(s) of {bank_ref.strip()}; the line is unmatched again"


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


def _confirmations(book: Any, paths: list[str]) -> str:
    from arbook.services.statements import read_confirmations

    return read_confirmations(book, [Path(p) for p in paths]).summary()


def _help(book: Any) -> str:
    return "arbook: see README.md (commands, sheets, what each button does)."


ACTIONS: dict[str, Callable[..., str]] = {
    "arCustomers": _customers, "arInvoices": _invoices, "arImport": _import, "arMatch": _match,
    "arConfirm": _confirm, "arUnmatch": _unmatch, "arAge": _age, "arLedger": _ledger, "arReminders": _reminders,
    "arStatements": _statements, "arEmail": _email, "arConfirmations": _confirmations, "arHelp": _help,
}


def xlwings_mismatch(workbook_version: str, python_version: str) -> str | None:
    """The message for a workbook whose embedded xlwings VBA differs from Python's xlwings, else None."""
    if workbook_version == python_version:
        return None
    return (f"arbook: this workbook carries xlwings {workbook_version}, but Python has xlwings {python_version}. "
            f'Fix: pip install "xlwings=={workbook_version}", or rebuild the file with the installed version: '
            "arbook build-workbook --out <book>.xlsm (or arbook build-addin).")


def ribbon(workbook_xlwings: str, control_id: str, *args: Any) -> str:
    """The VBA dispatcher's entry point: check that Python's xlwings is the one the workbook embeds,
    then run the button on the calling workbook (the active one for the add-in)."""
    import xlwings as xw

    from arbook.adapters.book.livebook import LiveBook

    caller = xw.Book.caller()
    problem = xlwings_mismatch(workbook_xlwings, xw.__version__)
    if problem:
        caller.app.alert(problem, title="arbook")
        return problem
    return on_ribbon(control_id, *args, book=LiveBook(caller))


def on_ribbon(control_id: str, *args: Any, book: Any) -> str:
    """Run the button's action on ``book``; show the result or the one-line error.

    ``book`` is any Book with an ``app`` that has ``status_bar`` and ``alert``, as xlwings' App has."""
    action = ACTIONS.get(control_id)
    if action is None:
        raise ArbookError(f"unknown ribbon button {control_id!r}")
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


def group_id(group: str) -> str:
    """The ribbon id of a button group (``grpMatchReview`` for "Match & Review")."""
    return "grp" + re.sub(r"\W", "", group)


def utf16_units(text: str) -> tuple[int, ...]:
    """The UTF-16 code units of ``text``, as a VBA string holds it (lone surrogates kept)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return struct.unpack(f"<{len(data) // 2}H", data)


def _vba_string(text: str) -> str:
    """A VBA expression for ``text`` that is plain ASCII (ChrW for anything else, and for quotes)."""
    parts, plain = [], ""
    for ch in text:
        if 32 <= ord(ch) < 127 and ch != '"':
            plain += ch
            continue
        if plain:
            parts.append(f'"{plain}"')
            plain = ""
        parts += [f"ChrW({unit})" for unit in utf16_units(ch)]  # beyond U+FFFF a surrogate pair: ChrW takes 16 bits
    if plain:
        parts.append(f'"{plain}"')
    return " & ".join(parts) or '""'


def labels_module() -> str:
    """The VBA module ``ArbookLabels`` (CRLF, ASCII), generated from BUTTONS and GROUPS:
    ``ArbookLabel(id, language)``, ``ArbookAsk(id)`` and ``ArbookFilter(id)``.

    Non-ASCII labels are written with ChrW so the module stays ASCII for any code page.
    """
    def select(name: str, signature: str, cases: list[tuple[str, str]], default: str) -> list[str]:
        return ([f"Function {name}({signature}) As String", f"    Select Case {cases_key[name]}"]
                + [f'        Case "{key}": {name} = {_vba_string(value)}' for key, value in cases]
                + [f"        Case Else: {name} = {default}", "    End Select", "End Function", ""])

    cases_key = {"ArbookLabel": 'id & "/" & language', "ArbookAsk": "id", "ArbookFilter": "id"}
    labels = [(f"{group_id(g)}/{lang}", text) for g, texts in GROUPS.items() for lang, text in texts.items()]
    labels += [(f"{b.id}/{lang}", b.labels[lang]) for b in BUTTONS for lang in ("en", "ja", "zh")]
    lines = ['Attribute VB_Name = "ArbookLabels"',
             "' Generated by arbook build-workbook from arbook.adapters.excel.BUTTONS; do not edit.",
             "Option Explicit", ""]
    lines += select("ArbookLabel", "id As String, language As String", labels, "id")
    lines += select("ArbookAsk", "id As String", [(b.id, b.ask) for b in BUTTONS if b.ask], '""')
    lines += select("ArbookFilter", "id As String", [(b.id, b.filter) for b in BUTTONS if b.filter], '""')
    return "\r\n".join(lines)


def ribbon_xml() -> str:
    """``customUI/customUI14.xml``: the AR tab with one button per BUTTONS entry, grouped, labels from VBA."""
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui" onLoad="OnRibbonLoad">',
             "  <ribbon>", "    <tabs>", '      <tab id="arTab" label="AR">']
    for group in GROUPS:
        lines.append(f'        <group id="{group_id(group)}" getLabel="GetLabel">')
        lines += [f'          <button id="{b.id}" getLabel="GetLabel" imageMso="{b.image}" size="large" '
                  'onAction="OnRibbon"/>' for b in BUTTONS if b.group == group]
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)


def python_string(value: str) -> str:
    """The Python literal that the VBA ``PythonString`` (macros/ArbookRibbon.bas) writes for ``value``; its
    mirror, step for step over UTF-16 code units: ASCII letters, digits and `` _.,:/()-`` as they are,
    a surrogate pair as ``\\U0001XXXX``, anything else as ``\\uXXXX``."""
    units = utf16_units(value)
    text, i = "'", 0
    while i < len(units):
        code = units[i]
        low = units[i + 1] if i + 1 < len(units) else 0
        if chr(code).isascii() and (chr(code).isalnum() or chr(code) in " _.,:/()-"):
            text += chr(code)
        elif 0xD800 <= code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
            text += f"\\U{0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00):08X}"
            i += 1
        else:
            text += f"\\u{code:04X}"
        i += 1
    return text + "'"


def ribbon_command(xlwings_version: str, control_id: str, arg: str | list[str] | None = None) -> str:
    """The Python command the VBA dispatcher hands to ``RunPython`` (its mirror, for tests): the
    version and button id, then a file/folder/text argument or a list of files, each quoted by
    ``python_string``."""
    args = "" if arg is None else ", " + (python_string(arg) if isinstance(arg, str)
                                          else "[" + "".join(python_string(a) + "," for a in arg) + "]")
    return (f"import arbook.adapters.excel as x; x.ribbon({python_string(xlwings_version)}, "
            f"{python_string(control_id)}{args})")
