"""Customer ledgers (得意先元帳 / 客户帐本): every invoice and payment of a client with a running balance."""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pandas as pd

from .book.base import Report
from .matching.engine import APPLIED_STATUSES, FEE_RULE

HEADERS = {"en": ["Date", "Document", "Description", "Currency", "Debit", "Credit", "Balance"],
           "ja": ["日付", "伝票番号", "摘要", "通貨", "借方", "貸方", "残高"],
           "zh": ["日期", "单据号", "摘要", "币种", "借方", "贷方", "余额"]}
WORDS = {"en": ("Invoice", "Payment", "Bank fee deducted"), "ja": ("請求", "入金", "振込手数料（先方負担差引）"),
         "zh": ("发票", "收款", "银行手续费（对方扣除）")}
KINDS = ["date", "text", "text", "text", "money", "money", "money"]


def sheet_name(customer_id: str) -> str:
    """The ledger sheet's name: ``Ledger <Customer ID>``, within Excel's 31 characters and rules."""
    return ("Ledger " + re.sub(r"[\[\]:*?/\\]", "_", str(customer_id)))[:31]


def ledger_report(customer: dict, invoices: pd.DataFrame, allocations: pd.DataFrame, bank: pd.DataFrame) -> Report:
    """One client's ledger: invoices as debits, payments and deducted fees as credits, oldest first."""
    cid = customer["Customer ID"]
    language = customer.get("Language") if customer.get("Language") in HEADERS else "en"
    invoice_word, payment_word, fee_word = WORDS[language]
    events: list[tuple[Any, int, str, str, str, Decimal | None, Decimal | None]] = []
    mine = invoices[invoices["Customer ID"] == cid]
    for number, issued, currency, amount in zip(mine["Invoice No"], mine["Issue Date"], mine["Currency"],
                                                mine["Amount"]):
        events.append((issued, 0, number, invoice_word, currency, amount, None))
    lines = bank.set_index("Bank Ref")
    paid: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    applied = allocations[(allocations["Customer ID"] == cid) & allocations["Status"].isin(APPLIED_STATUSES)]
    for ref, amount, rule in zip(applied["Bank Ref"], applied["Applied Amount"], applied["Rule"]):
        if rule == FEE_RULE:
            fees[ref] -= amount
        else:
            paid[ref] += amount
    for ref in sorted(set(paid) | set(fees)):
        if ref not in lines.index:
            continue
        day, currency, payer = lines.loc[ref, "Date"], lines.loc[ref, "Currency"], lines.loc[ref, "Payer"]
        cash = paid[ref] - fees[ref]
        events.append((day, 1, ref, f"{payment_word} {payer or ''}".strip(), currency, None, cash))
        if fees[ref]:
            events.append((day, 2, ref, fee_word, currency, None, fees[ref]))
    balance: dict[str, Decimal] = defaultdict(Decimal)
    rows = []
    for day, _, document, text, currency, debit, credit in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        balance[currency] += (debit or 0) - (credit or 0)
        rows.append([day, document, text, currency, debit, credit, balance[currency]])
    return Report(sheet_name(cid), HEADERS[language], KINDS, rows)
