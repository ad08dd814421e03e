"""Payers named only inside a bank's description: read out per format, and matched end to end.

Description strings follow public layouts: Chase ACH "ORIG CO NAME:... ORIG ID:..." (as quoted in
public importers found with the search tool), SBI Sumishin "振込＊ト" (../shared corpus,
rlan/beancount-multitool, MIT), Zengin/JP net-banking 摘要 "振込 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", SEPA SVWZ+/ABWA+ keys
(DFÜ-Abkommen Anlage 3), ING NL "Naam: ... Omschrijving: ..." columns.
"""
import subprocess
import sys
from datetime import date
from decimal import Decimal as D

import pytest

from arbook.adapters.bankfiles import Options, read_statements
from arbook.adapters.bankfiles.payers import describe
from arbook.adapters.book import open_book

CASES = [
    ("振込 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"),
    ("ﾌﾘｺﾐ ﾀﾅｶ ﾀﾛｳ", "ﾀﾅｶ ﾀﾛｳ"),
    ("振込＊ト", "ト"),
    ("振込２ ﾔﾏﾀﾞ ｼﾖｳｼﾞ", "ﾔﾏﾀﾞ ｼﾖｳｼﾞ"),
    ("ｿｳｷﾝ ｽｽﾞｷ ｲﾁﾛｳ", "ｽｽﾞｷ ｲﾁﾛｳ"),
    ("振込　カ）ヤマダショウジ", "カ）ヤマダショウジ"),
    ("依頼人名：ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ("振込手数料", ""),
    ("振込ﾀﾅｶ ﾀﾛｳ", "ﾀﾅｶ ﾀﾛｳ"),
    ("振込カ）ヤマダショウジ", "カ）ヤマダショウジ"),
    ("振込入金ｽｽﾞｷｼﾖｳｶｲ", "ｽｽﾞｷｼﾖｳｶｲ"),
    ("ＡＴＭ　イーネット", ""),
    ("对方户名:上海华贸有限公司 摘要:货款", "上海华贸有限公司"),
    ("对方账户名称：北京某某科技有限公司", "北京某某科技有限公司"),
    ("转账 张三", "张三"),
    ("跨行汇入-北京某某科技有限公司", "北京某某科技有限公司"),
    ("ORIG CO NAME:SEATTLEUTILTIES  CO ENTRY DESCR:WEB_PAY  SEC:WEB IND ID:X", "SEATTLEUTILTIES"),
    ("ACH CREDIT ORIG CO NAME:CRESCENT INDUSTRIES CORP ORIG ID:1234567890 DESC DATE:261002", "CRESCENT INDUSTRIES CORP"),
    ("ACH CREDIT 1234 CO NAME:CRESCENT INDUSTRIES CORP ENTRY DESCR:INV 1001", "CRESCENT INDUSTRIES CORP"),
    ("ACH CREDIT CRESCENT INDUSTRIES CORP PAYMENT 1234567", "CRESCENT INDUSTRIES CORP"),
    ("DEPOSIT ACH GREENLEAF LOGISTICS TYPE: PAYMENT", "GREENLEAF LOGISTICS"),
    ("INCOMING WIRE TRANSFER ACME TRADING LTD REF 123456", "ACME TRADING LTD"),
    ("ACH DEBIT CITY WATER", ""),
    ("Zelle payment from JOHN SMITH Conf# abc123", "JOHN SMITH"),
    ("ONLINE TRANSFER FROM SMITH J REF #IB0123 CHECKING", "SMITH J"),
    ("WIRE TRANSFER FROM ACME TRADING LTD", "ACME TRADING LTD"),
    ("BY ORDER OF ACME TRADING LTD /INV 42", "ACME TRADING LTD"),
    ("Auftraggeber: Müller GmbH Verwendungszweck: Rechnung 2024-17", "Müller GmbH"),
    ("EREF+123 SVWZ+RE 4711 ABWA+Max Mustermann", "Max Mustermann"),
    ("Naam: Jansen BV Omschrijving: Factuur 123 IBAN: NL02ABNA0123456789", "Jansen BV"),
    ("POS PURCHASE STARBUCKS #123", ""),
]


@pytest.mark.parametrize("text,payer", CASES)
def test_payer_read_from_description(text, payer):
    found = describe(text)
    assert found.payer == payer
    assert (found.rule != "") == bool(payer)


def test_labelled_purpose_becomes_the_memo():
    assert describe("Auftraggeber: Müller GmbH Verwendungszweck: Rechnung 2024-17").memo == "Rechnung 2024-17"
    assert describe("Naam: Jansen BV Omschrijving: Factuur 123 IBAN: NL02ABNA0123456789").memo == "Factuur 123"
    assert describe("EREF+123 SVWZ+RE 4711 ABWA+Max Mustermann").memo == "RE 4711"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_description_gives_payer_memo_and_raw_text(tmp_path):
    path = write(tmp_path / "us.csv", "Date,Description,Amount\n10/02/2026,ACH CREDIT ORIG CO NAME:CRESCENT INDUSTRIES "
                                      "CORP ORIG ID:99 ENTRY DESCR:INV-1003,1999.99\n", "utf-8")
    (line,) = read_statements(path, Options(currency="USD"))[0].lines
    assert line.payer == "CRESCENT INDUSTRIES CORP"
    assert "INV-1003" in line.memo and "CRESCENT" not in line.memo
    assert line.raw.startswith("ACH CREDIT ORIG CO NAME:CRESCENT")


def test_mt940_free_text_and_sepa_keys_give_the_payer(tmp_path):
    text = (":20:X\n:25:DE12345678901234567890\n:28C:1\n:60F:C261001EUR0,00\n"
            ":61:2610021002C100,00NTRFNONREF\n:86:166?00SEPA-UEBERWEISUNG?20EREF+E1?21SVWZ+RE 4711?22ABWA+Max Mustermann\n"
            ":61:2610031003C50,00NTRFNONREF\n:86:BY ORDER OF ACME TRADING LTD\n"
            ":62F:C261003EUR150,00\n-\n")
    lines = read_statements(write(tmp_path / "a.sta", text))[0].lines
    assert [(ln.payer, ln.memo) for ln in lines] == [("Max Mustermann", "RE 4711"), ("ACME TRADING LTD", "BY ORDER OF")]
    assert "ABWA+Max Mustermann" in lines[0].raw


def test_camt_remittance_text_names_the_payer_when_related_parties_do_not(tmp_path):
    xml = ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
           '<Stmt><Id>1</Id><Acct><Id><IBAN>DE02</IBAN></Id><Ccy>EUR</Ccy></Acct>'
           '<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-10-02</Dt>'
           '</BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>Auftraggeber: Müller GmbH Verwendungszweck: RE 17</Ustrd>'
           '</RmtInf></TxDtls></NtryDtls></Ntry>'
           '<Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-10-02</Dt>'
           '</BookgDt><NtryDtls><TxDtls><RltdPties><UltmtDbtr><Nm>Ultimate AG</Nm></UltmtDbtr></RltdPties>'
           '<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>'
           '</Stmt></BkToCstmrStmt></Document>')
    lines = read_statements(write(tmp_path / "c.xml", xml))[0].lines
    assert [(ln.payer, ln.memo) for ln in lines] == [("Müller GmbH", "RE 17"), ("Ultimate AG", "RF18539007547034")]


