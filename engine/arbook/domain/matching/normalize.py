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
from functools import lru_cache

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
    ("医療法人", ("医療法人社団", "医療法人財団", "社会医療法人", "医療法人", "(医)"), "イ", "イリヨウホウジン"),
    ("学校法人", ("学校法人", "(学)"), "ガク", "ガツコウホウジン"),
    ("社団法人", ("一般社団法人", "公益社団法人", "社団法人", "(社)"), "シヤ", "シヤダンホウジン"),
    ("財団法人", ("一般財団法人", "公益財団法人", "財団法人", "(財)"), "ザイ", "ザイダンホウジン"),
    ("社会福祉法人", ("社会福祉法人", "(福)"), "フク", "シヤカイフクシホウジン"),
    ("特定非営利活動法人", ("特定非営利活動法人", "NPO法人"), "トクヒ", "トクテイヒエイリカツドウホウジン"),
    ("税理士法人", ("税理士法人",), "ゼイ", "ゼイリシホウジン"),
    ("弁護士法人", ("弁護士法人",), "ベン", "ベンゴシホウジン"),
    ("監査法人", ("監査法人",), "カンサ", "カンサホウジン"),
    ("農事組合法人", ("農事組合法人",), "ノウ", "ノウジクミアイホウジン"),
    ("協同組合", ("協同組合",), "キヨウクミ", "キヨウドウクミアイ"),
    ("宗教法人", ("宗教法人",), "シユウ", "シユウキヨウホウジン"),
    ("相互会社", ("相互会社",), "ソ", "ソウゴガイシヤ"),
    ("更生保護法人", ("更生保護法人",), "ホゴ", "コウセイホゴホウジン"),
    ("独立行政法人", ("独立行政法人",), "ドク", "ドクリツギヨウセイホウジン"),
    ("地方独立行政法人", ("地方独立行政法人",), "チドク", "チホウドクリツギヨウセイホウジン"),
    ("中間法人", ("有限責任中間法人", "無限責任中間法人"), "チユウ", "チユウカンホウジン"),
    ("行政書士法人", ("行政書士法人",), "ギヨ", "ギヨウセイシヨシホウジン"),
    ("司法書士法人", ("司法書士法人",), "シホウ", "シホウシヨシホウジン"),
    ("国立大学法人", ("国立大学法人",), "ダイ", "コクリツダイガクホウジン"),
    ("社会保険労務士法人", ("社会保険労務士法人",), "ロウム", "シヤカイホケンロウムシホウジン"),
    ("管理組合法人", ("管理組合法人",), "カンリ", "カンリクミアイホウジン"),
)
JA_FORMS = tuple(written for _, forms, _, _ in JA_FORM_TABLE for written in forms)
_ABBREVIATIONS = "|".join(sorted((abbr for _, _, abbr, _ in JA_FORM_TABLE), key=len, reverse=True))
KANA_FORM = re.compile(rf"^[(（]?(?:{_ABBREVIATIONS})[)）]|[(（](?:{_ABBREVIATIONS})[)）]?$|[(（](?:{_ABBREVIATIONS})[)）]")
ZH_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "集团", "公司", "(中国)", "（中国）")
EN_FORMS = {"INC", "INCORPORATED", "LTD", "LIMITED", "LLC", "CORP", "CORPORATION", "CO", "COMPANY", "GMBH", "PTE",
            "PLC", "SA", "SARL", "BV", "AG", "KK", "THE", "PTY", "NV", "SPA", "SRL", "LLP", "LP"}
