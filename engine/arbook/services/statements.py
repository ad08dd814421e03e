"""Per-client statements of account with a balance confirmation (残高確認書 / 询证函), from a
template, and reading back the confirmations.

Each statement carries, in hidden custom properties, the client ID, the as-of date and a keyed
checksum (HMAC under the book's Statement Key) of its Confirm lines; a signed manifest beside it
fixes the addresses it is to be sent to. A returned file whose lines were edited, even with a
recomputed checksum, or that belongs to another client, is reported and never recorded.
"""
from __future__ import annotations

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

from jinja2 import TemplateError
from python_calamine import CalamineWorkbook

from arbook.adapters.statementxlsx.render import StatementTemplate, read_properties
from arbook.adapters.statementxlsx.template import build_template
from arbook.domain.aging import AgingResult
from arbook.domain.forking import fork_map
from arbook.domain.ledger import AccountRows, ledger_events
from arbook.model.addresses import AddressError, address_list, one_address
from arbook.model.book import Book
from arbook.model.errors import ArbookError
from arbook.model.frames import make_frame
from arbook.model.money import format_money, money, to_decimal
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES
from arbook.model.statuses import APPLIED, Confirmation, Rule
from arbook.model.words import language_of, words
from arbook.resources import resource
from arbook.services.manifest import book_key, keyed_digest, safe_stem, write_manifest
from arbook.services.receivables import (aging_of, company_details, currency_display, missing_details,
                                        select_customers, unanswered)

TEMPLATE = resource("templates", "statement.xlsx")
PARALLEL_FROM = 200
CHECKED = ("date", "document", "currency", "debit", "credit", "balance")


def checksum(key: bytes, customer_id: str, as_of: str, lines: list[dict]) -> str:
    """HMAC-SHA256 (under the book's key) over the client, the date and each Confirm line's date,
    document, currency and amounts: only the book that wrote a statement can recompute it."""
    text = "\n".join([customer_id, as_of] + ["|".join(_field_text(line.get(k)) for k in CHECKED) for line in lines])
    return keyed_digest(key, text)


def _field_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return format(to_decimal(value).normalize(), "f")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def address_lines(customer: dict, language: str) -> list[dict[str, str]]:
    """The addressee block as a letter in the client's language prints it: postal code, address,
    company, department and contact, with the honorific (御中 / 様, 台鉴 / 收, Attn.)."""
    t = words(language)
    text = {k: str(customer.get(k) or "").strip() for k in ("Name", "Address", "Postal Code", "Contact",
                                                            "Department", "Honorific")}
    address = [part.strip() for part in text["Address"].splitlines() if part.strip()]
    contact, department, honorific = text["Contact"], text["Department"], text["Honorific"]
    if language == "en":
        attention = " ".join(x for x in (honorific, contact) if x)
        attention = ", ".join(x for x in (attention, department) if x)
        lines = [text["Name"], *([f"{t['attn']} {attention}"] if attention else []), *address,
                 *([text["Postal Code"]] if text["Postal Code"] else [])]
    else:
        postal = [t["postal_mark"] + text["Postal Code"]] if text["Postal Code"] else []
        if contact:
            named = [text["Name"], *([department] if department else []),
                     f"{contact} {honorific or t['honorific_person']}"]
        elif department:
            named = [text["Name"], f"{department} {honorific or t['honorific_company']}"]
        else:
            named = [f"{text['Name']} {honorific or t['honorific_company']}".strip()]
        lines = [*postal, *address, *named]
    return [{"text": line} for line in lines]


