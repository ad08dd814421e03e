"""Decode text files from Japanese, Chinese and European sources without being told the encoding.

Order of evidence: the user's ``--encoding``; a BOM (UTF-8/16/32); UTF-16 without a BOM (NUL
bytes in every other place); strict UTF-8; the East Asian multi-byte encodings (CP932, EUC-JP,
GB18030, Big5) decided by which reading puts the characters in that language's common ranges,
with charset-normalizer breaking a GB18030/Big5 tie; then the single-byte code pages (Windows
125x, DOS 852/866, ISO-8859-x, KOI8-R), each reading scored for letters that sit inside words
as letters do. A reading full of symbols inside words, control or private-use characters is
refused with a message naming ``--encoding``: text is never stored as mojibake.
"""
from __future__ import annotations

import codecs
import unicodedata
from typing import Callable

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Single-byte code pages in order of prior likelihood (the first wins a tie).
SINGLE_BYTE = ("cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp852", "cp1251", "cp866", "koi8_r", "iso8859_5",
               "cp1253", "iso8859_7", "cp1254", "iso8859_9", "cp1257", "iso8859_13", "cp437", "cp850")
SAMPLE = 200_000  # bytes scored per reading: enough to decide, cheap on a 100 MB file
MAX_BAD_SHARE = 0.05  # of the non-ASCII characters


class EncodingError(ValueError):
    """Bytes that no supported encoding reads plausibly."""


def _share_common(text: str, common: Callable[[str], bool]) -> float:
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    return sum(1 for ch in wide if common(ch)) / len(wide)


def _common_japanese(ch: str) -> bool:
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return True  # kana, CJK punctuation, full-width ASCII
    if 0xFF61 <= code <= 0xFF9F:
        return True  # half-width katakana: bank payer names
    try:
        lead = ch.encode("cp932")[0]
    except UnicodeEncodeError:
        return False
    return 0x88 <= lead <= 0x98  # JIS level-1 kanji


def _common_chinese(ch: str) -> bool:
    code = ord(ch)
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return True
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return encoded[0] >= 0xB0  # GB2312 hanzi level 1 and 2 (A1-A9 are symbols)


def _common_traditional(ch: str) -> bool:
    code = ord(ch)
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return True
    try:
        lead = ch.encode("big5")[0]
    except UnicodeEncodeError:
        return False
    return 0xA4 <= lead <= 0xC6  # Big5 frequently used hanzi


MULTI_BYTE = (("cp932", _common_japanese), ("euc_jp", _common_japanese), ("gb18030", _common_chinese),
              ("big5", _common_traditional))


def implausible(text: str) -> tuple[int, int]:
    """(bad, non-ASCII) character counts: bad = replacement, control, private-use characters, and
    symbols or wrong-case letters standing inside words (what a wrong code page produces)."""
    bad = wide = 0
    previous = " "
    for index, ch in enumerate(text):
        if ch < "\x80":
            previous = ch
            continue
        wide += 1
        category = unicodedata.category(ch)
        following = text[index + 1] if index + 1 < len(text) else " "
        inside = previous.isalpha() and following.isalpha()
        if ch == "\ufffd" or category in ("Cc", "Co", "Cn", "Cs"):
            bad += 1
        elif category[0] in "PS" and inside and category not in ("Pd", "Pc"):
            bad += 1  # 'Tranzakci¢s', 'ut”lag': punctuation or symbols inside a word
        elif category == "Lu" and previous.isalpha() and previous.islower():
            bad += 1  # 'napiÚsszevont': a capital after a small letter
        elif 0x2500 <= ord(ch) <= 0x259F or ch == "\u00a4":
            bad += 1  # box drawing (a DOS page read as another), '¤' (the euro of ISO-8859-15 read as 1252)
        elif 0x370 <= ord(ch) <= 0x52F and (previous.isascii() and previous.isalpha()
                                            or following.isascii() and following.isalpha()):
            bad += 1  # Greek or Cyrillic glued to a Latin letter
        previous = ch
    return bad, wide


def _plausible(text: str) -> bool:
    bad, wide = implausible(text)
    return bad <= MAX_BAD_SHARE * wide


def _refuse(detail: str) -> EncodingError:
    return EncodingError(f"{detail}; name the file's encoding with --encoding (e.g. --encoding cp932, "
                         "gb18030, big5, cp1250, cp852, iso8859_2)")


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of ``data``; EncodingError (naming --encoding) when nothing reads it plausibly."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise EncodingError(f"--encoding {encoding}: no such encoding") from None
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise EncodingError(f"is not {encoding} text (byte {exc.start}: {exc.reason}); "
                                "try another --encoding or none to detect it") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise EncodingError(f"starts with a {name} byte-order mark but is not {name}: {exc}") from None
    head = data[:4000]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # UTF-16 without a BOM: ASCII with NULs between
        name = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:SAMPLE]
    readings: list[tuple[float, str]] = []
    for name, common in MULTI_BYTE:
        try:
            text = sample.decode(name)
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # not just a character cut by the sample's end
                continue
            text = sample[:exc.start].decode(name)
        if _plausible(text):
            readings.append((_share_common(text, common), name))
    best = max((r for r in readings if r[0] >= 0.5), default=None, key=lambda r: r[0])
    if best is not None:
        name = best[1]
        if {"gb18030", "big5"} <= {n for s, n in readings if s >= 0.5}:
            name = _tie_break(sample, ("gb18030", "big5")) or name
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    scored = []
    for rank, name in enumerate(SINGLE_BYTE):
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        bad, wide = implausible(text)
        scored.append((bad, rank, name, wide))
    if scored:
        bad, _, name, wide = min(scored)
        if bad <= MAX_BAD_SHARE * wide:
            return data.decode(name), name
    raise _refuse("cannot tell the text encoding: no reading gives plausible text")


def _tie_break(sample: bytes, names: tuple[str, ...]) -> str | None:
    from charset_normalizer import from_bytes

    found = from_bytes(sample, cp_isolation=list(names)).best()
    return found.encoding if found is not None else None


def decode_file(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """``decode_bytes`` for a file: InputError naming the file when no supported encoding reads it."""
    from arbook.model.errors import fail

    try:
        return decode_bytes(data, encoding)
    except EncodingError as exc:
        raise fail(source, 1, None, str(exc)) from None
