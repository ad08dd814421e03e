"""OFX 1.x (SGML) and 2.x (XML) bank and card statements, and QFX.

A tolerant tag scanner rather than a schema-validating parser: real files close or do not
close leaf tags, put everything on one line, use a decimal comma in amounts, carry private
tags (INTU.*) and odd date-times. Each STMTRS/CCSTMTRS is one statement; FITID is the bank ref.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from arbook.adapters.encoding import decode_file
from arbook.model.errors import InputError, Problem
from arbook.adapters.bankfiles.model import BankLine, Options, Statement
from arbook.adapters.bankfiles.payers import describe

TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)(?:\s[^>]*)?>([^<]*)")
STATEMENT_TAGS = ("STMTRS", "CCSTMTRS")


def _date(text: str) -> date:
    digits = re.match(r"\s*(\d{8})", text)
    if not digits:
        raise ValueError(f"not an OFX date: {text!r}")
    value = digits.group(1)
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _amount(text: str) -> Decimal:
    value = text.strip().replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        return Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None


class OFXImporter:
    """OFX/QFX statements (bank and credit-card)."""

    name = "ofx"

    def detect(self, head: bytes, suffix: str) -> bool:
        upper = head.upper()
        return b"OFXHEADER" in upper or b"<OFX>" in upper or suffix in (".ofx", ".qfx")

    def parse(self, data: bytes, source: str, options: Options) -> list[Statement]:
        text, _ = decode_file(data, source, options.encoding)
        statements: list[Statement] = []
        current: Statement | None = None
        txn: dict[str, str] | None = None
        txn_line = 0
        path: list[str] = []
        for match in TOKEN.finditer(text):
            closing, tag, value = match.group(1) == "/", match.group(2).upper(), match.group(3).strip()
            line = text.count("\n", 0, match.start()) + 1
            if closing:
                if tag == "STMTTRN" and txn is not None and current is not None:
                    current.lines.append(self._line(txn, current, source, txn_line))
                    txn = None
                if tag in STATEMENT_TAGS and current is not None:
                    if txn is not None:
                        current.lines.append(self._line(txn, current, source, txn_line))
                        txn = None
                    statements.append(current)
                    current = None
                if tag in path:
                    del path[len(path) - 1 - path[::-1].index(tag):]
                continue
            if tag in STATEMENT_TAGS:
                current = Statement(source, "ofx", line=line)
            elif tag == "STMTTRN" and current is not None:
                if txn is not None:
                    current.lines.append(self._line(txn, current, source, txn_line))
                txn, txn_line = {}, line
            elif value and current is not None:
                if txn is not None:
                    key = "PAYEE.NAME" if tag == "NAME" and path and path[-1] == "PAYEE" else tag
                    txn.setdefault(key, value)
                elif tag == "CURDEF":
                    current.currency = value.upper()
                elif tag == "ACCTID":
                    current.account = value
            if not value:
                path.append(tag)
        if current is not None:
            if txn is not None:
                current.lines.append(self._line(txn, current, source, txn_line))
            statements.append(current)
        if not statements:
            raise InputError([Problem(source, 1, None, "no STMTRS or CCSTMTRS statement in the OFX file")])
        return statements  # OFX states a ledger balance but no opening one: nothing to check

    @staticmethod
    def _line(txn: dict[str, str], statement: Statement, source: str, line: int) -> BankLine:
        try:
            amount = _amount(txn["TRNAMT"])
            posted = _date(txn.get("DTPOSTED") or txn.get("DTUSER") or "")
        except KeyError as exc:
            raise InputError([Problem(source, line, exc.args[0], "missing in STMTTRN")]) from None
        except ValueError as exc:
            raise InputError([Problem(source, line, "STMTTRN", str(exc))]) from None
        currency = txn.get("CURSYM") or statement.currency
        name = txn.get("NAME") or txn.get("PAYEE.NAME", "")
        check = txn.get("CHECKNUM", "").strip("0")
        memo = " ".join(v for v in (txn.get("MEMO", ""), f"check {check}" if check else "") if v)
        raw = " | ".join(v for v in (name, txn.get("MEMO", "")) if v)
        found = describe(f"{name} {memo}".strip())  # NAME often carries a whole ACH/transfer description
        payer = found.payer if found.rule else name
        content = "\x1f".join(f"{k}={v}" for k, v in sorted(txn.items()))
        return BankLine(posted, amount, currency, payer, memo, txn.get("FITID", ""), statement.account, line,
                        raw, content)
