"""Synthetic bank files in real formats (Zengin 03/01, camt.053, MT940, bank CSV dialects).

For the sample set, tests and benchmarks: each writer is the inverse of an importer, so a
file written here and read back must give the same lines. Zengin records are packed with the
importer's own layouts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence
from xml.sax.saxutils import escape

import jaconv

from arbook.adapters.bankfiles.zengin import (DATA_01A, DATA_03, END, END_01, HEADER_01, HEADER_03, TRAILER_01, TRAILER_03,
                               era_yymmdd, pack)


@dataclass(frozen=True)
class SynthLine:
    """One movement to write: signed amount (credits positive)."""

    date: date
    amount: Decimal
    payer: str = ""
    memo: str = ""
    ref: str = ""
    instructed: Decimal | None = None  # what the payer sent, when the bank states it (camt InstdAmt)


@dataclass(frozen=True)
class Account:
    bank_code: int = 5
    bank_name: str = "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｪｲ"
    branch_code: int = 1
    branch_name: str = "ﾎﾝﾃﾝ"
    number: int = 1234567
    name: str = "ｶ)ｴ-ｱ-ﾙﾌﾞﾂｸ"
    iban: str = "DE89370400440532013000"
    currency: str = "JPY"


def zengin_03(account: Account, opening: Decimal, lines: Sequence[SynthLine], created: date,
              crlf: bool = True) -> bytes:
    """入出金取引明細 (kind 03) for one ordinary account, with a correct trailer and end record."""
    credits = [ln for ln in lines if ln.amount > 0]
    debits = [ln for ln in lines if ln.amount < 0]
    closing = opening + sum((ln.amount for ln in lines), Decimal(0))
    first = min((ln.date for ln in lines), default=created)
    records = [pack({"data_kind": 1, "type_code": 3, "code_kind": 0, "created": era_yymmdd(created),
                     "date_from": era_yymmdd(first), "date_to": era_yymmdd(created), "bank_code": account.bank_code,
                     "bank_name": account.bank_name, "branch_code": account.branch_code,
                     "branch_name": account.branch_name, "account_type": 1, "account_no": account.number,
                     "account_name": account.name, "overdraft": 2 if opening < 0 else 1, "passbook": 0,
                     "opening": int(abs(opening))}, HEADER_03)]
    for n, ln in enumerate(lines, start=1):
        records.append(pack({"data_kind": 2, "ref": int(ln.ref) if ln.ref.isdigit() else n,
                             "booked": era_yymmdd(ln.date), "value": era_yymmdd(ln.date),
                             "direction": 1 if ln.amount > 0 else 2, "txn_kind": 11 if ln.amount > 0 else 14,
                             "amount": int(abs(ln.amount)), "payer": ln.payer if ln.amount > 0 else "",
                             "summary": "ﾌﾘｺﾐ" if ln.amount > 0 else "ﾌﾘｶｴ", "edi": ln.memo}, DATA_03))
    records.append(pack({"data_kind": 8, "credit_count": len(credits),
                         "credit_total": int(sum(ln.amount for ln in credits)), "debit_count": len(debits),
                         "debit_total": int(-sum(ln.amount for ln in debits)), "overdraft": 2 if closing < 0 else 1,
                         "closing": int(abs(closing)), "records": len(lines)}, TRAILER_03))
    records.append(pack({"data_kind": 9, "records": len(records) + 1, "accounts": 1}, END))
    return (b"\r\n" if crlf else b"").join(records) + (b"\r\n" if crlf else b"")


def zengin_01(account: Account, lines: Sequence[SynthLine], created: date, crlf: bool = True) -> bytes:
    """振込入金通知 (kind 01, format A); a negative amount is written as a cancellation (取消)."""
    records = [pack({"data_kind": 1, "type_code": 1, "code_kind": 0, "created": era_yymmdd(created),
                     "date_from": era_yymmdd(min(ln.date for ln in lines)), "date_to": era_yymmdd(created),
                     "bank_code": account.bank_code, "bank_name": account.bank_name,
                     "branch_code": account.branch_code, "branch_name": account.branch_name, "account_type": 1,
                     "account_no": account.number, "account_name": account.name}, HEADER_01)]
    for n, ln in enumerate(lines, start=1):
        records.append(pack({"data_kind": 2, "ref": n, "booked": era_yymmdd(ln.date), "value": era_yymmdd(ln.date),
                             "amount": int(abs(ln.amount)), "payer": ln.payer, "from_bank": "ﾐｽﾞﾎ",
                             "from_branch": "ﾄｳｷﾖｳ", "cancel": "1" if ln.amount < 0 else "0", "edi": ln.memo},
                            DATA_01A))
    transfers = [ln for ln in lines if ln.amount > 0]
    cancels = [ln for ln in lines if ln.amount < 0]
    records.append(pack({"data_kind": 8, "count": len(transfers), "total": int(sum(ln.amount for ln in transfers)),
                         "cancel_count": len(cancels), "cancel_total": int(-sum(ln.amount for ln in cancels))},
                        TRAILER_01))
    records.append(pack({"data_kind": 9}, END_01))
    return (b"\r\n" if crlf else b"").join(records) + (b"\r\n" if crlf else b"")


def camt053(account: Account, opening: Decimal, lines: Sequence[SynthLine], created: datetime,
            version: str = "001.02") -> bytes:
    """A camt.053 statement with OPBD/CLBD balances; payer as Dbtr/Nm, memo as RmtInf/Ustrd, the
    instructed amount (when a line has one) as TxDtls/AmtDtls/InstdAmt."""
    ccy = account.currency
    closing = opening + sum((ln.amount for ln in lines), Decimal(0))

    def balance(code: str, amount: Decimal, day: date) -> str:
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{abs(amount)}</Amt>"
                f"<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")

    entries = []
    for n, ln in enumerate(lines, start=1):
        party = "Dbtr" if ln.amount > 0 else "Cdtr"
        entries.append(
            f"<Ntry><Amt Ccy=\"{ccy}\">{abs(ln.amount)}</Amt><CdtDbtInd>{'CRDT' if ln.amount > 0 else 'DBIT'}"
            f"</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{ln.date.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{ln.date.isoformat()}</Dt></ValDt><AcctSvcrRef>{escape(ln.ref or f'REF{n:08d}')}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
            + (f"<AmtDtls><InstdAmt><Amt Ccy=\"{ccy}\">{ln.instructed}</Amt></InstdAmt></AmtDtls>"
               if ln.instructed is not None else "") +
            f"<RltdPties><{party}><Nm>{escape(ln.payer)}</Nm></{party}></RltdPties>"
            f"<RmtInf><Ustrd>{escape(ln.memo)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>")
    first = min((ln.date for ln in lines), default=created.date())
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}">'
           f"<BkToCstmrStmt><GrpHdr><MsgId>ARBOOK-{created:%Y%m%d%H%M%S}</MsgId>"
           f"<CreDtTm>{created.isoformat()}</CreDtTm></GrpHdr><Stmt><Id>STMT-{created:%Y%m%d}</Id>"
           f"<CreDtTm>{created.isoformat()}</CreDtTm><Acct><Id><IBAN>{account.iban}</IBAN></Id><Ccy>{ccy}</Ccy></Acct>"
           + balance("OPBD", opening, first) + balance("CLBD", closing, created.date()) + "\n"
           + "\n".join(entries) + "\n</Stmt></BkToCstmrStmt></Document>\n")
    return xml.encode("utf-8")


def mt940(account: Account, opening: Decimal, lines: Sequence[SynthLine], statement_no: int = 1) -> bytes:
    """An MT940 statement with :86: in the German ?20/?32 layout."""
    ccy = account.currency
    closing = opening + sum((ln.amount for ln in lines), Decimal(0))

    def amount(value: Decimal) -> str:
        return f"{abs(value):.2f}".replace(".", ",")

    first = min((ln.date for ln in lines), default=date.today())
    last = max((ln.date for ln in lines), default=first)
    out = [f":20:ARBOOK{statement_no:05d}", f":25:{account.iban}", f":28C:{statement_no:05d}/1",
           f":60F:{'C' if opening >= 0 else 'D'}{first:%y%m%d}{ccy}{amount(opening)}"]
    for n, ln in enumerate(lines, start=1):
        out.append(f":61:{ln.date:%y%m%d}{ln.date:%m%d}{'C' if ln.amount > 0 else 'D'}{amount(ln.amount)}"
                   f"NTRFNONREF//{ln.ref or f'B{n:010d}'}")
        out.append(f":86:166?00GUTSCHRIFT?20{ln.memo[:27]}?32{ln.payer[:27]}")
    out.append(f":62F:{'C' if closing >= 0 else 'D'}{last:%y%m%d}{ccy}{amount(closing)}")
    out.append("-")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


CSV_DIALECTS = ("jp", "cn", "de", "us")


def bank_csv(dialect: str, lines: Sequence[SynthLine], account: str = "1234567") -> bytes:
    """A bank CSV export in a national style: jp (CP932), cn (GB18030), de (cp1252, ';', 1.234,56),
    us (MM/DD/YYYY, $ and parenthesised negatives)."""
    if dialect == "jp":
        rows = ["\"入出金明細\"", f"\"口座番号\",\"{account}\"", "",
                "\"取引日\",\"お引出し\",\"お預入れ\",\"振込依頼人\",\"摘要\",\"照会番号\""]
        for ln in lines:
            out, into = (f"\"￥{-ln.amount:,}\"", "\"\"") if ln.amount < 0 else ("\"\"", f"\"￥{ln.amount:,}\"")
            rows.append(f"\"{ln.date:%Y/%m/%d}\",{out},{into},\"{ln.payer}\",\"{ln.memo}\",\"{ln.ref}\"")
        total_in = sum((ln.amount for ln in lines if ln.amount > 0), Decimal(0))
        rows.append(f"\"合計\",\"\",\"￥{total_in:,}\",\"\",\"\",\"\"")
        return ("\r\n".join(rows) + "\r\n").encode("cp932")
    if dialect == "cn":
        rows = [f"账号:,{account}", "币种:,人民币", "",
                "交易日期,交易流水号,借方发生额,贷方发生额,对方户名,摘要"]
        for ln in lines:
            debit, credit = (f"{-ln.amount:.2f}", "") if ln.amount < 0 else ("", f"{ln.amount:.2f}")
            rows.append(f"{ln.date:%Y%m%d},{ln.ref},{debit},{credit},{ln.payer},{ln.memo}")
        rows.append(f"合计,,,{sum((ln.amount for ln in lines if ln.amount > 0), Decimal(0)):.2f},,")
        return ("\r\n".join(rows) + "\r\n").encode("gb18030")
    if dialect == "de":
        rows = ["Umsatzanzeige;Girokonto", f"IBAN;{account}", "", "Buchungstag;Valuta;Auftraggeber/Empfänger;"
                "Verwendungszweck;Betrag;Währung"]
        for ln in lines:
            text = f"{ln.amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            rows.append(f"{ln.date:%d.%m.%Y};{ln.date:%d.%m.%Y};{ln.payer};{ln.memo};{text};EUR")
        return ("\r\n".join(rows) + "\r\n").encode("cp1252")
    if dialect == "us":
        rows = ["Date,Description,Payer,Amount,Reference"]
        for ln in lines:
            text = f"${ln.amount:,.2f}" if ln.amount >= 0 else f"(${-ln.amount:,.2f})"
            rows.append(f"{ln.date:%m/%d/%Y},\"{ln.memo}\",\"{ln.payer}\",\"{text}\",{ln.ref}")
        return ("\n".join(rows) + "\n").encode("utf-8")
    raise ValueError(f"unknown dialect {dialect!r} (one of {', '.join(CSV_DIALECTS)})")


def bank_kana(kana: str, form: str | None, before: bool = True) -> str:
    """A payer name as Japanese banks print it: half-width katakana, small kana big, form mark."""
    big = kana.translate(str.maketrans("ァィゥェォャュョッヮ", "アイウエオヤユヨツワ"))
    name = jaconv.z2h(big, kana=True, ascii=True, digit=True)
    if not form:
        return name
    mark = jaconv.z2h(form, kana=True)
    return f"{mark}){name}" if before else f"{name}({mark}"
