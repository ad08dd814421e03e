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
from itertools import islice, repeat
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence


from arbook.adapters.encoding import decode_file
from arbook.model.errors import InputError, Problem
from arbook.model.money import CURRENCIES
from arbook.model.textparse import parse_amount, parse_date
from arbook.adapters.tabular import SPREADSHEETS, read_text_table, spreadsheet_rows
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
    "amount": ("amount", "amt", "transactionamount", "入出金", "入出金額", "入出金金額", "收支金额", "交易金额收支",
               "signedamount", "umsatzbetrag", "mutatiebedrag", "montantoperation", "betrag", "umsatz", "金額", "取引金額", "金额", "交易金额",
               "发生额", "交易金额元", "金额元", "montant", "importe", "bedrag", "net", "netamount", "neto", "nettobetrag",
               "billingamount"),
    "credit": ("credit", "credits", "creditamount", "deposit", "deposits", "paidin", "moneyin", "haben",
               "gutschrift", "入金", "入金額", "お預入れ", "お預入金額", "お預り金額", "預入金額", "入金金額",
               "預かり金額", "お預かり金額", "贷方发生额", "贷方金额", "收入", "收入金额", "存入", "存入金额",
               "credit€", "haber", "ingreso", "ingresos", "recettes", "贷方", "贷方发生额元", "bij", "预入", "入账金额",
               "お預り", "お預かり", "預り", "預入", "入金高", "deposited", "creditbedrag", "abono", "abonos"),
    "debit": ("debit", "debits", "debitamount", "withdrawal", "withdrawals", "paidout", "moneyout", "soll",
              "lastschrift", "出金", "出金額", "お引出し", "お引出金額", "お支払金額", "支払金額", "支払い金額",
              "払出金額", "出金金額", "借方发生额", "借方金额", "支出", "支出金额", "取出", "debit€", "debe",
              "cargo", "cargos", "depenses", "借方", "af", "お引出", "お引出し金額", "お引き出し", "お引き出し金額",
              "引出", "引出金額", "支払", "お支払", "お支払い金額", "出金高", "支出金额元", "withdrawn", "debetbedrag",
              "出账金额"),
    "dc": ("dc", "cd", "creditdebit", "debitcredit", "sh", "afbij", "借贷", "借贷标志", "借贷方向", "收支",
           "收支类型", "入出金区分", "入払区分", "方向", "收/支", "借贷标识", "afbij", "sollhabenkennzeichen", "indicator", "debitcreditindicator", "sollhaben", "crdr", "creditdebet",
           "debetcredit"),
    "payer": ("payer", "payername", "counterparty", "counterpartyname", "name", "beneficiary", "remitter",
              "payee", "auftraggeber", "auftraggeberempfanger", "auftraggeberempfänger", "empfanger", "empfänger",
              "zahlungspflichtiger", "beguenstigterzahlungspflichtiger", "begünstigterzahlungspflichtiger",
              "振込依頼人", "振込依頼人名", "依頼人名", "依頼人", "相手先", "お相手", "対方户名", "对方户名",
              "对方名称", "交易对方", "对方账户名", "对手户名", "付款人", "付款人名称", "对方单位", "tegenpartij",
              "naamtegenpartij", "naamomschrijving", "contrepartie", "beneficiaire", "tiers", "ordenante", "nombre",
              "取引先", "tegenrekeninghouder", "收款方", "付款方", "对方账户名称", "对方账户名", "对方户名称", "naam",
              "nameofpayer", "ordername", "originator", "ordering party", "orderingparty", "依頼人名称",
              "对手信息", "对手方", "对方信息", "商户名称", "交易对象"),
    "memo": ("memo", "description", "details", "purpose", "narrative", "particulars", "remarks", "comment",
             "notes", "transactiondetails", "verwendungszweck", "buchungstext", "摘要", "摘要内容", "お取引内容",
             "取引内容", "内容", "備考", "メモ", "用途", "附言", "备注", "交易摘要", "摘要说明", "商品", "商品说明",
             "交易类型", "mededelingen", "omschrijving", "libelle", "libellé", "concepto", "descripcion",
             "informations", "information", "label", "detail", "入出金内容", "取引区分", "取引摘要", "お取引内容",
             "摘要欄", "用途说明", "交易用途", "mededeling", "omschrijvingen", "beschreibung", "libelleoperation",
             "transactiondescription", "transactiontype", "type", "交易说明", "remarque", "remarques",
             "commentaire"),
    "ref": ("reference", "ref", "referenceno", "referencenumber", "transactionid", "transactionreference",
            "bankreference", "fitid", "流水号", "交易流水号", "交易单号", "交易号", "照会番号", "取引番号",
            "参照番号", "transactienummer", "referenz", "referentie", "referencia", "operationnumber",
            "iddetransaccion", "idtransaction"),
    "currency": ("currency", "ccy", "curr", "wahrung", "waehrung", "通貨", "币种", "货币", "devise", "moneda", "munt",
                 "valutacode", "divisa"),
    "balance": ("balance", "saldo", "残高", "残高円", "余额元", "runningbal", "balanceafter", "差引残高", "お取引後残高", "取引後残高", "余额", "账户余额", "solde",
                "kontostand", "runningbalance", "saldonadeboeking"),
    "account": ("account", "accountno", "accountnumber", "iban", "konto", "口座番号", "账号", "本方账号", "rekening",
                "compte"),
    "status": ("status", "state", "buchungsstatus", "info", "当前状态", "交易状态"),
    "ignore": ("收付款方式", "支付方式", "支払方法", "支払い区分", "取引方法", "変換レート", "汇率", "exchangerate",
               "wechselkurs", "paymentmethod", "取引番号区分"),
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
JA_WORDS = ("取引日", "日付", "入出金", "入金", "出金", "引出", "振込", "摘要欄")
ZH_WORDS = ("交易", "日期", "收入", "支出", "对方", "流水", "记账")
_KANA = re.compile("[\u3040-\u30ff\uff66-\uff9f]")
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
_LONGEST = max(map(len, _INDEX))
#: Header words that only say "amount of": the word before them decides (お引出し金額 is a debit).
GENERIC_AMOUNT = {normalize_header(w) for w in ("金額", "金额", "額", "额", "amount", "amt", "betrag", "bedrag",
                                                "montant", "importe", "发生额")}