# A Japanese internet-banking export (CP932): the payer is only inside 摘要, half-width kana.
JP_BANK = """取引日,摘要,お預り金額,お引出金額,残高
2026/10/28,振込 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ,"110,000",,"1,110,000"
2026/10/29,ﾌﾘｺﾐ ﾀﾅｶ ﾀﾛｳ,"55,000",,"1,165,000"
2026/10/30,振込＊ｽｽﾞｷｼﾖｳｶｲ,"33,000",,"1,198,000"
2026/10/30,振込手数料,,440,"1,197,560"
2026/10/31,振込 ｶ)ﾐｼﾗﾇｼﾔ,"9,999",,"1,207,559"
"""
CUSTOMERS = """Customer ID,Name,Name Kana,Payer Names,Email,Language,Currency,Terms Days,Credit Limit,Fee Deduction
C001,株式会社山田商事,ヤマダショウジ,,a@example.jp,ja,JPY,30,,0
C002,田中太郎,タナカタロウ,,b@example.jp,ja,JPY,30,,0
C003,鈴木商会,スズキショウカイ,,c@example.jp,ja,JPY,30,,0
"""
INVOICES = """Invoice No,Customer ID,Issue Date,Due Date,Currency,Amount
INV-1,C001,2026-10-01,,JPY,110000
INV-2,C002,2026-10-01,,JPY,55000
INV-3,C003,2026-10-01,,JPY,33000
"""


