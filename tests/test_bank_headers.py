"""No header can flip the sign of money: each layout banks really use imports right, and a file
that can be read two ways stops with an error naming the columns and the --map that settles it.

Header names follow real exports: 入出金(円)/入出金内容 (JP net banks), お預り金額/お引出金額 (JA Bank,
../shared corpus), 入金金額/出金金額 (SBI Sumishin), 收入/支出 and 借方发生额/贷方发生额 (CN corporate
banking), Debit/Credit (UK/US), Af Bij + Bedrag (EUR) (ING NL), Soll/Haben (DE), signed Amount.
"""
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import Options, read_statements
from arbook.adapters.bankfiles.csvbank import header_role
from arbook.model.errors import InputError

SIGNED = [D(1000), D(-300), D(50), D(-20), D(5)]
DAYS = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"]


def balances(start=D(10000)):
    out, total = [], start
    for amount in SIGNED:
        total += amount
        out.append(total)
    return out


def split(credit_first=True):
    """(credit cell, debit cell) per row, unsigned."""
    return [(str(a), "") if a > 0 else ("", str(-a)) for a in SIGNED]


def csv_text(header, rows):
    return "\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n"


def variants():
    bal = [str(b) for b in balances()]
    out = {}
    out["入出金(円) signed"] = csv_text(["取引日", "入出金(円)", "入出金内容", "残高(円)"],
                                       [[d, str(a), "振込 ﾔﾏﾀﾞ", b] for d, a, b in zip(DAYS, SIGNED, bal)])
    for name, (credit, debit) in {"入金/出金": ("入金", "出金"), "お預り/お引出": ("お預り金額", "お引出金額"),
                                  "收入/支出": ("收入", "支出"), "贷方/借方": ("贷方发生额", "借方发生额"),
                                  "借方/贷方 short": ("贷方", "借方"), "Debit/Credit": ("Credit", "Debit"),
                                  "Soll/Haben": ("Haben", "Soll"), "Money in/out": ("Money In", "Money Out"),
                                  "入金金額(円)/出金金額(円)": ("入金金額(円)", "出金金額(円)"),
                                  "入金額/出金額": ("入金額", "出金額")}.items():
        out[name] = csv_text(["Date", "Memo", debit, credit, "Balance"],
                             [[d, "x", dr, cr, b] for d, (cr, dr), b in zip(DAYS, split(), bal)])
    out["Af Bij + Bedrag"] = csv_text(["Datum", "Naam / Omschrijving", "Af Bij", "Bedrag (EUR)"],
                                      [[d, "Jansen", "Bij" if a > 0 else "Af", str(abs(a))] for d, a in zip(DAYS, SIGNED)])
    out["Betrag + Soll/Haben S/H"] = csv_text(["Buchungstag", "Umsatz", "Soll/Haben"],
                                              [[d, str(abs(a)), "H" if a > 0 else "S"] for d, a in zip(DAYS, SIGNED)])
    out["signed Amount"] = csv_text(["Date", "Description", "Amount"], [[d, "x", str(a)] for d, a in zip(DAYS, SIGNED)])
    out["Debit/Credit header over signed numbers"] = csv_text(
        ["Date", "Description", "Debit/Credit"], [[d, "x", str(a)] for d, a in zip(DAYS, SIGNED)])
    out["收/支 + 金额"] = csv_text(["交易时间", "收/支", "金额(元)", "交易对方"],
                                 [[d, "收入" if a > 0 else "支出", str(abs(a)), "张三"] for d, a in zip(DAYS, SIGNED)])
    return out


@pytest.mark.parametrize("name,text", sorted(variants().items()))
def test_header_variant_imports_with_the_right_signs(tmp_path, name, text):
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    (statement,) = read_statements(path, Options(currency="JPY"))
    assert [ln.amount for ln in statement.lines] == SIGNED, name


@pytest.mark.parametrize("header,role", [("入出金(円)", "amount"), ("入出金内容", "memo"), ("お引出し金額", "debit"),
                                         ("入出金額", "amount"), ("Withdrawal Amount (USD)", "debit"),
                                         ("Amount in EUR", "amount"), ("收/付款方式", None), ("利用店名・商品名", "memo")])
