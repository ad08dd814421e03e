"""Statement emails: one message per client in its language, as .eml drafts or sent by SMTP.

Before anything is written or sent, every statement's signed manifest is verified (client, file
checksum, the addresses fixed when it was written) and every message is composed; a problem stops
the whole run. Sending keeps a journal beside the book: a "sending" record is appended and
fsynced before each SMTP transaction and a "send" record with the server's reply after it, so a
crash at any moment ends in at most one delivery per statement. A "sending" without its "send"
is reported on the next run for the accountant to settle (``--resend ID`` or ``--mark-sent ID``),
never sent again on its own. The journal is folded into the Log at the end of each run.
SMTP uses STARTTLS whenever the server offers it; without it, only a relay that needs no
credentials is used (credentials come from ARBOOK_SMTP_USER / ARBOOK_SMTP_PASSWORD, never the book).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from arbook.model.book import Book
from arbook.model.words import words
from arbook.adapters.book.atomic import atomic_write
from arbook.adapters.book.base import current_user
from arbook.adapters.statementxlsx.render import read_properties
from arbook.model.addresses import AddressError, address_list, one_address
from arbook.model.errors import ArbookError
from arbook.model.money import format_money
from arbook.model.schema import CUSTOMERS, LOG
from arbook.model.statuses import Delivery
from arbook.resources import resource
from arbook.services.manifest import book_key, read_manifest
from arbook.services.receivables import company_details, currency_display

TEMPLATES = resource("templates", "email")
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
JOURNAL_SUFFIX = ".send-journal.jsonl"
_MESSAGE_ID = re.compile(r"message-id=(<[^>\s]*>)")
_SHA = re.compile(r"sha256=([0-9a-f]{64})")


@dataclass
class MailRun:
    sent: list[str] = field(default_factory=list)      # Message-IDs
    skipped: list[str] = field(default_factory=list)   # files already sent
    drafts: list[Path] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)   # "sending" without "send": for the accountant
    failed: list[str] = field(default_factory=list)    # refused by the server: not delivered
    post: list[str] = field(default_factory=list)      # clients whose Delivery is post only
    marked: list[str] = field(default_factory=list)    # recorded as sent with --mark-sent

    def summary(self) -> str:
        how = f"{len(self.drafts)} draft(s) written" if self.drafts else f"{len(self.sent)} message(s) sent"
        parts = [how, f"{len(self.skipped)} statement(s) already sent before, skipped"]
        if self.marked:
            parts.append(f"{len(self.marked)} marked sent ({', '.join(self.marked)})")
        if self.post:
            parts.append(f"{len(self.post)} by post only, not emailed ({', '.join(self.post)})")
        if self.failed:
            parts.append(f"{len(self.failed)} refused by the server: " + "; ".join(self.failed))
        if self.pending:
            parts.append(f"{len(self.pending)} NOT SETTLED (a send was started but never confirmed; check the "
                         "server or the client's inbox, then run again with --resend ID or --mark-sent ID): "
                         + "; ".join(self.pending))
        return "; ".join(parts)


class Journal:
    """The append-only send journal beside the book (JSON lines, each fsynced)."""

    def __init__(self, path: Path):
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        """Every complete record (a line torn by a crash is ignored)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        found = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and {"action", "details"} <= set(record):
                found.append(record)
        return found

    def append(self, action: str, details: str) -> None:
        """Append one record and fsync it before returning."""
        new = not self.path.exists()
        record = {"time": datetime.now().replace(microsecond=0).isoformat(), "user": current_user(),
                  "action": action, "details": details}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write("\n" + json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if new and os.name == "posix":
            descriptor = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def fold_into(self, book: Book) -> int:
        """Log every record the Log does not hold yet, save the book, then empty the journal."""
        records = self.records()
        if not records:
            return 0
        log = book.read(LOG.name)
        known = {(action, m.group(1)) for action, detail in zip(log["Action"], log["Details"])
                 for m in [_MESSAGE_ID.search(detail or "")] if m}
        added = 0
        for record in records:
            match = _MESSAGE_ID.search(record["details"])
            if match and (record["action"], match.group(1)) in known:
                continue
            book.log(record["action"], f"{record['details']} [journal {record.get('time', '')}]")
            added += 1
        book.commit()
        self.path.unlink()
        return added


def journal_for(book: Book) -> Journal:
    """The journal of this book: ``<book>.send-journal.jsonl`` beside it."""
    source = Path(str(book.source))
    return Journal(source.with_name(source.name + JOURNAL_SUFFIX))


def _environments() -> tuple[Environment, Environment]:
    if not TEMPLATES.is_dir():
        raise ArbookError(f"email templates not found in {TEMPLATES}")
    loader = FileSystemLoader(str(TEMPLATES))
    return (Environment(loader=loader, undefined=StrictUndefined, autoescape=False),
            Environment(loader=loader, undefined=StrictUndefined, autoescape=True))


def compose(customer: dict, statement: Path, data: bytes, company: dict[str, str], sender: str,
            as_of: str, totals: dict[str, str], to: str | None = None, cc: Iterable[str] = ()) -> EmailMessage:
    """The message for one client: subject, text and HTML body in its language, the statement (and
    its PDF, when one was made) attached; To is ``to`` (default the Email cell), Cc ``cc``."""
    text_env, html_env = _environments()
    language = customer.get("Language") if customer.get("Language") in ("ja", "zh", "en") else "en"
    context = {"customer": {"id": customer["Customer ID"], "name": customer["Name"]}, "company": company,
               "as_of": as_of, "totals": totals, "t": words(language)}
    body = text_env.get_template(f"{language}.txt.j2").render(context)
    message = EmailMessage()
    message["Subject"] = text_env.get_template(f"{language}.subject.j2").render(context).strip()
    message["From"] = sender
    message["To"] = to or one_address(customer["Email"])
    cc = list(cc)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=(sender.split("@")[-1] if "@" in sender else "arbook.invalid"))
    message["X-Arbook-Customer"] = customer["Customer ID"]
    message.set_content(body)
    message.add_alternative(html_env.get_template(f"{language}.html.j2").render(body=body), subtype="html")
    message.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=statement.name)
    pdf = statement.with_suffix(".pdf")
    if pdf.is_file():
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


