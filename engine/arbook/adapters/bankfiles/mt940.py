"""SWIFT MT940 (and MT942) statements, as real banks send them.

Tolerates SWIFT envelopes ({1:}{2:}{4: ... -}), bank header lines, wrapped tag values,
non-standard tags (:NS:), amounts like ``500,`` and impossible dates such as 30 February
(taken as the month's last day). Each :60x: ... :62x: block is one statement whose balance
is checked. The :86: text gives payer and memo from German ?20/?32, Dutch /NAME/ /REMI/ or
Triodos >20 subfields, else the whole text is the memo.
"""
from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal

from arbook.adapters.encoding import decode_file
from arbook.model.errors import InputError, Problem
from arbook.adapters.bankfiles.model import BankLine, Options, Statement
from arbook.adapters.bankfiles.payers import describe

SWIFT_BLOCK = re.compile(r"\{[1235]:(?:[^{}]|\{[^{}]*\})*\}")  # envelope blocks; {3:} and {5:} nest
MESSAGE_END = re.compile(r"^-\}?[ \t]*$", re.M)  # a line "-" or "-}" closes a message
TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):", re.M)
BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>[\d,.]+)\s*$")
TRANSACTION = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?(?P<amount>\d[\d,]*)"
    r"(?P<type>[NFS][A-Z0-9]{3})?(?P<customer>[^\n]*?)(?://(?P<bank>[^\n]*))?(?:\n(?P<extra>.*))?$", re.S)
GERMAN_FIELD = re.compile(r"[?>](\d{2})")
DUTCH_CODE = re.compile(r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|ORDP|BENM|ADDR|CSID|MARF|PREF|RTRN|ISDT|CNTP|ULTC|ULTD|SVCL|PURP|ID)/")
NO_REF = {"", "NONREF", "NOTPROVIDED"}
HEAD_TAG = re.compile(rb"(?:^|[\r\n]|\{4:)[ \t]*:(20|25|28C?|60[FM]|61|86|62[FM]|64|34F|13D|90[CD]):")
#: A tag broken over two lines by a file transfer: ':' alone before '86:', or ':6' + '1:'.
WRAPPED_TAG = re.compile(r"^:([0-9A-Z]{0,3})[ \t]*\n([0-9A-Z]{0,3}):", re.M)
SWIFT_LINE = 65  # the longest line SWIFT allows: a line this long was cut, not ended


def _rejoin_tag(match: re.Match[str]) -> str:
    joined = match.group(1) + match.group(2)
    return f":{joined}:" if re.fullmatch(r"\d{2}[A-Z]?|NS", joined) else match.group()


def _unwrap(text: str) -> str:
    """Continuation lines joined: directly after a full-length line (cut mid-word), else with a space."""
    out = ""
    for line in text.split("\n"):
        out += line if not out or len(out.rsplit("\n", 1)[-1]) >= SWIFT_LINE else " " + line
    return out


def _amount(text: str) -> Decimal:
    """MT940 amount: decimal comma, possibly without decimals (``500,``) or with leading zeros."""
    return Decimal(text.replace(".", "").replace(",", ".").rstrip(".") or "0")


def _date(yymmdd: str) -> date:
    year, month, day = 2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if year > date.today().year + 1:
        year -= 100
    if not 1 <= month <= 12:
        raise ValueError(f"{yymmdd} is not a date")
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _entry_date(value: date, mmdd: str) -> date:
    month, day = int(mmdd[:2]), int(mmdd[2:])
    year = value.year + (1 if month - value.month < -6 else -1 if month - value.month > 6 else 0)
    if not 1 <= month <= 12:
        return value
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def split_86(text: str) -> tuple[str, str]:
    """(payer, memo) from an :86: text of any common layout."""
    flat = text.replace("\n", "")
    if GERMAN_FIELD.search(flat[:8] or "") and re.match(r"^\d{0,3}[?>]\d{2}", flat):
        fields: dict[str, str] = {}
        pieces = GERMAN_FIELD.split(flat)
        for code, value in zip(pieces[1::2], pieces[2::2]):
            fields[code] = fields.get(code, "") + value
        payer = (fields.get("32", "") + fields.get("33", "")).strip()
        memo = "".join(fields.get(f"{n}", "") for n in [*range(20, 30), *range(60, 64)]).strip()
        found = describe(memo)  # SEPA keys inside the purpose: SVWZ+ (purpose), ABWA+ (ordering party)
        return payer or found.payer, found.memo if found.rule or "SVWZ+" in memo else memo
    if DUTCH_CODE.search(flat):
        parts = DUTCH_CODE.split(flat)
        codes = dict(zip(parts[1::2], (p.strip("/ ") for p in parts[2::2])))
        counterparty = codes.get("CNTP", "").split("/")  # ING: /CNTP/account/BIC/name/city/
        payer = codes.get("NAME", "") or (counterparty[2].strip() if len(counterparty) > 2 else "")
        memo = codes.get("REMI", "")
        memo = re.sub(r"^(USTD|STRD)/+(CUR/+)?", "", memo)
        return payer, memo or text.replace("\n", " ").strip()
    flat = _unwrap(text).strip()
    found = describe(flat)
    return found.payer, found.memo


