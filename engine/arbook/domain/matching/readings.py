"""Readings (katakana) of Japanese names that a customer master holds only in kanji.

Banks print payer names in half-width kana, so a client recorded as 株式会社山本商会 without a
Name Kana can only be recognised through its reading: pykakasi (a maintained dictionary-based
converter) gives 山本商会 -> ヤマモトショウカイ. A derived reading is evidence, not proof: names
have several readings (中島 ナカジマ / ナカシマ), so the matcher treats it as weaker than a
reading the accountant entered or a payer name it learned.
"""
from __future__ import annotations

import re
from functools import lru_cache

from arbook.domain.matching.normalize import JA_FORMS, fold

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_JA_FORM = re.compile("|".join(re.escape(fold(f)) for f in sorted(JA_FORMS, key=len, reverse=True)))
_converter = None


def needs_reading(name: str, language: str | None) -> bool:
    """Whether ``name`` is a Japanese name written (partly) in kanji, whose reading must be derived."""
    if not name or not _KANJI.search(name):
        return False
    if language:
        return language == "ja"
    return bool(_KANA.search(name) or _JA_FORM.search(fold(name)))


@lru_cache(maxsize=65_536)
def reading(name: str) -> str:
    """The katakana reading of ``name`` without its company form (株式会社山本商会 -> ヤマモトショウカイ)."""
    global _converter
    if _converter is None:
        import pykakasi  # loaded on first use: its dictionaries take a moment

        _converter = pykakasi.kakasi()
    text = _JA_FORM.sub(" ", fold(name))
    return "".join(part["kana"] for part in _converter.convert(text)).replace(" ", "")
