"""ISO 20022 camt.052 / camt.053 / camt.054, any schema version (namespaces are ignored).

Streams the file (lxml iterparse) so 100k-entry statements stay small in memory. Booked
entries only (pending ones are left out and never counted in balances). A batch entry whose
transaction details carry their own amounts, adding up to the entry, becomes one line each.
A credit's stated charges: the instructed amount (``AmtDtls/InstdAmt``, else a counter value
``AmtDtls/CntrValAmt``, in the booked currency) less the booked amount, else the deducted
``Chrgs`` records in the booked currency (``Chrgs/Amt`` in .001.02, ``Chrgs/Rcrd/Amt`` later).
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from arbook.model.errors import InputError, Problem
from arbook.adapters.bankfiles.model import BankLine, Options, Statement
from arbook.adapters.bankfiles.payers import describe

STATEMENT_TAGS = {"Stmt": "camt.053", "Rpt": "camt.052", "Ntfctn": "camt.054"}
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)
NO_REF = {"", "NOTPROVIDED", "NONREF", "NOT PROVIDED"}


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_PATHS: dict[tuple[Any, str], str] = {}


def _path(element: Any, path: str) -> str:
    """``A/B`` as an ElementPath in ``element``'s own namespace (faster than wildcard namespaces)."""
    key = (element.tag, path)
    found = _PATHS.get(key)
    if found is None:
        tag = element.tag if isinstance(element.tag, str) else ""
        ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        found = _PATHS[key] = "/".join(ns + part for part in path.split("/"))
    return found


def _text(element: Any, path: str) -> str:
    """Text at a ``/``-separated path of local names below ``element`` ('' when absent)."""
    found = element.find(_path(element, path))
    return (found.text or "").strip() if found is not None else ""