@dataclass
class Outgoing:
    """One statement ready to go: its file, digest, client, addresses and composed message."""

    path: Path
    digest: str
    customer: dict
    to: str
    cc: list[str]
    message: EmailMessage

    def details(self, how: str) -> str:
        cc = f" cc={','.join(self.cc)}" if self.cc else ""
        return (f"{self.customer['Customer ID']} <{self.to}>{cc} message-id={self.message['Message-ID']} "
                f"{self.path.name} sha256={self.digest} ({how})")


def _history(book: Book, journal: Journal) -> tuple[set[str], dict[str, str]]:
    """(digests sent, digest -> details of a "sending" never confirmed) from the Log and the journal."""
    log = book.read(LOG.name)
    events = list(zip(log["Action"], log["Details"])) + [(r["action"], r["details"]) for r in journal.records()]
    sent: set[str] = set()
    pending: dict[str, str] = {}
    for action, detail in events:
        match = _SHA.search(detail or "")
        if not match:
            continue
        digest = match.group(1)
        if action == "send":
            sent.add(digest)
            pending.pop(digest, None)
        elif action == "sending":
            pending[digest] = detail
        elif action == "send failed":
            pending.pop(digest, None)
    return sent, {d: text for d, text in pending.items() if d not in sent}


def _addresses(book: Book, row: int, customer: dict) -> tuple[str, list[str]]:
    where = f"{book.source} [Customers]:{row}"
    try:
        email = one_address(customer.get("Email"))
    except AddressError as exc:
        raise ArbookError(f"{where}: Email: {exc}; nothing was sent") from None
    try:
        cc = address_list(customer.get("CC Emails"))
    except AddressError as exc:
        raise ArbookError(f"{where}: CC Emails: {exc}; nothing was sent") from None
    if not email:
        raise ArbookError(f"{where}: Email: client {customer['Customer ID']} has no address (set Delivery to "
                          "post to print it instead); nothing was sent")
    return email, cc