def statement_context(customer: dict, events: list, open_rows: list[dict], as_of: date, period_from: date,
                      open_only: bool, company: dict[str, str], unapplied: list[dict] | None = None,
                      paper: str = "A4") -> dict[str, Any]:
    """Everything a statement shows, in the client's language: the period's lines, the closing
    balance per currency (first line of the Confirm sheet), open items and unapplied payments."""
    language = language_of(customer.get("Language"))
    t = words(language)
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
                          "description": event.description(t),
                          "debit": event.debit, "credit": event.credit, "balance": balance[event.currency]})
    unapplied = unapplied or []
    currencies = sorted(set(balance) | {r["Currency"] for r in open_rows} | {u["currency"] for u in unapplied})
    totals: dict[str, Decimal] = defaultdict(Decimal)
    items = []
    for row in open_rows:
        totals[row["Currency"]] += row["Open"]
        items.append({"number": row["Invoice No"], "due": row["Due Date"], "description": t["kind_invoice"],
                      "currency": row["Currency"], "open": row["Open"], "days": row["Days Overdue"] or None,
                      "bucket": t["current"] if row["Bucket"] == "Current" else row["Bucket"]})
    for item in unapplied:
        totals[item["currency"]] -= item["amount"]
        items.append({"number": item["ref"], "due": item["date"], "description": t["unapplied"],
                      "currency": item["currency"], "open": -item["amount"], "days": None, "bucket": None})
    balance_text = t["balance_text"].replace("{{ as_of }}", as_of.isoformat())
    return {
        "t": t, "company": company, "as_of": as_of.isoformat(), "period_from": period_from.isoformat(),
        "paper": paper, "language": language,
        "customer": {"id": customer["Customer ID"], "name": customer["Name"], "email": customer.get("Email") or ""},
        "address_lines": address_lines(customer, language),
        "opening": [] if open_only else [{"currency": c, "amount": opening[c]} for c in currencies],
        "lines": lines,
        "closing": [] if open_only else [{"currency": c, "amount": balance[c]} for c in currencies],
        "balances": [{"date": as_of, "document": t["balance_doc"], "description": balance_text, "currency": c,
                      "amount": balance[c]} for c in currencies],
        "open_items": items,
        "totals": [{"currency": c, "amount": totals[c]} for c in sorted(totals)],
    }


def confirm_lines(context: dict[str, Any]) -> list[dict]:
    """The lines of the Confirm sheet the checksum covers: the balance per currency, then the period's lines."""
    return ([{"date": b["date"], "document": b["document"], "currency": b["currency"], "balance": b["amount"]}
             for b in context["balances"]]
            + [{k: line[k] for k in ("date", "document", "currency", "debit", "credit")} for line in context["lines"]])


@dataclass
class StatementRun:
    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    passwords: Path | None = None
    missing: list[str] = field(default_factory=list)  # empty Settings the statements show without

    def summary(self, out_dir: str | Path) -> str:
        """One line: how many statements (and PDFs) went where, where the passwords are, and what they lack."""
        extra = (f", {len(self.pdfs)} PDF(s)" if self.pdfs else "") + (
            f"; passwords in {self.passwords} (give them to each client another way)" if self.passwords else "")
        lacking = (f"; NOTE: Settings has no {' or '.join(self.missing)}, so the statements show none (fill them in "
                   "the Settings sheet and write them again)" if self.missing else "")
        return f"wrote {len(self.files)} statement(s) to {out_dir}{extra}{lacking}"


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


def password_file(book: Book, out_dir: Path, as_of: date) -> Path:
    """Where ``--encrypt`` lists the passwords: beside the book, never in the statements folder."""
    target = Path(str(book.source)).resolve().parent / f"{Path(str(book.source)).stem}-statement-passwords-{as_of}.csv"
    if target.parent == out_dir.resolve() or out_dir.resolve() in target.parents:
        raise ArbookError(f"{out_dir}: with --encrypt, write statements to their own folder, not the book's "
                          f"(the passwords go to {target.parent})")
    return target


