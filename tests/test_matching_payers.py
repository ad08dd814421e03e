"""Recognising the payer the way real bank files write it: kanji that read several ways, long
vowels, names cut by the bank, branches, company forms spelled out, English and Chinese name
variants, bank text around the name; one run through the CLI with a Zengin file."""
from datetime import date
from pathlib import Path
from decimal import Decimal as D

import jaconv
import pytest

from arbook.adapters.book import open_book
from arbook.cli import main
from arbook.domain.matching.names import CustomerIndex
from arbook.domain.matching.normalize import bank_variants, company_form, cut_form, name_key
from arbook.domain.matching.readings import fits_reading, read_as
from arbook.model.frames import make_frame
from arbook.model.schema import CUSTOMERS, INVOICES
from samplegen.samplebank import Account, SynthLine, zengin_03
from test_matching_evidence import ja, outcome, run


def bank(kana: str) -> str:
    """A reading as Zengin prints it: half-width, small kana written big (jaconv does the width)."""
    return jaconv.z2h(kana.translate(str.maketrans("ァィゥェォャュョッ", "アイウエオヤユヨツ")), kana=True, digit=True,
                      ascii=True)


def top(index: CustomerIndex, payer: str):
    hits = index.identify(payer)
    return (hits[0].customer, hits[0].score, hits[0].why) if hits else None


# -- readings of kanji that read several ways ----------------------------------------------------

@pytest.mark.parametrize("name, printed", [
    ("日本電機株式会社", "ニッポンデンキ"), ("日本電機株式会社", "ニホンデンキ"),      # 日本: two readings
    ("株式会社東商事", "アズマショウジ"), ("株式会社東商事", "ヒガシショウジ"),          # 東: ヒガシ / アズマ / トウ
    ("中島印刷有限会社", "ナカシマインサツ"), ("中島印刷有限会社", "ナカジマインサツ"),  # 連濁 or not
    ("山崎精機", "ヤマサキセイキ"), ("角田製作所", "ツノダセイサクショ"), ("河野運輸", "カワノウンユ"),
    ("佐々木工業", "ササキコウギョウ"), ("野々村建設", "ノノムラケンセツ"),                # 々 repeats the kanji
    ("大和運輸", "ダイワウンユ"), ("三枝商事", "サエグサショウジ"), ("東海林印刷", "ショウジインサツ"),
    ("東京エンジニアリングサービス", "トーキョーエンジニアリングサビス"),                 # long vowels kept or dropped
    ("ABC商事", "ABCショウジ"), ("株式会社ＡＢＣ商事", "エービーシーショウジ"), ("ＴＤＫ電機", "ティーディーケイデンキ"),
])
def test_a_payer_reads_as_any_dictionary_reading_of_the_kanji(name, printed):
    assert fits_reading(name, name_key(bank(printed)))


@pytest.mark.parametrize("name, printed", [("株式会社山田商事", "ヤマダショウカイ"), ("東商事", "ニシショウジ"),
                                           ("日本電機", "ニホンデンキコウギョウ")])
def test_a_payer_that_is_not_a_reading_of_the_name_does_not_fit(name, printed):
    assert not fits_reading(name, name_key(bank(printed)))


def test_a_reading_cut_by_the_bank_fits_as_a_prefix_and_says_how_it_read():
    key = name_key(bank("ヤマサキショクヒンエンジニアリングサービスインターナショナルトレ"))
    assert not fits_reading("山崎食品エンジニアリングサービスインターナショナルトレーディング", key)
    path = read_as("山崎食品エンジニアリングサービスインターナショナルトレーディング", key, prefix=True)
    assert path[:2] == (("山崎", "ヤマサキ"), ("食品", "ショクヒン"))


def test_a_kanji_only_client_is_recognised_by_another_reading_with_the_words_in_the_reason():
    index = CustomerIndex([ja("C1", "株式会社東商事"), ja("C2", "株式会社西商事", **{"Name Kana": "ニシショウジ"})])
    cid, score, why = top(index, "ｶ)ｱｽﾞﾏｼﾖｳｼﾞ")
    assert (cid, score) == ("C1", 0.95)
    assert "pykakasi dictionary: 東 アズマ, 商事 ショウジ" in why


