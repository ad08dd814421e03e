"""Synthetic incoming payments with a ground truth, as Japanese, Chinese and US banks print them.

Every situation cash application meets: exact payments with mangled invoice numbers, no
memo at all, bank fees deducted by the payer, several invoices paid together (with and
without a fee), partial payments, overpayments, subscription clients paying the same amount
monthly, third parties paying for a client, and credits that pay nothing. Payer names are
rendered per bank: half-width katakana with company marks for Zengin, full Chinese names,
upper-case English without punctuation. Used by ``samples/``, the demo and the benchmarks.
"""
from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import pandas as pd

from arbook.domain.matching.normalize import name_key
from arbook.domain.matching.readings import reading
from samplegen.realism import Realism
from samplegen.samplebank import Account, SynthLine, bank_kana, bank_csv, camt053, zengin_03

FORMS = {"株式会社": "カ", "有限会社": "ユ", "合同会社": "ド"}
LANGUAGE_FILES = {"ja": "zengin_03.txt", "zh": "bank_cn_gb18030.csv", "en": "camt053_usd.xml"}
ZENGIN_ACCOUNT = Account()
CAMT_ACCOUNT = Account(currency="USD", iban="US00ARBK0000012345678")
# Fees payers deduct although the master states none (Fee Deduction 0): what their banks really
# charge (Japanese transfer fees with 10% / 8% tax, net banks; a wire's intermediary charges; 手续费).
REAL_FEES = {"JPY": [Decimal(v) for v in (110, 154, 165, 220, 275, 330, 385, 440, 495, 550, 660, 770, 880, 990, 432,
                                          648, 864, 324, 540, 145, 229)],
             "USD": [Decimal(v) for v in (10, 12, 15, 20, 25, 30, 35, 40, 45)],
             "CNY": [Decimal(v) for v in ("0.5", "1", "2", "5", "10", "15", "20", "25", "50")]}
# Of the wires a client pays short by a fee its master does not state, the share whose camt.053 states
# the instructed amount (the charge then is an odd intermediary charge, e.g. USD 14.37, not a round one).
STATED_CHARGES = 0.4
KIND_WEIGHTS = {"exact_memo": 34, "exact_plain": 18, "fee": 14, "multi": 10, "multi_fee": 4, "partial": 5,
                "over": 3, "third_party": 5, "unpaid": 7}


@dataclass
class Payment:
    """One bank line and the truth about it: which client paid which invoices (none for noise)."""

    language: str
    line: SynthLine
    customer: str | None
    invoices: tuple[str, ...]
    kind: str
    bank_ref: str = ""
    applied: dict[str, Decimal] = field(default_factory=dict)
    phenomena: tuple[str, ...] = ()  # kanji_only, homonym, truncated, third_party: what makes it hard


def invoice_digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def mangle(rng: random.Random, number: str, language: str) -> str:
    """An invoice number as payers type it: INV-1042, INV 1042, inv-1042., ＩＮＶ－１０４２, 1042..."""
    digits = invoice_digits(number)
    forms = [number, number.replace("-", " "), number.lower() + ".", digits,
             unicodedata.normalize("NFKC", number).translate(str.maketrans(
                 "INV-0123456789", "ＩＮＶ－０１２３４５６７８９")),
             number.replace("-", "")]
    forms += {"ja": [f"ｾｲｷﾕｳ{digits}"], "zh": [f"付款{number}", f"货款 {number}"],
              "en": [f"Invoice {digits}", f"PAYMENT {number}"]}[language]
    return rng.choice(forms)


ZENGIN_PAYER_BYTES = 48  # the Zengin payer field: longer names are cut (pack() cuts the record field)
ZH_PAYER_CHARS = 12       # a Chinese bank's export cutting 对方户名 at 24 GBK bytes
EN_PAYER_CHARS = {"ACH": 16, "wire": 35}  # ACH company name field; a SWIFT name line
FACTORS = {"ja": ["ｶ)ﾐﾗｲﾌｱｸﾀ-", "ｶ)ｼﾞﾔﾊﾟﾝﾌｱｸﾀﾘﾝｸﾞ"], "zh": ["平安商业保理有限公司", "中信保理服务有限公司"],
           "en": ["BLUEVINE CAPITAL", "RIVIERA FACTORING LLC"]}
