"""Realistic sample data with a fixed seed: ja/zh/en clients, their invoices, subscription plans.

Used for ``samples/`` (``python -m samplegen.sampledata samples`` from ``tools/``), the demo and the benchmarks,
so every figure reported anywhere is reproducible.
"""
from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd

from arbook.model.frames import make_frame
from arbook.adapters.book import new_book, open_book
from arbook.adapters.book.history import history_dir
from arbook.adapters.tabular import read_table_file
from arbook.model.schema import CREDIT_NOTE, CUSTOMERS, FX_RATES, INVOICES
from arbook.services.export import export_csv
from arbook.services.masterdata import import_master
from samplegen.realism import Realism
from samplegen.samplebank import SynthLine, bank_kana
from samplegen.samplepay import Payment, make_payments, truth_frame, write_bank_files

JA_SURNAMES = [("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
               ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
               ("吉田", "ヨシダ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
               ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
               ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"),
               ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"),
               ("後藤", "ゴトウ"), ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"),
               ("坂本", "サカモト"), ("斉藤", "サイトウ"), ("福田", "フクダ"), ("太田", "オオタ"), ("西村", "ニシムラ")]
JA_REGIONS = [("東京", "トウキョウ"), ("大阪", "オオサカ"), ("名古屋", "ナゴヤ"), ("札幌", "サッポロ"), ("福岡", "フクオカ"),
              ("横浜", "ヨコハマ"), ("神戸", "コウベ"), ("京都", "キョウト"), ("仙台", "センダイ"), ("広島", "ヒロシマ"),
              ("北陸", "ホクリク"), ("九州", "キュウシュウ"), ("東海", "トウカイ"), ("関西", "カンサイ"), ("湘南", "ショウナン")]
JA_TRADES = [("商事", "ショウジ"), ("製作所", "セイサクショ"), ("工業", "コウギョウ"), ("物産", "ブッサン"),
             ("電機", "デンキ"), ("建設", "ケンセツ"), ("食品", "ショクヒン"), ("運輸", "ウンユ"), ("興産", "コウサン"),
             ("薬品", "ヤクヒン"), ("精機", "セイキ"), ("印刷", "インサツ")]
JA_FORMS = [("株式会社", "カ"), ("有限会社", "ユ"), ("合同会社", "ド")]
ZH_CITIES = ["上海", "北京", "深圳市", "广州", "杭州", "苏州", "天津", "成都", "南京", "宁波", "重庆", "武汉", "西安",
             "青岛", "厦门", "大连", "长沙", "郑州", "无锡", "佛山"]
ZH_WORDS = ["华贸", "东方科技", "腾达电子", "恒信贸易", "瑞丰实业", "宏远物流", "新世纪材料", "金桥进出口",
            "长城机械", "明珠食品", "海天软件", "中信达", "博远信息", "汇通商贸", "鼎盛建材", "光明纺织", "永安医药",
            "嘉禾农业", "天成化工", "宏达汽配", "新源能源", "金鹏电器", "锦程包装", "华信精密", "安达物流", "众诚咨询",
            "凯旋服饰", "正泰五金", "盛世印务", "银河网络"]
ZH_BRANDS = ["国际", "实业", "华东", "华南", "华北", "西部", "联合", "新华", "恒通", "鑫源", "广达", "中兴", "昌盛",
             "瑞达", "天元", "百川", "东升", "嘉信", "利华", "泰和"]
ZH_FORMS = ["有限公司", "贸易有限公司", "股份有限公司", "科技有限公司"]
EN_FIRST = ["Acme", "Northwind", "Blue Harbor", "Summit", "Redwood", "Pioneer", "Silverline", "Evergreen",
            "Granite", "Lakeside", "Orion", "Beacon", "Maple Leaf", "Atlas", "Crescent", "Harborview", "Ironwood",
            "Keystone", "Lighthouse", "Meridian", "Northstar", "Oakridge", "Pinnacle", "Quantum", "Riverside",
            "Sequoia", "Trident", "Unity", "Vanguard", "Westfield", "Yellowstone", "Zenith", "Bluebird", "Cobalt",
            "Driftwood", "Everest", "Falcon", "Greenleaf", "Horizon", "Juniper"]
EN_TRADES = ["Traders", "Logistics", "Foods", "Systems", "Manufacturing", "Holdings", "Supplies", "Analytics",
             "Industries", "Partners", "Pharma", "Textiles", "Robotics", "Media", "Packaging", "Electronics",
             "Consulting", "Marine", "Energy", "Software"]
EN_REGIONS = ["Pacific", "Atlantic", "Northern", "Southern", "Global", "United", "Central", "Eastern", "Western",
              "Coastal", "Metro", "Continental", "Alpine", "Prairie", "Gulf", "Capital", "Royal", "Frontier", "Delta",
              "Highland"]
EN_FORMS = ["Inc.", "Ltd.", "LLC", "Corp.", "Pte. Ltd.", "GmbH"]
PROFILE = {"ja": ("JPY", [30, 30, 60, 45]), "zh": ("CNY", [30, 45, 60]), "en": ("USD", [30, 15, 45])}
# Trades that sound alike and are written differently: 東和電機 / 東和電器 both read トウワデンキ.
JA_HOMOPHONES = {"電機": ["電器", "電気"], "精機": ["製機"], "工業": ["興業"], "興産": ["鋼産"], "物産": ["物参"],
                 "商事": ["商字"], "建設": ["建節"], "食品": ["色品"], "運輸": ["運油"], "薬品": ["約品"],
                 "製作所": ["制作所"], "印刷": ["印冊"]}
JA_LONG = [("エンジニアリングサービス", "エンジニアリングサービス"), ("インターナショナルトレーディング", "インターナショナルトレーディング"),
           ("ロジスティクスソリューションズ", "ロジスティクスソリューションズ"), ("テクノロジーホールディングス", "テクノロジーホールディングス")]




@dataclass(frozen=True)
class SampleSet:
    """Customers and invoices (typed sheet frames) and which clients are on monthly plans."""

    customers: pd.DataFrame
    invoices: pd.DataFrame
    plans: dict[str, Decimal]


def _amount(rng: random.Random, currency: str, diverse: bool = False) -> Decimal:
    if diverse:  # what real invoices carry: any price plus 10% tax, whole yen / cents
        minor = 0 if currency == "JPY" else 2
        base = Decimal(rng.randrange(3_000, 1_000_000)) if currency == "JPY" else Decimal(rng.randrange(20_000, 2_500_000)) / 100
        return (base * Decimal("1.1")).quantize(Decimal(1).scaleb(-minor))
    if currency == "JPY":
        return Decimal(rng.choice([33000, 55000, 110000, 165000, 220000, 275000, 330000, 495000, 1100000])
                       + rng.randrange(0, 40) * 1100)
    base = Decimal(rng.randrange(20_000, 2_500_000)) / 100
    return base.quantize(Decimal("0.01"))


def make_customers(rng: random.Random, count: int, mix: tuple[float, float, float] = (0.4, 0.3, 0.3),
                   realism: Realism = Realism()) -> pd.DataFrame:
    """``count`` clients, languages in ``mix`` (ja, zh, en), with kana readings and payer aliases,
    and the master-data phenomena of ``realism``."""
    records = []
    used: set[str] = set()
    for n in range(count):
        if records and records[-1]["Language"] == "ja" and realism.homonyms and rng.random() < realism.homonyms:
            records.append(_twin(rng, records[-1], f"C{n + 1:05d}"))
            continue
        language = rng.choices(["ja", "zh", "en"], weights=mix)[0]
        currency, terms = PROFILE[language]
        record = {"Customer ID": f"C{n + 1:05d}", "Language": language, "Currency": currency,
                  "Terms Days": rng.choice(terms)}
        if language == "ja":
            for attempt in range(200):  # real books rarely hold two clients of the same name
                (surname, s_kana), (trade, t_kana) = rng.choice(JA_SURNAMES), rng.choice(JA_TRADES)
                if attempt >= 3:
                    region, r_kana = rng.choice(JA_REGIONS)
                    surname, s_kana = region + surname, r_kana + s_kana
                if surname + trade not in used:
                    break
            used.add(surname + trade)
            form, mark = rng.choice(JA_FORMS)
            prefix = rng.random() < 0.6
            if realism.long_names and rng.random() < realism.long_names:
                (extra, e_kana), (more, m_kana) = rng.sample(JA_LONG, 2)
                trade, t_kana = trade + extra + more, t_kana + e_kana + m_kana
            record["Name"] = f"{form}{surname}{trade}" if prefix else f"{surname}{trade}{form}"
            record["Name Kana"] = record["Reading"] = s_kana + t_kana
            record["Email"] = f"keiri{n + 1}@example.jp"
            if realism.kanji_only and rng.random() < realism.kanji_only:
                record["Name Kana"] = None  # the master holds the kanji name only
            elif rng.random() < 0.3:
                record["Payer Names"] = bank_kana(s_kana + t_kana, mark, before=prefix)
            record["Credit Limit"] = Decimal(rng.choice([1_000_000, 3_000_000, 5_000_000, 10_000_000]))
            record["Fee Deduction"] = Decimal(rng.choice([0, 440, 660, 880]))
        elif language == "zh":
            for attempt in range(200):
                stem = rng.choice(ZH_CITIES) + rng.choice(ZH_WORDS)
                if attempt >= 3:
                    stem = stem[:-2] + rng.choice(ZH_BRANDS) + stem[-2:]
                if stem not in used:
                    break
            used.add(stem)
            record["Name"] = stem + rng.choice(ZH_FORMS)
            record["Email"] = f"caiwu{n + 1}@example.cn"
            record["Credit Limit"] = Decimal(rng.choice([100_000, 300_000, 500_000, 1_000_000]))
            record["Fee Deduction"] = Decimal(rng.choice([0, 0, 50]))
        else:
            for attempt in range(200):
                first, trade = rng.choice(EN_FIRST), rng.choice(EN_TRADES)
                if attempt >= 3:
                    first = f"{first} {rng.choice(EN_REGIONS)}"
                if first + trade not in used:
                    break
            used.add(first + trade)
            record["Name"] = f"{first} {trade} {rng.choice(EN_FORMS)}"
            record["Email"] = f"ap{n + 1}@example.com"
            if rng.random() < 0.3:
                record["Payer Names"] = f"{first} {trade}".upper()
            record["Credit Limit"] = Decimal(rng.choice([10_000, 25_000, 50_000, 100_000]))
            record["Fee Deduction"] = Decimal(rng.choice([0, 15, 25, 35]))
        record.update(_postal(language, n))
        records.append(record)
    frame = make_frame(CUSTOMERS, [{k: v for k, v in r.items() if k != "Reading"} for r in records])
    frame.attrs["readings"] = {r["Customer ID"]: r["Reading"] for r in records if r.get("Reading")}
    return frame


def _twin(rng: random.Random, other: dict, cid: str) -> dict:
    """A Japanese client reading like ``other``: other kanji for the trade when there are some,
    else the same name under another company form or with the form on the other side."""
    name = other["Name"]
    form = next(f for f, _ in JA_FORMS if f in name)
    stem = name.replace(form, "")
    trade = next((t for t in sorted(JA_HOMOPHONES, key=len, reverse=True) if t in stem), None)
    if trade and rng.random() < 0.7:
        stem = stem.replace(trade, rng.choice(JA_HOMOPHONES[trade]))
        form = rng.choice([f for f, _ in JA_FORMS])
    else:
        form = rng.choice([f for f, _ in JA_FORMS if f != form])
    before = rng.random() < 0.6
    kana = other["Reading"]
    return {**other, "Customer ID": cid, "Name": f"{form}{stem}" if before else f"{stem}{form}",
            "Name Kana": kana if rng.random() < 0.75 else None, "Payer Names": None,
            "Email": f"keiri{cid[1:].lstrip('0')}@example.jp", "Reading": kana}


def _postal(language: str, n: int) -> dict[str, str]:
    """A made-up postal address and, for every third client, a contact person (no random draws,
    so the rest of the sample stays as it was)."""
    if language == "ja":
        found = {"Postal Code": f"{100 + n * 7 % 800:03d}-{n * 379 % 10000:04d}",
                 "Address": f"東京都千代田区丸の内{n % 3 + 1}-{n % 9 + 1}-{n % 5 + 1}", "Department": "経理部"}
        contact = ("山田 花子", "佐藤 一郎", "鈴木 次郎")[n % 3]
    elif language == "zh":
        found = {"Postal Code": f"{200000 + n * 10:06d}", "Address": f"上海市浦东新区世纪大道{n + 1}号",
                 "Department": "财务部"}
        contact = ("王芳", "李强", "张伟")[n % 3]
    else:
        found = {"Postal Code": f"{60601 + n:05d}", "Address": f"{100 + n} Main Street, Suite {n + 1}\nChicago, IL",
                 "Department": "Accounts Payable"}
        contact = ("Jane Miller", "John Smith", "Mary Jones")[n % 3]
    if n % 3 == 0:
        found["Contact"] = contact
    return found


def make_invoices(rng: random.Random, customers: pd.DataFrame, count: int, last_issue: date,
                  months: int = 6, plan_share: float = 0.2,
                  realism: Realism = Realism()) -> tuple[pd.DataFrame, dict[str, Decimal]]:
    """About ``count`` invoices over ``months`` months up to ``last_issue``; a share of clients
    are on monthly plans (same amount on the 1st of every month). A few are disputed."""
    ids = customers["Customer ID"].tolist()
    currency = dict(zip(ids, customers["Currency"]))
    terms = dict(zip(ids, customers["Terms Days"]))
    plan_ids = rng.sample(ids, k=max(1, int(len(ids) * plan_share)))
    plans = {cid: _amount(rng, currency[cid], realism.diverse_amounts) for cid in plan_ids}
    first_day = last_issue - timedelta(days=30 * months)
    issued: list[tuple[date, str, Decimal]] = []
    for cid, amount in plans.items():
        day = date(first_day.year, first_day.month, 1)
        while day <= last_issue:
            issued.append((day, cid, amount))
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    span = (last_issue - first_day).days
    while len(issued) < count:
        cid = rng.choice(ids)
        issued.append((first_day + timedelta(days=rng.randrange(span + 1)), cid,
                       _amount(rng, currency[cid], realism.diverse_amounts)))
    issued.sort(key=lambda item: (item[0], item[1]))
    records = []
    for n, (day, cid, amount) in enumerate(issued):
        records.append({"Invoice No": f"INV-{1001 + n}", "Customer ID": cid, "Issue Date": day,
                        "Due Date": day + timedelta(days=terms[cid]), "Currency": currency[cid],
                        "Amount": amount, "Disputed": rng.random() < 0.02 or None})
    return make_frame(INVOICES, records), plans


SAMPLE_SEED = 20261031
SAMPLE_COMPANY = {"Company Name": "株式会社エーアールブック (ARbook Trading K.K.)",
                  "Company Address": "東京都千代田区丸の内1-1-1 / 1-1-1 Marunouchi, Chiyoda-ku, Tokyo",
                  "Payment Instructions": "三菱UFJ銀行 本店 普通 1234567 ｶ)ｴ-ｱ-ﾙﾌﾞﾂｸ / MUFG Bank, Head Office, 1234567",
                  "Home Currency": "JPY"}
SAMPLE_AS_OF = date(2026, 11, 16)


def make_sample(seed: int = SAMPLE_SEED, customers: int = 30, invoices: int = 150,
                last_issue: date = date(2026, 10, 31)) -> SampleSet:
    """The sample set: deterministic for a given seed and size."""
    rng = random.Random(seed)
    customer_frame = make_customers(rng, customers)
    invoice_frame, plans = make_invoices(rng, customer_frame, invoices, last_issue)
    return SampleSet(customer_frame, invoice_frame, plans)


#: Rates to the sample's Home Currency (JPY) on the FX Rates sheet.
SAMPLE_RATES = ((date(2026, 10, 1), "USD", 149.85), (date(2026, 10, 1), "CNY", 20.95),
                (date(2026, 11, 1), "USD", 152.3), (date(2026, 11, 1), "CNY", 21.2))
SHORT_BY = Decimal(50)  # a JPY payment short by a few yen (no bank charges that): a residual for 'arbook writeoff'


def month_end_cases(payments: list[Payment], sample: SampleSet) -> SampleSet:
    """The month-end corrections the demo shows: a credit note (10% off an invoice nobody paid), one
    payment short by a few yen (a residual to write off) and a refund of an overpayment (a debit line)."""
    customers = {c["Customer ID"]: c for c in sample.customers.to_dict("records")}
    paid = {number for p in payments for number in p.applied}
    unpaid = [r for r in sample.invoices.to_dict("records")
              if r["Invoice No"] not in paid and r["Currency"] == "JPY" and not r.get("Disputed")]
    invoices = sample.invoices
    if unpaid:
        target = unpaid[0]
        note = {"Invoice No": "CN-0001", "Customer ID": target["Customer ID"], "Issue Date": target["Issue Date"]
                + timedelta(days=7), "Due Date": target["Due Date"], "Currency": "JPY",
                "Amount": (target["Amount"] / 10).quantize(Decimal(1)), "Type": CREDIT_NOTE,
                "Ref": target["Invoice No"]}
        invoices = pd.concat([invoices, make_frame(INVOICES, [note])], ignore_index=True)
    short = next((p for p in payments if p.kind == "exact_memo" and p.language == "ja" and len(p.applied) == 1
                  and not customers[p.customer].get("Fee Deduction")), None)
    if short is not None:
        short.line = SynthLine(short.line.date, short.line.amount - SHORT_BY, short.line.payer, short.line.memo)
        short.applied = {n: a - SHORT_BY for n, a in short.applied.items()}
        short.kind = "short"
    over = next((p for p in payments if p.kind == "over"), None)
    if over is not None:
        excess = over.line.amount - sum(over.applied.values(), Decimal(0))
        memo = {"ja": "ｶﾎﾞｳﾍﾝｷﾝ", "zh": "多付退款", "en": "REFUND OF OVERPAYMENT"}[over.language]
        back = SynthLine(over.line.date + timedelta(days=3), -excess, over.line.payer, memo)
        payments.append(Payment(over.language, back, over.customer, (), "refund"))
        payments.sort(key=lambda p: (p.line.date, p.language))
    return SampleSet(sample.customers, invoices, sample.plans)


def write_samples(out_dir: Path, sample: SampleSet | None = None) -> list[Path]:
    """Write the sample book, its source files, bank files paying its invoices and their ground
    truth (``truth.csv``) into ``out_dir``; returns the paths written."""
    sample = sample or make_sample()
    out_dir.mkdir(parents=True, exist_ok=True)
    payments = make_payments(random.Random(SAMPLE_SEED + 1), sample.customers, sample.invoices, sample.plans,
                             SAMPLE_AS_OF)
    sample = month_end_cases(payments, sample)
    bank_files = write_bank_files(payments, out_dir, SAMPLE_AS_OF)
    truth = out_dir / "truth.csv"
    truth_frame(payments).to_csv(truth, index=False, encoding="utf-8")
    customers_csv, invoices_csv = out_dir / "customers.csv", out_dir / "invoices.csv"
    export_csv(CUSTOMERS, sample.customers, customers_csv)
    export_csv(INVOICES, sample.invoices, invoices_csv)
    book = out_dir / "book.xlsx"
    new_book(book, overwrite=True)
    with open_book(book) as handle:
        settings = handle.read("Settings")
        for key, value in SAMPLE_COMPANY.items():
            settings.loc[settings["Key"] == key, "Value"] = value
        handle.replace("Settings", settings)
        handle.replace("FX Rates", make_frame(FX_RATES, [{"Date": d, "Currency": c, "Rate": r} for d, c, r in SAMPLE_RATES]))
        import_master(handle, CUSTOMERS, read_table_file(customers_csv))
        import_master(handle, INVOICES, read_table_file(invoices_csv))
    shutil.rmtree(history_dir(book), ignore_errors=True)  # a shipped sample has no earlier versions
    return [customers_csv, invoices_csv, book, *bank_files, truth]


if __name__ == "__main__":
    for written in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "samples")):
        print(written)
