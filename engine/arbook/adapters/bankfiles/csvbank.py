"""Bank CSV/TSV and spreadsheet exports from any bank, read without configuration where possible.

Detected per file: encoding, delimiter, the header row below any preamble (headers in
English, Japanese, Chinese, German, French, Dutch and Spanish), signed amount vs credit/debit
columns vs a D/C indicator, decimal comma, day/month order (decided from the whole column),
totals and summary rows. When the header cannot be recognised, the user maps columns once
(``role=column``) and saves the mapping as a named profile.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from python_calamine import CalamineWorkbook

from arbook.adapters.encoding import decode_file
from arbook.model.errors import InputError, Problem
from arbook.model.money import CURRENCIES
from arbook.model.textparse import parse_amount, parse_date
from arbook.adapters.tabular import read_text_table
from arbook.adapters.bankfiles.model import BankLine, Options, Statement
from arbook.adapters.bankfiles.payers import describe

ROLES = ("date", "value_date", "amount", "credit", "debit", "dc", "payer", "memo", "ref", "currency",
         "balance", "account", "status")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "bookingdate", "bookdate", "transactiondate", "txndate", "posted", "posteddate",
             "postingdate", "buchung", "buchungstag", "buchungsdatum", "datum", "boekdatum", "transactiedatum",
             "dateoperation", "datedoperation", "fecha", "fechaoperacion", "fechadeoperacion", "取引日", "日付",
             "お取引日", "年月日", "取引年月日", "ご利用日", "利用日", "交易日期", "交易时间", "记账日期", "日期",
             "入账时间", "交易日", "记账日", "交易创建时间", "支付时间", "时间", "取扱日付", "取扱日", "dateposted",
             "transactiondatetime"),
    "value_date": ("valuedate", "valuta", "valutadatum", "wertstellung", "wertstellungsdatum", "datevaleur",
                   "fechavalor", "起息日", "起算日", "rentedatum", "datedevaleur"),
    "amount": ("amount", "amt", "transactionamount", "betrag", "umsatz", "金額", "取引金額", "金额", "交易金额",
               "发生额", "交易金额元", "金额元", "montant", "importe", "bedrag", "net", "netamount", "neto", "nettobetrag",
               "billingamount"),
    "credit": ("credit", "credits", "creditamount", "deposit", "deposits", "paidin", "moneyin", "haben",
               "gutschrift", "入金", "入金額", "お預入れ", "お預入金額", "お預り金額", "預入金額", "入金金額",
               "預かり金額", "お預かり金額", "贷方发生额", "贷方金额", "收入", "收入金额", "存入", "存入金额",
               "credit€", "haber", "ingreso", "ingresos", "recettes"),
    "debit": ("debit", "debits", "debitamount", "withdrawal", "withdrawals", "paidout", "moneyout", "soll",
              "lastschrift", "出金", "出金額", "お引出し", "お引出金額", "お支払金額", "支払金額", "支払い金額",
              "払出金額", "出金金額", "借方发生额", "借方金额", "支出", "支出金额", "取出", "debit€", "debe",
              "cargo", "cargos", "depenses"),
    "dc": ("dc", "cd", "creditdebit", "debitcredit", "sh", "afbij", "借贷", "借贷标志", "借贷方向", "收支",
           "收支类型", "入出金区分", "方向", "indicator", "debitcreditindicator", "sollhaben", "crdr", "creditdebet",
           "debetcredit"),
    "payer": ("payer", "payername", "counterparty", "counterpartyname", "name", "beneficiary", "remitter",
              "payee", "auftraggeber", "auftraggeberempfanger", "auftraggeberempfänger", "empfanger", "empfänger",
              "zahlungspflichtiger", "beguenstigterzahlungspflichtiger", "begünstigterzahlungspflichtiger",
              "振込依頼人", "振込依頼人名", "依頼人名", "依頼人", "相手先", "お相手", "対方户名", "对方户名",
              "对方名称", "交易对方", "对方账户名", "对手户名", "付款人", "付款人名称", "对方单位", "tegenpartij",
              "naamtegenpartij", "naamomschrijving", "contrepartie", "beneficiaire", "tiers", "ordenante", "nombre",
              "取引先", "tegenrekeninghouder", "收款方", "付款方"),
    "memo": ("memo", "description", "details", "purpose", "narrative", "particulars", "remarks", "comment",
             "notes", "transactiondetails", "verwendungszweck", "buchungstext", "摘要", "摘要内容", "お取引内容",
             "取引内容", "内容", "備考", "メモ", "用途", "附言", "备注", "交易摘要", "摘要说明", "商品", "商品说明",
             "交易类型", "mededelingen", "omschrijving", "libelle", "libellé", "concepto", "descripcion",
             "informations", "information", "label", "detail"),
    "ref": ("reference", "ref", "referenceno", "referencenumber", "transactionid", "transactionreference",
            "bankreference", "fitid", "流水号", "交易流水号", "交易单号", "交易号", "照会番号", "取引番号",
            "参照番号", "transactienummer", "referenz", "referentie", "referencia", "operationnumber",
            "iddetransaccion", "idtransaction"),
    "currency": ("currency", "ccy", "curr", "wahrung", "waehrung", "通貨", "币种", "货币", "devise", "moneda", "munt",
                 "valutacode", "divisa"),
    "balance": ("balance", "saldo", "残高", "差引残高", "お取引後残高", "取引後残高", "余额", "账户余额", "solde",
                "kontostand", "runningbalance", "saldonadeboeking"),
    "account": ("account", "accountno", "accountnumber", "iban", "konto", "口座番号", "账号", "本方账号", "rekening",
                "compte"),
    "status": ("status", "state", "buchungsstatus", "info", "当前状态", "交易状态"),
}
TOTAL_WORDS = ("total", "totals", "合計", "合计", "总计", "summe", "gesamt", "totaal", "小計", "小计", "sum")
CREDIT_MARKS = ("c", "cr", "credit", "h", "haben", "贷", "贷方", "收", "收入", "入", "入金", "bij", "入账", "+",
                "gutschrift", "deposit", "in")
DEBIT_MARKS = ("d", "dr", "debit", "s", "soll", "借", "借方", "支", "支出", "出", "出金", "af", "-", "lastschrift",
               "withdrawal", "out")
CURRENCY_WORDS = (("人民币", "CNY"), ("日元", "JPY"), ("美元", "USD"), ("欧元", "EUR"), ("港币", "HKD"), ("港元", "HKD"),
                  ("日本円", "JPY"), ("米ドル", "USD"))
PENDING_WORDS = ("pending", "vorgemerkt", "umsatzvorgemerkt", "未記帳", "处理中", "待处理")
JA_CHARS = set("額残払預込円依頼")
ZH_CHARS = set("额贷账户对币务单时间类说备余笔")
_STRIP = re.compile(r"[\s\(\)（）\[\]【】/\\._\-:：'\"＂・,;]+")
_YMD = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_MD_ONLY = re.compile(r"^(\d{1,2})月(\d{1,2})日$")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?$")
_ANNOTATION = re.compile(r"(?<=[\d.])\s*[\(（][^)）]*[\)）]?\s*$")  # "416.87(已退款...)": a note after the number


def _fold_latin(text: str) -> str:
    """Latin letters without accents (Débit -> Debit); kana and hanzi untouched."""
    return "".join(unicodedata.normalize("NFKD", ch)[0] if "\u00c0" <= ch <= "\u024f" else ch for ch in text)


def normalize_header(text: Any) -> str:
    """Header text folded for comparison: NFKC, lower case, no accents, spaces or punctuation."""
    return _STRIP.sub("", _fold_latin(unicodedata.normalize("NFKC", str(text or "")).lower()))


_INDEX = {normalize_header(s): role for role, words in SYNONYMS.items() for s in words}
_BY_LENGTH = sorted(_INDEX.items(), key=lambda kv: -len(kv[0]))


def header_role(text: Any) -> str | None:
    """The role a header names: exact synonym first, else the longest synonym it contains."""
    key = normalize_header(text)
    if not key:
        return None
    if key in _INDEX:
        return _INDEX[key]
    for synonym, role in _BY_LENGTH:
        if len(synonym) >= 2 and synonym in key and not (role in ("date", "amount") and len(synonym) < 3 and key != synonym):
            return role
    return None


@dataclass
class Layout:
    """Where each role sits: the header row (index or None) and role -> column indexes."""

    header_row: int | None
    columns: dict[str, list[int]]

    def first(self, role: str) -> int | None:
        found = self.columns.get(role)
        return found[0] if found else None


def find_layout(rows: list[list[Any]], options: Options, source: str, lines: list[int]) -> Layout:
    """Locate the header row and map columns to roles (from the user's mapping when given)."""
    if options.mapping:
        return _mapped_layout(rows, options, source, lines)
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows[:60]):
        roles = {header_role(v) for v in row if v not in (None, "")} - {None}
        has_money = bool(roles & {"amount", "credit", "debit"})
        if "date" in roles and has_money:
            score = len(roles)
            if best is None or score > best[0]:
                best = (score, index)
    if best is None:
        raise InputError([Problem(source, lines[0] if lines else 1, None,
                                  "cannot recognise a header row with a date and an amount column; map the columns "
                                  "once, e.g. --map date=1 --map amount=3 --map payer=2 --save-profile MYBANK")])
    header = rows[best[1]]
    columns: dict[str, list[int]] = {}
    for col, value in enumerate(header):
        role = header_role(value)
        if role:
            columns.setdefault(role, []).append(col)
    return Layout(best[1], columns)