class MT940Importer:
    """SWIFT MT940/MT942 customer statements."""

    name = "mt940"

    def detect(self, head: bytes, suffix: str) -> bool:
        """A statement, or a fragment of one: two different MT940/942 tags at line starts (a CSV's
        times such as 08:20:15 and 10:25:00 are no tags)."""
        return len({m.group(1) for m in HEAD_TAG.finditer(head)}) >= 2

    def parse(self, data: bytes, source: str, options: Options) -> list[Statement]:
        text, _ = decode_file(data, source, options.encoding)
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x01", "").replace("\x03", "")
        text = SWIFT_BLOCK.sub(lambda m: "\n" * m.group().count("\n"), text).replace("{4:", "\n")
        text = MESSAGE_END.sub("", text)
        text = WRAPPED_TAG.sub(_rejoin_tag, text)
        tags = list(self._tags(text))
        if not tags:
            raise InputError([Problem(source, 1, None, "no MT940 tags (:20:, :25:, :61:...) in the file")])
        statements: list[Statement] = []
        account, currency = "", None
        current: Statement | None = None
        info: list[str] = []  # the :86: texts of the last :61: line

        def flush_info() -> None:
            if current is not None and current.lines and info:
                last = current.lines[-1]
                raw = "\n".join(info)
                payer, memo = split_86(raw)
                current.lines[-1] = BankLine(last.date, last.amount, last.currency, payer, memo or last.memo,
                                             last.ref, last.account, last.line, " ".join(raw.split()),
                                             last.content + "\x1f" + raw)
            info.clear()

        taking_info = False
        for line, tag, value in tags:
            try:
                if tag == "86":
                    if taking_info:
                        info.append(value)
                    continue
                flush_info()
                taking_info = False
                if tag == "25":
                    account = value.split("\n")[0].strip()
                    found = re.search(r"(?:^|(?<=[\d\s/]))([A-Z]{3})$", account)
                    if found and len(account) > 3:
                        account, currency = account[: -3].strip(), found.group(1)
                elif tag in ("60F", "60M"):
                    mark, _, ccy, amount = self._balance(value)
                    current = Statement(source, "mt940", account=account, currency=ccy, line=line,
                                        opening=amount if mark == "C" else -amount)
                    currency = ccy
                elif tag == "61":
                    if current is None:  # MT942 interim reports have no opening balance
                        current = Statement(source, "mt942", account=account, currency=currency, line=line)
                    current.lines.append(self._transaction(value, current, line))
                    taking_info = True
                elif tag in ("62F", "62M") and current is not None:
                    mark, _, _, amount = self._balance(value)
                    current.closing = amount if mark == "C" else -amount
                    statements.append(current)
                    current = None
                elif tag == "34F":  # MT942 floor limit: currency, optional D/C mark, amount
                    currency = value.strip()[:3] or currency
                elif tag == "20":
                    if current is not None and current.lines:
                        statements.append(current)
                    current = None
            except (ValueError, ArithmeticError) as exc:
                raise InputError([Problem(source, line, f":{tag}:", f"{exc} in {value[:40]!r}")]) from None
        flush_info()
        if current is not None and current.lines:
            statements.append(current)
        if not statements:
            raise InputError([Problem(source, tags[0][0], None, "no statement (:60F:...:62F:) or :61: lines in the file")])
        for statement in statements:
            statement.currency = statement.currency or options.currency or options.home_currency
            if not statement.currency:
                raise InputError([Problem(source, statement.line, "currency", "the statement names no currency "
                                          "(no :60F:, :25: or :34F: carries one); pass --currency")])
            statement.check_balance(options.allow_unbalanced)
        return statements

    @staticmethod
    def _tags(text: str):
        """(line number, tag, value) for each tag; continuation lines belong to the tag above."""
        matches = list(TAG.finditer(text))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[match.end():end].rstrip("\n")
            yield text.count("\n", 0, match.start()) + 1, match.group(1), value.strip(" ")

    @staticmethod
    def _balance(value: str) -> tuple[str, date, str, Decimal]:
        lines = value.split("\n")
        if len(lines) > 1 and re.fullmatch(r"[\d,.]+", lines[1].strip()):  # the amount went on to the next line
            lines = ["".join(p.strip() for p in lines[:2])]
        found = BALANCE.match(lines[0].strip())
        if not found:
            raise ValueError("not a balance (C/D, YYMMDD, currency, amount)")
        return found["mark"], _date(found["date"]), found["ccy"], _amount(found["amount"])

    @staticmethod
    def _transaction(value: str, statement: Statement, line: int) -> BankLine:
        found = TRANSACTION.match(value.strip())
        if (found is None or found["type"] is None) and "\n" in value.strip():
            first, rest = value.strip().split("\n", 1)  # the amount or type code went on to the next line
            joined = TRANSACTION.match(first.rstrip() + rest.lstrip())
            found = joined if joined is not None and joined["type"] is not None else found
        if not found:
            raise ValueError("not a :61: statement line")
        value_date = _date(found["value"])
        booked = _entry_date(value_date, found["entry"]) if found["entry"] else value_date
        amount = _amount(found["amount"])
        negative = found["mark"] in ("D", "RC")
        bank_ref = (found["bank"] or "").strip()
        ref = bank_ref if bank_ref.upper() not in NO_REF else ""
        memo = (found["extra"] or "").strip()
        return BankLine(booked, -amount if negative else amount, statement.currency, "", memo, ref,
                        statement.account, line, memo, value)
