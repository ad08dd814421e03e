"""Per-client statement workbooks from a template, and reading back the confirmations (对账).

Each statement carries, in hidden custom properties, the client ID, the as-of date and a
checksum of its lines, so a returned file can be verified: altered lines or another client's
file are reported, never recorded.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from arbook.model.book import Book
from arbook.domain.aging import AgingResult
from arbook.model.errors import ArbookError
from arbook.domain.forking import fork_map
from arbook.domain.ledger import AccountRows, ledger_events
from arbook.services.receivables import aging_of, company_details, select_customers
from arbook.model.money import to_decimal
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES
from arbook.adapters.statementxlsx.render import StatementTemplate, read_properties
from arbook.adapters.statementxlsx.template import build_template
from arbook.model.words import words
from arbook.resources import resource

TEMPLATE = resource("templates", "statement.xlsx")
PARALLEL_FROM = 200


def checksum(customer_id: str, as_of: str, lines: list[dict]) -> str:
    """SHA-256 over the client, the date and each line's date, document, currency and amounts."""
    text = "\n".join([customer_id, as_of] + [
        "|".join(str(line.get(k) if line.get(k) is not None else "") for k in ("date", "document", "currency"))
        + "|" + "|".join(_amount_text(line.get(k)) for k in ("debit", "credit")) for line in lines])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _amount_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format(to_decimal(value).normalize(), "f")


def statement_context(customer: dict, events: list, open_rows: list[dict], as_of: date, period_from: date,
                      open_only: bool, company: dict[str, str]) -> dict[str, Any]:
    """Everything a statement shows, in the client's language."""
    t = words(customer.get("Language") or "en")
    opening: dict[str, Decimal] = defaultdict(Decimal)
    balance: dict[str, Decimal] = defaultdict(Decimal)
    lines = []
    for event in events:
        if event.date > as_of:
            continue
        movement = (event.debit or 0) - (event.credit or 0)
        if event.date < period_from:
            opening[event.currency] += movement
            balance[event.currency] += movement
            continue
        balance[event.currency] += movement
        if not open_only:
            lines.append({"date": event.date, "document": event.document, "currency": event.currency,
                          "description": (t[f"kind_{event.kind}"] + (f" {event.payer}" if event.payer else "")),
                          "debit": event.debit, "credit": event.credit, "balance": balance[event.currency]})
    currencies = sorted(set(balance) | {r["Currency"] for r in open_rows})
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in open_rows:
        totals[row["Currency"]] += row["Open"]
    return {
        "t": t, "company": company, "as_of": as_of.isoformat(), "period_from": period_from.isoformat(),
        "customer": {"id": customer["Customer ID"], "name": customer["Name"], "email": customer.get("Email") or ""},
        "opening": [] if open_only else [{"currency": c, "amount": opening[c]} for c in currencies],
        "lines": lines,
        "closing": [] if open_only else [{"currency": c, "amount": balance[c]} for c in currencies],
        "open_items": [{"number": r["Invoice No"], "due": r["Due Date"], "currency": r["Currency"], "open": r["Open"],
                        "days": r["Days Overdue"], "bucket": r["Bucket"]} for r in open_rows],
        "totals": [{"currency": c, "amount": totals[c]} for c in sorted(totals)],
    }


@dataclass
class StatementRun:
    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    passwords: Path | None = None

    def summary(self, out_dir: str | Path) -> str:
        """One line: how many statements (and PDFs) went where, and where the passwords are."""
        extra = (f", {len(self.pdfs)} PDF(s)" if self.pdfs else "") + (
            f"; passwords in {self.passwords} (give them to each client another way)" if self.passwords else "")
        return f"wrote {len(self.files)} statement(s) to {out_dir}{extra}"