# Words US banks abbreviate (ACH names have 16 characters): both spellings fold to one.
EN_ABBREVIATIONS = {
    "INTERNATIONAL": "INTL", "MANUFACTURING": "MFG", "SERVICES": "SVC", "SERVICE": "SVC", "SVCS": "SVC",
    "ASSOCIATES": "ASSOC", "ASSOCIATION": "ASSOC", "ASSN": "ASSOC", "BROTHERS": "BROS", "CENTER": "CTR",
    "CENTRE": "CTR", "DEPARTMENT": "DEPT", "GROUP": "GRP", "HOLDINGS": "HLDGS", "HOLDING": "HLDGS", "HLDG": "HLDGS",
    "TECHNOLOGIES": "TECH", "TECHNOLOGY": "TECH", "SYSTEMS": "SYS", "NATIONAL": "NATL", "INDUSTRIES": "INDS",
    "INDUSTRY": "INDS", "ENGINEERING": "ENGR", "DISTRIBUTION": "DIST", "DISTRIBUTORS": "DIST", "MANAGEMENT": "MGMT",
    "PRODUCTS": "PRODS", "LABORATORIES": "LABS", "PHARMACEUTICALS": "PHARM", "PHARMACEUTICAL": "PHARM",
    "ENTERPRISES": "ENTPR", "COMMUNICATIONS": "COMMS", "ELECTRONICS": "ELEC", "ELECTRIC": "ELEC", "EQUIPMENT": "EQUIP",
    "INSURANCE": "INS", "AMERICAN": "AMER", "AMERICA": "AMER", "SUPPLIES": "SUPPLY", "SUPPLY": "SUPPLY",
    "PARTNERS": "PTNRS", "LOGISTICS": "LOGIST", "SOLUTIONS": "SOLNS", "PACKAGING": "PKG"}
_CITY_MARK = re.compile(r"^([\u4e00-\u9fff]{2})[市省](?=[\u4e00-\u9fff]{2})")  # 深圳市腾达 and 深圳腾达 are one name
_NOT_WORD = re.compile(r"[^0-9A-Z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_DIGITS = re.compile(r"\d+")


_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[ﾞﾟ゛゜\u3099\u309a])")


HIRAGANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})
_FOLD = {**HIRAGANA, **SMALL_KANA, **OLD_KANA}  # one pass: hiragana -> katakana -> big -> modern


@lru_cache(maxsize=131_072)  # payers, memos and invoice numbers recur line after line
def fold(text: str) -> str:
    """NFKC, upper case, katakana, big kana, old variants folded; spacing and marks kept."""
    text = text or ""
    if "ﾞ" in text or "ﾟ" in text:
        text = _SPACE_BEFORE_MARK.sub("", text)
    return unicodedata.normalize("NFKC", text).upper().translate(_FOLD).translate(_FOLD)


# 株式会社 is also read out unvoiced when it stands apart from the name (ｶﾌﾞｼｷｶｲｼﾔ); the longer written forms
# are read out whole too (一般社団法人 ｲﾂﾊﾟﾝｼﾔﾀﾞﾝﾎｳｼﾞﾝ, 医療法人社団 ｲﾘﾖｳﾎｳｼﾞﾝｼﾔﾀﾞﾝ)
_READ_ALSO = {"社団法人": ("イツパンシヤダンホウジン", "コウエキシヤダンホウジン"),
              "財団法人": ("イツパンザイダンホウジン", "コウエキザイダンホウジン"),
              "医療法人": ("イリヨウホウジンシヤダン", "イリヨウホウジンザイダン", "シヤカイイリヨウホウジン")}
_KANA_READ = {code: (kana, kana.replace("ガイシヤ", "カイシヤ"), *_READ_ALSO.get(code, ()))
              for code, _, _, kana in JA_FORM_TABLE}
_FULL_KANA_FORMS = tuple(dict.fromkeys(kana for read in _KANA_READ.values() for kana in read))
_FORMS_RE = re.compile("|".join(re.escape(fold(f)) for f in sorted(JA_FORMS + ZH_FORMS + _FULL_KANA_FORMS, key=len, reverse=True)))
_NO_LONG_VOWELS = str.maketrans("", "", LONG_VOWELS)
_SEPARATORS = re.compile(r"[\s.,&'/・]+")