def test_a_kanji_only_client_reading_like_another_kanji_only_client_is_a_contender():
    """東商事 (read アズマ by the dictionary) and 吾妻商事 (pykakasi: アヅマ): the open items decide."""
    customers = [ja("C1", "株式会社東商事"), ja("C2", "株式会社吾妻商事")]
    assert {h.customer for h in CustomerIndex(customers).identify("ｶ)ｱｽﾞﾏｼﾖｳｼﾞ")} == {"C1", "C2"}
    result = run(customers, [("INV-1", "C1", 50000), ("INV-2", "C2", 73000)], [(73000, "ｶ)ｱｽﾞﾏｼﾖｳｼﾞ", "")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("auto", "C2", {"INV-2": D(73000)})
    assert "only this one has open items equal to the amount" in why


def test_a_derived_reading_nearly_equal_to_another_clients_kana_is_not_proof_alone():
    customers = [ja("C1", "株式会社山本商会"), ja("C2", "株式会社山本商館", **{"Name Kana": "ヤマモトショウカン"})]
    hits = CustomerIndex(customers).identify("ｶ)ﾔﾏﾓﾄｼﾖｳｶｲ")
    assert [h.customer for h in hits] == ["C1", "C2"] and hits[1].score >= 0.9
    assert "read, not entered" in hits[1].why
    both = run(customers, [("INV-1", "C1", 55000), ("INV-2", "C2", 55000)], [(55000, "ｶ)ﾔﾏﾓﾄｼﾖｳｶｲ", "")])
    assert outcome(both)[0] == "suggested"
    one = run(customers, [("INV-1", "C1", 55000), ("INV-2", "C2", 60000)], [(55000, "ｶ)ﾔﾏﾓﾄｼﾖｳｶｲ", "")])
    assert outcome(one)[:3] == ("auto", "C1", {"INV-1": D(55000)})



def test_a_kanji_only_client_reading_like_another_clients_kana_is_a_homonym_the_open_items_decide():
    """佐藤運輸 has its kana entered, 佐藤運油 has none but reads サトウウンユ too: neither is ruled out by the other."""
    customers = [ja("C1", "佐藤運輸株式会社", **{"Name Kana": "サトウウンユ"}), ja("C2", "株式会社佐藤運油")]
    assert {h.customer for h in CustomerIndex(customers).identify("ｻﾄｳｳﾝﾕ")} == {"C1", "C2"}
    result = run(customers, [("INV-1", "C1", 40000), ("INV-2", "C2", 120000), ("INV-3", "C2", 55000)],
                 [(175000, "ｻﾄｳｳﾝﾕ", "")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("auto", "C2", {"INV-2": D(120000), "INV-3": D(55000)})
    assert "佐藤 サトウ" in why and "only this one has open items equal to the amount" in why


def test_a_reading_cut_between_a_kana_and_its_voiced_mark_at_any_length():
    index = CustomerIndex([ja("C1", "阿部興産エンジニアリングサービスロジスティクス株式会社"),
                           ja("C2", "阿部興産エンジニアリング株式会社", **{"Name Kana": "アベコウサンエンジニアリング"})])
    cid, score, why = top(index, "ｱﾍﾞｺｳｻﾝｴﾝｼﾞﾆｱﾘﾝｸﾞｻｰﾋﾞｽﾛｼ")  # 24 columns: ﾛｼ|ﾞ
    assert (cid, score) == ("C1", 0.95) and "cut short by the bank" in why


def test_a_name_followed_by_a_branch_the_bank_cut_is_found_among_many_alike_names():
    """Common words make every character pair of the name common; the name the payer starts with still counts."""
    customers = [{"Customer ID": "E0", "Name": "Trident Industries LLC", "Language": "en"}] + [
        {"Customer ID": f"E{n}", "Name": f"Trident Industries {word} LLC", "Language": "en"}
        for n, word in enumerate(["Alpha", "Beta", "Gamma", "Delta", "Omega", "North", "South", "East", "West",
                                  "Pacific", "Atlantic", "Central", "Global", "United", "Metro", "Coastal", "Summit",
                                  "Valley", "Harbor", "River", "Lake", "Prairie", "Mountain", "Desert", "Island"], 1)]
    index = CustomerIndex(customers)
    assert top(index, "TRIDENT INDUSTRIES LLC DALLAS TEXAS") == ("E0", 0.95, "payer contains the name")
    assert top(index, "TRIDENT INDUSTRIES LLC DALLAS BRANC") == (
        "E0", 0.98, "payer equals name (branch DALLAS BRANC dropped (cut short by the bank))")


# -- bank text around the name, branches ---------------------------------------------------------

@pytest.mark.parametrize("payer, text, note", [
    ("ﾌﾘｺﾐ ｶ)ﾅｶﾑﾗｼｽﾃﾑ", "カ)ナカムラシステム", "フリコミ dropped"),
    ("振込＊ﾅｶﾑﾗｼｽﾃﾑ", "ナカムラシステム", "振込* dropped"),                    # SBI's passbook style
    ("ACH CREDIT PINNACLE SOFTW", "PINNACLE SOFTW", "ACH CREDIT dropped"),      # a US export's description
    ("网银转账 上海宏达有限公司", "上海宏达有限公司", "网银转账 dropped"),
    ("ACME TRADERS INC 12345678", "ACME TRADERS INC", "reference 12345678 dropped"),
    ("ACME TRADERS INC INV 1042", "ACME TRADERS INC", "reference INV 1042 dropped"),  # left by 'BY ORDER OF:'
    ("ﾔﾏﾀﾞｼﾖｳｼﾞ ｾｲｷﾕｳ 1042", "ヤマダシヨウジ", "reference セイキユウ 1042 dropped"),
    ("ｶ)ﾅｶﾑﾗｼｽﾃﾑ ﾌｸｵｶｼﾃﾝ", "カ)ナカムラシステム", "branch フクオカシテン dropped"),
    ("ｹｲﾖｳｷﾞﾝｺｳ(ｶ)ﾁﾊﾞｼﾃﾝ", "ケイヨウギンコウ(カ", "branch チバシテン dropped"),   # form mark closed before the branch
    ("ﾏﾙﾊﾞﾂｼﾖｳｼﾞ ｻｲﾀﾏ(ｴｲ", "マルバツシヨウジ", "branch サイタマ(エイ dropped"),  # 営業所 abbreviated
    ("上海宏达国际贸易有限公司 北京分公司", "上海宏达国际贸易有限公司", "branch 北京分公司 dropped"),
    ("新源能源有限公司 上", "新源能源有限公司", "上 after the name dropped (a word the bank cut short)"),
    ("中信达有限公司 深圳分", "中信达有限公司", "branch 深圳分 dropped (cut short by the bank)"),  # 分公司 cut
    ("ｶ)ﾔﾏﾀﾞ 大阪支", "カ)ヤマダ", "branch 大阪支 dropped (cut short by the bank)"),
    ("TRIDENT INDUSTRIES LLC DALLAS BRANC", "TRIDENT INDUSTRIES LLC", "branch DALLAS BRANC dropped (cut short by the bank)"),
])
def test_bank_text_and_branches_around_the_name_are_dropped(payer, text, note):
    assert (text, note) in bank_variants(payer)


@pytest.mark.parametrize("payer", ["ﾀﾅｶ ﾋﾛｼ", "東京 山田商事", "ACME ZEBRA", "東京 山本", "大阪 山田事業"])
def test_a_last_word_that_only_ends_like_the_start_of_a_branch_word_stays(payer):
    """ｼ may begin ｼﾃﾝ and 事 事業所, but a person's name or a company's ends so too."""
    assert bank_variants(payer) == []


def test_acme_dallas_branch_drops_the_city_with_the_branch():
    assert ("ACME TRADERS INC", "branch DALLAS BRANCH dropped") in bank_variants("ACME TRADERS INC DALLAS BRANCH")
    assert bank_variants("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ") == []


def test_a_paying_branch_is_its_company_and_the_reason_names_the_branch():
    index = CustomerIndex([ja("C1", "株式会社中村システム", **{"Name Kana": "ナカムラシステム"}),
                           ja("C2", "京葉銀行株式会社", **{"Name Kana": "ケイヨウギンコウ"})])
    assert top(index, "ｶ)ﾅｶﾑﾗｼｽﾃﾑ ﾌｸｵｶｼﾃﾝ") == ("C1", 0.98, "payer equals kana (branch フクオカシテン dropped)")
    assert top(index, "ｶ)ﾅｶﾑﾗｼｽﾃﾑﾌｸｵｶｼﾃﾝ")[:2] == ("C1", 0.95)  # glued: the longest name it starts with
    assert "followed by a branch (フクオカシテン)" in top(index, "ｶ)ﾅｶﾑﾗｼｽﾃﾑﾌｸｵｶｼﾃﾝ")[2]
    cid, score, why = top(index, "ｹｲﾖｳｷﾞﾝｺｳ(ｶ)ﾁﾊﾞｼﾃﾝ")
    assert (cid, score) == ("C2", 0.98) and "branch チバシテン dropped" in why
    assert top(index, "ﾌﾘｺﾐ ｶ)ﾅｶﾑﾗｼｽﾃﾑ 123456")[:2] == ("C1", 0.98)


def test_a_name_followed_by_a_branch_the_bank_cut_is_not_a_shorter_name_inside_it():
    index = CustomerIndex([ja("C1", "株式会社東京インターナショナルロジスティクス",
                              **{"Name Kana": "トウキョウインターナショナルロジスティクス"}),
                           ja("C2", "株式会社東京インター", **{"Name Kana": "トウキョウインター"})])
    for payer in ("ｶ)ﾄｳｷﾖｳｲﾝﾀｰﾅｼﾖﾅﾙﾛｼﾞｽﾃｲｸｽ ｵｵｻｶｼ", "ｶ)ﾄｳｷﾖｳｲﾝﾀｰﾅｼﾖﾅﾙﾛｼﾞｽﾃｲｸｽ ﾌｸｵｶｼﾃ"):  # 大阪支店, 福岡支店 cut
        assert [h.customer for h in index.identify(payer)] == ["C1"]
    assert [h.customer for h in index.identify("ｶ)ﾄｳｷﾖｳｲﾝﾀｰ ｵｵｻｶｼ")] == ["C2"]


# -- company forms spelled out, cut, or written another way --------------------------------------

@pytest.mark.parametrize("payer, form", [
    ("ｶﾌﾞｼｷｶﾞｲｼﾔ ﾄｳﾜﾃﾞﾝｷ", ("ja", "株式会社", "before")), ("ﾄｳﾜﾃﾞﾝｷ ｶﾌﾞｼｷｶｲｼﾔ", ("ja", "株式会社", "after")),
    ("ﾕｳｹﾞﾝｶﾞｲｼﾔ ﾄｳﾜﾃﾞﾝｷ", ("ja", "有限会社", "before")), ("ﾄｳﾜﾃﾞﾝｷ ｺﾞｳﾄﾞｳｶﾞｲｼﾔ", ("ja", "合同会社", "after")),
    ("ｹｲﾖｳｷﾞﾝｺｳ(ｶ)ﾁﾊﾞｼﾃﾝ", ("ja", "株式会社", "after")),
    ("ｲﾂﾊﾟﾝｼﾔﾀﾞﾝﾎｳｼﾞﾝ ﾆﾎﾝﾌﾞﾂﾘﾕｳｷﾖｳｶｲ", ("ja", "社団法人", "before")),  # 一般社団法人 read out whole
    ("ｺｳｴｷｻﾞｲﾀﾞﾝﾎｳｼﾞﾝﾆﾎﾝｻﾞｲﾀﾞﾝ", ("ja", "財団法人", "before")), ("ｲﾘﾖｳﾎｳｼﾞﾝｼﾔﾀﾞﾝ ﾔﾏﾀﾞｶｲ", ("ja", "医療法人", "before")),
    ("TOKYO TRADING K.K.", ("en", "K.K.", "after")), ("ACME L L C", ("en", "LLC", "after")),
    ("华东股份公司", ("zh", "股份有限公司", "after")), ("上海宏达有限责任公司", ("zh", "有限公司", "after")),
])
def test_company_forms_spelled_out_or_written_another_way(payer, form):
    assert company_form(payer) == form


def test_a_spelled_out_form_still_tells_same_reading_clients_apart():
    customers = [ja("C1", "株式会社東和電機", **{"Name Kana": "トウワデンキ"}),
                 ja("C2", "有限会社東和電器", **{"Name Kana": "トウワデンキ"})]
    hits = CustomerIndex(customers).identify("ｶﾌﾞｼｷｶﾞｲｼﾔ ﾄｳﾜﾃﾞﾝｷ")
    assert [h.customer for h in hits] == ["C1", "C2"] and hits[0].score >= 0.95 and hits[1].score <= 0.7
    assert "company form agrees (株式会社, placed first); C2 ruled out" in hits[0].why
    assert "company form or its place (株式会社, placed first) is another" in hits[1].why  # for review at most


@pytest.mark.parametrize("bank_name, book_name", [
    ("TOKYO TRADING KK", "Tokyo Trading K.K."), ("SMITH AND SONS INCORPORATED", "Smith & Sons Inc."),
    ("THE ACME TRADERS CO LTD", "Acme Traders Co., Ltd."), ("ACME L L C", "Acme LLC"),
    ("NORTHWIND-FOODS CORPORATION", "Northwind Foods Corp."),
    ("宁波东方科技有限责任公司", "宁波东方科技有限公司"), ("华东实业股份公司", "华东实业股份有限公司"),
    ("深圳腾达电子科技有限公司", "深圳市腾达电子科技有限公司"),  # the city's 市 left out
])
def test_name_variants_fold_to_the_same_key(bank_name, book_name):
    assert name_key(bank_name) == name_key(book_name) != ""


@pytest.mark.parametrize("key, stem", [("上海宏达国际贸易有限公", "上海宏达国际贸易"), ("武汉众合汽车配件股份有限", "武汉众合汽车配件"),
                                       ("广州金桥进出口有限责任", "广州金桥进出口"), ("ヤマダシヨウジカブシキガイ", "ヤマダシヨウジ"),
                                       ("上海宏达国际贸易", None)])
def test_a_company_form_cut_short_at_the_end(key, stem):
    assert cut_form(key) == stem


def test_payers_cut_at_the_banks_field_length():
    index = CustomerIndex([
        {"Customer ID": "Z1", "Name": "上海宏达国际贸易有限公司", "Language": "zh"},
        {"Customer ID": "Z2", "Name": "武汉众合汽车配件股份有限公司", "Language": "zh"},
        {"Customer ID": "E1", "Name": "Northwind Pacific Logistics Inc.", "Language": "en"},
        ja("J1", "株式会社山崎食品エンジニアリングサービスインターナショナルトレーディング")])
    assert top(index, "上海宏达国际贸易有限责任公")[:2] == ("Z1", 0.98)  # another spelling of the form, cut
    assert "company form cut short by the bank" in top(index, "上海宏达国际贸易有限责任公")[2]
    assert top(index, "武汉众合汽车配件股份有限")[0] == "Z2"
    assert top(index, "NORTHWIND PACIFI")[0] == "E1"  # ACH: 16 characters
    # a wire's 35 characters cut inside a word the keys abbreviate (INTERNATIONAL -> INTL): a cut, not a resemblance
    wire = CustomerIndex([{"Customer ID": "E2", "Name": "Pinnacle Software Solutions International Limited",
                           "Language": "en"}])
    assert top(wire, "PINNACLE SOFTWARE SOLUTIONS INTE")[:2] == ("E2", 0.95)
    # Zengin's 48 columns cut a kanji-only name's reading, here between ﾃ and its voiced mark
    cid, score, why = top(index, "ｶﾌﾞｼｷｶﾞｲｼﾔ ﾔﾏｻｷｼﾖｸﾋﾝｴﾝｼﾞﾆｱﾘﾝｸﾞｻｰﾋﾞｽｲﾝﾀｰﾅｼﾖﾅﾙﾄﾚｰﾃ")
    assert (cid, score) == ("J1", 0.95) and "start of a reading of the name (cut short by the bank)" in why


# -- through the CLI -------------------------------------------------------------------------------

def test_match_through_the_cli_recognises_payers_as_a_zengin_file_prints_them(tmp_path, capsys):
    book = tmp_path / "ar.xlsx"
    customers = [ja("C1", "株式会社東商事"), ja("C2", "日本電機株式会社"),
                 ja("C3", "株式会社中村システム", **{"Name Kana": "ナカムラシステム"}),
                 ja("C4", "株式会社西商事", **{"Name Kana": "ニシショウジ"})]
    invoices = [{"Invoice No": f"INV-{n}", "Customer ID": f"C{n}", "Issue Date": date(2026, 10, 1),
                 "Due Date": date(2026, 10, 31), "Currency": "JPY", "Amount": D(amount)}
                for n, amount in ((1, 110_000), (2, 275_000), (3, 88_000), (4, 66_000))]
    lines = [SynthLine(date(2026, 11, 2), D(110_000), "ｶ)ｱｽﾞﾏｼﾖｳｼﾞ", "", "1"),
             SynthLine(date(2026, 11, 3), D(275_000), "ﾆﾎﾝﾃﾞﾝｷ(ｶ", "", "2"),
             SynthLine(date(2026, 11, 4), D(88_000), "ｶ)ﾅｶﾑﾗｼｽﾃﾑ ﾌｸｵｶｼﾃﾝ", "", "3")]
    (tmp_path / "zengin.txt").write_bytes(zengin_03(Account(), D(1_000_000), lines, date(2026, 11, 5)))
    main(["new", str(book)])
    with open_book(book) as handle:
        handle.replace("Customers", make_frame(CUSTOMERS, [{**c, "Currency": "JPY"} for c in customers]))
        handle.replace("Invoices", make_frame(INVOICES, invoices))
    main(["import", str(book), str(tmp_path / "zengin.txt")])
    main(["match", str(book)])
    assert "Matched 3 of 3 credits automatically" in capsys.readouterr().out
    with open_book(book) as handle:
        allocations = handle.read("Allocations")
    got = {r["Invoice No"]: (r["Status"], r["Reason"]) for r in allocations.to_dict("records")}
    assert got["INV-1"][0] == got["INV-2"][0] == got["INV-3"][0] == "auto"
    assert "東 アズマ, 商事 ショウジ" in got["INV-1"][1]
    assert "日本 ニホン, 電機 デンキ" in got["INV-2"][1]  # pykakasi alone reads ニッポン
    assert "branch フクオカシテン dropped" in got["INV-3"][1]


# -- real names with their registered readings ---------------------------------------------------

def _zengin_from_post_kana(kana: str) -> str:
    """A Japan Post kana as a Zengin payer field: the company form as ｶ) / (ｶ / (ｶ)BRANCH, ・ as a space."""
    words = kana.replace("・", " ").split(" ")
    marks = {"カブシキガイシヤ": "カ", "カブシキカイシヤ": "カ", "(カブ)": "カ", "ソウゴカイシヤ": "ソ"}
    at = next((i for i, w in enumerate(words) if w in marks), None)
    if at is None:
        text = " ".join(words)
    else:
        before, after, mark = " ".join(words[:at]), " ".join(words[at + 1:]), marks[words[at]]
        text = f"{mark}){after}" if not before else f"{before}({mark}){after}" if after else f"{before}({mark}"
    return jaconv.z2h(text, kana=True, ascii=True, digit=True)


def test_real_company_names_without_kana_are_recognised_from_their_registered_reading():
    """121 real office names (Japan Post data, not written here) as kanji-only masters; each paid
    under its registered kana as a Zengin file prints it, branch included. pykakasi's one reading
    alone recognised 91 of them (and one as another client); every one must be recognised, and none
    as another client."""
    path = Path(__file__).parent / "fixtures" / "names" / "jp_post_offices.tsv"
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]

    def company(name: str) -> str:  # the master holds the company, not the office: 興和株式会社 of 興和 株式会社 東京支店
        words = name.split("\u3000")
        at = next((i for i, w in enumerate(words) if w in ("株式会社", "相互会社")), len(words) - 1)
        return "".join(words[:max(at, 1) + 1])

    ids = {name: f"J{n}" for n, name in enumerate(dict.fromkeys(company(name) for name, _ in rows))}
    index = CustomerIndex([ja(cid, name) for name, cid in ids.items()])
    missed = []
    for name, kana in rows:
        hits = [h for h in index.identify(_zengin_from_post_kana(kana)) if h.score >= 0.9]
        assert all(h.customer == ids[company(name)] for h in hits), (name, hits)
        if not hits:
            missed.append(name)
    assert len(rows) == 121 and not missed
