"""Who paid and what for, read from a bank's free-text description (one text -> payer, purpose).

Banks often print the remitter only inside the description. Recognised, in this order:
labelled names (依頼人名, 对方户名/对方账户名称, ORIG NAME / ORIG CO NAME / CO NAME, BY ORDER OF,
Auftraggeber, Naam, SEPA ABWA+), labelled purposes (Verwendungszweck, Omschrijving, SVWZ+),
then leading transfer words (振込/ﾌﾘｺﾐ/振込＊/ｿｳｷﾝ, 转账/汇入, TRANSFER FROM, ZELLE FROM). The payer
is returned as the bank wrote it (half/full width untouched); matching folds it later.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Described:
    """A description split into payer (may be '') and purpose (the rest, or the labelled purpose)."""

    payer: str
    memo: str
    rule: str = ""


_SEP = r"[\s\u3000:：＊*＿_・\-－/]"
# Labels after which a name runs up to the next label (a WORD: key, two spaces, or a field separator).
_NEXT_LABEL = (r"(?=\s{2,}|\s*[|;；]|\s+/|\s+(?:ORIG\s*ID|ORIG\s*CO|DESC\s*DATE|CO\s*ENTRY|ENTRY\s*DESCR|CO\s*ID|IND\s*ID|IND\s*NAME|"
               r"SEC|TRACE|EED|TRN|ID|REF|DESCR|PMT\s*INFO|RMR|IBAN|BIC)\s?[:#]|"
               r"\s*(?:Verwendungszweck|Omschrijving|IBAN|BIC|Kenmerk|Machtiging|Referenz|EREF|KREF|MREF|SVWZ|"
               r"CRED|DEBT|Mandat|Datum|摘要|附言|用途|备注|账号|对方账号|对方账户)\b|$)")
_LABELLED_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(pattern, re.I)) for rule, pattern in (
        ("ja 依頼人名", r"(?:振込)?依頼人(?:名)?[\s\u3000:：]*(?P<name>[^\s\u3000,，;；|]+(?:[\s\u3000][^\s\u3000,，;；|:：]+)*?)"
                       r"(?=[\s\u3000]*(?:[,，;；|]|$|摘要|備考|ＥＤＩ|EDI))"),
        ("zh 对方户名", r"(?:对方户名|对方账户名称|对方账户名|对方名称|对方户|付款人名称|付款人|付款方|汇款人)"
                       r"[\s:：]*(?P<name>[^\s,，;；|/]+)"),
        ("en ORIG NAME", r"\bORIG(?:INATOR)?\s*(?:CO\s*)?NAME\s*[:#]?\s*(?P<name>\S.*?)" + _NEXT_LABEL),
        ("en CO NAME", r"(?<![A-Z])CO(?:MPANY)?\s*NAME\s*[:#]\s*(?P<name>\S.*?)" + _NEXT_LABEL),
        ("en BY ORDER OF", r"(?:\bBY\s+ORDER\s+OF\b|\bB/O\b)[:\s]*(?P<name>\S.*?)" + _NEXT_LABEL),
        ("de Auftraggeber", r"\b(?:Auftraggeber|Zahlungspflichtiger|Einzahler)\s*[:/]?\s*(?P<name>\S.*?)" + _NEXT_LABEL),
        ("nl Naam", r"\bNaam\s*:\s*(?P<name>\S.*?)" + _NEXT_LABEL),
        ("pl OD", r"\bOD\s*:\s*(?P<name>[^;]+?)(?=\s{2,}|\s*;|$)"),
    ))
_LABELLED_PURPOSE = re.compile(r"(?:\bVerwendungszweck\s*:?|\bOmschrijving\s*:|\bREMI\s*:|附言\s*[:：]|用途\s*[:：])"
                               r"\s*(?P<memo>.+?)(?=\s*(?:\b(?:IBAN|BIC|Kenmerk|Machtiging|Naam)\b\s*:?|$))", re.I)
_LEADING: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(pattern, re.I)) for rule, pattern in (
        # 振込 ｶ)ﾔﾏﾀﾞ / ﾌﾘｺﾐ ﾀﾅｶ / 振込＊ﾄ / 振込２ ﾔﾏﾀﾞ / ｿｳｷﾝ ... (never 振込手数料: a separator is required)
        ("ja 振込", r"^\s*(?:振込入金|振込|ﾌﾘｺﾐ|フリコミ|ﾌﾘｺﾐﾆﾕｳｷﾝ|フリコミニュウキン|ｿｳｷﾝ|ソウキン|送金|ﾃﾞﾝｼﾌﾘｺﾐ)"
                   r"[0-9０-９]*(?:[\s\u3000＊*:：]+)(?:[0-9０-９]{4,}[\s\u3000]+)?(?P<name>\S.*?)\s*$"),
        # 振込ﾀﾅｶ ﾀﾛｳ: a kanji prefix straight before kana or Latin capitals (振込手数料 stays a fee)
        ("ja 振込", r"^\s*(?:振込入金|振込|送金)(?P<name>[ｦ-ﾟァ-ヶＡ-Ｚ].*?)\s*$"),
        ("zh 转账/汇入", r"^\s*(?:跨行|网银|手机|网上)?(?:转账|汇入|汇款|转入)(?:汇款|收入|存入|转入|入账)?"
                        r"[\s:：\-—_/]+(?P<name>[^\s,，;；|/]+)"),
        ("en ACH CREDIT", r"^\s*(?:ACH\s+(?:CREDIT|CR|DEPOSIT|CREDIT\s+RECEIVED)|DEPOSIT\s+ACH|INCOMING\s+WIRE"
                          r"(?:\s+TRANSFER)?|WIRE\s+(?:IN|CREDIT)|BOOK\s+TRANSFER\s+CREDIT)\s+(?:\d+\s+)?"
                          r"(?P<name>(?!FROM\b|ORIG\b|CO\s+NAME)[A-Z][^:]*?)"
                          r"(?=\s+(?:PAYMENTS?|PMTS?|INV(?:OICE)?|ID|REF|CCD|PPD|CTX|WEB|TRN|ENTRY|DESCR|ORIG|CO\s+ID|"
                          r"SEC)\b|\s+\S*\d{3,}|\s+[A-Z]+\s?:|\s*[:#/|;]|\s{2,}|$)"),
        ("en ZELLE FROM", r"\bZELLE\s+(?:PAYMENT\s+|TRANSFER\s+|CREDIT\s+)?FROM\s+(?P<name>.+?)"
                          r"(?=\s+(?:ON\s+\d|CONF(?:IRMATION)?\b|REF\b|ID\b|[A-Z0-9]*\d{6,})|\s{2,}|$)"),
        ("en TRANSFER FROM", r"\b(?:TRANSFER|TRANSFERRED|TRF|XFER|PAYMENT|DEPOSIT|REMITTANCE|CREDIT|RECEIVED|WIRE)"
                             r"\s+FROM\s*:?\s+(?P<name>.+?)"
                             r"(?=\s+(?:ON\s+\d|REF\b|REF:|CONF|ACCT|ACCOUNT|A/C|X{2,}|\*{2,}|INV(?:OICE)?\b|FOR\b|"
                             r"RE\b|MEMO\b|\S*\d{3,})|"
                             r"\s*[/|;]|\s{2,}|$)"),
    ))


_SEPA_KEY = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT)\+")


def _sepa(text: str) -> Described | None:
    """SEPA keys of a German purpose (DFÜ-Abkommen): SVWZ+ is the purpose, ABWA+ the ordering party."""
    parts = _SEPA_KEY.split(text)
    if len(parts) < 3:
        return None
    keys = {k: v.strip() for k, v in zip(parts[1::2], parts[2::2])}
    if "SVWZ" not in keys and "ABWA" not in keys:
        return None
    return Described(keys.get("ABWA", ""), keys.get("SVWZ", "") or text, "de SEPA ABWA+" if keys.get("ABWA") else "")


#: Words that name a kind of transaction, never a payer (转账汇款 转账: no payer in it).
NOT_NAMES = {"转账", "汇款", "汇入", "转入", "收入", "支出", "存入", "入金", "振込", "FROM", "TO"}
_ACCOUNT_FIRST = re.compile(r"^[\d-]{6,}\s+(?=\D)")  # "12-345678-9 JOHN SMITH": the account before the name


def _clean(name: str) -> str:
    name = _ACCOUNT_FIRST.sub("", name.strip(" \u3000\t,，;；:：/|-")).strip()
    return "" if name.upper() in NOT_NAMES else name


#: Every word a rule below starts from: a text without any of them names nobody (checked first, fast).
_TRIGGER = re.compile(r"依頼人|振込|ﾌﾘｺﾐ|フリコミ|ｿｳｷﾝ|ソウキン|送金|ﾃﾞﾝｼ|对方|付款|汇款人|转账|汇入|汇款|转入|ORIG|NAME|"
                      r"ACH|WIRE|BOOK TRANSFER|"
                      r"ORDER|B/O|Auftraggeber|Zahlungspflichtiger|Einzahler|Naam|OD\s*:|FROM|[A-Z]{4}\+|"
                      r"Verwendungszweck|Omschrijving|REMI|附言|用途", re.I)


def describe(text: str) -> Described:
    """Payer and purpose in a bank's description; Described('', text) when it names nobody."""
    text = " ".join((text or "").split()) if "\n" in (text or "") else (text or "").strip()
    if not text or not _TRIGGER.search(text):
        return Described("", text)
    sepa = _sepa(text)
    if sepa is not None:
        return sepa
    purpose = _LABELLED_PURPOSE.search(text)
    memo = purpose["memo"].strip() if purpose else ""
    for rule, pattern in _LABELLED_NAMES + _LEADING:
        found = pattern.search(text)
        if found and found.groupdict().get("name") and _clean(found["name"]):
            name = _clean(found["name"])
            rest = memo or (text[: found.start("name")] + " " + text[found.end("name"):]).strip(" \u3000\t,，;；:：/|-")
            return Described(name, " ".join(rest.split()), rule)
    return Described("", memo or text)