_UNIT = re.compile(r"\s*[\(（\[【<＜]\s*(?:円|元|人民币|[a-z]{3}|€|\$|¥|￥|£|in [a-z]{3}|千円|万円)\s*[\)）\]】>＞]\s*$"
                   r"|\s+in\s+[a-z]{3}$|\s*[€$¥￥£]$", re.I)
_WORDS = re.compile(r"[a-z0-9€$]+|[^\x00-\x7f]+", re.I)


def _pieces(text: str) -> list[tuple[str, str]]:
    """(synonym, role) pieces of a header by longest match, left to right; words matched whole."""
    folded = _fold_latin(unicodedata.normalize("NFKC", str(text or "")).lower())
    folded = _UNIT.sub("", folded)
    words = _WORDS.findall(folded)
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.isascii():  # Latin: whole words, several joined ("debit amount", "auftraggeber empfanger")
            for j in range(len(words), i, -1):
                key = normalize_header("".join(words[i:j]))
                if all(w.isascii() for w in words[i:j]) and key in _INDEX:
                    pieces.append((key, _INDEX[key]))
                    i = j
                    break
            else:
                i += 1
            continue
        k = 0  # CJK run: longest synonym at each position (入出金内容 = 入出金 + 内容)
        key = normalize_header(word)
        while k < len(key):
            for n in range(min(_LONGEST, len(key) - k), 0, -1):
                if key[k:k + n] in _INDEX and (n > 1 or len(key) == 1):
                    pieces.append((key[k:k + n], _INDEX[key[k:k + n]]))
                    k += n
                    break
            else:
                k += 1
        i += 1
    return pieces