GIVEN = {"ja": ["ﾀﾛｳ", "ｲﾁﾛｳ", "ｹﾝｼﾞ", "ﾋﾛｼ", "ﾖｳｺ", "ﾏｻｵ"], "zh": ["伟", "芳", "娜", "敏", "静", "强"],
         "en": ["JOHN", "MARY", "DAVID", "SUSAN", "ROBERT", "LINDA"]}
JA_FAMILY = ["ﾔﾏﾀﾞ", "ｻﾄｳ", "ｽｽﾞｷ", "ﾀｶﾊｼ", "ｲｹﾀﾞ", "ﾓﾘ", "ﾊﾔｼ", "ｺﾊﾞﾔｼ"]
ZH_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]
EN_SURNAMES = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS", "WILSON"]


def third_party_payers(customers: pd.DataFrame, share: float, seed: int = 13) -> dict[str, str]:
    """Which clients someone else pays for, and the payer their bank prints: a factoring company
    (shared by several clients), the parent (paying for two or three group companies) or a director."""
    rng = random.Random(seed)
    records = customers.to_dict("records")
    chosen = [r for r in records if rng.random() < share]
    payers: dict[str, str] = {}
    index = 0
    while index < len(chosen):
        record, language = chosen[index], chosen[index]["Language"]
        style = rng.random()
        if style < 0.4:
            payers[record["Customer ID"]] = rng.choice(FACTORS[language])
            index += 1
            continue
        if style < 0.7:
            group = [c for c in chosen[index:index + rng.randint(2, 3)] if c["Language"] == language]
            payer = {"ja": f"ｶ){rng.choice(JA_FAMILY)}ﾎ-ﾙﾃﾞｲﾝｸﾞｽ",
                     "zh": f"{rng.choice(['华东', '华南', '远东'])}{rng.choice(['控股', '投资'])}集团有限公司",
                     "en": f"{rng.choice(['ATLAS', 'ORION', 'APEX'])} GROUP HOLDINGS"}[language]
        else:
            group = [record]
            payer = {"ja": f"{rng.choice(JA_FAMILY)} {rng.choice(GIVEN['ja'])}",
                     "zh": f"{rng.choice(ZH_SURNAMES)}{rng.choice(GIVEN['zh'])}",
                     "en": f"{rng.choice(GIVEN['en'])} {rng.choice(EN_SURNAMES)}"}[language]
        for member in group:
            payers[member["Customer ID"]] = payer
        index += len(group)
    return payers


def bank_cut(rng: random.Random, payer: str, language: str) -> str:
    """The payer as the bank's field holds it: Zengin 48 half-width columns, a Chinese export's
    10 to 12 characters, 16 (ACH) or 35 (wire) characters in the US."""
    if language == "ja":
        return payer.encode("cp932")[:ZENGIN_PAYER_BYTES].decode("cp932", "ignore")
    if language == "zh":
        return payer[:ZH_PAYER_CHARS - len(payer) % 3]  # banks differ: 10, 11 or 12
    return payer[:EN_PAYER_CHARS["ACH" if rng.random() < 0.3 else "wire"]].rstrip()


JA_PLACES = ["ﾌｸｵｶ", "ｵｵｻｶ", "ﾅｺﾞﾔ", "ｾﾝﾀﾞｲ", "ﾄｳｷﾖｳ", "ﾁﾊﾞ", "ｻｲﾀﾏ"]
JA_BRANCH_KINDS = ["ｼﾃﾝ", "ｼﾃﾝ", "ｴｲｷﾞﾖｳｼﾖ", "(ｴｲ", "(ｼﾕﾂ"]  # 支店, 営業所 spelled out or abbreviated, 出張所
ZH_BRANCHES = ["北京分公司", "上海分公司", "广州分公司", "深圳分公司"]
EN_BRANCHES = ["DALLAS BRANCH", "NY BRANCH", "BRANCH", "WEST DIV"]
JA_SPELLED = {"ｶ": "ｶﾌﾞｼｷｶﾞｲｼﾔ", "ﾕ": "ﾕｳｹﾞﾝｶﾞｲｼﾔ", "ﾄﾞ": "ｺﾞｳﾄﾞｳｶﾞｲｼﾔ"}
EN_SHORT = {"MANUFACTURING": "MFG", "SYSTEMS": "SYS", "HOLDINGS": "HLDGS", "INDUSTRIES": "INDS", "ELECTRONICS": "ELEC",
            "INTERNATIONAL": "INTL", "PACKAGING": "PKG", "TECHNOLOGIES": "TECH", "SUPPLIES": "SUPPLY",
            "CONSULTING": "CONSULT", "LOGISTICS": "LOGIST", "PARTNERS": "PTNRS"}
