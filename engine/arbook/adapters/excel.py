"""Entry points of the AR ribbon: ``ribbon(xlwings_version, control_id, *args)``, called by the VBA
dispatcher through xlwings ``RunPython`` on ``xlwings.Book.caller()`` (the book itself, or the active
book when the dispatcher lives in the add-in), and the generated ribbon sources.

The same engine as the command line runs through the live adapter; progress shows in Excel's
status bar, the result in a short message box, an error as a message box with its one-line
reason (never a traceback), and the book is left as it was when something fails.
"""
from __future__ import annotations

import re
import struct
from typing import Any, Protocol

from arbook.actions import ACTIONS, Action
from arbook.model.book import Book
from arbook.model.errors import ArbookError
from arbook.model.words import labels

BUTTONS: dict[str, Action] = {a.control_id: a for a in ACTIONS if a.ribbon is not None}
LANGUAGES = ("en", "ja", "zh")


class ExcelBook(Book, Protocol):
    """A Book with Excel's application object (xlwings ``App``: ``status_bar``, ``alert``)."""

    app: Any


def _status(book: ExcelBook, text: str | None) -> None:
    book.app.status_bar = text if text else False


def _language(book: ExcelBook) -> str:
    """The book's Settings language; English for a book that has none (e.g. the add-in on a plain book)."""
    try:
        return book.settings().get("Language", "").strip().lower()
    except ArbookError:
        return "en"


def on_ribbon(control_id: str, *args: Any, book: ExcelBook) -> str:
    """Run the button's action on ``book``; show the result or the one-line error.

    ``book`` is any Book with an ``app`` that has ``status_bar`` and ``alert``, as xlwings' App has
    (``ribbon`` passes the live book of the calling workbook)."""
    if control_id not in BUTTONS:
        raise ArbookError(f"unknown ribbon button {control_id!r}")
    chosen = BUTTONS[control_id]
    try:
        _status(book, f"arbook: {chosen.labels.get(_language(book), chosen.labels['en'])}…")
        message = chosen.call(book, dict(zip([p.name for p in chosen.params if p.ask], args)))
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


def xlwings_mismatch(workbook_version: str, python_version: str) -> str | None:
    """The message for a workbook whose embedded xlwings VBA differs from Python's xlwings, else None."""
    if workbook_version == python_version:
        return None
    return (f"arbook: this workbook carries xlwings {workbook_version}, but Python has xlwings {python_version}. "
            f'Fix: pip install "xlwings=={workbook_version}" into the Python that Excel uses '
            "(or, for the add-in, rebuild it with the installed xlwings: arbook build-addin).")


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


def groups() -> dict[str, list[Action]]:
    """The ribbon groups in table order, each with its buttons."""
    out: dict[str, list[Action]] = {}
    for button in BUTTONS.values():
        assert button.ribbon is not None
        out.setdefault(button.ribbon.group, []).append(button)
    return out


def group_id(group: str) -> str:
    """The ribbon id of a button group (``grpMatchReview`` for "Match & Review")."""
    return "grp" + "".join(c for c in group if c.isalnum())


def group_labels(group: str) -> dict[str, str]:
    """A group's label in each language (``group.<slug>`` of ``arbook.model.words``)."""
    return labels("group." + re.sub(r"\W+", "_", group.lower()).strip("_"))


def utf16_units(text: str) -> tuple[int, ...]:
    """The UTF-16 code units of ``text``, as a VBA string holds it (lone surrogates kept)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return struct.unpack(f"<{len(data) // 2}H", data)


def vba_string(text: str) -> str:
    """A VBA string expression of ``text`` that stays ASCII (ChrW of each UTF-16 unit for everything else)."""
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
    """The VBA module ``ArbookLabels`` (CRLF, ASCII), generated from the action table:
    ``ArbookLabel(id, language)`` (buttons and groups), ``ArbookAsk(id)`` (what the button asks for:
    file, files, folder, text) and ``ArbookFilter(id)`` (the file picker's filter)."""
    def select(name: str, key: str, signature: str, cases: list[tuple[str, str]], default: str) -> list[str]:
        return ([f"Function {name}({signature}) As String", f"    Select Case {key}"]
                + [f'        Case "{case}": {name} = {vba_string(value)}' for case, value in cases]
                + [f"        Case Else: {name} = {default}", "    End Select", "End Function", ""])

    texts = [(f"{group_id(g)}/{lang}", group_labels(g)[lang]) for g in groups() for lang in LANGUAGES]
    texts += [(f"{b.control_id}/{lang}", b.labels[lang]) for b in BUTTONS.values() for lang in LANGUAGES]
    asks = [(b.control_id, b.asks.kind) for b in BUTTONS.values() if b.asks is not None]
    filters = [(b.control_id, b.ribbon.filter) for b in BUTTONS.values() if b.ribbon and b.ribbon.filter]
    lines = ['Attribute VB_Name = "ArbookLabels"', "' Generated by arbook build-workbook from arbook.actions.ACTIONS;"
             " do not edit.", "Option Explicit", ""]
    lines += select("ArbookLabel", 'id & "/" & language', "id As String, language As String", texts, "id")
    lines += select("ArbookAsk", "id", "id As String", asks, '""')
    lines += select("ArbookFilter", "id", "id As String", filters, '""')
    return "\r\n".join(lines)


def custom_ui() -> bytes:
    """The ribbon XML (``customUI14.xml``): the AR tab, one group per ribbon group, in table order;
    group and button labels come from ``GetLabel`` (the book's language)."""
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui" onLoad="OnRibbonLoad">',
             "  <ribbon>", "    <tabs>", '      <tab id="arTab" label="AR">']
    for group, members in groups().items():
        lines.append(f'        <group id="{group_id(group)}" getLabel="GetLabel">')
        for button in members:
            assert button.ribbon is not None
            lines.append(f'          <button id="{button.control_id}" getLabel="GetLabel" '
                         f'imageMso="{button.ribbon.image}" size="large" onAction="OnRibbon"/>')
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines).encode()


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