def make_pdfs(files: list[Path], out_dir: Path) -> list[Path]:
    """PDFs of the statements through LibreOffice (headless); ArbookError when it is not installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise ArbookError("--pdf needs LibreOffice (soffice) on the PATH; install it (e.g. apt-get install "
                          "libreoffice-calc-nogui) or leave out --pdf")
    profile = out_dir / ".lo-profile"
    for start in range(0, len(files), 50):
        subprocess.run([office, "--headless", "--norestore", f"-env:UserInstallation={profile.resolve().as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files[start:start + 50])],
                       check=True, capture_output=True, timeout=600)
    shutil.rmtree(profile, ignore_errors=True)
    return [out_dir / f.with_suffix(".pdf").name for f in files]


def encrypt_statements(files: list[Path], out_dir: Path) -> Path:
    """Encrypt each statement with its own random password (Excel's own encryption); the passwords
    go to ``statement-passwords.csv`` beside them, to be given to each client another way."""
    import csv
    import secrets

    from msoffcrypto.format.ooxml import OOXMLFile

    rows = []
    for path in files:
        password = secrets.token_urlsafe(9)
        plain = io.BytesIO(path.read_bytes())
        encrypted = io.BytesIO()
        OOXMLFile(plain).encrypt(password, encrypted)
        path.write_bytes(encrypted.getvalue())
        rows.append((path.name.split("-statement-")[0], path.name, password))
    target = out_dir / "statement-passwords.csv"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Customer ID", "File", "Password"])
        writer.writerows(rows)
    return target


def _render_many(jobs: list[tuple[str, dict, dict]], template: StatementTemplate, out_dir: Path) -> list[str]:
    """Render and write each job's workbook (temp file, then rename); returns the names written."""
    for name, context, properties in jobs:
        target = out_dir / name
        partial = target.with_name(f".{name}.{os.getpid()}.tmp")
        partial.write_bytes(template.render(context, properties))
        os.replace(partial, target)
    return [name for name, _, _ in jobs]


def write_statements(book: Book, out_dir: Path, as_of: date | None = None, period_from: date | None = None,
                     customer_ids: list[str] | None = None, open_only: bool = False, template: Path | None = None,
                     workers: int | None = None, pdf: bool = False, encrypt: bool = False,
                     aged: AgingResult | None = None) -> StatementRun:
    """One statement workbook per client (``<ID>-statement-<as-of>.xlsx``) in ``out_dir``; open items
    from ``aged`` when that pass (as of the same date) is at hand. The book's stored aging is left as it is."""
    as_of = as_of or date.today()
    period_from = period_from or as_of.replace(day=1)
    path = template or TEMPLATE
    if not path.is_file():
        build_template(path)
    parsed = StatementTemplate(path)
    customers = book.read(CUSTOMERS.name)
    wanted = select_customers(customers, customer_ids)
    invoices, allocations, bank = book.read(INVOICES.name), book.read(ALLOCATIONS.name), book.read(BANK.name)
    aged = (aged if aged is not None and aged.as_of == as_of else aging_of(book, as_of)).invoices
    company = company_details(book.settings())
    rows = AccountRows.of(invoices, allocations, bank)
    open_groups: dict[str, list[dict]] = defaultdict(list)
    for row in aged[aged["Open"].notna()].to_dict("records"):
        if row["Open"] > 0:
            open_groups[row["Customer ID"]].append(row)
    jobs = []
    for customer in customers.to_dict("records"):
        cid = customer["Customer ID"]
        if cid not in wanted:
            continue
        events = ledger_events(cid, rows)
        context = statement_context(customer, events, open_groups.get(cid, []), as_of, period_from, open_only, company)
        properties = {"arbook.customer": cid, "arbook.as_of": as_of.isoformat(),
                      "arbook.checksum": checksum(cid, as_of.isoformat(), context["lines"])}
        jobs.append((f"{cid}-statement-{as_of.isoformat()}.xlsx", context, properties))
    out_dir.mkdir(parents=True, exist_ok=True)
    if pdf and not (shutil.which("soffice") or shutil.which("libreoffice")):
        make_pdfs([], out_dir)  # the clear message, before anything is written
    run = StatementRun([out_dir / name for name in _render(parsed, jobs, out_dir, workers)])
    if pdf:
        run.pdfs = make_pdfs(run.files, out_dir)
    if encrypt:
        run.passwords = encrypt_statements(run.files, out_dir)
    book.log("statements", f"{len(run.files)} statement(s) as of {as_of} (from {period_from}) written to {out_dir}")
    return run


def _render(template: StatementTemplate, jobs: list, out_dir: Path, workers: int | None) -> list[str]:
    """Write every job's statement, in ``workers`` forked processes for large runs; names in job order."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        workers = 1
    fork_map(_render_many, [jobs[i::workers] for i in range(workers)], {"template": template, "out_dir": out_dir})
    return [name for name, _, _ in jobs]


@dataclass
class ConfirmationReport:
    """What the returned files said, and which could not be trusted."""

    agreed: int = 0
    disputed: list[tuple[str, str, str]] = field(default_factory=list)  # (customer, invoice, comment)
    rejected: list[str] = field(default_factory=list)  # one line per file not recorded, with the reason

    def summary(self) -> str:
        parts = [f"{self.agreed} line(s) agreed", f"{len(self.disputed)} disputed"]
        if self.rejected:
            parts.append(f"{len(self.rejected)} file(s) not recorded: " + "; ".join(self.rejected))
        return ", ".join(parts)


def _decrypt(data: bytes, name: str, passwords: dict[str, str]) -> bytes | None:
    """The plain workbook of an encrypted return, trying the client's own password first."""
    import msoffcrypto

    prefix = name.split("-statement-")[0]
    for password in sorted(passwords.values(), key=lambda p: p != passwords.get(prefix)):
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            office.load_key(password=password)
            plain = io.BytesIO()
            office.decrypt(plain)
            return plain.getvalue()
        except Exception:  # msoffcrypto raises its own errors for a wrong password
            continue
    return None


def load_passwords(path: Path) -> dict[str, str]:
    """Customer ID -> password from the statement-passwords.csv that ``--encrypt`` wrote."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return {row["Customer ID"]: row["Password"] for row in csv.DictReader(handle)}


def read_confirmations(book: Book, files: list[Path], passwords: dict[str, str] | None = None) -> ConfirmationReport:
    """Verify returned statements and record their answers: disputes set the invoice's Disputed flag.
    Encrypted returns are opened with ``passwords`` (see ``load_passwords``)."""
    report = ConfirmationReport()
    customers = set(book.read(CUSTOMERS.name)["Customer ID"])
    invoices = book.read(INVOICES.name)
    disputed_now: set[str] = set()
    for path in files:
        data = Path(path).read_bytes()
        if data[:4] == b"\xd0\xcf\x11\xe0":  # an encrypted workbook (OLE container)
            plain = _decrypt(data, Path(path).name, passwords or {})
            if plain is None:
                report.rejected.append(f"{path}: encrypted, and no known password opens it (pass --passwords)")
                continue
            data = plain
        props = read_properties(data)
        cid, as_of, stated = props.get("arbook.customer"), props.get("arbook.as_of"), props.get("arbook.checksum")
        if not (cid and as_of and stated):
            report.rejected.append(f"{path}: not an arbook statement (no embedded client and checksum)")
            continue
        if cid not in customers:
            report.rejected.append(f"{path}: belongs to client {cid}, who is not in this book")
            continue
        try:
            rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Confirm").to_python()
        except Exception as exc:  # calamine's own errors for damaged files
            report.rejected.append(f"{path}: unreadable ({exc})")
            continue
        lines, answers = _confirm_rows(rows)
        if checksum(cid, as_of, lines) != stated:
            report.rejected.append(f"{path}: lines were altered after the statement was sent (checksum differs)")
            continue
        for line, (answer, comment) in zip(lines, answers):
            if answer == "agree":
                report.agreed += 1
            elif answer == "dispute":
                report.disputed.append((cid, line["document"], comment))
                disputed_now.add(line["document"])
        book.log("confirmation", f"{Path(path).name}: client {cid} as of {as_of}: "
                                 f"{sum(a == 'agree' for a, _ in answers)} agreed, "
                                 f"{sum(a == 'dispute' for a, _ in answers)} disputed")
    if disputed_now:
        flags = invoices["Disputed"].tolist()
        numbers = invoices["Invoice No"].tolist()
        invoices["Disputed"] = [True if n in disputed_now else f for n, f in zip(numbers, flags)]
        book.replace(INVOICES.name, invoices)
        for cid, number, comment in report.disputed:
            book.log("dispute", f"{cid} disputes {number}: {comment or '(no comment)'}")
    for reason in report.rejected:
        book.log("confirmation rejected", reason)
    return report


def _confirm_rows(rows: list[list[Any]]) -> tuple[list[dict], list[tuple[str, str]]]:
    """The lines and the client's answers of a Confirm sheet (rows below the header row)."""
    lines, answers = [], []
    for row in rows[3:]:
        cells = list(row) + [""] * (8 - len(row))
        if not any(str(v).strip() for v in cells[:6] if v is not None):
            continue
        day = cells[0].isoformat() if hasattr(cells[0], "isoformat") else str(cells[0])
        lines.append({"date": day, "document": str(cells[1]), "currency": str(cells[3]),
                      "debit": cells[4] if cells[4] != "" else None, "credit": cells[5] if cells[5] != "" else None})
        answers.append((str(cells[6] or "").strip().lower(), str(cells[7] or "").strip()))
    return lines, answers


__all__ = ["write_statements", "read_confirmations", "checksum", "statement_context"]


def read_returned(book: Book, files: list[Path], passwords: Path | None = None) -> ConfirmationReport:
    """``read_confirmations`` with the passwords read from the statement-passwords.csv at ``passwords``."""
    return read_confirmations(book, files, load_passwords(passwords) if passwords else None)
