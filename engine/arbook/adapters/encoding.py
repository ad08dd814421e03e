"""Decode text files from Japanese, Chinese and European sources without being told the encoding.

Order of evidence: a BOM; strict UTF-8; then CP932 vs GB18030 decided by which reading puts
the bytes in that encoding's common ranges (kana and JIS level-1 kanji vs GB2312 hanzi);
Windows-1252 last, since it decodes nearly anything.
"""
from __future__ import annotations

import codecs
from typing import Callable

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class EncodingError(ValueError):
    """Bytes that no supported encoding reads."""


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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of ``data``; EncodingError when nothing reads it."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise EncodingError(f"starts with a {name} byte-order mark but is not {name}: {exc}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings: list[tuple[float, str, str]] = []
    for name, common in (("cp932", _common_japanese), ("gb18030", _common_chinese)):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        readings.append((_share_common(text, common), name, text))
    if readings:
        score, name, text = max(readings, key=lambda r: r[0])
        if score >= 0.5:
            return text, name
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    if readings:
        return readings[0][2], readings[0][1]
    raise EncodingError("not UTF-8, CP932, GB18030 or Windows-1252 text")


def decode_file(data: bytes, source: str) -> tuple[str, str]:
    """``decode_bytes`` for a file: InputError naming the file when no supported encoding reads it."""
    from arbook.model.errors import fail

    try:
        return decode_bytes(data)
    except EncodingError as exc:
        raise fail(source, 1, None, str(exc)) from None
