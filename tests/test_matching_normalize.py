"""Normalisers: kana folding, company forms, invoice numbers, subset search, payer identification."""
import pytest
from hypothesis import given, settings, strategies as st

from arbook.domain.matching.names import CustomerIndex
from arbook.domain.matching.normalize import digit_runs, fold, invoice_core, name_key, name_keys, pays_for_others
from arbook.domain.matching.subset import find_combination


@pytest.mark.parametrize("bank,book", [
    ("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "（株）ヤマダショウジ"),    # company mark before, small kana printed big
    ("ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", "ヤマダショウジ"),          # mark after; reading in the book
    ("ﾔﾏﾀﾞ ｼﾖｳｼﾞ", "やまだしょうじ"),           # space moved; hiragana in the book
    ("ﾕ)ﾓﾘﾔｸﾋﾝ", "モリヤクヒン"),
    ("ﾄﾞ)ｶﾄｳｳﾝﾕ", "カトウウンユ"),
    ("ｴ-ｱ-ﾙﾌﾞﾂｸ(ｶ", "エーアールブック"),        # long vowels printed as '-'
    ("ACME TRADERS INC", "Acme Traders, Inc."),
    ("上海华贸有限公司", "上海华贸股份有限公司"),
    ("ｺｳﾍﾞｴﾝﾄ ﾞｳｺｳｷﾞﾖｳ", "コウベエンドウコウギョウ"),  # a space before a voiced mark
])
def test_bank_and_book_names_fold_to_the_same_key(bank, book):
    assert name_key(bank) == name_key(book) != ""


def test_digits_glued_to_the_payer_are_dropped_on_request():
    assert name_keys("1042 ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ") == ("1042ヤマダシヨウジ", "ヤマダシヨウジ")
    assert name_key("K12345 ﾔﾏﾀﾞ", drop_digits=True) == "ヤマダ"


def test_fold_and_invoice_numbers():
    assert fold("ＩＮＶ－１０４２") == "INV-1042"
    assert digit_runs("ＩＮＶ－１０４２ inv-1043. 1044ｶ)") == ["1042", "1043", "1044"]
    assert invoice_core("INV-1042") == "1042" and invoice_core("2026-00042") == "00042"


def test_subset_prefers_the_oldest_run_and_is_bounded():
    assert find_combination([100, 200, 300], 300, 300).positions == (0, 1)
    assert find_combination([5, 100, 7, 100], 200, 200).positions == (1, 3)
    combo = find_combination([7] * 150, 21, 21)
    assert combo.positions == (0, 1, 2) and not combo.ambiguous  # equal amounts: oldest is the rule
    assert find_combination([100, 250, 150, 200, 50], 300, 300).ambiguous  # 100+200, 250+50, 150+100+50...
    assert find_combination(list(range(1000, 1200)), 10**9, 10**9 + 5) is None
    assert find_combination([500, 400], 880, 890) is None and find_combination([500, 400], 880, 950).total == 900


def test_customer_index_scores_and_reasons():
    index = CustomerIndex([
        {"Customer ID": "C1", "Name": "株式会社山田商事", "Name Kana": "ヤマダショウジ", "Payer Names": None},
        {"Customer ID": "C2", "Name": "深圳市腾达电子有限公司", "Name Kana": None, "Payer Names": None},
        {"Customer ID": "C3", "Name": "Acme Traders Inc.", "Name Kana": None, "Payer Names": "ACME TRD;ACME"},
        {"Customer ID": "K12345", "Name": "佐藤製作所", "Name Kana": "サトウセイサクショ", "Payer Names": None},
    ])
    top = lambda payer: (index.identify(payer) or [None])[0]
    assert (top("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ").customer, top("ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ").score) == ("C1", 0.98)
    assert top("Acme Traders Inc.").score == 1.0  # the whole name, company form included
    assert top("ACME TRD").why == "payer equals learned payer name"
    assert top("腾达电子有限公司").customer == "C2" and top("腾达电子有限公司").score == 0.95  # without its city
    assert top("ﾔﾏﾀﾞｼﾖｳ").why.startswith("payer is the start")  # cut short by the bank
    assert top("K12345 ｻﾄｳ").customer == "K12345" and top("K12345 ｻﾄｳ").score == 1.0
    assert index.identify("ﾀﾅｶ ﾀﾛｳ") == [] and index.identify("") == []


@given(st.lists(st.integers(1, 60), min_size=0, max_size=9), st.integers(2, 200), st.integers(0, 6))
@settings(max_examples=300, deadline=None)
def test_find_combination_is_the_first_fitting_set_in_age_order(amounts, low, spread):
    from itertools import combinations

    high = low + spread
    run = next((end for end in range(1, len(amounts)) if low <= sum(amounts[:end + 1]) <= high
                and sum(amounts[:end]) <= high), None)
    fitting = sorted(c for size in (2, 3, 4) for c in combinations(range(len(amounts)), size)
                     if low <= sum(amounts[p] for p in c) <= high)
    found = find_combination(amounts, low, high)
    if run is not None and all(sum(amounts[:e + 1]) <= high for e in range(run)):
        assert found.positions == tuple(range(run + 1))
    elif not fitting:
        assert found is None
    else:
        assert found is not None and found.positions == fitting[0]


@pytest.mark.parametrize("payer, word", [("ﾔﾏﾄﾎ-ﾙﾃﾞｲﾝｸﾞｽ(ｶ", "ホールディングス"),  # Zengin prints ー as -
                                         ("ﾔﾏﾄﾎｰﾙﾃﾞｨﾝｸﾞｽ(ｶ", "ホールディングス"), ("YAMATO HOLDINGS", "HOLDINGS"),
                                         ("华东控股集团有限公司", "控股"), ("ﾀﾅｶ ﾀﾛｳ", None)])
def test_a_parent_or_factoring_company_is_told_by_its_word_however_the_bank_writes_it(payer, word):
    assert pays_for_others(payer) == word
