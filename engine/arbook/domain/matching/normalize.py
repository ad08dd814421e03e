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


HIRAGANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})
_FOLD = {**HIRAGANA, **SMALL_KANA, **OLD_KANA}  # one pass: hiragana -> katakana -> big -> modern


def fold(text: str) -> str:
    """NFKC, upper case, katakana, big kana, old variants folded; spacing and marks kept."""
    text = text or ""
    if "ﾞ" in text or "ﾟ" in text:
        text = _SPACE_BEFORE_MARK.sub("", text)
    return unicodedata.normalize("NFKC", text).upper().translate(_FOLD).translate(_FOLD)


_FORMS_RE = re.compile("|".join(re.escape(f) for f in sorted(JA_FORMS + ZH_FORMS, key=len, reverse=True)))
_NO_LONG_VOWELS = str.maketrans("", "", LONG_VOWELS)
_SEPARATORS = re.compile(r"[\s.,&'/・]+")


def name_keys(text: str) -> tuple[str, str]:
    """(``name_key(text)``, ``name_key(text, drop_digits=True)``) from one pass over the text."""
    folded = _FORMS_RE.sub(" ", fold(text))
    kept: list[str] = []
    without_digits: list[str] = []
    for word in _SEPARATORS.split(folded):
        if "(" in word or ")" in word or "（" in word or "）" in word:
            word = KANA_FORM.sub("", KANA_FORM.sub("", word))  # a mark may sit on both ends: ｶ)ﾔﾏﾀﾞ(ｶ
        word = word.translate(_NO_LONG_VOWELS)
        if not word or word in EN_FORMS:
            continue
        kept.append(word)
        if not _DIGITS.search(word):
            without_digits.append(word)
    return _NOT_WORD.sub("", "".join(kept)), _NOT_WORD.sub("", "".join(without_digits))


def name_key(text: str, drop_digits: bool = False) -> str:
    """The comparison key of a company or payer name (see module doc); '' when nothing is left.

    ``drop_digits`` also drops words with digits in them (a customer code or an invoice number
    glued to the payer name: ``1042 ｶ)ﾔﾏﾀﾞ``, ``K12345 ﾔﾏﾀﾞ``).
    """
    return name_keys(text)[1 if drop_digits else 0]


def digit_runs(text: str) -> list[str]:
    """Every run of digits in ``text`` after NFKC (full-width digits count), in order."""
    return _DIGITS.findall(unicodedata.normalize("NFKC", text or ""))


def invoice_core(number: str) -> str:
    """The digits that identify an invoice number (``INV-1042`` -> ``1042``; none -> the folded text)."""
    runs = _DIGITS.findall(number) if number.isascii() else digit_runs(number)
    return max(runs, key=len) if runs else fold(number)


def compact(text: str) -> str:
    """Letters and digits only, folded: for matching an invoice number written without separators."""
    return _NOT_WORD.sub("", fold(text))
