"""``arbook doctor``: check what the month-end depends on and say, one line each, how to fix what is not right."""
from __future__ import annotations

import platform
from importlib import metadata
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from arbook.model.schema import SCHEMA_VERSION
from arbook.resources import resource

CONF_SHEET = "xlwings.conf"
INTERPRETER_KEY = {"win32": "Interpreter_Win", "darwin": "Interpreter_Mac"}


@dataclass(frozen=True)
class Check:
    """One finding: ``state`` is ok, warn or fail; ``fix`` says what to do when it is not ok."""

    name: str
    state: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.state.upper():4}  {self.name}: {self.detail}"
        return text + (f" -> {self.fix}" if self.fix and self.state != "ok" else "")


def check_python() -> Check:
    version = platform.python_version()
    if sys.version_info < (3, 11):
        return Check("python", "fail", f"Python {version} at {sys.executable}", "install Python 3.11 or newer")
    return Check("python", "ok", f"Python {version} at {sys.executable}, arbook {metadata.version('arbook')}")


def embedded_xlwings_version(workbook: Path) -> str | None:
    """The xlwings version whose VBA module the macro workbook carries (None when it has none)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(workbook), data=workbook.read_bytes())
    try:
        for _, _, name, code in parser.extract_macros():
            found = re.search(r"^'Version: (\S+)", code, re.M)
            if name.lower().startswith("xlwings") and found:
                return found.group(1)
    finally:
        parser.close()
    return None


def check_xlwings(workbook: Path) -> Check:
    try:
        import xlwings
    except ImportError:
        return Check("xlwings", "fail", "xlwings is not installed", "pip install arbook (it brings xlwings)")
    embedded = embedded_xlwings_version(workbook)
    if embedded is None:
        return Check("xlwings", "warn", f"{workbook.name} carries no xlwings VBA module",
                     "build the macro workbook with 'arbook build-workbook'")
    if embedded != xlwings.__version__:
        return Check("xlwings", "fail", f"Python has xlwings {xlwings.__version__}, {workbook.name} embeds {embedded}",
                     f'pip install "xlwings=={embedded}" (the version the workbook carries)')
    return Check("xlwings", "ok", f"xlwings {embedded} in Python and in {workbook.name}")


def _conf_rows(workbook: Path) -> dict[str, str] | None:
    """The book's xlwings.conf sheet as key -> value (None when there is no such sheet)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(workbook))
    if CONF_SHEET not in book.sheet_names:
        return None
    rows = book.get_sheet_by_name(CONF_SHEET).to_python()
    return {str(r[0]).strip(): str(r[1]).strip() if len(r) > 1 and r[1] is not None else "" for r in rows if r}


def check_interpreter(workbook: Path, platform_name: str = sys.platform) -> Check:
    rows = _conf_rows(workbook)
    if rows is None:
        return Check("interpreter", "ok", f"{workbook.name} has no xlwings.conf sheet: Excel uses the xlwings add-in's "
                     "or ~/.xlwings/xlwings.conf's interpreter")
    empty = sorted(k for k, v in rows.items() if not v)
    key = INTERPRETER_KEY.get(platform_name)
    value = rows.get(key, "") if key else ""
    if value and not Path(value).is_file():
        return Check("interpreter", "fail", f"{workbook.name}'s xlwings.conf sets {key} = {value}, which does not exist",
                     f"put the path of the python(w) where arbook is installed ({sys.executable}) in that cell")
    if empty:
        return Check("interpreter", "warn", f"{workbook.name}'s xlwings.conf has empty rows {', '.join(empty)}: an empty "
                     "row wins over ~/.xlwings/xlwings.conf, so Excel runs whatever python is on PATH",
                     "delete the empty rows or fill them in (workbooks built by the current arbook have none)")
    where = f"{key} = {value}" if value else "no interpreter set (Excel uses ~/.xlwings/xlwings.conf or PATH)"
    return Check("interpreter", "ok", f"{workbook.name}: {where}")


def check_libreoffice(which: Callable[[str], str | None] = shutil.which) -> Check:
    found = which("soffice") or which("libreoffice")
    if not found:
        return Check("libreoffice", "warn", "LibreOffice not found: `statements --pdf` cannot make PDFs",
                     "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-calc-nogui)")
    return Check("libreoffice", "ok", f"LibreOffice at {found}")