def _mapped_layout(rows: list[list[Any]], options: Options, source: str, lines: list[int]) -> Layout:
    wanted = dict(options.mapping)
    unknown = set(wanted) - set(ROLES)
    if unknown:
        raise InputError([Problem(source, None, None, f"unknown column role(s) {', '.join(sorted(unknown))}; "
                                                      f"roles are {', '.join(ROLES)}")])
    if all(v.isdigit() for v in wanted.values()):
        return Layout(None, {role: [int(v) - 1] for role, v in wanted.items()})
    for index, row in enumerate(rows[:60]):
        names = [normalize_header(v) for v in row]
        if all(normalize_header(v) in names for v in wanted.values() if not v.isdigit()):
            columns = {role: [int(v) - 1 if v.isdigit() else names.index(normalize_header(v))]
                       for role, v in wanted.items()}
            return Layout(index, columns)
    raise InputError([Problem(source, None, None, "no row has the mapped column headers "
                                                  + ", ".join(repr(v) for v in wanted.values()))])


def _cell(row: Sequence[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    value = row[col]
    if isinstance(value, str):
        value = value.strip().strip("\t").strip()
        return value or None
    return value


def _is_totals_row(row: Sequence[Any]) -> bool:
    return any(normalize_header(v) in TOTAL_WORDS for v in row if isinstance(v, str) and v.strip())


class DateColumn:
    """Parses one column's dates with a single day/month order decided from all its values."""

    def __init__(self, values: list[Any], options: Options, today: date, source: str, hint: str | None = None):
        self.today = today
        self._cache: dict[str, date] = {}
        self.order = options.date_order
        if self.order is None:
            self.order = self._decide([v for v in values if isinstance(v, str)], source, hint)

    def _decide(self, texts: list[str], source: str, hint: str | None) -> str:
        pairs = [(int(m[1]), int(m[2])) for m in (_YMD.match(t.strip()) for t in texts) if m]
        if not pairs:
            return "dmy"
        first_big = any(a > 12 for a, _ in pairs)
        second_big = any(b > 12 for _, b in pairs)
        if first_big and not second_big:
            return "dmy"
        if second_big and not first_big:
            return "mdy"
        if first_big and second_big:
            raise InputError([Problem(source, None, "date", "dates mix day/month orders")])
        # every value fits both orders: pick the one that keeps the statement in date order
        def disorder(order: str) -> int:
            days = [self._ymd(a, b, 2000, order) for a, b in pairs]
            ups = sum(1 for x, y in zip(days, days[1:]) if y > x)
            downs = sum(1 for x, y in zip(days, days[1:]) if y < x)
            return min(ups, downs)
        dmy, mdy = disorder("dmy"), disorder("mdy")
        if dmy == mdy and hint:
            return hint
        if dmy == mdy and len({p for p in pairs}) > 1 and any(a != b for a, b in pairs):
            raise InputError([Problem(source, None, "date", "day/month order is ambiguous (every date fits both); "
                                                            "pass --date-order dmy or --date-order mdy")])
        return "dmy" if dmy <= mdy else "mdy"

    @staticmethod
    def _ymd(a: int, b: int, year: int, order: str) -> tuple[int, int, int]:
        return (year, b, a) if order == "dmy" else (year, a, b)

    def parse(self, value: Any) -> date:
        """The date of one cell (statements repeat dates, so each text is parsed once)."""
        if isinstance(value, str):
            found = self._cache.get(value)
            if found is None:
                found = self._cache[value] = self._parse(value)
            return found
        return self._parse(value)

    def _parse(self, value: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return parse_date(str(int(value)))
        text = unicodedata.normalize("NFKC", str(value)).strip()
        found = _YMD.match(text)
        if found:
            a, b, year = int(found[1]), int(found[2]), int(found[3])
            year = year + 2000 if year < 100 else year
            y, m, d = self._ymd(a, b, year, self.order or "dmy")
            return date(y, m, d)
        found = _MD_ONLY.match(text)
        if found:  # no year printed (JA Bank): the latest such date not after today
            month, day = int(found[1]), int(found[2])
            candidate = date(self.today.year, month, day)
            return candidate if candidate <= self.today else date(self.today.year - 1, month, day)
        return parse_date(text.split()[0] if re.match(r"^\d{4}\D\d{1,2}\D\d{1,2}\s", text) else text)


def _decimal_comma(values: list[Any]) -> bool:
    comma = dot = 0
    for value in values:
        if not isinstance(value, str):
            continue
        text = _ANNOTATION.sub("", value).strip()
        if re.search(r"\d,\d{1,2}$", text) or re.search(r"\d\.\d{3},", text) or re.search(r"\d,$", text):
            comma += 1
        elif re.search(r"\d\.\d{1,2}$", text) or re.search(r"\d,\d{3}\.", text):
            dot += 1
    return comma > dot


def _money(value: Any, decimal_comma: bool) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not decimal_comma and _PLAIN_NUMBER.match(value):
        return Decimal(value)
    text = _ANNOTATION.sub("", str(value)).strip()
    if text in ("", "-", "--", "/"):
        return None
    return parse_amount(text, decimal_comma=decimal_comma)


def _mark(value: Any) -> int:
    """+1 credit, -1 debit, 0 neutral/unknown, from a D/C indicator cell."""
    key = normalize_header(value)
    if not key:
        return 0
    for token in [key, key[:1]] + re.findall(r"[a-z]+", key):
        if token in CREDIT_MARKS:
            return 1
        if token in DEBIT_MARKS:
            return -1
    return 0


def _language(header: Sequence[Any]) -> str:
    text = "".join(str(v) for v in header if v)
    if any("\u3040" <= ch <= "\u30ff" for ch in text) or JA_CHARS & set(text):
        return "ja"
    if ZH_CHARS & set(text) or any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "zh"
    return ""


def _currency_guess(rows: list[list[Any]], language: str, header: Sequence[Any] = ()) -> str | None:
    for name in header:
        found = re.search(r"[\(（]([A-Z]{3})[\)）]", str(name or ""))
        if found and found.group(1) in CURRENCIES:
            return found.group(1)
    sample = " ".join(str(v) for row in rows[:200] for v in row if isinstance(v, str))
    for word, code in CURRENCY_WORDS:
        if word in sample:
            return code
    if "€" in sample:
        return "EUR"
    if "£" in sample:
        return "GBP"
    if "$" in sample and language == "":
        return "USD"
    return {"ja": "JPY", "zh": "CNY"}.get(language)


def _preamble_account(rows: list[list[Any]]) -> str:
    for row in rows:
        cells = [str(v).strip() for v in row if v not in (None, "")]
        if len(cells) >= 2 and header_role(cells[0]) == "account":
            return cells[1].replace(" ", "")
    return ""


def _payer_memo(row: Sequence[Any], layout: Layout) -> tuple[str, str, str]:
    """(payer, memo, raw text) of a row: the payer column, else the payer named in the description."""
    texts = [str(_cell(row, c)) for c in layout.columns.get("memo", []) if _cell(row, c) is not None]
    payer = _cell(row, layout.first("payer"))
    description = " ".join(texts)
    raw = " | ".join(([str(payer)] if payer is not None else []) + texts)
    if payer is not None:
        return str(payer), description, raw
    found = describe(description)
    return found.payer, found.memo, raw


def _content(row: Sequence[Any]) -> str:
    """The row as the file holds it (cells, whitespace folded): what identifies it whatever the mapping."""
    return "\x1f".join(" ".join(str(v).split()) if v is not None else "" for v in row).rstrip("\x1f")


class CsvImporter:
    """Any bank's CSV/TSV export, or the first sheet of a bank's .xlsx/.xls export."""

    name = "csv"
    SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")

    def detect(self, head: bytes, suffix: str) -> bool:
        return True  # the fallback: tried last

    def read_rows(self, data: bytes, source: str) -> tuple[list[list[Any]], list[int]]:
        if Path(source).suffix.lower() in self.SPREADSHEETS or data[:4] == b"PK\x03\x04":
            import io

            try:
                sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
                rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            except Exception as exc:  # calamine's own error types for damaged workbooks
                raise InputError([Problem(source, None, None, f"not a readable spreadsheet: {exc}")]) from None
            return rows, list(range(1, len(rows) + 1))
        text, _ = decode_file(data, source)
        if "\x00" in text:
            raise InputError([Problem(source, text[: text.index("\x00")].count("\n") + 1, None,
                                      "binary data (NUL byte) in a text file")])
        rows, lines = read_text_table(source, text, strict=False)
        return [list(r) for r in rows], lines

    def parse(self, data: bytes, source: str, options: Options, today: date | None = None) -> list[Statement]:
        if not data.strip():
            raise InputError([Problem(source, 1, None, "the file is empty")])
        rows, lines = self.read_rows(data, source)
        if not any(any(v not in (None, "") for v in r) for r in rows):
            raise InputError([Problem(source, 1, None, "the file is empty")])
        layout = find_layout(rows, options, source, lines)
        start = 0 if layout.header_row is None else layout.header_row + 1
        header = rows[layout.header_row] if layout.header_row is not None else []
        body = list(zip(lines[start:], rows[start:]))
        col = layout.first
        money_cols = [c for role in ("amount", "credit", "debit") for c in layout.columns.get(role, [])]
        if not money_cols or col("date") is None:
            raise InputError([Problem(source, None, None, "the mapping needs a date and an amount (or credit/debit)")])
        decimal_comma = _decimal_comma([_cell(r, c) for _, r in body for c in money_cols])
        # When every date fits both orders and the order of the rows does not tell either, a decimal
        # comma means a European bank (day first) and a dollar sign a North American one (month first).
        hint = "dmy" if decimal_comma else "mdy" if _currency_guess(rows, "") == "USD" else None
        dates = DateColumn([_cell(r, col("date")) for _, r in body], options, today or date.today(), source, hint)
        language = _language(header)
        currency_default = options.currency or _currency_guess(rows, language, header) or options.home_currency
        account_default = _preamble_account(rows[:layout.header_row or 0])
        statement = Statement(source, "csv", account=account_default, currency=currency_default,
                              line=(lines[layout.header_row] if layout.header_row is not None else 1))
        trailing_problem: Problem | None = None
        for line, row in body:
            if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            raw_date = _cell(row, col("date"))
            try:
                booked = dates.parse(raw_date) if raw_date is not None else None
            except (ValueError, TypeError) as exc:
                if _is_totals_row(row):
                    continue
                if trailing_problem is None:
                    trailing_problem = Problem(source, line, "date", str(exc))
                continue
            if booked is None:
                if _is_totals_row(row):
                    continue
                if any(_cell(row, c) is not None for c in money_cols) and trailing_problem is None:
                    trailing_problem = Problem(source, line, "date", "is empty")
                continue
            if trailing_problem is not None:  # a bad row between good rows is an error, not a trailer
                raise InputError([trailing_problem])
            status = normalize_header(_cell(row, col("status")))
            if status and any(word in status for word in PENDING_WORDS):
                continue
            try:
                amount = self._amount(row, layout, decimal_comma)
            except ValueError as exc:
                raise InputError([Problem(source, line, "amount", str(exc))]) from None
            if amount is None:
                continue
            cell_currency = str(_cell(row, col("currency")) or "").strip().upper()
            currency = cell_currency if cell_currency in CURRENCIES else currency_default
            if currency is None:
                raise InputError([Problem(source, line, "currency", "the file names no currency; pass --currency "
                                                                    "(or save it in a profile)")])
            payer, memo, raw = _payer_memo(row, layout)
            ref = _cell(row, col("ref"))
            account = _cell(row, col("account")) or account_default
            statement.lines.append(BankLine(booked, amount, currency, payer, memo, "" if ref is None else str(ref),
                                            str(account), line, raw, _content(row)))
        if not statement.lines:
            raise InputError([trailing_problem] if trailing_problem else
                             [Problem(source, None, None, "no transactions below the header row")])
        return [statement]

    @staticmethod
    def _amount(row: Sequence[Any], layout: Layout, decimal_comma: bool) -> Decimal | None:
        credit_cols, debit_cols = layout.columns.get("credit", []), layout.columns.get("debit", [])
        if credit_cols or debit_cols:
            credit = next((v for v in (_money(_cell(row, c), decimal_comma) for c in credit_cols) if v), None)
            debit = next((v for v in (_money(_cell(row, c), decimal_comma) for c in debit_cols) if v), None)
            if credit:
                return abs(credit) if not debit else abs(credit) - abs(debit)
            if debit:
                return -abs(debit)
            if layout.first("amount") is None:
                return None
        amount = _money(_cell(row, layout.first("amount")), decimal_comma)
        if amount is None:
            return None
        if layout.first("dc") is not None:
            sign = _mark(_cell(row, layout.first("dc")))
            if sign == 0:
                return None  # neutral (e.g. WeChat '/'): neither money in nor out of this account
            return sign * abs(amount)
        return amount