EN_VARIANTS = [("INC", "INCORPORATED"), ("CORP", "CORPORATION"), ("LTD", "LIMITED"), ("LTD", "CO LTD"),
               ("PTE LTD", "PTE LIMITED"), ("LLC", "L L C"), ("GMBH", "G M B H")]


def payer_variant(rng: random.Random, payer: str, customer: dict, language: str, kind: str) -> str:
    """``payer`` as it also reaches the bank file: a branch paying (``branch``), the company form
    spelled out (``spelled_form``), another spelling of the name (``name_variant``), bank text around
    it (``bank_noise``). ``kind`` says which."""
    if kind == "branch" and language == "ja":  # ｶ)ﾅｶﾑﾗ ﾌｸｵｶｼﾃﾝ; ﾅｶﾑﾗ(ｶ)ﾁﾊﾞｼﾃﾝ: the form mark closed before the branch
        branch = rng.choice(JA_PLACES) + rng.choice(JA_BRANCH_KINDS)
        mark = next((m for m in JA_SPELLED if payer.endswith("(" + m)), None)
        return f"{payer}){branch}" if mark else f"{payer} {branch}"
    if kind == "branch":
        return f"{payer} {rng.choice({'zh': ZH_BRANCHES, 'en': EN_BRANCHES}[language])}"
    if kind == "spelled_form" and language == "ja":
        for mark, spelled in sorted(JA_SPELLED.items(), key=lambda m: -len(m[0])):
            if payer.startswith(mark + ")"):
                return f"{spelled} {payer[len(mark) + 1:]}"
            if payer.endswith("(" + mark):
                return f"{payer[:-len(mark) - 1]} {spelled}"
        return payer
    if kind == "name_variant":
        if language == "zh":  # the same legal form written another way
            for written, other in (("股份有限公司", "股份公司"), ("有限公司", "有限责任公司")):
                if payer.endswith(written):
                    return payer[:-len(written)] + other
            return payer
        if language == "en":
            words = payer.split()
            style = rng.random()
            if style < 0.5:
                for short, long_ in EN_VARIANTS:
                    if payer.endswith(" " + short):
                        return payer[:-len(short)] + long_
            if style < 0.65:
                return "THE " + payer
            if style < 0.85:  # abbreviated as ACH originators do to fit 16 characters
                short = " ".join(EN_SHORT.get(w, w) for w in words)
                if short != payer:
                    return short
            return payer.replace(" ", " & ", 1) if len(words) > 2 else payer.replace(" ", "-", 1)
        return payer
    if kind == "bank_noise":
        if language == "ja":
            return f"ﾌﾘｺﾐ {payer}" if rng.random() < 0.6 else f"{payer} {rng.randrange(10_000, 999_999)}"
        if language == "en":
            return f"{payer} {rng.randrange(10**7, 10**9)}"
        return payer
    return payer


def nacha_addenda(rng: random.Random, memo: str) -> str:
    """A camt remittance text as US banks fill it from an ACH CCD+ entry: originator id, SEC code,
    trace number, individual id, and the payer's RMR remittance segment."""
    trace = f"{rng.randrange(10**14, 10**15)}"
    rmr = f" RMR*IV*{memo.split()[0]}**\\" if memo else ""
    return (f"ORIG ID:{rng.randrange(10**9, 10**10)} SEC:CCD TRACE#:{trace} "
            f"IND ID:{rng.randrange(10**5, 10**6)}{rmr} {memo}").strip()