def header_role(text: Any) -> str | None:
    """The role a header names: an exact synonym, else its head word (the last one found; a
    generic "amount" word after a credit/debit word keeps that word's role)."""
    key = normalize_header(_UNIT.sub("", _fold_latin(unicodedata.normalize("NFKC", str(text or "")).lower())))
    if not key:
        return None
    if key in _INDEX:
        return _INDEX[key] if _INDEX[key] != "ignore" else None
    pieces = _pieces(text)
    if not pieces:
        return None
    head, role = pieces[-1]
    if head in GENERIC_AMOUNT and len(pieces) > 1 and pieces[-2][1] in ("credit", "debit", "amount"):
        role = pieces[-2][1]
    return role if role != "ignore" else None


@dataclass
class Layout:
    """Where each role sits: the header row (index or None) and role -> column indexes."""

    header_row: int | None
    columns: dict[str, list[int]]

    def first(self, role: str) -> int | None:
        found = self.columns.get(role)
        return found[0] if found else None


def find_layout(rows: list[list[Any]], options: Options, source: str, lines: list[int]) -> Layout:
    """Locate the header row and map columns to roles; the user's mapping (header names or 1-based
    positions, any subset of roles) overrides what was detected for those roles."""
    wanted = dict(options.mapping)
    unknown = set(wanted) - set(ROLES)
    if unknown:
        raise InputError([Problem(source, None, None, f"unknown column role(s) {', '.join(sorted(unknown))}; "
                                                      f"roles are {', '.join(ROLES)}")])
    detected = _detected_layout(rows)
    named = [v for v in wanted.values() if not v.isdigit()]
    if named:
        header_row = _row_with(rows, named, detected)
        if header_row is None:
            raise InputError([Problem(source, None, None, "no row has the mapped column headers "
                                                          + ", ".join(repr(v) for v in named))])
        if detected is None or detected.header_row != header_row:
            detected = Layout(header_row, _roles_of(rows[header_row]))
    elif detected is None:
        detected = Layout(None, {}) if wanted else _content_layout(rows, source, lines) or Layout(None, {})
    if not wanted:
        if not detected.columns:
            raise InputError([Problem(source, lines[0] if lines else 1, None,
                                      "cannot recognise a header row with a date and an amount column; map the "
                                      "columns once, e.g. --map date=1 --map amount=3 --map payer=2 "
                                      "--save-profile MYBANK")])
        return detected
    header = rows[detected.header_row] if detected.header_row is not None else []
    names = [normalize_header(v) for v in header]
    width = max(map(len, rows[:SAMPLE]), default=0)
    outside = [f"{role}={v}" for role, v in wanted.items() if v.isdigit() and not 1 <= int(v) <= width]
    if outside:
        raise InputError([Problem(source, None, None, f"--map {', '.join(outside)}: the file has {width} columns "
                                                      f"(positions 1 to {width})")])
    mapped = {role: (int(v) - 1 if v.isdigit() else names.index(normalize_header(v))) for role, v in wanted.items()}
    columns = {role: [c for c in cols if c not in mapped.values()] for role, cols in detected.columns.items()}
    if wanted.keys() & {"amount", "credit", "debit"}:  # money mapped: detected money columns step aside
        for role in ("amount", "credit", "debit", "dc"):
            if role not in wanted:
                columns.pop(role, None)
    for role, col in mapped.items():
        columns[role] = [col]
    return Layout(detected.header_row, {role: cols for role, cols in columns.items() if cols})


_DATE_CELL = re.compile(r"^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$")
_MONEY_CELL = re.compile(r"^[+-]?\d{1,3}(?:[.,' ]?\d{3})*[.,]\d{2}$")


