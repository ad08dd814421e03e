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
# Japanese legal forms: (code, written forms, the abbreviation banks print, the form read out in kana).
# Banks print the abbreviation before the name for 前株 (ｶ)ﾔﾏﾀﾞ) and after it for 後株 (ﾔﾏﾀﾞ(ｶ).
JA_FORM_TABLE = (
    ("株式会社", ("株式会社", "(株)", "㈱"), "カ", "カブシキガイシヤ"),
    ("有限会社", ("有限会社", "(有)", "㈲"), "ユ", "ユウゲンガイシヤ"),
    ("合同会社", ("合同会社", "(同)"), "ド", "ゴウドウガイシヤ"),
    ("合資会社", ("合資会社", "(資)"), "シ", "ゴウシガイシヤ"),
    ("合名会社", ("合名会社", "(名)"), "メ", "ゴウメイガイシヤ"),
    ("医療法人", ("医療法人社団", "医療法人財団", "医療法人", "(医)"), "イ", "イリヨウホウジン"),
    ("学校法人", ("学校法人", "(学)"), "ガク", "ガツコウホウジン"),
    ("社団法人", ("一般社団法人", "公益社団法人", "社団法人", "(社)"), "シヤ", "シヤダンホウジン"),
    ("財団法人", ("一般財団法人", "公益財団法人", "財団法人", "(財)"), "ザイ", "ザイダンホウジン"),
    ("社会福祉法人", ("社会福祉法人", "(福)"), "フク", "シヤカイフクシホウジン"),
    ("特定非営利活動法人", ("特定非営利活動法人", "NPO法人"), "トクヒ", "トクテイヒエイリカツドウホウジン"),
    ("税理士法人", ("税理士法人",), "ゼイ", "ゼイリシホウジン"),
    ("弁護士法人", ("弁護士法人",), "ベン", "ベンゴシホウジン"),
    ("監査法人", ("監査法人",), "カンサ", "カンサホウジン"),
    ("農事組合法人", ("農事組合法人",), "ノウ", "ノウジクミアイホウジン"),
    ("協同組合", ("協同組合",), "キヨウ", "キヨウドウクミアイ"),
)
JA_FORMS = tuple(written for _, forms, _, _ in JA_FORM_TABLE for written in forms)
_ABBREVIATIONS = "|".join(sorted((abbr for _, _, abbr, _ in JA_FORM_TABLE), key=len, reverse=True))
KANA_FORM = re.compile(rf"^[(（]?(?:{_ABBREVIATIONS})[)）]|[(（](?:{_ABBREVIATIONS})[)）]?$|[(（](?:{_ABBREVIATIONS})[)）]")
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


_FULL_KANA_FORMS = tuple(kana for _, _, _, kana in JA_FORM_TABLE)
_FORMS_RE = re.compile("|".join(re.escape(fold(f)) for f in sorted(JA_FORMS + ZH_FORMS + _FULL_KANA_FORMS, key=len, reverse=True)))
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


_JA_BY_ABBREVIATION = {abbr: code for code, _, abbr, _ in JA_FORM_TABLE}
_JA_WRITTEN = {fold(written): code for code, forms, _, kana in JA_FORM_TABLE for written in (*forms, kana)}
_JA_WRITTEN_RE = re.compile("|".join(re.escape(w) for w in sorted(_JA_WRITTEN, key=len, reverse=True)))
_KANA_MARK = re.compile(rf"^[(（]?({_ABBREVIATIONS})[)）]|[(（]({_ABBREVIATIONS})(?:[)）]|$)")
_ZH_FORM_CODES = (("股份有限公司", "股份有限公司"), ("有限责任公司", "有限公司"), ("有限公司", "有限公司"))
_EN_FORM_CODES = {"INC": "Inc.", "INCORPORATED": "Inc.", "CORP": "Inc.", "CORPORATION": "Inc.", "LTD": "Ltd.",
                  "LIMITED": "Ltd.", "LLC": "LLC", "GMBH": "GmbH", "KK": "K.K.", "PLC": "PLC", "LLP": "LLP",
                  "AG": "AG", "SA": "SA", "BV": "BV", "NV": "NV"}


def company_form(text: str) -> tuple[str, str, str] | None:
    """(script, legal form, position) of the company form in a name or payer, or None.

    Japanese: ``ｶ)ﾄｳﾜﾃﾞﾝｷ`` and ``株式会社東和電機`` -> ("ja", "株式会社", "before"); ``ﾄｳﾜﾃﾞﾝｷ(ｶ`` and
    ``東和電機株式会社`` -> after. Chinese: 有限公司 / 有限责任公司 (one form) and 股份有限公司.
    English: Inc./Corp., Ltd. (also Co., Ltd.), LLC, GmbH, K.K. ... (position is always "after").
    """
    folded = fold(text).strip()
    if not folded:
        return None
    mark = _KANA_MARK.search(folded.replace(" ", ""))
    if mark:
        code = _JA_BY_ABBREVIATION[mark.group(1) or mark.group(2)]
        return "ja", code, "before" if mark.group(1) else "after"
    written = _JA_WRITTEN_RE.search(folded)
    if written:
        at, rest = written.start(), folded[written.end():].strip()
        return "ja", _JA_WRITTEN[written.group()], "before" if at == 0 or (folded[:at].strip() == "" and rest) else "after"
    for written, code in _ZH_FORM_CODES:
        if written in folded:
            return "zh", code, "after"
    words = [w for w in _SEPARATORS.split(re.sub(r"[^0-9A-Z]+", " ", folded.replace(".", ""))) if w]
    for word in reversed(words[1:]):
        if word in _EN_FORM_CODES:
            return "en", _EN_FORM_CODES[word], "after"
    return None


def form_agreement(payer: tuple[str, str, str] | None, name: tuple[str, str, str] | None) -> int:
    """1 when the payer's company form and its place agree with the name's, -1 when they
    differ (same script, other form or other side), 0 when there is nothing to compare."""
    if payer is None or name is None or payer[0] != name[0]:
        return 0
    return 1 if payer[1:] == name[1:] else -1


def describe_form(form: tuple[str, str, str]) -> str:
    """``株式会社, placed first`` / ``Ltd.``: a company form as a reason states it."""
    script, code, position = form
    if script != "ja":
        return code
    return f"{code}, placed {'first' if position == 'before' else 'last'}"


# Words in a payer's name that say it pays for others: factoring companies and group parents.
PAYS_FOR_OTHERS = ("ファクタリング", "ファクタ", "FACTORING", "FACTORS", "保理", "ホールディングス", "HOLDINGS",
                   "GROUP", "控股", "集团", "グループ")