def arbook(*args):
    result = subprocess.run([sys.executable, "-m", "arbook", *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_jp_payers_only_in_tekiyo_are_matched_automatically_through_the_cli(tmp_path):
    book = tmp_path / "ar.xlsx"
    write(tmp_path / "c.csv", CUSTOMERS)
    write(tmp_path / "i.csv", INVOICES)
    bank = write(tmp_path / "bank.csv", JP_BANK, "cp932")
    arbook("new", book)
    arbook("customers", book, tmp_path / "c.csv")
    arbook("invoices", book, tmp_path / "i.csv")
    arbook("import", book, bank)
    out = arbook("match", book)
    assert "Matched 3 of 4 credits automatically" in out, out
    with open_book(book) as handle:
        allocations = handle.read("Allocations")
        bank_sheet = handle.read("Bank")
    auto = allocations[allocations["Status"] == "auto"]
    assert sorted(zip(auto["Invoice No"], auto["Customer ID"])) == [("INV-1", "C001"), ("INV-2", "C002"),
                                                                     ("INV-3", "C003")]
    first = bank_sheet.iloc[0]
    assert (first["Payer"], first["Memo"], first["Raw Text"]) == ("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "振込", "振込 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ")
    assert first["Date"] == date(2026, 10, 28) and first["Amount"] == D(110000)


@pytest.mark.parametrize("text,payer", [
    ("转账汇款 转账", ""),  # China Merchants Bank: two transaction words, nobody named (../shared cn_cmb_debit.csv)
    ("FUND TRANSFER FROM       12-345678-9 JOHN SMITH", "JOHN SMITH"),  # HSBC HK (../shared hk_hsbc_debit.csv)
    ("振込入金 ｳｳ", "ｳｳ"),  # JA Bank 取引区分 + 摘要 (../shared jp_ja_bank_sjis.csv)
])
def test_corpus_descriptions(text, payer):
    assert describe(text).payer == payer


def test_ofx_name_holding_a_whole_ach_description_gives_the_payer(tmp_path):
    ofx = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD"
           "<BANKACCTFROM><ACCTID>123</BANKACCTFROM><BANKTRANLIST>"
           "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261002<TRNAMT>1999.99<FITID>A1"
           "<NAME>ORIG CO NAME:CRESCENT INDUSTR<MEMO>ORIG ID:1234 ENTRY DESCR:INV-1003</STMTTRN>"
           "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261003<TRNAMT>50.00<FITID>A2<NAME>ACME TRADING</STMTTRN>"
           "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>")
    lines = read_statements(write(tmp_path / "a.ofx", ofx))[0].lines
    assert [ln.payer for ln in lines] == ["CRESCENT INDUSTR", "ACME TRADING"]
    assert lines[0].raw == "ORIG CO NAME:CRESCENT INDUSTR | ORIG ID:1234 ENTRY DESCR:INV-1003"


US_BANK = """Posting Date,Description,Amount,Type,Balance
10/28/2026,ACH CREDIT CRESCENT INDUSTRIES CORP PAYMENT 7781234,"1,999.99",ACH_CREDIT,"11,999.99"
10/29/2026,ZELLE PAYMENT FROM JOHN SMITH CONF# X1,250.00,QUICKPAY_CREDIT,"12,249.99"
10/30/2026,ACH DEBIT CITY WATER,-80.00,ACH_DEBIT,"12,169.99"
"""
US_CUSTOMERS = """Customer ID,Name,Name Kana,Payer Names,Email,Language,Currency,Terms Days,Credit Limit,Fee Deduction
C101,Crescent Industries Corp.,,,ap@crescent.example.com,en,USD,30,,0
C102,John Smith,,,js@example.com,en,USD,30,,0
"""
US_INVOICES = """Invoice No,Customer ID,Issue Date,Due Date,Currency,Amount
INV-1003,C101,2026-10-01,,USD,1999.99
INV-1004,C102,2026-10-01,,USD,250.00
"""


def test_english_payers_inside_description_are_matched_through_the_cli(tmp_path):
    book = tmp_path / "ar.xlsx"
    for name, text in (("c.csv", US_CUSTOMERS), ("i.csv", US_INVOICES), ("bank.csv", US_BANK)):
        write(tmp_path / name, text)
    arbook("new", book)
    arbook("customers", book, tmp_path / "c.csv")
    arbook("invoices", book, tmp_path / "i.csv")
    arbook("import", book, tmp_path / "bank.csv", "--currency", "USD")
    assert "Matched 2 of 2 credits automatically" in arbook("match", book)
