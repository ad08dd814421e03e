"""Statement emails: one message per client in its language, as .eml drafts or sent by SMTP.

Before anything is written or sent, every statement file's embedded client ID is checked
against the client it is addressed to; a mismatch stops the whole run. Each message is logged
with its Message-ID and the attachment's SHA-256, and a statement already sent is never sent
again. SMTP uses STARTTLS whenever the server offers it; without it, only a relay that needs no
credentials is used (credentials come from ARBOOK_SMTP_USER / ARBOOK_SMTP_PASSWORD, never the book).
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from arbook.model.book import Book
from arbook.model.words import words
from arbook.adapters.book.atomic import atomic_write
from arbook.model.errors import ArbookError
from arbook.services.receivables import company_details
from arbook.model.schema import CUSTOMERS, LOG
from arbook.adapters.statementxlsx.render import read_properties
from arbook.resources import resource

TEMPLATES = resource("templates", "email")
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class MailRun:
    sent: list[str] = field(default_factory=list)      # Message-IDs
    skipped: list[str] = field(default_factory=list)   # files already sent
    drafts: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        how = f"{len(self.drafts)} draft(s) written" if self.drafts else f"{len(self.sent)} message(s) sent"
        return f"{how}; {len(self.skipped)} statement(s) already sent before, skipped"


def _environments() -> tuple[Environment, Environment]:
    if not TEMPLATES.is_dir():
        raise ArbookError(f"email templates not found in {TEMPLATES}")
    loader = FileSystemLoader(str(TEMPLATES))
    return (Environment(loader=loader, undefined=StrictUndefined, autoescape=False),
            Environment(loader=loader, undefined=StrictUndefined, autoescape=True))


def compose(customer: dict, statement: Path, data: bytes, company: dict[str, str], sender: str,
            as_of: str, totals: dict[str, str]) -> EmailMessage:
    """The message for one client: subject, text and HTML body in its language, the statement (and
    its PDF, when one was made) attached."""
    text_env, html_env = _environments()
    language = customer.get("Language") if customer.get("Language") in ("ja", "zh", "en") else "en"
    context = {"customer": {"id": customer["Customer ID"], "name": customer["Name"]}, "company": company,
               "as_of": as_of, "totals": totals, "t": words(language)}
    body = text_env.get_template(f"{language}.txt.j2").render(context)
    message = EmailMessage()
    message["Subject"] = text_env.get_template(f"{language}.subject.j2").render(context).strip()
    message["From"] = sender
    message["To"] = customer["Email"]
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


def _already_sent(book: Book) -> set[str]:
    log = book.read(LOG.name)
    return {detail.split("sha256=")[1].split()[0] for action, detail in zip(log["Action"], log["Details"])
            if action == "send" and detail and "sha256=" in detail}


def email_statements(book: Book, folder: Path, outbox: Path | None = None, smtp: str | None = None) -> MailRun:
    """Email every statement in ``folder`` to its client (drafts in ``outbox`` unless ``smtp``)."""
    customers = {r["Customer ID"]: r for r in book.read(CUSTOMERS.name).to_dict("records")}
    settings = book.settings()
    company = company_details(settings)
    sender = settings.get("Sender Email", "").strip() or "accounts@arbook.invalid"
    files = sorted(folder.glob("*-statement-*.xlsx"))
    if not files:
        raise ArbookError(f"{folder}: no statements (*-statement-*.xlsx); run 'arbook statements' first")
    prepared = []
    for path in files:  # check everything before the first message leaves
        data = path.read_bytes()
        named = path.name.split("-statement-")[0]
        embedded = read_properties(data).get("arbook.customer")
        if embedded != named:
            raise ArbookError(f"{path}: the file carries client {embedded!r} but is named for {named!r}; "
                              "nothing was sent")
        customer = customers.get(embedded)
        if customer is None:
            raise ArbookError(f"{path}: client {embedded} is not in the book; nothing was sent")
        if not customer.get("Email"):
            raise ArbookError(f"{path}: client {embedded} has no Email; nothing was sent")
        prepared.append((path, data, customer, read_properties(data).get("arbook.as_of", "")))
    done = _already_sent(book)
    run = MailRun()
    connection = _connect(smtp) if smtp else None
    try:
        for path, data, customer, as_of in prepared:
            digest = hashlib.sha256(data).hexdigest()
            if digest in done:
                run.skipped.append(path.name)
                continue
            message = compose(customer, path, data, company, sender, as_of, {})
            if connection is not None:
                connection.send_message(message)
                run.sent.append(message["Message-ID"])
                how = f"smtp {smtp}"
            else:
                target = (outbox or folder / "outbox") / f"{path.stem}.eml"
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, lambda handle, m=message: handle.write(m.as_bytes()), backup=False)
                run.drafts.append(target)
                how = f"draft {target.name}"
            book.log("send", f"{customer['Customer ID']} <{customer['Email']}> {message['Message-ID']} "
                             f"{path.name} sha256={digest} ({how})")
            done.add(digest)
            if connection is not None:
                book.commit()  # each sent message is on record before the next one goes
    finally:
        if connection is not None:
            connection.quit()
    return run


def _connect(address: str) -> smtplib.SMTP:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ArbookError(f"--smtp {address!r}: use HOST:PORT, e.g. smtp.example.com:587")
    user, password = os.environ.get("ARBOOK_SMTP_USER"), os.environ.get("ARBOOK_SMTP_PASSWORD")
    connection = smtplib.SMTP(host, int(port), timeout=30)
    connection.ehlo()
    if connection.has_extn("starttls"):
        connection.starttls(context=ssl.create_default_context())
        connection.ehlo()
    elif user or password:
        connection.quit()
        raise ArbookError(f"{address} offers no STARTTLS: credentials are never sent in plain text")
    if user and password:
        connection.login(user, password)
    return connection


__all__ = ["email_statements", "compose", "MailRun"]