def prepare(book: Book, folder: Path, accept_changed: bool = False) -> tuple[list[Outgoing], list[str]]:
    """Every statement in ``folder`` verified and its message composed, or ArbookError before anything
    goes: (messages, clients by post only). An address changed since the statement was written stops
    the run unless ``accept_changed`` (each change is then logged)."""
    records = book.read(CUSTOMERS.name).to_dict("records")
    customers = {r["Customer ID"]: (row, r) for row, r in enumerate(records, start=2)}
    settings = book.settings()
    company = company_details(settings)
    display = currency_display(settings)
    try:
        sender = one_address(settings.get("Sender Email")) or "accounts@arbook.invalid"
    except AddressError as exc:
        raise ArbookError(f"{book.source} [Settings]: Sender Email: {exc}; nothing was sent") from None
    files = sorted(folder.glob("*-statement-*.xlsx"))
    if not files:
        raise ArbookError(f"{folder}: no statements (*-statement-*.xlsx); run 'arbook statements' first")
    key = book_key(book)
    outgoing, post, changes = [], [], []
    latest: dict[str, tuple[str, Path, bytes, dict]] = {}  # a client's newest statement only: never two at once
    for path in files:
        data = path.read_bytes()
        manifest = read_manifest(key, path, data)
        entry = (str(manifest.get("as_of", "")), path, data, manifest)
        if manifest["customer"] not in latest or entry[:2] > latest[manifest["customer"]][:2]:
            latest[manifest["customer"]] = entry
    for _, path, data, manifest in sorted(latest.values(), key=lambda entry: entry[1]):
        cid = manifest["customer"]
        if not manifest.get("encrypted"):
            embedded = read_properties(data).get("arbook.customer")
            if embedded != cid:
                raise ArbookError(f"{path}: the file carries client {embedded!r} but its manifest says {cid!r}; "
                                  "nothing was sent")
        if cid not in customers:
            raise ArbookError(f"{path}: client {cid} is not in the book; nothing was sent")
        row, customer = customers[cid]
        if customer.get("Delivery") == Delivery.POST:
            post.append(cid)
            continue
        email, cc = _addresses(book, row, customer)
        if (email, cc) != (manifest.get("email"), manifest.get("cc", [])):
            changes.append(f"{cid}: statement written for {_shown(manifest.get('email'), manifest.get('cc', []))}, "
                           f"the book now says {_shown(email, cc)}")
        totals = {c: format_money(Decimal(v), c, display) for c, v in manifest.get("balances", {}).items()}
        try:
            message = compose(customer, path, data, company, sender, manifest.get("as_of", ""), totals, email, cc)
        except (TemplateError, ValueError) as exc:
            raise ArbookError(f"{path}: cannot compose the message for {cid} ({exc}); nothing was sent") from None
        outgoing.append(Outgoing(path, hashlib.sha256(data).hexdigest(), customer, email, cc, message))
    if changes and not accept_changed:
        raise ArbookError("addresses changed since the statements were written: " + "; ".join(changes)
                          + ". Write the statements again, or pass --accept-changed-addresses; nothing was sent")
    for change in changes:
        book.log("address changed", change + " (accepted with --accept-changed-addresses)")
    return outgoing, post


def _shown(email: str | None, cc: list[str]) -> str:
    return f"<{email or ''}>" + (f" cc {', '.join(cc)}" if cc else "")