def encrypt_statements(jobs: list[tuple[str, str]], out_dir: Path, target: Path) -> Path:
    """Encrypt each (client, file) statement with its own random password (Excel's own encryption);
    the passwords go to ``target`` (mode 0600), to be given to each client another way."""
    import csv
    import secrets

    from msoffcrypto.format.ooxml import OOXMLFile

    rows = []
    for cid, name in jobs:
        path = out_dir / name
        password = secrets.token_urlsafe(9)
        while password.startswith("-"):  # a CSV field starting with - is a formula to Excel
            password = secrets.token_urlsafe(9)
        encrypted = io.BytesIO()
        OOXMLFile(io.BytesIO(path.read_bytes())).encrypt(password, encrypted)
        partial = path.with_name(f".{name}.{os.getpid()}.tmp")
        partial.write_bytes(encrypted.getvalue())
        os.replace(partial, path)
        rows.append((cid, name, password))
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with open(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Customer ID", "File", "Password"])
        writer.writerows(rows)
    return target


def _render_many(jobs: list[tuple[str, dict, dict, dict]], template: StatementTemplate, out_dir: Path,
                 key: bytes) -> list[str]:
    """Render and write each job's workbook (temp file, then rename) and its signed manifest; returns
    the names written."""
    for name, context, properties, fields in jobs:
        target = out_dir / name
        partial = target.with_name(f".{name}.{os.getpid()}.tmp")
        data = template.render(context, properties)
        partial.write_bytes(data)
        os.replace(partial, target)
        write_manifest(key, target, fields, data)
    return [job[0] for job in jobs]


def _unapplied(allocations: Any, bank: Any, as_of: date) -> dict[str, list[dict]]:
    """Per client, the payments (or parts) left unapplied on the account as of the date."""
    booked = {ref: (day, currency) for ref, day, currency in zip(bank["Bank Ref"], bank["Date"], bank["Currency"])}
    found: dict[str, list[dict]] = defaultdict(list)
    for ref, cid, number, amount, rule, status in zip(
            allocations["Bank Ref"], allocations["Customer ID"], allocations["Invoice No"],
            allocations["Applied Amount"], allocations["Rule"], allocations["Status"]):
        if cid and not number and rule == Rule.UNAPPLIED and status in APPLIED and ref in booked \
                and booked[ref][0] <= as_of:
            day, currency = booked[ref]
            found[cid].append({"ref": ref, "date": day, "currency": currency, "amount": money(amount, currency)})
    return found


@dataclass
class Recipient:
    """Who a statement goes to, checked before anything is written."""

    customer: dict
    stem: str
    email: str
    cc: list[str]


def check_recipients(book: Book, customers: Any, wanted: set[str]) -> list[Recipient]:
    """The chosen clients with their parsed addresses and file names; ArbookError (``BOOK [Customers]:ROW:
    field: message``) for a bad Email or CC Emails, or two clients that would share a file."""
    problems, found, names = [], [], {}
    for row, customer in enumerate(customers.to_dict("records"), start=2):
        cid = customer["Customer ID"]
        if cid not in wanted:
            continue
        where = f"{book.source} [Customers]:{row}"
        try:
            email = one_address(customer.get("Email"))
        except AddressError as exc:
            problems.append(f"{where}: Email: {exc}")
            continue
        try:
            cc = address_list(customer.get("CC Emails"))
        except AddressError as exc:
            problems.append(f"{where}: CC Emails: {exc}")
            continue
        stem = safe_stem(cid)
        if stem.casefold() in names:
            problems.append(f"{where}: Customer ID: {cid!r} and {names[stem.casefold()]!r} would share the file "
                            f"name {stem} (names are compared ignoring case); rename one")
            continue
        names[stem.casefold()] = cid
        found.append(Recipient(customer, stem, email, cc))
    if problems:
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise ArbookError(problems[0] + more + "; nothing was written")
    return found


def write_statements(book: Book, out_dir: Path, as_of: date | None = None, period_from: date | None = None,
                     customer_ids: list[str] | None = None, open_only: bool = False, template: Path | None = None,
                     workers: int | None = None, pdf: bool = False, encrypt: bool = False,
                     aged: AgingResult | None = None) -> StatementRun:
    """One statement workbook per client (``<safe ID>-statement-<as-of>.xlsx``) with its signed
    manifest in ``out_dir``; open items from ``aged`` when that pass (as of the same date) is at hand.
    Every input is checked before the first file is written; the book's stored aging is left as it is."""
    as_of = as_of or date.today()
    period_from = period_from or as_of.replace(day=1)
    path = template or TEMPLATE
    if not path.is_file():
        if template is not None:
            raise ArbookError(f"{template}: no such template; nothing was written")
        build_template(path)
    parsed = StatementTemplate(path)
    customers = book.read(CUSTOMERS.name)
    recipients = check_recipients(book, customers, select_customers(customers, customer_ids))
    if out_dir.exists() and not out_dir.is_dir():
        raise ArbookError(f"{out_dir}: not a folder; nothing was written")
    if pdf and encrypt:
        raise ArbookError("--pdf with --encrypt: the PDFs would carry the statements unencrypted; choose one "
                          "(nothing was written)")
    passwords = password_file(book, out_dir, as_of) if encrypt else None
    if pdf and not (shutil.which("soffice") or shutil.which("libreoffice")):
        make_pdfs([], out_dir)  # the clear message, before anything is written
    invoices, allocations, bank = book.read(INVOICES.name), book.read(ALLOCATIONS.name), book.read(BANK.name)
    settings = book.settings()
    aged_invoices = (aged if aged is not None and aged.as_of == as_of else aging_of(book, as_of)).invoices
    company = company_details(settings)
    paper = "Letter" if settings.get("Paper Size", "").strip().lower() == "letter" else "A4"
    display = currency_display(settings)
    rows = AccountRows.of(invoices, allocations, bank)
    unapplied = _unapplied(allocations, bank, as_of)
    open_groups: dict[str, list[dict]] = defaultdict(list)
    for row in aged_invoices[aged_invoices["Open"].notna()].to_dict("records"):
        if row["Open"] > 0:
            open_groups[row["Customer ID"]].append(row)
    key = book_key(book, create=True)
    jobs = []
    for recipient in recipients:
        cid = recipient.customer["Customer ID"]
        context = statement_context(recipient.customer, ledger_events(cid, rows), open_groups.get(cid, []), as_of,
                                    period_from, open_only, company, unapplied.get(cid, []), paper)
        stated = checksum(key, cid, as_of.isoformat(), confirm_lines(context))
        properties = {"arbook.customer": cid, "arbook.as_of": as_of.isoformat(), "arbook.checksum": stated}
        name = f"{recipient.stem}-statement-{as_of.isoformat()}.xlsx"
        jobs.append((name, context, properties, {
            "customer": cid, "as_of": as_of.isoformat(), "checksum": stated, "email": recipient.email,
            "cc": recipient.cc, "encrypted": encrypt, "language": context["language"],
            "balances": {b["currency"]: str(b["amount"]) for b in context["balances"]}}))
    parsed.prepare({item["currency"] for job in jobs for group in ("balances", "open_items", "lines")
                    for item in job[1][group]}, display)
    _dry_run(parsed, jobs)
    out_dir.mkdir(parents=True, exist_ok=True)
    run = StatementRun([out_dir / name for name in _render(parsed, jobs, out_dir, workers, key)],
                       missing=missing_details(settings, ("Company Name", "Payment Instructions")))
    if pdf:
        run.pdfs = make_pdfs(run.files, out_dir)
    if encrypt:
        run.passwords = encrypt_statements([(fields["customer"], name) for name, _, _, fields in jobs], out_dir,
                                           passwords)
        for name, _, _, fields in jobs:  # the manifest describes the encrypted file
            write_manifest(key, out_dir / name, fields)
    _await_replies(book, customers, [fields["customer"] for *_, fields in jobs], as_of)
    book.log("statements", f"{len(run.files)} statement(s) as of {as_of} (from {period_from}) written to {out_dir}")
    return run


def _dry_run(template: StatementTemplate, jobs: list) -> None:
    """Render the fullest statement in memory: a template naming something unknown stops the run here."""
    if not jobs:
        return
    name, context, properties, _ = max(jobs, key=lambda job: sum(len(job[1][k]) for k in ("lines", "open_items")))
    try:
        template.render(context, properties)
    except (TemplateError, ArbookError, TypeError, AttributeError) as exc:
        raise ArbookError(f"{template.path}: cannot fill the template for {name} ({exc}); nothing was written") \
            from None


def _await_replies(book: Book, customers: Any, sent: list[str], as_of: date) -> None:
    """Mark the clients just given a statement as awaiting its reply (Confirmation 'no reply')."""
    chosen = set(sent)
    records = customers.to_dict("records")
    for record in records:
        if record["Customer ID"] in chosen and record.get("Confirmed On") != as_of:
            record.update({"Confirmation": Confirmation.NO_REPLY, "Confirmed Balance": None, "Confirmed On": as_of})
    book.replace(CUSTOMERS.name, make_frame(CUSTOMERS, records))


def _render(template: StatementTemplate, jobs: list, out_dir: Path, workers: int | None, key: bytes) -> list[str]:
    """Write every job's statement and manifest, in ``workers`` forked processes for large runs; names in
    job order."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        workers = 1
    fork_map(_render_many, [jobs[i::workers] for i in range(workers)],
             {"template": template, "out_dir": out_dir, "key": key})
    return [job[0] for job in jobs]


@dataclass
class ConfirmationReport:
    """What the returned files said, and which could not be trusted."""

    agreed: int = 0
    disputed: list[tuple[str, str, str]] = field(default_factory=list)  # (customer, invoice, comment)
    rejected: list[str] = field(default_factory=list)  # one line per file not recorded, with the reason
    answers: dict[str, str] = field(default_factory=dict)  # customer -> confirmed / disputed / no reply
    waiting: list[dict] | None = None  # with --overdue-days: the clients with no reply

    def summary(self) -> str:
        """The answers recorded, the files rejected and why, then the clients still waited for."""
        parts = [f"{self.agreed} line(s) agreed", f"{len(self.disputed)} disputed"]
        for state in Confirmation:
            count = sum(v == state for v in self.answers.values())
            if count:
                parts.append(f"{count} client(s) {state}")
        if self.rejected:
            parts.append(f"{len(self.rejected)} file(s) not recorded: " + "; ".join(self.rejected))
        lines = [", ".join(parts)]
        if self.waiting is not None:
            lines += [f"no reply: {r['Customer ID']} {r['Name']} <{r.get('Email') or ''}> statement as of "
                      f"{r['Confirmed On']}" for r in self.waiting]
            lines.append(f"{len(self.waiting)} client(s) waiting for a reply")
        return "\n".join(lines)


def _decrypt(data: bytes, name: str, passwords: dict[str, str]) -> bytes | None:
    """The plain workbook of an encrypted return, trying first the password of the client the name suggests."""
    import msoffcrypto

    for cid, password in sorted(passwords.items(), key=lambda item: not name.startswith(safe_stem(item[0]) + "-")):
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
    """Customer ID -> password from the password file that ``--encrypt`` wrote."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return {row["Customer ID"]: row["Password"] for row in csv.DictReader(handle)}


def _verified(path: Path, data: bytes, key: bytes | None, customers: set[str], passwords: dict[str, str]
              ) -> tuple[str, str, list[dict], list[tuple[str, Any, str]]] | str:
    """(client, as-of, lines, answers) of a returned statement, or the reason it cannot be trusted."""
    if data[:4] == b"\xd0\xcf\x11\xe0":  # an encrypted workbook (OLE container)
        plain = _decrypt(data, path.name, passwords)
        if plain is None:
            return f"{path}: encrypted, and no known password opens it (pass --passwords)"
        data = plain
    props = read_properties(data)
    cid, as_of, stated = props.get("arbook.customer"), props.get("arbook.as_of"), props.get("arbook.checksum")
    if not (cid and as_of and stated):
        return f"{path}: not an arbook statement (no embedded client and checksum)"
    if cid not in customers:
        return f"{path}: belongs to client {cid}, who is not in this book"
    if key is None:
        return f"{path}: this book has no Statement Key, so it wrote no statements to verify against"
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Confirm").to_python()
    except Exception as exc:  # calamine's own errors for damaged files
        return f"{path}: unreadable ({exc})"
    lines, answers = _confirm_rows(rows)
    if checksum(key, cid, as_of, lines) != stated:
        return f"{path}: lines were altered after the statement was written (checksum differs)"
    return cid, as_of, lines, answers


def read_confirmations(book: Book, files: list[Path], passwords: dict[str, str] | None = None) -> ConfirmationReport:
    """Verify returned statements and record their answers: the client's Confirmation, Confirmed
    Balance and Confirmed On on Customers; a disputed line sets the invoice's Disputed flag.
    Encrypted returns are opened with ``passwords`` (see ``load_passwords``)."""
    report = ConfirmationReport()
    customers = book.read(CUSTOMERS.name)
    invoices = book.read(INVOICES.name)
    key = book_key(book)
    display = currency_display(book.settings())
    disputed_now: set[str] = set()
    recorded: dict[str, dict[str, Any]] = {}
    for path in map(Path, files):
        found = _verified(path, path.read_bytes(), key, set(customers["Customer ID"]), passwords or {})
        if isinstance(found, str):
            report.rejected.append(found)
            continue
        cid, as_of, lines, answers = found
        state, stated = _balance_answer(lines, answers, display)
        for line, (answer, _, comment) in zip(lines, answers):
            if line.get("balance") is not None:
                continue
            if answer == "agree":
                report.agreed += 1
            elif answer in ("dispute", "disagree"):
                report.disputed.append((cid, line["document"], comment))
                disputed_now.add(line["document"])
                state = Confirmation.DISPUTED
        report.answers[cid] = state
        recorded[cid] = {"Confirmation": state, "Confirmed Balance": stated or None,
                         "Confirmed On": date.fromisoformat(as_of)}
        book.log("confirmation", f"{path.name}: client {cid} as of {as_of}: {state}"
                                 + (f" ({stated})" if stated else "")
                                 + f"; {sum(a == 'agree' for a, _, _ in answers)} line(s) agreed, "
                                   f"{sum(a in ('dispute', 'disagree') for a, _, _ in answers)} disputed")
    if recorded:
        records = customers.to_dict("records")
        for record in records:
            record.update(recorded.get(record["Customer ID"], {}))
        book.replace(CUSTOMERS.name, make_frame(CUSTOMERS, records))
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


def _balance_answer(lines: list[dict], answers: list[tuple[str, Any, str]], display: str) -> tuple[str, str]:
    """The client's answer to the balance lines: (confirmed / disputed / no reply, what it stated)."""
    states, stated = [], []
    for line, (answer, theirs, _) in zip(lines, answers):
        if line.get("balance") is None:
            continue
        ours = to_decimal(line["balance"])
        if answer == "agree":
            states.append(Confirmation.CONFIRMED)
            stated.append(format_money(ours, line["currency"], display))
        elif answer in ("dispute", "disagree"):
            states.append(Confirmation.DISPUTED)
            try:
                theirs_text = format_money(to_decimal(theirs), line["currency"], display)
            except (ValueError, ArithmeticError):
                theirs_text = str(theirs or "?")
            stated.append(f"{theirs_text} (ours {format_money(ours, line['currency'], display)})")
        else:
            states.append(Confirmation.NO_REPLY)
    state = (Confirmation.DISPUTED if Confirmation.DISPUTED in states else Confirmation.CONFIRMED
             if states and all(s == Confirmation.CONFIRMED for s in states) else Confirmation.NO_REPLY)
    return state, "; ".join(stated)


def _confirm_rows(rows: list[list[Any]]) -> tuple[list[dict], list[tuple[str, Any, str]]]:
    """The lines and the client's answers (answer, their balance, comment) of a Confirm sheet."""
    lines, answers = [], []
    for row in rows[3:]:
        cells = [None if v == "" else v for v in list(row) + [""] * (10 - len(row))]
        if not any(str(v).strip() for v in cells[:7] if v is not None):
            continue
        line = {"date": cells[0], "document": cells[1], "currency": cells[3]}
        if cells[6] is not None:
            line["balance"] = cells[6]
        else:
            line.update(debit=cells[4], credit=cells[5])
        lines.append(line)
        answers.append((str(cells[7] or "").strip().lower(), cells[8], str(cells[9] or "").strip()))
    return lines, answers


__all__ = ["write_statements", "read_confirmations", "checksum", "statement_context"]


def read_returned(book: Book, files: list[Path] | None = None, passwords: Path | None = None,
                  overdue_days: int | None = None) -> ConfirmationReport:
    """``read_confirmations`` with the passwords read from the file at ``passwords``; with
    ``overdue_days``, also the clients whose statement is that old with no reply."""
    if not files and overdue_days is None:
        raise ArbookError("confirmations: give the returned FILES, or --overdue-days N")
    report = read_confirmations(book, files or [], load_passwords(passwords) if passwords else None)
    if overdue_days is not None:
        report.waiting = unanswered(book, overdue_days)
    return report
