"""camt, MT940, OFX and the any-bank CSV importer on fixtures written for each quirk."""
from datetime import date, datetime
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import Options, detect
from arbook.model.errors import InputError
from samplegen.samplebank import CSV_DIALECTS, Account, SynthLine, bank_csv, camt053, mt940

TODAY = date(2026, 11, 23)


def read(data: bytes, name: str = "f.csv", **options):
    importer = detect(data, name)
    kwargs = {"today": TODAY} if importer.name in ("csv", "zengin") else {}
    return importer.name, importer.parse(data, name, Options(**options), **kwargs)


def lines_of(data: bytes, name: str = "f.csv", **options):
    _, statements = read(data, name, **options)
    return [(ln.date, ln.amount) for s in statements for ln in s.lines]


# ---------------------------------------------------------------- camt
CAMT_BATCH = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Acct><Id><Othr><Id>12345</Id></Othr></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-10-30</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">140.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2026-10-31T23:59:59</DtTm></Dt></Bal>
<Ntry><Amt Ccy="EUR">150.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><DtTm>2026-10-31T10:00:00+01:00</DtTm></BookgDt>
<AcctSvcrRef>BATCH1</AcctSvcrRef><NtryDtls>
<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs><Amt Ccy="EUR">100.00</Amt><RltdPties><Dbtr><Pty><Nm>ACME GmbH</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>INV-1042</Ustrd></RmtInf></TxDtls>
<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">50.00</Amt><RltdPties><Dbtr><Nm>Beta SARL</Nm></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Ref>RF18INV1043</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
</NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2026-10-31</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_camt_batch_split_pending_skipped_balance_with_debit_opening():
    name, (statement,) = read(CAMT_BATCH, "s.xml")
    assert name == "camt" and statement.opening == D("-10.00") and statement.closing == D("140.00")
    first, second = statement.lines
    assert (first.amount, first.payer, first.memo, first.ref) == (D("100.00"), "ACME GmbH", "INV-1042", "E2E-1")
    assert (second.amount, second.payer, second.memo, second.ref) == (D("50.00"), "Beta SARL", "RF18INV1043", "BATCH1/2")
    assert first.date == date(2026, 10, 31) and first.line == 8  # the TxDtls line