def test_header_words_are_read_whole_and_longest_first(header, role):
    assert header_role(header) == role


AMBIGUOUS = {
    # a credit-only header over both signs: a signed column, or credits with reversals?
    "credit only, both signs": (csv_text(["Date", "入金"], [[d, str(a)] for d, a in zip(DAYS, SIGNED)]),
                                "--map amount='入金'", (("amount", "入金"),)),
    # a debit/credit header over unsigned numbers: nothing says which are debits
    "debit/credit header, unsigned": (csv_text(["Date", "Memo", "Debit/Credit"],
                                               [[d, "x", str(abs(a))] for d, a in zip(DAYS, SIGNED)]),
                                      "--map amount='Debit/Credit'", None),
    # the running balance proves the columns are the other way round
    "swapped by balance": (csv_text(["Date", "Credit", "Debit", "Balance"],
                                    [[d, dr, cr, str(b)] for d, (cr, dr), b in zip(DAYS, split(), balances())]),
                           "--map credit='Debit' --map debit='Credit'", (("credit", "Debit"), ("debit", "Credit"))),
    # one unsigned amount column, but the balance falls on some lines
    "unsigned amount, falling balance": (csv_text(["Date", "Amount", "Balance"],
                                                  [[d, str(abs(a)), str(b)] for d, a, b in
                                                   zip(DAYS, SIGNED, balances())]), "--map dc=", None),
}


@pytest.mark.parametrize("name", sorted(AMBIGUOUS))
def test_two_readings_stop_with_the_candidates_and_the_map_that_settles_it(tmp_path, name):
    text, hint, settle = AMBIGUOUS[name]
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_statements(path, Options(currency="EUR"))
    message = str(caught.value)
    assert "two readings" in message and hint in message and "\n" not in message
    if settle:
        (statement,) = read_statements(path, Options(currency="EUR", mapping=settle))
        assert [ln.amount for ln in statement.lines] == SIGNED


def test_map_payer_alone_keeps_the_detected_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Date,Amount,Who,Text\n2026-10-01,10,ACME,hello\n", encoding="utf-8")
    (line,) = read_statements(path, Options(currency="USD", mapping=(("payer", "Who"),)))[0].lines
    assert (line.payer, line.amount) == ("ACME", D(10))
    (line,) = read_statements(path, Options(currency="USD", mapping=(("payer", "4"),)))[0].lines
    assert line.payer == "hello"


def test_headerless_debit_credit_columns_are_told_apart_by_the_running_balance(tmp_path):
    """No header: two two-decimal columns never filled together, and a balance that proves which is which."""
    rows = []
    total = D("10000.00")
    for day, amount in zip(DAYS, SIGNED):
        total += amount
        withdrawal, deposit = (f"{-amount:.2f}", "") if amount < 0 else ("", f"{amount:.2f}")
        rows.append(f"{day},Transfer {day},{withdrawal},{deposit},{total:.2f}")
    path = tmp_path / "noheader.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (statement,) = read_statements(path, Options(currency="EUR"))
    assert [ln.amount for ln in statement.lines] == SIGNED


@pytest.mark.parametrize("text,currency", [
    ("取引日,摘要,入出金\n2026/11/25,振込 ｶ)ｻﾄｳｺｳｷﾞﾖｳ,55000\n", "JPY"),  # kanji-only header, kana payer
    ("日付,摘要,入出金\n2026/11/25,山田商事,55000\n", "JPY"),  # Japanese words in the header
    ("交易日期,摘要,收入,支出\n2026-11-25,汇入 上海宏达,5000.00,\n", "CNY"),
])
def test_a_kanji_header_is_told_japanese_or_chinese_by_its_words_and_rows(tmp_path, text, currency):
    path = tmp_path / "k.csv"
    path.write_text(text, encoding="utf-8")
    (statement,) = read_statements(path, Options())
    assert {ln.currency for ln in statement.lines} == {currency}


def test_kanji_that_say_neither_ask_for_the_currency(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Date,Memo,Amount\n2026/11/25,山田商事,100\n", encoding="utf-8")  # 山田商事: ja or zh
    with pytest.raises(InputError, match="--currency"):
        read_statements(path, Options())