@lru_cache(maxsize=65_536)  # the same payers and names recur on every line and every month
def name_keys(text: str) -> tuple[str, str]:
    """(``name_key(text)``, ``name_key(text, drop_digits=True)``) from one pass over the text."""
    folded = _FORMS_RE.sub(" ", fold(text))
    kept: list[str] = []
    without_digits: list[str] = []
    for word in _joined_initials(_SEPARATORS.split(folded)):
        if "(" in word or ")" in word or "（" in word or "）" in word:
            word = KANA_FORM.sub("", KANA_FORM.sub("", word))  # a mark may sit on both ends: ｶ)ﾔﾏﾀﾞ(ｶ
        word = word.translate(_NO_LONG_VOWELS)
        if not word or word in EN_FORMS:
            continue
        word = EN_ABBREVIATIONS.get(word, word)
        if not kept and "\u4e00" <= word[:1] <= "\u9fff":
            word = _CITY_MARK.sub(r"\1", word)
        kept.append(word)
        if not _DIGITS.search(word):
            without_digits.append(word)
    return _NOT_WORD.sub("", "".join(kept)), _NOT_WORD.sub("", "".join(without_digits))


def _joined_initials(words: list[str]) -> list[str]:
    """Runs of single letters as one word (``K.K.``, ``L L C`` -> KK, LLC); AND dropped (as & is)."""
    out: list[str] = []
    run = False  # the last word out is a run of single letters
    for word in words:
        initial = len(word) == 1 and "A" <= word <= "Z"
        if initial and run:
            out[-1] += word
            continue
        run = initial
        if word != "AND":
            out.append(word)
    return out


def name_key(text: str, drop_digits: bool = False) -> str:
    """The comparison key of a company or payer name (see module doc); '' when nothing is left.

    ``drop_digits`` also drops words with digits in them (a customer code or an invoice number
    glued to the payer name: ``1042 ｶ)ﾔﾏﾀﾞ``, ``K12345 ﾔﾏﾀﾞ``).
    """
    return name_keys(text)[1 if drop_digits else 0]


def payer_key(payer: str) -> str:
    """The key a payment's payer is remembered by (payment history): its ``name_key`` without
    digits and its company form, so ``ｶ)ﾄｳﾜﾃﾞﾝｷ`` is not the ``ﾄｳﾜﾃﾞﾝｷ`` a 有限会社 may print too ('' for no name)."""
    key, form = name_key(payer, drop_digits=True), company_form(payer)
    return key + "|" + "/".join(form) if key and form else key


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
_JA_WRITTEN = {fold(written): code for code, forms, _, _ in JA_FORM_TABLE for written in (*forms, *_KANA_READ[code])}
_JA_WRITTEN_RE = re.compile("|".join(re.escape(w) for w in sorted(_JA_WRITTEN, key=len, reverse=True)))
_KANA_MARK = re.compile(rf"^[(（]?({_ABBREVIATIONS})[)）]|[(（]({_ABBREVIATIONS})(?:[)）]|$)")
_ZH_FORM_CODES = (("股份有限公司", "股份有限公司"), ("股份公司", "股份有限公司"), ("有限责任公司", "有限公司"),
                  ("有限公司", "有限公司"))
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
    words = [w for w in _joined_initials(_SEPARATORS.split(re.sub(r"[^0-9A-Z]+", " ", folded.replace(".", "")))) if w]
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


# What banks print around a payer name: the transaction kind before it (振込 ﾌﾘｺﾐ, 電信 ﾃﾞﾝｼﾝ, 送金
# ｿｳｷﾝ, 汇款, 转账) and the paying branch after it (福岡支店 ﾌｸｵｶｼﾃﾝ, 大阪営業所 ｵｵｻｶｴｲｷﾞﾖｳｼﾖ, 本社,
# 北京分公司, DALLAS BRANCH, WEST DIV).
_BANK_WORDS = ("振込", "振込み", "振替", "フリコミ", "フリカエ", "電信", "デンシン", "デンシンフリコミ", "送金", "ソウキン", "汇款", "转账",
               "网银转账", "跨行转账", "网银汇款", "他行汇入", "汇入", "转入", "来账", "IB", "EB", "ACH", "ACH CREDIT",
               "ACH DEPOSIT", "WIRE", "WIRE IN", "WIRE FROM", "INCOMING WIRE", "WIRE TRANSFER", "FEDWIRE CREDIT",
               "BOOK TRANSFER CREDIT", "DEPOSIT FROM", "TRANSFER FROM", "PAYMENT FROM", "FROM")