def payer_name(rng: random.Random, customer: dict, language: str, reading: str = "") -> str:
    """The client's name as its bank prints it on the statement (``reading``: its true kana
    when the master holds none)."""
    name = customer["Name"]
    if language == "ja":
        kana = customer.get("Name Kana") or reading
        form = next((f for f in FORMS if f in name), None)
        style = rng.random()
        if style < 0.4:
            text = bank_kana(kana, FORMS.get(form or "", None), before=bool(form and name.startswith(form)))
        elif style < 0.6:
            text = bank_kana(kana, FORMS.get(form or "", None), before=not (form and name.startswith(form)))
        elif style < 0.75:
            plain = bank_kana(kana, None)
            cut = rng.randrange(2, max(3, len(plain) - 1))
            while cut < len(plain) and plain[cut] in "ﾞﾟ":  # a voiced mark stays with its kana
                cut += 1
            text = plain[:cut] + " " + plain[cut:]
        elif style < 0.85:
            text = f"{customer['Customer ID']} {bank_kana(kana, None)}"
        else:
            text = bank_kana(kana, None)
        return text[:24] if rng.random() < 0.1 else text
    if language == "zh":
        if rng.random() < 0.2:
            for city in ("深圳市", "上海", "北京", "广州", "杭州", "苏州", "天津", "成都", "南京", "宁波"):
                if name.startswith(city):
                    return name[len(city):]
        return name
    words = "".join(ch if ch.isalnum() or ch == " " else " " for ch in name).upper().split()
    if rng.random() < 0.3 and len(words) > 2:
        words = words[:-1]
    return " ".join(words)


