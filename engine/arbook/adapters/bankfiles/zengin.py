"""Zengin (全銀協) 200-byte receive files: 入出金取引明細 (kind 03) and 振込入金通知 (kind 01).

Records are 200 bytes of JIS X 0201 (CP932 single-byte: digits, A-Z, half-width katakana),
with or without CRLF between them: header (1), data (2) x n, trailer (8) per account, then
one end record (9). Dates are YYMMDD in the Japanese era. The layouts below are the single
description of the format: the reader unpacks with them and the fixture writer packs with them.
Every trailer count and total is checked, and for kind 03 the closing balance too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from arbook.model.errors import Problem, InputError
from arbook.adapters.bankfiles.model import BankLine, Options, Statement

RECORD = 200
ENCODING = "cp932"
REIWA_OFFSET, HEISEI_OFFSET = 2018, 1988


@dataclass(frozen=True)
class Field:
    """A fixed-width field: 1-based inclusive byte positions; N = zero-padded digits, C = text."""

    name: str
    start: int
    end: int
    kind: str = "C"

    @property
    def width(self) -> int:
        return self.end - self.start + 1


F = Field
HEADER_03 = (F("data_kind", 1, 1, "N"), F("type_code", 2, 3, "N"), F("code_kind", 4, 4, "N"),
             F("created", 5, 10, "N"), F("date_from", 11, 16, "N"), F("date_to", 17, 22, "N"),
             F("bank_code", 23, 26, "N"), F("bank_name", 27, 41), F("branch_code", 42, 44, "N"),
             F("branch_name", 45, 59), F("dummy1", 60, 62, "N"), F("account_type", 63, 63, "N"),
             F("account_no", 64, 73, "N"), F("account_name", 74, 113), F("overdraft", 114, 114, "N"),
             F("passbook", 115, 115, "N"), F("opening", 116, 129, "N"), F("dummy2", 130, 200))
DATA_03 = (F("data_kind", 1, 1, "N"), F("ref", 2, 9, "N"), F("booked", 10, 15, "N"), F("value", 16, 21, "N"),
           F("direction", 22, 22, "N"), F("txn_kind", 23, 24, "N"), F("amount", 25, 36, "N"),
           F("other_bank_cheques", 37, 48, "N"), F("exchange_date", 49, 54, "N"), F("dishonour_date", 55, 60, "N"),
           F("bill_kind", 61, 61, "N"), F("bill_no", 62, 68, "N"), F("sister_branch", 69, 71, "N"),
           F("payer_code", 72, 81, "N"), F("payer", 82, 129), F("from_bank", 130, 144),
           F("from_branch", 145, 159), F("summary", 160, 179), F("edi", 180, 199), F("dummy", 200, 200))
TRAILER_03 = (F("data_kind", 1, 1, "N"), F("credit_count", 2, 7, "N"), F("credit_total", 8, 20, "N"),
              F("debit_count", 21, 26, "N"), F("debit_total", 27, 39, "N"), F("overdraft", 40, 40, "N"),
              F("closing", 41, 54, "N"), F("records", 55, 61, "N"), F("dummy", 62, 200))
HEADER_01 = (F("data_kind", 1, 1, "N"), F("type_code", 2, 3, "N"), F("code_kind", 4, 4, "N"),
             F("created", 5, 10, "N"), F("date_from", 11, 16, "N"), F("date_to", 17, 22, "N"),
             F("bank_code", 23, 26, "N"), F("bank_name", 27, 41), F("branch_code", 42, 44, "N"),
             F("branch_name", 45, 59), F("account_type", 60, 60, "N"), F("account_no", 61, 67, "N"),
             F("account_name", 68, 107), F("dummy", 108, 200))
DATA_01A = (F("data_kind", 1, 1, "N"), F("ref", 2, 7, "N"), F("booked", 8, 13, "N"), F("value", 14, 19, "N"),
            F("amount", 20, 29, "N"), F("other_bank_cheques", 30, 39, "N"), F("payer_code", 40, 49, "N"),
            F("payer", 50, 97), F("from_bank", 98, 112), F("from_branch", 113, 127), F("cancel", 128, 128),
            F("edi", 129, 148), F("dummy", 149, 200))
DATA_01B = DATA_01A[:11] + (F("amount2", 129, 140, "N"), F("other_bank_cheques2", 141, 152, "N"),
                            F("edi", 153, 172), F("dummy", 173, 200))
TRAILER_01 = (F("data_kind", 1, 1, "N"), F("count", 2, 7, "N"), F("total", 8, 19, "N"),
              F("cancel_count", 20, 25, "N"), F("cancel_total", 26, 37, "N"), F("dummy", 38, 200))
END = (F("data_kind", 1, 1, "N"), F("records", 2, 11, "N"), F("accounts", 12, 16, "N"), F("dummy", 17, 200))
END_01 = (F("data_kind", 1, 1, "N"), F("dummy", 2, 200))


class _Reader:
    """Record-by-record reading of one file, with errors that name file, record and field."""

    def __init__(self, data: bytes, source: str):
        self.source = source
        self.records = list(_split_records(data, source))

    def problem(self, line: int, field: str | None, message: str) -> InputError:
        return InputError([Problem(self.source, line, field, message)])

    def unpack(self, line: int, record: bytes, layout: Iterable[Field]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in layout:
            raw = record[f.start - 1:f.end]
            if f.kind == "N":
                text = raw.decode("ascii", "replace").strip()
                if text and not text.isdigit():
                    raise self.problem(line, f.name, f"expected digits in bytes {f.start}-{f.end}, found {text!r}")
                values[f.name] = int(text) if text else None
            else:
                values[f.name] = raw.decode(ENCODING, "replace").replace("\\", "¥").rstrip(" \u3000")
        return values

    def era_date(self, line: int, field: str, value: int | None, today: date) -> date | None:
        """Date of a YYMMDD value in the Japanese era (Reiwa; Heisei for years past today's Reiwa year)."""
        if not value:
            return None
        yy, mmdd = divmod(value, 10000)
        mm, dd = divmod(mmdd, 100)
        offset = REIWA_OFFSET if yy <= today.year - REIWA_OFFSET + 1 else HEISEI_OFFSET
        try:
            return date(offset + yy, mm, dd)
        except ValueError:
            raise self.problem(line, field, f"{value:06d} is not a date (YYMMDD, Japanese era)") from None


def _split_records(data: bytes, source: str) -> Iterable[tuple[int, bytes]]:
    data = data.rstrip(b"\x1a")
    if b"\n" in data:
        for number, raw in enumerate(data.split(b"\n"), start=1):
            record = raw.rstrip(b"\r")
            if not record.strip():
                continue
            if len(record) > RECORD:
                raise InputError([Problem(source, number, None, f"record is {len(record)} bytes, not {RECORD}")])
            yield number, record.ljust(RECORD, b" ")  # some software trims the trailing dummy area
        return
    if len(data) % RECORD:
        raise InputError([Problem(source, len(data) // RECORD + 1, None,
                                  f"file is {len(data)} bytes, not a multiple of {RECORD} (truncated?)")])
    for number in range(len(data) // RECORD):
        yield number + 1, data[number * RECORD:(number + 1) * RECORD]


class ZenginImporter:
    """全銀 入出金取引明細 (03) and 振込入金通知 (01)."""

    name = "zengin"

    def detect(self, head: bytes, suffix: str) -> bool:
        return (len(head) >= 4 and head[:1] == b"1" and head[1:3] in (b"01", b"03") and head[3:4] in (b"0", b"1")
                and (len(head) >= RECORD or b"\n" not in head[:RECORD]) and head[4:22].isdigit())

    def parse(self, data: bytes, source: str, options: Options, today: date | None = None) -> list[Statement]:
        reader = _Reader(data, source)
        today = today or date.today()
        statements: list[Statement] = []
        current: Statement | None = None
        kind = ""
        ended = False
        counts: dict[str, Decimal | int] = {}
        seen_records = 0
        for line, record in reader.records:
            seen_records += 1
            marker = record[:1]
            if ended:
                raise reader.problem(line, None, "record after the end record (9)")
            if marker == b"1":
                if current is not None:
                    raise reader.problem(line, None, "header (1) before the previous account's trailer (8)")
                kind = record[1:3].decode("ascii", "replace")
                if kind not in ("01", "03"):
                    raise reader.problem(line, "type_code", f"{kind!r}: only kinds 03 (入出金取引明細) and 01 (振込入金通知)")
                if record[3:4] == b"1":
                    raise reader.problem(line, "code_kind", "EBCDIC files are not supported; ask the bank for JIS")
                head = reader.unpack(line, record, HEADER_03 if kind == "03" else HEADER_01)
                account = f"{head['bank_code']:04d}-{head['branch_code']:03d}-{head['account_no']}"
                current = Statement(source, f"zengin-{kind}", account=account, currency="JPY", line=line)
                if kind == "03" and head["opening"] is not None:
                    current.opening = Decimal(-head["opening"] if head["overdraft"] == 2 else head["opening"])
                counts = {"credit": 0, "credit_total": Decimal(0), "debit": 0, "debit_total": Decimal(0)}
                current_type = head["account_type"]
            elif marker == b"2":
                if current is None:
                    raise reader.problem(line, None, "data record (2) outside a header/trailer group")
                bank_line, direction = self._data(reader, line, record, kind, current, current_type, today)
                counts[direction] += 1
                counts[direction + "_total"] += abs(bank_line.amount)
                current.lines.append(bank_line)
            elif marker == b"8":
                if current is None:
                    raise reader.problem(line, None, "trailer (8) without a header")
                self._trailer(reader, line, record, kind, current, counts)
                statements.append(current)
                current = None
            elif marker == b"9":
                if current is not None:
                    raise reader.problem(line, None, "end record (9) before the account's trailer (8)")
                if kind == "03":
                    end = reader.unpack(line, record, END)
                    if end["accounts"] is not None and end["accounts"] != len(statements):
                        raise reader.problem(line, "accounts", f"end record says {end['accounts']} accounts, "
                                                               f"file has {len(statements)}")
                    # The total may or may not count the end record itself; banks differ.
                    if end["records"] is not None and end["records"] not in (seen_records, seen_records - 1):
                        raise reader.problem(line, "records", f"end record says {end['records']} records, "
                                                              f"file has {seen_records}")
                ended = True
            else:
                raise reader.problem(line, "data_kind", f"record kind {marker!r} is not 1, 2, 8 or 9")
        if current is not None:
            raise reader.problem(reader.records[-1][0], None, "file ends without a trailer (8): truncated?")
        if not statements:
            raise reader.problem(1, None, "no header (1) record: not a Zengin file")
        for statement in statements:
            statement.check_balance(options.allow_unbalanced)
        return statements

    def _data(self, reader: _Reader, line: int, record: bytes, kind: str, statement: Statement,
              account_type: int | None, today: date) -> tuple[BankLine, str]:
        if kind == "03":
            layout = DATA_03 if account_type in (1, 2, 4, None) else DATA_03[:7]
            values = reader.unpack(line, record, layout)
            direction = {1: "credit", 2: "debit"}.get(values["direction"])
            if direction is None:
                raise reader.problem(line, "direction", f"入払区分 {values['direction']} is not 1 (入金) or 2 (出金)")
            amount = Decimal(values["amount"] or 0)
            payer = values.get("payer", "") if direction == "credit" else ""
            memo = " ".join(v for v in (values.get("summary", ""), values.get("edi", "")) if v)
        else:
            is_b = record[128:152].isdigit()
            values = reader.unpack(line, record, DATA_01B if is_b else DATA_01A)
            amount = Decimal(values["amount2"] if is_b and not values["amount"] else values["amount"] or 0)
            cancelled = values["cancel"] == "1"
            direction = "debit" if cancelled else "credit"
            payer = values["payer"]
            memo = " ".join(v for v in (("取消" if cancelled else ""), values["edi"]) if v)
        booked = reader.era_date(line, "booked", values["booked"], today)
        if booked is None:
            raise reader.problem(line, "booked", "勘定日 is empty")
        ref = f"{statement.account}:{booked:%Y%m%d}:{values['ref']}" if values["ref"] is not None else ""
        signed = amount if direction == "credit" else -amount
        raw = " ".join(v for v in (payer, memo) if v)
        content = record.decode(ENCODING, "replace")
        return BankLine(booked, signed, "JPY", payer, memo, ref, statement.account, line, raw, content), direction

    def _trailer(self, reader: _Reader, line: int, record: bytes, kind: str, statement: Statement,
                 counts: dict[str, Any]) -> None:
        if kind == "03":
            t = reader.unpack(line, record, TRAILER_03)
            checks = (("credit_count", counts["credit"]), ("credit_total", counts["credit_total"]),
                      ("debit_count", counts["debit"]), ("debit_total", counts["debit_total"]),
                      ("records", len(statement.lines)))
            if t["closing"] is not None:
                statement.closing = Decimal(-t["closing"] if t["overdraft"] == 2 else t["closing"])
        else:
            t = reader.unpack(line, record, TRAILER_01)
            checks = (("count", counts["credit"]), ("total", counts["credit_total"]),
                      ("cancel_count", counts["debit"]), ("cancel_total", counts["debit_total"]))
        for name, actual in checks:
            stated = t[name]
            if stated is not None and stated != actual:
                raise reader.problem(line, name, f"trailer says {stated}, the data records add up to {actual}")


def pack(values: dict[str, Any], layout: Iterable[Field]) -> bytes:
    """One 200-byte record from ``values`` (missing N fields are zeros, C fields spaces)."""
    out = bytearray()
    for f in layout:
        value = values.get(f.name)
        if f.kind == "N":
            text = str(value if value is not None else 0).rjust(f.width, "0").encode("ascii")
        else:
            cut = str(value or "").replace("¥", "\\").encode(ENCODING)[:f.width]  # never half a character
            text = cut.decode(ENCODING, "ignore").encode(ENCODING).ljust(f.width, b" ")
        if len(text) != f.width:
            raise ValueError(f"{f.name}={value!r} does not fit {f.width} bytes")
        out += text
    assert len(out) == RECORD
    return bytes(out)


def era_yymmdd(day: date) -> int:
    """A date as Reiwa-era YYMMDD (the form Zengin files carry)."""
    return (day.year - REIWA_OFFSET) * 10000 + day.month * 100 + day.day