def email_statements(book: Book, folder: Path, outbox: Path | None = None, smtp: str | None = None,
                     resend: Iterable[str] | None = (), mark_sent: Iterable[str] | None = (),
                     accept_changed: bool = False) -> MailRun:
    """Email every statement in ``folder`` to its client (drafts in ``outbox`` unless ``smtp``).
    ``resend`` clients get their statement again on purpose; ``mark_sent`` ones are recorded as sent
    without sending. The Log is saved once, at the end."""
    journal = journal_for(book)
    outgoing, post = prepare(book, folder, accept_changed)
    known = {item.customer["Customer ID"] for item in outgoing}
    resend, mark_sent = set(resend or ()), set(mark_sent or ())
    unknown = (resend | mark_sent) - known
    if unknown:
        raise ArbookError(f"--resend/--mark-sent: no statement to email for {', '.join(sorted(unknown))} in "
                          f"{folder}; nothing was sent")
    sent, pending = _history(book, journal)
    run = MailRun(post=post)
    connection = _connect(smtp) if smtp else None
    try:
        for item in outgoing:
            cid = item.customer["Customer ID"]
            if cid in mark_sent:
                journal.append("send", item.details(f"marked sent by {current_user()}, not sent again"))
                run.marked.append(cid)
                continue
            if item.digest in pending and cid not in resend:
                run.pending.append(f"{cid} ({item.path.name})")
                continue
            if item.digest in sent and cid not in resend:
                run.skipped.append(item.path.name)
                continue
            if connection is None:
                target = (outbox or folder / "outbox") / f"{item.path.stem}.eml"
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, lambda handle, m=item.message: handle.write(m.as_bytes()), backup=False)
                run.drafts.append(target)
                book.log("draft", item.details(f"draft {target.name}, not sent"))
                continue
            journal.append("sending", item.details(f"smtp {smtp}"))
            try:
                reply = _transaction(connection, item)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                journal.append("send failed", item.details(f"refused by {smtp}: {exc}"))
                run.failed.append(f"{cid}: {exc}")
                continue
            journal.append("send", item.details(f"smtp {smtp}: {reply}"))
            run.sent.append(str(item.message["Message-ID"]))
    except (smtplib.SMTPException, OSError) as exc:
        raise ArbookError(f"--smtp {smtp}: {exc}; {len(run.sent)} message(s) were sent before it, and the one "
                          "being sent is reported as not settled on the next run") from None
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
        journal.fold_into(book)
    return run


def _transaction(connection: smtplib.SMTP, item: Outgoing) -> str:
    """One SMTP transaction for ``item`` (all recipients or none); the server's reply to the message."""
    sender = str(item.message["From"])
    code, reply = connection.mail(sender)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in [item.to, *item.cc]:
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if refused:
        connection.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = connection.data(item.message.as_bytes(policy=item.message.policy.clone(linesep="\r\n")))
    if code != 250:
        connection.rset()
        raise smtplib.SMTPDataError(code, reply)
    return f"{code} {reply.decode('utf-8', 'replace')}"


def _connect(address: str) -> smtplib.SMTP:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ArbookError(f"--smtp {address!r}: use HOST:PORT, e.g. smtp.example.com:587")
    user, password = os.environ.get("ARBOOK_SMTP_USER"), os.environ.get("ARBOOK_SMTP_PASSWORD")
    try:
        connection = smtplib.SMTP(host, int(port), timeout=30)
        connection.ehlo()
    except (smtplib.SMTPException, OSError) as exc:
        raise ArbookError(f"--smtp {address}: cannot connect ({exc}); nothing was sent") from None
    if connection.has_extn("starttls"):
        connection.starttls(context=ssl.create_default_context())
        connection.ehlo()
    elif user or password:
        connection.quit()
        raise ArbookError(f"{address} offers no STARTTLS: credentials are never sent in plain text")
    if user and password:
        connection.login(user, password)
    return connection


__all__ = ["email_statements", "compose", "MailRun", "Journal", "journal_for", "prepare"]