def _content_layout(rows: list[list[Any]], source: str, lines: list[int]) -> Layout | None:
    """Columns of a header-less file from its content: the first date column, the amount among the
    two-decimal columns (a running balance that moves by it proves which), a currency-code column,
    the longest text as memo. None when there is no date or amount; InputError when two columns could
    be the amount."""
    sample = [r for r in rows[:300] if sum(v not in (None, "") for v in r) >= 2]
    if len(sample) < 2:
        return None
    width = max(len(r) for r in sample)

    def cells(col: int) -> list[str]:
        return [str(r[col]).strip() for r in sample if col < len(r) and str(r[col] or "").strip()]

    def share(col: int, test: Any) -> float:
        found = cells(col)
        return sum(1 for v in found if test(v)) / len(found) if found else 0.0

    dates = [c for c in range(width) if share(c, _DATE_CELL.match) >= 0.9]
    money = [c for c in range(width) if share(c, _MONEY_CELL.match) >= 0.9]
    if not dates or not money:
        return None
    columns: dict[str, list[int]] = {"date": [dates[0]]}
    comma = _decimal_comma([v for c in money for v in cells(c)])
    values = {c: [_money(_cell(r, c), comma) for r in sample] for c in money}
    days = cells(dates[0])
    newest_first = _date_key(days[0]) > _date_key(days[-1])
    split = _credit_debit_by_balance(money, values, newest_first)
    if split:
        columns["credit"], columns["debit"], columns["balance"] = [split[0]], [split[1]], [split[2]]
    elif len(money) == 1:
        columns["amount"] = money
    else:
        proven = [(a, b) for a in money for b in money if a != b and _runs(values[a], values[b], newest_first)]
        amounts = {a for a, _ in proven}
        if len(amounts) != 1:
            listed = ", ".join(f"column {c + 1}" for c in money)
            raise _ambiguous(source, lines[0] if lines else 1, f"no header row, and {listed} could each be the amount",
                             "--map date=N --map amount=N (1-based positions)")
        (amount, balance), = [p for p in proven if p[0] in amounts][:1]
        columns["amount"], columns["balance"] = [amount], [balance]
    currency = [c for c in range(width) if cells(c) and all(v.upper() in CURRENCIES for v in cells(c))]
    if currency:
        columns["currency"] = currency[:1]
    used = {c for cols in columns.values() for c in cols}
    texts = [(sum(map(len, cells(c))) / max(len(cells(c)), 1), c) for c in range(width)
             if c not in used and share(c, lambda v: bool(re.search(r"[^\W\d_]{3}", v))) >= 0.5]
    if texts:
        columns["memo"] = [max(texts)[1]]
    return Layout(None, columns)


def _credit_debit_by_balance(money: list[int], values: dict[int, list[Decimal | None]],
                             newest_first: bool) -> tuple[int, int, int] | None:
    """(credit, debit, balance) columns when two columns are never filled on the same line and a
    running balance moves up by one and down by the other; None when nothing proves it."""
    for x in money:
        for y in money:
            if x >= y or any(a is not None and b is not None and a and b for a, b in zip(values[x], values[y])):
                continue
            net = [(a or 0) - (b or 0) if (a is not None or b is not None) else None
                   for a, b in zip(values[x], values[y])]
            for balance in money:
                if balance in (x, y):
                    continue
                if _runs(net, values[balance], newest_first):
                    return x, y, balance
                if _runs([-v if v is not None else None for v in net], values[balance], newest_first):
                    return y, x, balance
    return None


def _runs(amounts: list[Decimal | None], balances: list[Decimal | None], newest_first: bool = False) -> bool:
    """True when ``balances`` is a running balance moved by ``amounts`` (the balance after or before
    each line, read in date order), over at least two moves."""
    pairs = [(a, b) for a, b in zip(amounts, balances) if a is not None and b is not None]
    if newest_first:
        pairs.reverse()
    if len(pairs) < 3:
        return False
    steps = list(zip(pairs, pairs[1:]))
    return all(b2 == b1 + a2 for (_, b1), (a2, b2) in steps) or all(b2 == b1 + a1 for (a1, b1), (_, b2) in steps)


def _date_key(text: str) -> tuple[int, ...]:
    """A date text as (year, month, day) for ordering only: 4-digit group first or last."""
    groups = [int(g) for g in re.findall(r"\d+", text)]
    if len(groups) == 1 and len(text) == 8:
        return (groups[0],)
    return tuple(groups if groups and groups[0] > 31 else groups[::-1])