def make_payments(rng: random.Random, customers: pd.DataFrame, invoices: pd.DataFrame, plans: dict[str, Decimal],
                  as_of: date, noise_share: float = 0.05, realism: Realism = Realism(),
                  readings: dict[str, str] | None = None) -> list[Payment]:
    """Payments received up to ``as_of`` for the sample's invoices, plus noise credits; with
    ``realism``, names cut by the bank's field and clients paid by third parties (``readings``:
    the clients' true kana, by default ``customers.attrs["readings"]`` from make_customers)."""
    readings = customers.attrs.get("readings", {}) if readings is None else readings
    vary = random.Random(f"payer-variants-{len(customers)}")  # own draws: the rest of the data stays as it was
    variants = [("branch", realism.branches), ("spelled_form", realism.spelled_forms),
                ("name_variant", realism.name_variants), ("bank_noise", realism.bank_noise)]
    derived = {c["Customer ID"]: name_key(reading(c["Name"])) for c in customers.to_dict("records")
               if c["Language"] == "ja" and not c.get("Name Kana")} if realism.reading_variants else {}
    third = third_party_payers(customers, realism.third_parties) if realism.third_parties else {}
    shared = defaultdict(set)
    for cid, kana in readings.items():
        shared[kana].add(cid)
    by_customer: dict[str, list[dict]] = defaultdict(list)
    for record in invoices.sort_values(["Issue Date", "Invoice No"]).to_dict("records"):
        if record["Issue Date"] <= as_of - timedelta(days=5) and not record.get("Disputed"):
            by_customer[record["Customer ID"]].append(record)
    people = {c["Customer ID"]: c for c in customers.to_dict("records")}
    kinds, weights = zip(*KIND_WEIGHTS.items())
    payments: list[Payment] = []
    for cid, open_items in by_customer.items():
        customer = people[cid]
        language = customer["Language"]
        fee_cap = customer.get("Fee Deduction") or Decimal(0)
        index = 0
        while index < len(open_items):
            invoice = open_items[index]
            due = invoice["Due Date"]
            kind = "plan" if cid in plans else rng.choices(kinds, weights)[0]
            stray_fee = bool(realism.stray_fees) and not fee_cap and (kind in ("fee", "multi_fee") or (
                kind in ("exact_memo", "exact_plain") and rng.random() < realism.stray_fees))
            if kind in ("fee", "multi_fee") and not fee_cap and not stray_fee:
                kind = "exact_plain" if kind == "fee" else "multi"
            if stray_fee and kind != "multi_fee":
                kind = "fee"
            group = [invoice]
            if kind in ("multi", "multi_fee"):
                group = open_items[index:index + rng.randint(2, 4)]
                if len(group) < 2:
                    kind = "exact_memo"
            index += len(group)
            if kind == "unpaid":
                continue
            pay_day = min(as_of, max(g["Due Date"] for g in group) + timedelta(days=rng.randint(-10, 12)))
            if pay_day < invoice["Issue Date"]:
                pay_day = invoice["Issue Date"] + timedelta(days=1)
            if due > as_of + timedelta(days=10) and kind != "plan":
                continue
            total = sum((g["Amount"] for g in group), Decimal(0))
            applied = {g["Invoice No"]: g["Amount"] for g in group}
            digits = 0 if customer["Currency"] == "JPY" else 2
            amount = total
            instructed = None
            if stray_fee:
                amount = total - rng.choice(REAL_FEES[customer["Currency"]])
                side = random.Random(f"charge {invoice['Invoice No']}")  # the other lines stay as they were
                if language == "en" and customer["Currency"] == "USD" and side.random() < STATED_CHARGES:
                    amount = total - Decimal(side.randrange(500, 4950, 50) + side.randrange(1, 50)) / 100
                    instructed = total
            elif kind in ("fee", "multi_fee"):
                amount = total - rng.choice([f for f in (Decimal(440), Decimal(660), Decimal(880), fee_cap)
                                             if f <= fee_cap] or [fee_cap])
            elif kind == "partial":
                amount = (total * Decimal(rng.choice([30, 50, 70])) / 100).quantize(Decimal(1).scaleb(-digits))
                applied = {invoice["Invoice No"]: amount}
            elif kind == "over":
                amount = total + Decimal(rng.choice([1000, 5000])) / (1 if digits == 0 else 100)
            memo = ""
            payer = payer_name(rng, customer, language, readings.get(cid, ""))
            if kind in ("exact_memo", "fee", "partial", "over", "third_party", "multi", "multi_fee") and (
                    kind != "multi" or rng.random() < 0.5) and not (stray_fee and rng.random() < 0.5):
                named = group[:1] if (kind.startswith("multi") and realism != Realism()
                                      and rng.random() < 0.3) else group  # the memo names the first only
                memo = " ".join(mangle(rng, g["Invoice No"], language) for g in named)
            phenomena = ["fee_not_stated"] if stray_fee else []
            if instructed is not None:
                phenomena.append("stated_charge")
            if kind == "third_party":
                payer = {"ja": "ｶ)ﾀﾞｲｺｳｼﾔ", "zh": "代付服务有限公司", "en": "GLOBAL PAYMENTS SERVICES"}[language]
            elif cid in third:
                payer = third[cid]
                phenomena.append("third_party")
                if rng.random() < 0.5:
                    memo = ""
            elif language == "ja" and memo and rng.random() < 0.3:
                payer, memo = f"{invoice_digits(invoice['Invoice No'])} {payer}", ""
            if realism != Realism():
                if kind != "third_party" and cid not in third:
                    for variant, share in variants:
                        if share and vary.random() < share:
                            changed = payer_variant(vary, payer, customer, language, variant)
                            if changed != payer:
                                payer = changed
                                phenomena.append(variant)
                            break
                if language == "en" and vary.random() < 0.3:
                    memo = nacha_addenda(vary, memo)
                    phenomena.append("nacha_addenda")
                if cid in derived and derived[cid] != name_key(readings.get(cid, "")):
                    phenomena.append("reading_differs")
                printed = bank_cut(rng, payer, language)
                if printed != payer:
                    payer = printed
                    phenomena.append("truncated")
                if language == "ja" and not customer.get("Name Kana"):
                    phenomena.append("kanji_only")
                if len(shared.get(readings.get(cid, ""), ())) > 1:
                    phenomena.append("homonym")
            payments.append(Payment(language, SynthLine(pay_day, amount, payer, memo, instructed=instructed), cid,
                                    tuple(applied), kind, applied=applied, phenomena=tuple(phenomena)))
    noise_count = max(3, int(len(payments) * noise_share))
    for n in range(noise_count):
        language = rng.choice(["ja", "zh", "en"])
        day = as_of - timedelta(days=rng.randrange(60))
        choice = n % 4
        if choice == 0:
            line = SynthLine(day, Decimal(rng.randrange(1, 300)), {"ja": "ﾘｿｸ", "zh": "利息", "en": "INTEREST"}[language],
                             {"ja": "ﾘｿｸ", "zh": "结息", "en": "INTEREST PAID"}[language])
        elif choice == 1:
            line = SynthLine(day, Decimal(rng.randrange(5_000, 90_000)),
                             {"ja": "ﾀﾅｶ ﾀﾛｳ", "zh": "张伟", "en": "JOHN SMITH"}[language], "")
        elif choice == 2:
            line = SynthLine(day, Decimal(rng.randrange(100_000, 900_000)),
                             {"ja": "ｴ-ｱ-ﾙﾌﾞﾂｸ(ｶ", "zh": "本公司", "en": "OWN ACCOUNT TRANSFER"}[language], "FURIKAE")
        else:
            line = SynthLine(day, -Decimal(rng.randrange(1_000, 50_000)), "", "REFUND")
        if language != "ja" and line.amount == line.amount.to_integral_value():
            line = SynthLine(line.date, line.amount / 100, line.payer, line.memo)
        payments.append(Payment(language, line, None, (), "noise"))
    payments.sort(key=lambda p: (p.line.date, p.language))
    return payments