def check_cjk_fonts(which: Callable[[str], str | None] = shutil.which) -> Check:
    if not which("fc-list"):
        return Check("fonts", "warn", "cannot list fonts (no fc-list): kanji/hanzi in PDFs may show as boxes",
                     "install fontconfig and fonts-noto-cjk")
    missing = [lang for lang in ("ja", "zh") if not subprocess.run(
        ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, check=False).stdout.strip()]
    if missing:
        return Check("fonts", "warn", f"no font for {'/'.join(missing)}: PDFs show boxes instead of kanji/hanzi",
                     "install fonts-noto-cjk (Debian/Ubuntu: apt-get install fonts-noto-cjk)")
    return Check("fonts", "ok", "Japanese and Chinese fonts installed")


def check_smtp(address: str, timeout: float = 3.0) -> Check:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host or address, int(port or 25)), timeout=timeout) as conn:
            greeting = conn.recv(200).decode("ascii", "replace").strip()
    except (OSError, ValueError) as exc:
        return Check("smtp", "fail", f"cannot reach {address}: {exc}", "check the host and port (and any firewall/VPN)")
    if not greeting.startswith("220"):
        return Check("smtp", "fail", f"{address} answered {greeting[:60]!r}, not an SMTP greeting",
                     "check the port (587 for submission with STARTTLS)")
    return Check("smtp", "ok", f"{address} answers: {greeting[:60]}")


def _held(path: Path) -> bool:
    """True while another arbook process holds the book's lock."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks (Excel's owner file is checked instead)
        return False
    lock = path.with_name(f".{path.name}.arbook-lock")
    if not lock.exists():
        return False
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def check_book(path: Path) -> list[Check]:
    from arbook.adapters.book.atomic import excel_owner_files
    from arbook.adapters.book.package import schema_version

    if not path.is_file():
        return [Check("book", "fail", f"{path}: no such book", f"check the path, or create it: arbook new {path}")]
    try:
        with zipfile.ZipFile(path) as zf:
            version = schema_version(zf)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        return [Check("book", "fail", f"{path}: cannot be read as a workbook ({exc})",
                      "check the path; create a book with 'arbook new'")]
    if version < SCHEMA_VERSION:
        state = Check("book", "fail", f"{path}: made by schema version {version} (current {SCHEMA_VERSION})",
                      f"arbook upgrade {path}")
    elif version > SCHEMA_VERSION:
        state = Check("book", "fail", f"{path}: made by a newer arbook (schema {version})", "pip install -U arbook")
    else:
        state = Check("book", "ok", f"{path}: schema version {version}")
    owners = [owner for owner in excel_owner_files(path) if owner.exists()]
    if owners:
        lock = Check("lock", "warn", f"{path} is open in Excel ({owners[0].name} exists)",
                     "close it in Excel, or use the ribbon buttons inside Excel")
    elif _held(path):
        lock = Check("lock", "warn", f"another arbook command is working on {path}", "wait for it to finish")
    else:
        lock = Check("lock", "ok", f"{path} is not in use")
    return [state, lock]


def check_settings(path: Path) -> list[Check]:
    """What statements and emails would go out without (empty Settings), for a book that can be opened now."""
    from arbook.adapters.book import open_book
    from arbook.model.errors import ArbookError
    from arbook.services.receivables import missing_details

    try:
        with open_book(path, timeout=0) as book:
            missing = missing_details(book.settings())
    except (ArbookError, OSError):
        return []  # the book checks above say why it cannot be opened
    if not missing:
        return [Check("settings", "ok", "Company Name, Payment Instructions and Sender Email are set")]
    return [Check("settings", "warn", f"Settings has no {', '.join(missing)}: statements show no issuer or payee "
                  "account, emails come from accounts@arbook.invalid", "fill them in the book's Settings sheet")]


def check_ribbon(path: Path) -> list[Check]:
    """A note for a book without macros: where its ribbon comes from (none for .xlsm/.xlam)."""
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        return []
    return [Check("ribbon", "ok", f"{path.name} holds no macros (the xlwings checks above are of the shipped "
                  "arbook.xlsm): in Excel its AR tab comes from the add-in ('arbook build-addin'), or keep the book "
                  "as .xlsm ('arbook new BOOK.xlsm')")]


def diagnose(book: Path | None = None, smtp: str | None = None) -> list[Check]:
    """Every check, in the order a person would fix them (``book``: also that book's version and lock)."""
    workbook = book if book is not None and book.suffix.lower() == ".xlsm" else resource("workbook", "arbook.xlsm")
    checks = [check_python(), check_xlwings(workbook), check_interpreter(workbook), check_libreoffice(),
              check_cjk_fonts()]
    if smtp:
        checks.append(check_smtp(smtp))
    if book is not None:
        checks += check_book(book) + check_settings(book) + check_ribbon(book)
    return checks