def _parse_date(text: str, source: str, line: int | None, field: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InputError([Problem(source, line, field, f"not a date: {text.strip()!r}")]) from None


def _date(element: Any, path: str, source: str) -> date | None:
    """The date at ``path`` given as Dt, DtTm or Dt/DtTm (date-times cut to their date)."""
    for suffix in ("/Dt", "/DtTm", "/Dt/DtTm"):
        found = element.find(_path(element, path + suffix))
        if found is not None and (found.text or "").strip():
            return _parse_date(found.text, source, found.sourceline, path)
    return None


class CamtImporter:
    """camt.05x XML statements and notifications."""

    name = "camt"

    def detect(self, head: bytes, suffix: str) -> bool:
        return b"camt.05" in head or b"BkToCstmr" in head

    def parse(self, data: bytes, source: str, options: Options) -> list[Statement]:
        statements: list[Statement] = []
        current: Statement | None = None
        created: date | None = None
        watched = [f"{{*}}{t}" for t in (*STATEMENT_TAGS, "Acct", "Bal", "CreDtTm", "Ntry")]
        parser = etree.iterparse(io.BytesIO(data), events=("start", "end"), tag=watched, resolve_entities=False,
                                 no_network=True, huge_tree=False, load_dtd=False)
        try:
            for event, element in parser:
                tag = _local(element.tag)
                if tag in STATEMENT_TAGS:
                    if event == "start":
                        current = Statement(source, STATEMENT_TAGS[tag], line=element.sourceline)
                        created = None
                    else:
                        if current is not None:
                            statements.append(current)
                        current = None
                        element.clear()
                    continue
                if event == "start":
                    continue
                parent = element.getparent()
                if current is None or parent is None or _local(parent.tag) not in STATEMENT_TAGS:
                    continue
                if tag == "Acct":
                    current.account = (_text(element, "Id/IBAN") or _text(element, "Id/Othr/Id")
                                       or _text(element, "Id/PrtryAcct/Id"))
                    current.currency = _text(element, "Ccy") or None
                elif tag == "Bal":
                    self._balance(current, element, source)
                elif tag == "CreDtTm" and (element.text or "").strip():
                    created = _parse_date(element.text, source, element.sourceline, "CreDtTm")
                elif tag == "Ntry":
                    current.lines.extend(self._entry(current, element, source, created))
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:  # keep memory flat on huge statements
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise InputError([Problem(source, exc.lineno or None, None, f"not well-formed XML: {exc.msg}")]) from None
        if not statements:
            raise InputError([Problem(source, 1, None, "no camt statement, report or notification in the file")])
        for statement in statements:
            statement.check_balance(options.allow_unbalanced)
        return statements

    def _amount(self, element: Any, path: str, source: str) -> tuple[Decimal, str | None]:
        found = element.find(_path(element, path))
        if found is None or not (found.text or "").strip():
            raise InputError([Problem(source, element.sourceline, path, "missing amount")])
        try:
            value = Decimal(found.text.strip())
        except InvalidOperation:
            raise InputError([Problem(source, found.sourceline, path, f"not an amount: {found.text!r}")]) from None
        if not value.is_finite():
            raise InputError([Problem(source, found.sourceline, path, f"not an amount: {found.text!r}")])
        return value, found.get("Ccy")

    def _balance(self, statement: Statement, element: Any, source: str) -> None:
        code = _text(element, "Tp/CdOrPrtry/Cd") or _text(element, "Tp/CdOrPrtry/Prtry")
        if code not in OPENING_CODES + CLOSING_CODES:
            return
        amount, currency = self._amount(element, "Amt", source)
        if _text(element, "CdtDbtInd") == "DBIT":
            amount = -amount
        statement.currency = statement.currency or currency
        if code in OPENING_CODES and statement.opening is None:
            statement.opening = amount
        elif code in CLOSING_CODES and statement.closing is None:
            statement.closing = amount

    def _entry(self, statement: Statement, entry: Any, source: str, created: date | None) -> list[BankLine]:
        status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
        if status and status != "BOOK":
            return []
        amount, currency = self._amount(entry, "Amt", source)
        sign = -1 if _text(entry, "CdtDbtInd") == "DBIT" else 1
        booked = _date(entry, "BookgDt", source) or _date(entry, "ValDt", source) or created
        if booked is None:
            raise InputError([Problem(source, entry.sourceline, "BookgDt", "entry has no booking or value date")])
        currency = currency or statement.currency
        entry_ref = _first_ref(_text(entry, "AcctSvcrRef"))
        details = entry.findall(_path(entry, "NtryDtls/TxDtls"))
        party = "Dbtr" if sign > 0 else "Cdtr"
        parts: list[tuple[Decimal, Any]] = []
        if len(details) > 1:
            for tx in details:
                found = tx.find(_path(tx, "Amt"))
                if found is None:
                    found = tx.find(_path(tx, "AmtDtls/TxAmt/Amt"))
                if found is None:
                    parts = []
                    break
                parts.append((Decimal(found.text.strip()), tx))
            if parts and sum(p[0] for p in parts) != amount:
                parts = []
        if not parts:
            tx = details[0] if len(details) == 1 else None
            ref = entry_ref or (_tx_ref(tx) if tx is not None else "")
            payer, memo, raw = _described(entry, tx, party)
            charged = _charges(amount, currency, tx, entry) if sign > 0 else None
            return [BankLine(booked, sign * amount, currency, payer, memo, ref, statement.account, entry.sourceline,
                             raw, _xml_text(entry), charged)]
        lines = []
        for index, (part, tx) in enumerate(parts, start=1):
            ref = _tx_ref(tx) or (f"{entry_ref}/{index}" if entry_ref else "")
            payer, memo, raw = _described(entry, tx, party)
            charged = _charges(part, currency, tx) if sign > 0 else None
            lines.append(BankLine(booked, sign * part, currency, payer, memo, ref, statement.account, tx.sourceline,
                                  raw, _xml_text(tx), charged))
        return lines


def _money(element: Any, currency: str | None) -> Decimal | None:
    """The amount in ``element`` when it is in ``currency`` (an amount without Ccy counts as in it)."""
    if element is None or (element.get("Ccy") or currency) != currency:
        return None
    try:
        value = Decimal((element.text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _charges(booked: Decimal, currency: str | None, *holders: Any) -> Decimal | None:
    """What the bank says it deducted from a credit of ``booked`` (None when the file does not say),
    read from the first of ``holders`` (a TxDtls, then its entry) that states it."""
    for holder in (h for h in holders if h is not None):
        for path in ("AmtDtls/InstdAmt/Amt", "AmtDtls/CntrValAmt/Amt"):
            instructed = _money(holder.find(_path(holder, path)), currency)
            if instructed is not None and instructed > booked:
                return instructed - booked
        total, stated = Decimal(0), False
        for charge in holder.findall(_path(holder, "Chrgs")):
            records = charge.findall(_path(charge, "Rcrd")) or [charge]  # .001.04+: Rcrd; .001.02: Chrgs itself
            for record in records:
                amount = _money(record.find(_path(record, "Amt")), currency)
                if (amount is None or _text(record, "ChrgInclInd").lower() == "false"
                        or _text(record, "CdtDbtInd") == "CRDT"):
                    continue  # another currency, billed separately, or a refund of charges
                total, stated = total + amount, True
        if stated and total > 0:
            return total
    return None


def _first_ref(*candidates: str) -> str:
    for candidate in candidates:
        if candidate.upper() not in NO_REF:
            return candidate
    return ""


def _tx_ref(tx: Any) -> str:
    return _first_ref(_text(tx, "Refs/AcctSvcrRef"), _text(tx, "Refs/TxId"), _text(tx, "Refs/EndToEndId"),
                      _text(tx, "Refs/UETR"))


def _party(tx: Any, role: str) -> str:
    return (_text(tx, f"RltdPties/{role}/Nm") or _text(tx, f"RltdPties/{role}/Pty/Nm")
            or _text(tx, f"RltdPties/Ultmt{role}/Nm") or _text(tx, f"RltdPties/Ultmt{role}/Pty/Nm"))


def _memo(entry: Any, tx: Any) -> str:
    texts: list[str] = []
    if tx is not None:
        texts += [(e.text or "").strip() for e in tx.findall(_path(tx, "RmtInf/Ustrd"))]
        texts += [(e.text or "").strip() for e in tx.findall(_path(tx, "RmtInf/Strd/CdtrRefInf/Ref"))]
        if not any(texts):
            texts.append(_text(tx, "AddtlTxInf"))
    if not any(texts):
        texts.append(_text(entry, "AddtlNtryInf"))
    return " ".join(t for t in texts if t)


def _described(entry: Any, tx: Any, role: str) -> tuple[str, str, str]:
    """(payer, memo, raw text): RltdPties name, else the payer named in the remittance text."""
    memo = _memo(entry, tx)
    payer = _party(tx, role) if tx is not None else ""
    raw = " | ".join(t for t in (payer, memo) if t)
    if payer:
        return payer, memo, raw
    found = describe(memo)
    return found.payer, found.memo if found.rule else memo, raw


def _xml_text(element: Any) -> str:
    """Every text inside ``element`` in document order, whitespace folded: the entry's own content."""
    return "\x1f".join(" ".join(t.split()) for t in element.itertext() if t.strip())