def _roles_of(header: Sequence[Any]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = {}
    for col, value in enumerate(header):
        role = header_role(value)
        if role:
            columns.setdefault(role, []).append(col)
    return columns


def _detected_layout(rows: list[list[Any]]) -> Layout | None:
    best: tuple[int, int] | None = None
    for index, row in enumerate(rows[:60]):
        roles = {header_role(v) for v in row if v not in (None, "")} - {None}
        if "date" in roles and roles & {"amount", "credit", "debit", "dc"}:
            if best is None or len(roles) > best[0]:
                best = (len(roles), index)
    return None if best is None else Layout(best[1], _roles_of(rows[best[1]]))


def _row_with(rows: list[list[Any]], named: list[str], detected: Layout | None) -> int | None:
    order = ([detected.header_row] if detected and detected.header_row is not None else []) + list(range(min(60, len(rows))))
    for index in order:
        names = {normalize_header(v) for v in rows[index]}
        if all(normalize_header(v) in names for v in named):
            return index
    return None


def _cell(row: Sequence[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    value = row[col]
    if value.__class__ is str:
        return value.strip() or None
    return value


def _blank(row: Sequence[Any]) -> bool:
    """True when every cell is empty or blank text."""
    try:
        return not "".join(row).strip()  # a text file's row: one join
    except TypeError:  # a spreadsheet row: numbers, dates, None
        return not any(v.strip() if isinstance(v, str) else v is not None for v in row)


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
    if value.__class__ is str:
        if not decimal_comma and _PLAIN_NUMBER.match(value):
            return Decimal(value)  # the common case first
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif not decimal_comma and _PLAIN_NUMBER.match(value):
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


def _language(header: Sequence[Any], rows: Sequence[Sequence[Any]] = ()) -> str:
    """ja or zh when the header's words or the rows' text say so (kana are Japanese; simplified
    characters and words such as 交易/余额 Chinese); '' when they don't, kanji alone deciding nothing.
    Simplified characters in the header decide before Japanese words, which sit inside Chinese ones
    (收入金额 holds 入金)."""
    text = "".join(str(v) for v in header if v)
    sample = "".join(str(v) for row in rows[:200] for v in row if isinstance(v, str))
    if _KANA.search(text) or _KANA.search(sample):
        return "ja"
    if ZH_CHARS & set(text):
        return "zh"
    if JA_CHARS & set(text) or any(w in text for w in JA_WORDS):
        return "ja"
    if ZH_CHARS & set(sample) or any(w in text for w in ZH_WORDS):
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


def _unnamed_header(rows: list[list[Any]], layout: Layout) -> int | None:
    """Index of a header row above columns mapped by position: a first non-empty row whose date
    and money cells hold no date and no number (its headers just had no known name)."""
    first = next((i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)), None)
    if first is None:
        return None
    row = rows[first]
    cells = [_cell(row, c) for role in ("date", "amount", "credit", "debit") for c in layout.columns.get(role, [])]
    if any(v is not None and not isinstance(v, str) for v in cells):
        return None
    return first if all(v is None or not re.search(r"\d", v) for v in cells) else None


def _payer_memo(row: Sequence[Any], layout: Layout) -> tuple[str, str, str]:
    """(payer, memo, raw text) of a row: the payer column, else the payer named in the description."""
    texts = [_unquoted(str(v)) for v in [_cell(row, c) for c in layout.columns.get("memo", ())] if v is not None]
    payer = _cell(row, layout.first("payer"))
    description = " ".join(texts)
    raw = " | ".join(([str(payer)] if payer is not None else []) + texts)
    if payer is not None:
        return str(payer), description, raw
    found = describe(description)
    return found.payer, found.memo, raw


def _unquoted(text: str) -> str:
    """'text' -> text: some banks (ASN) quote descriptions with apostrophes inside the CSV field."""
    return text[1:-1].strip() if len(text) > 1 and text[0] == text[-1] == "'" else text


def _content(row: Sequence[Any]) -> str:
    """The row as the file holds it (cells NUL-separated; the fingerprint folds whitespace): what
    identifies it whatever the mapping."""
    try:
        return "\0".join(row).rstrip("\0")
    except TypeError:  # a spreadsheet row: numbers, dates, None
        return "\0".join("" if v is None else str(v) for v in row).rstrip("\0")


SAMPLE = 5000  # rows looked at when deciding how the money columns read


def _numbers(body: list[tuple[int, list[Any]]], col: int, decimal_comma: bool) -> tuple[list[Decimal | None], int]:
    """The column's amounts over the sample (None where empty or not a number) and how many cells are text."""
    out: list[Decimal | None] = []
    texts = 0
    for _, row in body[:SAMPLE]:
        try:
            out.append(_money(_cell(row, col), decimal_comma))
        except (ValueError, ArithmeticError):
            out.append(None)
            texts += _cell(row, col) is not None
    return out, texts


def _ambiguous(source: str, line: int | None, what: str, fixes: str) -> InputError:
    return InputError([Problem(source, line, "amount", f"{what}; two readings are possible, so nothing is "
                                                       f"imported: settle it with {fixes}")])


def settle_money(layout: Layout, body: list[tuple[int, list[Any]]], decimal_comma: bool, header: Sequence[Any],
                 source: str) -> Layout:
    """Layout whose money columns read one way only, decided from the headers and the values;
    InputError naming the candidate columns and the --map that settles it when two readings remain."""
    def name(col: int) -> str:
        text = str(header[col]).strip() if col < len(header) and header[col] not in (None, "") else str(col + 1)
        return text

    line = body[0][0] if body else None
    columns = {role: list(cols) for role, cols in layout.columns.items()}
    for col in list(columns.get("dc", [])):  # a debit/credit header over numbers is an amount column
        values, texts = _numbers(body, col, decimal_comma)
        numeric = sum(v is not None for v in values)
        if numeric and numeric >= texts:
            columns["dc"].remove(col)
            if any(v < 0 for v in values if v is not None):
                columns.setdefault("amount", []).insert(0, col)
            else:
                raise _ambiguous(source, line, f"column {name(col)!r} is headed debit/credit but holds unsigned "
                                                f"amounts, so it cannot tell money in from money out",
                                 f"--map amount={name(col)!r} (all credits) or --map dc=COLUMN naming the "
                                 "column that marks debits")
    amounts, credits, debits = (columns.get(r, []) for r in ("amount", "credit", "debit"))
    single = credits + debits if bool(credits) != bool(debits) and not amounts else []
    for col in single:  # only a credit (or only a debit) column: a minus sign says it may be signed
        values, _ = _numbers(body, col, decimal_comma)
        if any(v is not None and v < 0 for v in values) and any(v is not None and v > 0 for v in values):
            side = "credits" if col in credits else "debits"
            raise _ambiguous(source, line, f"column {name(col)!r} is headed as {side} only but holds both signs",
                             f"--map amount={name(col)!r} (a signed column) or --map "
                             f"{'credit' if side == 'credits' else 'debit'}={name(col)!r}")
    settled = Layout(layout.header_row, {role: cols for role, cols in columns.items() if cols})
    _check_with_balance(settled, body, decimal_comma, source, name)
    return settled


def _check_with_balance(layout: Layout, body: list[tuple[int, list[Any]]], decimal_comma: bool, source: str,
                        name: Any) -> None:
    """When a running balance proves the money columns read the other way (swapped, or unsigned with
    debits among them), InputError naming the columns; silent when the balance proves nothing."""
    col = layout.first("balance")
    if col is None:
        return
    pairs: list[tuple[Decimal, Decimal]] = []
    for _, row in body[:SAMPLE]:
        try:
            amount = CsvImporter._amount(row, layout, decimal_comma)
            balance = _money(_cell(row, col), decimal_comma)
        except (ValueError, ArithmeticError):
            continue
        if amount is not None and balance is not None:
            pairs.append((amount, balance))
    if len(pairs) < 4:  # three moves at least before a balance may overrule the headers
        return

    def fits(sign: int, absolute: bool = False) -> bool:
        def same(move: Decimal, amount: Decimal) -> bool:
            return abs(move) == abs(amount) if absolute else move == sign * amount
        up = all(same(b - pb, a) for (_, pb), (a, b) in zip(pairs, pairs[1:]))
        down = all(same(pb - b, pa) for (pa, pb), (_, b) in zip(pairs, pairs[1:]))
        return up or down

    if fits(1):
        return
    money = [c for role in ("amount", "credit", "debit") for c in layout.columns.get(role, [])]
    listed = ", ".join(repr(name(c)) for c in money)
    line = body[0][0]
    if fits(-1) and (layout.columns.get("credit") or layout.columns.get("debit")):
        credit, debit = layout.first("credit"), layout.first("debit")
        raise _ambiguous(source, line, f"the running balance {name(col)!r} moves the opposite way to columns "
                                       f"{listed} (credits and debits swapped?)",
                         f"--map credit={name(debit) if debit is not None else 'COLUMN'!r} "
                         f"--map debit={name(credit) if credit is not None else 'COLUMN'!r}")
    if fits(1, absolute=True) and not any(a < 0 for a, _ in pairs):
        raise _ambiguous(source, line, f"column(s) {listed} hold unsigned amounts, but the running balance "
                                       f"{name(col)!r} falls by some of them", "--map dc=COLUMN naming the column "
                                                                              "that marks debits, or --map credit=... "
                                                                              "--map debit=...")


class CsvImporter:
    """Any bank's CSV/TSV export, or the first sheet of a bank's .xlsx/.xls export."""

    name = "csv"

    def detect(self, head: bytes, suffix: str) -> bool:
        return True  # the fallback: tried last

    def read_rows(self, data: bytes, source: str, encoding: str | None = None) -> tuple[list[list[Any]], list[int]]:
        if Path(source).suffix.lower() in SPREADSHEETS or data[:4] == b"PK\x03\x04":
            rows = spreadsheet_rows(data, source)
            return rows, list(range(1, len(rows) + 1))
        text, _ = decode_file(data, source, encoding)
        if "\x00" in text:
            raise InputError([Problem(source, text[: text.index("\x00")].count("\n") + 1, None,
                                      "binary data (NUL byte) in a text file")])
        rows, lines = read_text_table(source, text, strict=False)
        return [list(r) for r in rows], lines

    def parse(self, data: bytes, source: str, options: Options, today: date | None = None) -> list[Statement]:
        if not data.strip():
            raise InputError([Problem(source, 1, None, "the file is empty")])
        rows, lines = self.read_rows(data, source, options.encoding)
        if not any(any(v not in (None, "") for v in r) for r in rows):
            raise InputError([Problem(source, 1, None, "the file is empty")])
        layout = find_layout(rows, options, source, lines)
        if layout.header_row is None and layout.first("date") is not None:
            layout.header_row = _unnamed_header(rows, layout)
        start = 0 if layout.header_row is None else layout.header_row + 1
        header = rows[layout.header_row] if layout.header_row is not None else []
        body = list(zip(lines[start:], rows[start:]))
        money_roles = ("amount", "credit", "debit", "dc")
        decimal_comma = _decimal_comma([_cell(r, c) for _, r in body[:SAMPLE] for role in money_roles
                                        for c in layout.columns.get(role, [])])
        if not dict(options.mapping).keys() & set(money_roles):
            layout = settle_money(layout, body, decimal_comma, header, source)
        col = layout.first
        money_cols = [c for role in money_roles[:3] for c in layout.columns.get(role, [])]
        if not money_cols or col("date") is None:
            raise InputError([Problem(source, layout.header_row and lines[layout.header_row], None,
                                      "no date and amount (or credit/debit) columns: map them, e.g. --map date=1 "
                                      "--map amount=3 (header names or 1-based positions)")])
        # When every date fits both orders and the order of the rows does not tell either, a decimal
        # comma means a European bank (day first) and a dollar sign a North American one (month first).
        # the currency is read from the lines above the header, the header and the money and currency cells:
        # never from a payer's or memo's text ("paid with $ card", "Euro Café € Shop")
        said = rows[:start] + [[_cell(r, c) for c in (*money_cols, *layout.columns.get("currency", ()))]
                               for r in rows[start:start + 200]]
        hint = "dmy" if decimal_comma else "mdy" if _currency_guess(said, "") == "USD" else None
        c_date, c_status, c_currency, c_ref, c_account = map(col, ("date", "status", "currency", "ref", "account"))
        distinct = list(dict.fromkeys(map(_cell, islice(rows, start, None), repeat(c_date))))  # each date text once
        dates = DateColumn(distinct, options, today or date.today(), source, hint)
        language = _language(header, rows[start:start + 200])  # it reads no more (a large file is not copied)
        currency_default = options.currency or _currency_guess(said, language, header) or options.home_currency
        account_default = _preamble_account(rows[:layout.header_row or 0])
        kind = Path(source).suffix.lower().lstrip(".") if Path(source).suffix.lower() in SPREADSHEETS else "csv"
        statement = Statement(source, kind, account=account_default, currency=currency_default,
                              line=(lines[layout.header_row] if layout.header_row is not None else 1))
        # rows without a good date after the last good row are trailers (balances, notes), unless one carries
        # money beside a date-like cell ("2026-13-45"): that is a payment the import would lose
        trailers: list[tuple[Problem, bool, bool]] = []  # (problem, carries money, date-like)
        del rows[start:], lines[start:]  # from here each row lives in ``body`` only, and is let go once read
        for index in range(len(body)):
            line, row = body[index]
            body[index] = None  # type: ignore[call-overload]  # the row is let go once read
            if _blank(row):
                continue
            raw_date = _cell(row, c_date)
            try:
                booked = dates.parse(raw_date) if raw_date is not None else None
            except (ValueError, TypeError) as exc:
                if not _is_totals_row(row):
                    trailers.append((Problem(source, line, "date", str(exc)),
                                     any(_cell(row, c) is not None for c in money_cols),
                                     any(ch.isdigit() for ch in str(raw_date))))
                continue
            if booked is None:
                if not _is_totals_row(row) and any(_cell(row, c) is not None for c in money_cols):
                    trailers.append((Problem(source, line, "date", "is empty"), True, False))
                continue
            if trailers:  # a bad row between good rows is an error, not a trailer
                raise InputError([trailers[0][0]])
            if c_status is not None:
                status = normalize_header(_cell(row, c_status))
                if status and any(word in status for word in PENDING_WORDS):
                    statement.skip("pending", line)
                    continue
            try:
                amount = self._amount(row, layout, decimal_comma)
            except ValueError as exc:
                raise InputError([Problem(source, line, "amount", str(exc))]) from None
            if amount is None:
                neutral = layout.first("dc") is not None and _money(_cell(row, layout.first("amount")), decimal_comma)
                statement.skip("neither in nor out" if neutral else "no amount", line)
                continue
            cell_currency = str(_cell(row, c_currency) or "").upper() if c_currency is not None else ""
            currency = cell_currency if cell_currency in CURRENCIES else currency_default
            if currency is None:
                raise InputError([Problem(source, line, "currency", "the file names no currency; pass --currency "
                                                                    "(or save it in a profile)")])
            payer, memo, raw = _payer_memo(row, layout)
            ref = _cell(row, c_ref)
            account = _cell(row, c_account) or account_default
            statement.lines.append(BankLine(booked, amount, currency, payer, memo, "" if ref is None else str(ref),
                                            str(account), line, raw, _content(row)))
        lost = [problem for problem, money, dated in trailers if money and dated]
        if lost or (trailers and not statement.lines):
            raise InputError([(lost or [trailers[0][0]])[0]])
        if not statement.lines:
            raise InputError([Problem(source, None, None, "no transactions below the header row")])
        for problem, money, _ in trailers:
            if money:  # an amount below the last transaction without a date: told, not imported
                statement.skip("not a dated transaction", problem.line or 0)
        return [statement]

    @staticmethod
    def _amount(row: Sequence[Any], layout: Layout, decimal_comma: bool) -> Decimal | None:
        credit_cols, debit_cols = layout.columns.get("credit", ()), layout.columns.get("debit", ())
        if credit_cols or debit_cols:
            credit = debit = None
            for c in credit_cols:
                credit = _money(_cell(row, c), decimal_comma)
                if credit:
                    break
            for c in debit_cols:
                debit = _money(_cell(row, c), decimal_comma)
                if debit:
                    break
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