ZENGIN_EDI_BYTES = 20
_FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def zengin_edi(memo: str) -> str:
    """A memo as the Zengin EDI field holds it: half-width only (full-width letters and digits
    are sent half-width), cut at 20 bytes between characters."""
    return memo.translate(_FULL_WIDTH_ASCII).encode("cp932", "replace")[:ZENGIN_EDI_BYTES].decode("cp932", "ignore")


def write_bank_files(payments: list[Payment], out_dir: Path, as_of: date) -> list[Path]:
    """One file per bank (Zengin 03, GB18030 CSV, camt.053) and the Bank Ref each line gets on import."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for language, name in LANGUAGE_FILES.items():
        mine = [p for p in payments if p.language == language]
        if not mine:
            continue
        lines = []
        for n, payment in enumerate(mine, start=1):
            ref = f"{n:08d}" if language == "ja" else f"{'CN' if language == 'zh' else 'US'}{n:08d}"
            memo = zengin_edi(payment.line.memo) if language == "ja" else payment.line.memo
            line = SynthLine(payment.line.date, payment.line.amount, payment.line.payer, memo, ref,
                             payment.line.instructed)
            lines.append(line)
            payment.bank_ref = (f"{ZENGIN_ACCOUNT.bank_code:04d}-{ZENGIN_ACCOUNT.branch_code:03d}-"
                                f"{ZENGIN_ACCOUNT.number}:{line.date:%Y%m%d}:{n}") if language == "ja" else ref
        if language == "ja":
            data = zengin_03(ZENGIN_ACCOUNT, Decimal(5_000_000), lines, as_of)
        elif language == "zh":
            data = bank_csv("cn", lines, account="6222020200112233")
        else:
            data = camt053(CAMT_ACCOUNT, Decimal("25000.00"), lines, datetime.combine(as_of, datetime.min.time()))
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def truth_frame(payments: Iterable[Payment]) -> pd.DataFrame:
    """The ground truth: one row per (bank line, invoice) with the amount applied; noise has no invoice."""
    rows = []
    for p in payments:
        base = {"Bank Ref": p.bank_ref, "Kind": p.kind, "Customer ID": p.customer or ""}
        extra = {"Phenomena": ";".join(p.phenomena)} if p.phenomena else {}
        if not p.applied:
            rows.append({**base, "Invoice No": "", "Applied": "", **extra})
        for invoice, amount in p.applied.items():
            rows.append({**base, "Invoice No": invoice, "Applied": str(amount), **extra})
    return pd.DataFrame(rows)