_BANK_PREFIX = re.compile("^(?:" + "|".join(sorted(_BANK_WORDS, key=len, reverse=True)) + r")(?:\s+|[:：*]\s*)")
BRANCH_WORDS = ("シテン", "シシヤ", "エイギヨウシヨ", "エイギヨウブ", "シユツチヨウシヨ", "ジギヨウシヨ", "ジムシヨ", "ホンシヤ",
                "ホンテン", "支店", "支社", "営業所", "営業部", "出張所", "事業所", "本社", "本店", "分公司", "分行", "办事处",
                "营业部", "BRANCH", "DIV", "DIVISION")
BRANCH_END = re.compile(rf"(?:{'|'.join(BRANCH_WORDS)})$")
# Zengin abbreviates 営業所 (ｴｲ) and 出張所 (ｼﾕﾂ) in brackets; a form mark inside the name is bracketed on
# both sides: ｹｲﾖｳｷﾞﾝｺｳ(ｶ)ﾁﾊﾞｼﾃﾝ is 京葉銀行株式会社千葉支店 (the branch after the form)
_BRANCH_MARK = re.compile(r"[(（](?:エイ|シユツ)[)）]?$")
_FORM_THEN_BRANCH = re.compile(rf"[(（](?:{_ABBREVIATIONS})(?=[)）].+$)")
_HANZI = re.compile(r"[\u3400-\u9fff]+")  # a Chinese export's branch cut to its first characters
# a branch word the bank cut short: a place and the start of a hanzi/kanji branch word (深圳分 for 深圳分公司;
# one character only of 分公司/分行/支店/办事处, which no name ends in, unlike 事, 本 or 事業), or a Latin one from its
# third letter (DALLAS BRANC); never a kana one (ﾀﾅｶ ﾋﾛｼ is a person, not a cut ｼﾃﾝ)
_CUT_BRANCH = re.compile("(?:" + "|".join(sorted(
    {w[:n] for w in BRANCH_WORDS if _HANZI.fullmatch(w) and w != "事業所"
     for n in range(1 if w[0] in "分支办" else 2, len(w))},
    key=len, reverse=True)) + ")$")
_CUT_BRANCH_LATIN = frozenset(w[:n] for w in BRANCH_WORDS if w.isascii() for n in range(3, len(w))) - set(BRANCH_WORDS)
_TRAILING_DIGITS = re.compile(r"(?<=\D)(?:\s+(?:INV|INVOICE|REF|NO|PO|セイキユウ|請求書?)\.?)?[\s#:.-]*\d{3,}$")
_CUT_FORM = re.compile("(?:" + "|".join(sorted({fold(f)[:n] for f in ZH_FORMS[:4] + _FULL_KANA_FORMS
                                                  for n in range(2, len(f))}, key=len, reverse=True)) + ")$")


