"""Folding names and finding invoice numbers the way banks mangle them.

``name_key`` turns what a bank prints (``ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ``, ``ﾔﾏﾀﾞ ｼﾖｳｼﾞ(ｶ``, ``ACME TRADERS INC.``,
``上海华贸有限公司``) and what the book holds (``株式会社山田商事``, ``ヤマダショウジ``, ``Acme Traders Inc.``)
into comparable keys: NFKC (half-width kana to full-width, full-width ASCII to ASCII), upper
case, hiragana to katakana, small kana written big (banks print ``ｼﾖｳｼﾞ`` for ショウジ), old
kana variants folded, long-vowel marks and punctuation dropped, company forms removed.
"""
from __future__ import annotations

import re
import unicodedata

SMALL_KANA = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")
OLD_KANA = str.maketrans({"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヰ": "イ", "ヱ": "エ", "ヴ": "ブ"})
LONG_VOWELS = "ー‐－-―−～〜"
# Japanese company forms in full and as bank abbreviations (カ) = 株式会社, ユ) = 有限会社, ド) = 合同会社 ...)
JA_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "社団法人", "医療法人",
            "学校法人", "(株)", "(有)", "(同)", "(合)", "㈱", "㈲")
KANA_FORM = re.compile(r"^(?:カ|ユ|ド|メ|シ|ザ|イ|ガ|ユウ|シヤ|ザイ)[)）]|[(（](?:カ|ユ|ド|メ|シ|ザ|イ|ガ|ユウ|シヤ|ザイ)[)）]?$"
                       r"|[(（](?:カ|ユ|ド)[)）]")
ZH_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "(中国)", "（中国）")
EN_FORMS = {"INC", "INCORPORATED", "LTD", "LIMITED", "LLC", "CORP", "CORPORATION", "CO", "COMPANY", "GMBH", "PTE",
            "PLC", "SA", "SARL", "BV", "AG", "KK", "THE", "PTY", "NV", "SPA", "SRL", "LLP", "LP"}
_NOT_WORD = re.compile(r"[^0-9A-Z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_DIGITS = re.compile(r"\d+")


_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[ﾞﾟ゛゜\u3099\u309a])")


def fold(text: str) -> str:
    """NFKC, upper case, katakana, big kana, old variants folded; spacing and marks kept."""
    text = unicodedata.normalize("NFKC", _SPACE_BEFORE_MARK.sub("", text or "")).upper()
    text = "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)  # hiragana
    return text.translate(SMALL_KANA).translate(OLD_KANA)


def name_key(text: str, drop_digits: bool = False) -> str:
    """The comparison key of a company or payer name (see module doc); '' when nothing is left.

    ``drop_digits`` also drops words with digits in them (a customer code or an invoice number
    glued to the payer name: ``1042 ｶ)ﾔﾏﾀﾞ``, ``K12345 ﾔﾏﾀﾞ``).
    """
    folded = fold(text)
    for form in JA_FORMS + ZH_FORMS:
        folded = folded.replace(form, " ")
    words = []
    for word in re.split(r"[\s.,&'/・]+", folded):
        word = KANA_FORM.sub("", KANA_FORM.sub("", word))  # a mark may sit on both ends: ｶ)ﾔﾏﾀﾞ(ｶ
        for mark in LONG_VOWELS:
            word = word.replace(mark, "")
        if not word or word in EN_FORMS or (drop_digits and _DIGITS.search(word)):
            continue
        words.append(word)
    return _NOT_WORD.sub("", "".join(words))


def digit_runs(text: str) -> list[str]:
    """Every run of digits in ``text`` after NFKC (full-width digits count), in order."""
    return _DIGITS.findall(unicodedata.normalize("NFKC", text or ""))


def invoice_core(number: str) -> str:
    """The digits that identify an invoice number (``INV-1042`` -> ``1042``; none -> the folded text)."""
    runs = digit_runs(number)
    return max(runs, key=len) if runs else fold(number)


def compact(text: str) -> str:
    """Letters and digits only, folded: for matching an invoice number written without separators."""
    return _NOT_WORD.sub("", fold(text))