def test_camt_round_trip_and_balance_mismatch_and_bad_xml():
    lines = [SynthLine(date(2026, 10, 30), D("12.34"), "ACME", "INV-1"), SynthLine(date(2026, 10, 31), D("-1.00"))]
    data = camt053(Account(currency="USD"), D("5.00"), lines, datetime(2026, 10, 31, 18))
    assert lines_of(data, "c.xml") == [(date(2026, 10, 30), D("12.34")), (date(2026, 10, 31), D("-1.00"))]
    with pytest.raises(InputError, match=r"c.xml:2: balance: closing balance 16.34 is not opening 5.00 \+ movements 11.35"):
        read(data.replace(b'<Amt Ccy="USD">12.34</Amt>', b'<Amt Ccy="USD">12.35</Amt>'), "c.xml")
    with pytest.raises(InputError, match=r"c.xml:\d+: not well-formed XML"):
        read(data[: len(data) // 2], "c.xml")


# ---------------------------------------------------------------- MT940
MT940_QUIRKS = """{1:F01TESTDEFFAXXX0000000000}{2:O9401200261031TESTDEFFAXXX00000000002610311200N}{4:
:20:STARTUMS
:25:10020030/1234567890
:28C:00001/001
:60F:C260227EUR1.000,00
:61:2602300228CR500,NTRF//BANKREF1
:86:166?00GUTSCHRIFT?20INV-1042 INV-1043?21SVWZ+?32ACME?33 GMBH
:61:2602280228DR12,5NMSCNONREF
:86:805?00ENTGELT?20Kontofuehrung
:62F:C260228EUR1487,50
-}{5:{CHK:123456789ABC}}
"""


def test_mt940_envelope_feb30_cr_dr_and_german_86():
    name, (statement,) = read(MT940_QUIRKS.encode(), "s.sta")
    assert name == "mt940" and statement.account == "10020030/1234567890"
    credit, debit = statement.lines
    assert credit.date == date(2026, 2, 28) and credit.amount == D("500") and credit.ref == "BANKREF1"
    assert credit.payer == "ACME GMBH" and credit.memo.startswith("INV-1042 INV-1043")
    assert debit.amount == D("-12.5") and debit.ref == ""


def test_mt940_dutch_86_and_round_trip():
    lines = [SynthLine(date(2026, 10, 30), D("99.99"), "ACME", "INV-7")]
    assert lines_of(mt940(Account(currency="EUR"), D("0"), lines), "x.sta") == [(date(2026, 10, 30), D("99.99"))]
    text = (":20:X\n:25:NL01BANK0123456789\n:60F:C261030EUR0,00\n:61:261030C10,00NTRFNONREF//R1\n"
            ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL02BANK/BIC/BANKNL2A/NAME/J. DE VRIES/REMI/USTD//INV-9/EREF/E1\n"
            ":62F:C261030EUR10,00\n-\n")
    (_, (statement,)) = read(text.encode(), "nl.sta")
    assert (statement.lines[0].payer, statement.lines[0].memo) == ("J. DE VRIES", "INV-9")
    with pytest.raises(InputError, match="nl.sta:3: balance: closing balance 11.00"):
        read(text.replace(":62F:C261030EUR10,00", ":62F:C261030EUR11,00").encode(), "nl.sta")


# ---------------------------------------------------------------- OFX
OFX_SGML = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>0001234567<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261001<DTEND>20261031
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261030120000.000[-5:EST]<TRNAMT>1,234.50<FITID>F1<NAME>ACME CORP<MEMO>INV-1042
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261031<TRNAMT>-15,00<FITID>F2<NAME>WIRE FEE</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>100<DTASOF>20261031</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"""


def test_ofx_sgml_unclosed_tags_decimal_comma_and_thousands():
    name, (statement,) = read(OFX_SGML, "a.ofx")
    assert name == "ofx" and statement.currency == "USD" and statement.account == "0001234567"
    (first, second) = statement.lines
    assert (first.date, first.amount, first.payer, first.memo, first.ref) == (
        date(2026, 10, 30), D("1234.50"), "ACME CORP", "INV-1042", "F1")
    assert second.amount == D("-15.00")


# ---------------------------------------------------------------- CSV
@pytest.mark.parametrize("dialect", CSV_DIALECTS)
def test_csv_dialects_round_trip(dialect):
    lines = [SynthLine(date(2026, 10, 3), D("1234.50") if dialect != "jp" else D(1234), "ｶ)ﾔﾏﾀﾞ" if dialect == "jp"
                       else "上海华贸有限公司" if dialect == "cn" else "ACME", "INV-1042", "R1"),
             SynthLine(date(2026, 10, 31), D("-1000"), "X", "fee", "R2")]
    _, (statement,) = read(bank_csv(dialect, lines), f"{dialect}.csv", currency="EUR" if dialect == "de" else None)
    assert [(ln.date, ln.amount, ln.payer, ln.memo) for ln in statement.lines] == [
        (ln.date, ln.amount, ln.payer, ln.memo) for ln in lines]
    assert statement.lines[0].currency == {"jp": "JPY", "cn": "CNY", "de": "EUR", "us": "USD"}[dialect]


SIGNED = "Date,Amount,Payer\n{}\n"


@pytest.mark.parametrize("rows,expected", [
    # date forms
    (["2026-10-31,100,A"], [(date(2026, 10, 31), D(100))]),
    (["20261031,100,A"], [(date(2026, 10, 31), D(100))]),
    (["31.10.2026,100,A"], [(date(2026, 10, 31), D(100))]),
    (["10/31/2026,100,A", "11/01/2026,5,B"], [(date(2026, 10, 31), D(100)), (date(2026, 11, 1), D(5))]),
    (["31/10/2026,100,A", "01/11/2026,5,B"], [(date(2026, 10, 31), D(100)), (date(2026, 11, 1), D(5))]),
    (["2026年10月31日,100,A"], [(date(2026, 10, 31), D(100))]),
    (["R8.10.31,100,A"], [(date(2026, 10, 31), D(100))]),
    # ambiguous single dates decided by the column: 03/10 and 05/10 ... 12/10 sorted only as day-first
    (["03/10/2026,1,A", "05/10/2026,2,A", "12/10/2026,3,A", "01/11/2026,4,A"],
     [(date(2026, 10, 3), D(1)), (date(2026, 10, 5), D(2)), (date(2026, 10, 12), D(3)), (date(2026, 11, 1), D(4))]),
    # amount forms
    (['2026-10-31,"1,234.56",A'], [(date(2026, 10, 31), D("1234.56"))]),
    (["2026-10-31,¥1234,A"], [(date(2026, 10, 31), D(1234))]),
    (["2026-10-31,△1000,A"], [(date(2026, 10, 31), D(-1000))]),
    (['2026-10-31,"(1,000)",A'], [(date(2026, 10, 31), D(-1000))]),
    (["2026-10-31,▲500,A"], [(date(2026, 10, 31), D(-500))]),
    # totals rows are not transactions
    (["2026-10-31,100,A", "Total,100,"], [(date(2026, 10, 31), D(100))]),
    (["2026-10-31,100,A", "合計,100,"], [(date(2026, 10, 31), D(100))]),
])
def test_csv_dates_amounts_totals(rows, expected):
    assert lines_of(SIGNED.format("\n".join(rows)).encode(), currency="JPY") == expected


@pytest.mark.parametrize("text,encoding,expected", [
    ("Buchungstag;Betrag;Auftraggeber;Verwendungszweck\n31.10.2026;1.234,56;ACME GmbH;RE 1042\n"
     "31.10.2026;-10,00;Bank;Gebühr\n", "cp1252", [D("1234.56"), D("-10.00")]),
    ("Date;Libellé;Débit;Crédit\n31/10/2026;VIR ACME;;1 234,56\n31/10/2026;FRAIS;-10,00;\n", "cp1252",
     [D("1234.56"), D("-10.00")]),
    ("Datum\tNaam / Omschrijving\tAf Bij\tBedrag (EUR)\n20261031\tACME\tBij\t12,50\n20261031\tBank\tAf\t1,00\n",
     "utf-8", [D("12.50"), D("-1.00")]),
    ("Fecha,Concepto,Importe\n31/10/2026,Transferencia ACME,\"1.234,56\"\n", "utf-8", [D("1234.56")]),
    ("取引日,お引出し,お預入れ,振込依頼人\n2026/10/31,,\"110,000\",ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ\n2026/10/31,\"440\",,\n", "cp932",
     [D(110000), D(-440)]),
    ("交易日期,借贷,交易金额,对方户名,摘要\n2026-10-31,贷 Cr,12345.67,上海华贸有限公司,INV-1042\n"
     "2026-10-31,借 Dr,5.00,手续费,\n", "gb18030", [D("12345.67"), D("-5.00")]),
    ("交易时间,交易对方,收/支,金额(元)\n2026-10-31 10:00:00,某公司,收入,¥100.00\n2026-10-31 11:00:00,余额宝,/,¥5.00\n",
     "utf-8-sig", [D("100.00")]),
])
def test_csv_headers_in_many_languages_and_sign_conventions(text, encoding, expected):
    _, (statement,) = read(text.encode(encoding), currency="EUR")
    assert [ln.amount for ln in statement.lines] == expected


def test_csv_preamble_and_payer_columns():
    text = ("Account statement\nIBAN,DE89370400440532013000\nPeriod,October 2026\n\n"
            "Booking Date,Value Date,Counterparty,Description,Credit,Debit,Balance,Reference\n"
            "2026-10-30,2026-10-31,ACME CORP,INV-1042 INV-1043,\"2,000.00\",,\"5,000.00\",TX1\n")
    _, (statement,) = read(text.encode(), currency="USD")
    line = statement.lines[0]
    assert (line.payer, line.memo, line.ref, line.amount) == ("ACME CORP", "INV-1042 INV-1043", "TX1", D("2000.00"))
    assert statement.account == "DE89370400440532013000" and line.line == 6


def test_csv_with_times_that_look_like_mt940_tags_is_a_csv():
    """A CMB-style export whose 交易时间 holds 08:20:41 and 10:25:17 is no MT940 statement."""
    text = ("交易日期,交易时间,贷方金额,借方金额,余额,对方户名,摘要,流水号\n"
            "20261008,08:20:41,\"955,326.86\",,\"1,311,536.86\",重庆众合建筑工程有限公司,,B1\n"
            "20261008,10:25:17,\"235,831.00\",,\"1,547,367.86\",无锡隆鑫供应链管理有限公司,货款,B2\n")
    name, (statement,) = read(text.encode("gb18030"), currency="CNY")
    assert name == "csv"
    assert [(ln.payer, ln.amount) for ln in statement.lines] == [("重庆众合建筑工程有限公司", D("955326.86")),
                                                                 ("无锡隆鑫供应链管理有限公司", D("235831.00"))]


def test_chinese_header_holding_a_japanese_word_is_chinese_and_yuan():
    """收入金额 holds 入金 (a Japanese word): the simplified 额/对/户 decide, so the amounts are CNY, not JPY."""
    text = ("交易日期,交易时间,对方户名,对方账号,收入金额,支出金额,余额,摘要\n"
            "2026-08-10,09:15:00,深圳前海商业保理有限公司,6222000055556666,\"6,000.00\",,\"6,000.00\",转账\n")
    _, (statement,) = read(text.encode("gb18030"))
    assert (statement.currency, statement.lines[0].amount) == ("CNY", D("6000.00"))


def test_csv_errors_name_the_line():
    with pytest.raises(InputError, match="f.csv:3: date: not a date"):
        read(b"Date,Amount\n2026-10-30,1\nyesterday,2\n2026-10-31,3\n", currency="USD")
    with pytest.raises(InputError, match="cannot recognise a header row"):
        read(b"a,b,c\n1,2,3\n", currency="USD")
    with pytest.raises(InputError, match="names no currency"):
        read(b"Date,Amount\n2026-10-30,1\n")
    with pytest.raises(InputError, match="ambiguous"):
        read(b"Date,Amount\n03/04/2026,1\n04/03/2026,2\n03/04/2026,3\n", currency="JPY")


def test_csv_user_mapping_by_number_for_headerless_files():
    text = b"31-10-2026,NL01,ACME BV,12.50,INV-1\n31-10-2026,NL01,Bank,-1.00,fee\n"
    _, (statement,) = read(text, mapping=(("date", "1"), ("amount", "4"), ("payer", "3"), ("memo", "5")),
                           currency="EUR")
    assert [(ln.payer, ln.amount, ln.memo) for ln in statement.lines] == [("ACME BV", D("12.50"), "INV-1"),
                                                                           ("Bank", D("-1.00"), "fee")]


def test_bank_xlsx_export(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Bank export"])
    ws.append([])
    ws.append(["Date", "Description", "Amount", "Currency"])
    ws.append([datetime(2026, 10, 31), "ACME INV-1042", 1234.5, "USD"])
    ws.append(["Total", None, 1234.5, None])
    wb.save(tmp_path / "x.xlsx")
    data = (tmp_path / "x.xlsx").read_bytes()
    assert lines_of(data, "x.xlsx") == [(date(2026, 10, 31), D("1234.5"))]