def bank_variants(payer: str) -> list[tuple[str, str]]:
    """The payer without what banks print around a name, each with what was dropped:
    ``ﾌﾘｺﾐ ｶ)ﾔﾏﾀﾞ 12345`` -> (``ｶ)ﾔﾏﾀﾞ``, "ﾌﾘｺﾐ and reference 12345 dropped"); a last word naming a
    branch (``ﾌｸｵｶｼﾃﾝ``, ``北京分公司``, ``DALLAS BRANCH``) likewise, and a last word of one or two
    characters (the start of a branch the bank cut: ``新源能源有限公司 上``). Empty when there is nothing to drop."""
    text, dropped = " ".join(fold(payer).split()), []
    prefix = _BANK_PREFIX.match(text)
    if prefix and text[prefix.end():]:
        dropped.append(prefix.group().strip(" :："))
        text = text[prefix.end():]
    digits = _TRAILING_DIGITS.search(text)
    if digits:
        dropped.append(f"reference {digits.group().strip(' -')}")
        text = text[:digits.start()].rstrip()
    out = [(text, " and ".join(dropped) + " dropped")] if dropped else []
    inside = _FORM_THEN_BRANCH.search(text)  # what follows a form mark closed inside the name is an office
    if inside:
        out.append((text[:inside.end()], f"branch {text[inside.end() + 1:]} dropped"))
    elif _BRANCH_MARK.search(text):  # ﾏﾙﾊﾞﾂｼﾖｳｼﾞ ｻｲﾀﾏ(ｴｲ: the branch's place stands before the mark
        base = text[:_BRANCH_MARK.search(text).start()].rstrip()
        out.append((base.rsplit(" ", 1)[0], f"branch {base.rsplit(' ', 1)[-1]}{text[len(base):]} dropped")
                   if " " in base else (base, "the bracketed 営業所/出張所 mark dropped"))
    words = text.split(" ")
    if len(words) > 1 and len(words[-1]) <= 2 and _HANZI.fullmatch(words[-1]) and len(words[0]) >= 4:
        out.append((" ".join(words[:-1]), f"{words[-1]} after the name dropped (a word the bank cut short)"))
    cut = words[-1] in _CUT_BRANCH_LATIN or (len(words[-1]) > 2 and _HANZI.fullmatch(words[-1])
                                             and _CUT_BRANCH.search(words[-1]) and not BRANCH_END.search(words[-1]))
    if len(words) > 1 and cut:  # DALLAS BRANC: the city too, as below
        for at in (len(words) - 1, len(words) - 2)[:1 + (words[-1].isascii() and len(words) > 2)]:
            out.append((" ".join(words[:at]), f"branch {' '.join(words[at:])} dropped (cut short by the bank)"))
    if len(words) > 1 and BRANCH_END.search(words[-1]):
        # the branch is the last word (ﾌｸｵｶｼﾃﾝ) or the last two (DALLAS BRANCH: the city stands apart)
        for at in (len(words) - 1, len(words) - 2)[:1 + (words[-1] in BRANCH_WORDS and len(words) > 2)]:
            out.append((" ".join(words[:at]), f"branch {' '.join(words[at:])} dropped"))
    return out


def cut_form(key: str) -> str | None:
    """``key`` without a company form the bank cut short at its end (上海宏达国际贸易有限公 -> 上海宏达国际贸易,
    ﾔﾏﾀﾞｼﾖｳｼﾞ ｶﾌﾞｼｷｶﾞｲ -> ヤマダシヨウジ), or None when it does not end inside a form."""
    found = _CUT_FORM.search(key)
    return key[:found.start()] if found and found.start() else None


# Words in a payer's name that say it pays for others: factoring companies and group parents.
PAYS_FOR_OTHERS = ("ファクタリング", "ファクタ", "FACTORING", "FACTORS", "保理", "ホールディングス", "HOLDINGS",
                   "GROUP", "控股", "集团", "グループ")


_FOR_OTHERS = tuple((word, fold(word).upper().translate(_NO_LONG_VOWELS)) for word in PAYS_FOR_OTHERS)


def pays_for_others(payer: str) -> str | None:
    """The word of a parent or factoring company in the payer (ﾎ-ﾙﾃﾞｲﾝｸﾞｽ as Zengin prints ホールディングス too),
    or None."""
    text = fold(payer).upper().translate(_NO_LONG_VOWELS)
    return next((word for word, folded in _FOR_OTHERS if folded in text), None)
