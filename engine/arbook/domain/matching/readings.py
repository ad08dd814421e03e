"""Readings (katakana) of Japanese names that a customer master holds only in kanji.

Banks print payer names in half-width kana, so a client recorded as 株式会社山本商会 without a
Name Kana can only be recognised through its reading: pykakasi (a maintained dictionary-based
converter) gives 山本商会 -> ヤマモトショウカイ. A derived reading is evidence, not proof: names
have several readings (中島 ナカジマ / ナカシマ, 日本 ニホン / ニッポン, 東 ヒガシ / アズマ / トウ), so
``fits_reading`` also asks whether a payer's kana is *any* reading pykakasi's dictionary allows
for the name, word by word, and the matcher treats both as weaker than a reading the accountant
entered or a payer name it learned.
"""
from __future__ import annotations

import re
from functools import lru_cache

from arbook.domain.matching.normalize import HIRAGANA, JA_FORMS, fold

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_JA_FORM = re.compile("|".join(re.escape(fold(f)) for f in sorted(JA_FORMS, key=len, reverse=True)))
_converter = None
_dictionary = None

# The vowel of each katakana (after ``fold``: big kana only), for the kana that only lengthen a vowel.
_ROWS = {"ア": "アカガサザタダナハバパマヤラワ", "イ": "イキギシジチニヒビピミリ", "ウ": "ウクグスズツヌフブプムユル",
         "エ": "エケゲセゼテデネヘベペメレ", "オ": "オコゴソゾトドノホボポモヨロ"}
_VOWEL = {kana: vowel for vowel, row in _ROWS.items() for kana in row}
# The voiced forms of each kana (after ``fold``: ヂ ヅ are written ジ ズ): ハ has two, バ and パ.
VOICED: dict[str, tuple[str, ...]] = {
    **{plain: (voiced,) for plain, voiced in zip("カキクケコサシスセソタチツテトウ", "ガギグゲゴザジズゼゾダジズデドヴ")},
    **{plain: pair for plain, *pair in zip("ハヒフヘホ", "バビブベボ", "パピプペポ")}}
_RENDAKU: dict[str, set[str]] = {}
for _plain, _forms in VOICED.items():
    for _kana in (_plain, *_forms):
        _RENDAKU.setdefault(_kana, set()).update({_plain, *_forms})
# Latin letters as Japanese read them out (banks print either the letter or its reading).
_LETTERS = {"A": ("エー", "エイ"), "B": ("ビー",), "C": ("シー",), "D": ("ディー", "デー"), "E": ("イー",), "F": ("エフ",),
            "G": ("ジー",), "H": ("エイチ", "エッチ"), "I": ("アイ",), "J": ("ジェー", "ジェイ"), "K": ("ケー", "ケイ"),
            "L": ("エル",), "M": ("エム",), "N": ("エヌ",), "O": ("オー",), "P": ("ピー",), "Q": ("キュー",),
            "R": ("アール",), "S": ("エス",), "T": ("ティー", "テー"), "U": ("ユー",), "V": ("ブイ",),
            "W": ("ダブリュー",), "X": ("エックス",), "Y": ("ワイ",), "Z": ("ゼット",)}
_RUN = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff々A-Z]+")
_LONGEST_WORD = 8  # dictionary words longer than this are not names' parts
_KEEP = re.compile(r"[^0-9A-Z\u30a1-\u30fa\u3400-\u9fff\uf900-\ufaff々]")


def needs_reading(name: str, language: str | None) -> bool:
    """Whether ``name`` is a Japanese name written (partly) in kanji, whose reading must be derived."""
    if not name or not _KANJI.search(name):
        return False
    if language:
        return language == "ja"
    return bool(_KANA.search(name) or _JA_FORM.search(fold(name)))


def _kakasi():
    global _converter
    if _converter is None:
        import pykakasi  # loaded on first use: its dictionaries take a moment

        _converter = pykakasi.kakasi()
    return _converter


@lru_cache(maxsize=65_536)
def reading(name: str) -> str:
    """The katakana reading of ``name`` without its company form (株式会社山本商会 -> ヤマモトショウカイ)."""
    text = _JA_FORM.sub(" ", fold(name))
    return "".join(part["kana"] for part in _kakasi().convert(text)).replace(" ", "")


def _lengthens(before: str | None, kana: str) -> bool:
    """Whether ``kana`` only lengthens the vowel before it (オウ, オオ, ウウ, エイ; a ー is dropped
    earlier): the kana banks and masters differ in (トウキョウ, ﾄｰｷｮｰ, ﾄｳｷﾖｳ)."""
    vowel = _VOWEL.get(before or "")
    return (kana in "ウオ" and vowel == "オ") or (kana == "ウ" and vowel == "ウ") or (kana == "イ" and vowel == "エ")


@lru_cache(maxsize=65_536)
def skeleton(kana: str) -> str:
    """``kana`` without the kana that only lengthen the vowel before them (オオノ -> オノ, トウキョウ and
    ﾄｰｷｮｰ -> トキヨ), a lengthening kana itself never lengthening the next (サトウ|ウンユ -> サトウンユ, as
    サト + ウンユ): the form in which readings and payers are compared."""
    out: list[str] = []
    dropped = False
    for ch in kana:
        if ch in "ー‐-":
            continue
        dropped = bool(out) and not dropped and _lengthens(out[-1], ch)
        if not dropped:
            out.append(ch)
    return "".join(out)


def _words_at(text: str, at: int) -> list[tuple[int, tuple[tuple[str, str], ...]]]:
    """Dictionary words starting at ``text[at]``: (length, their readings as (compared, as written))."""
    global _dictionary
    if _dictionary is None:
        _kakasi()
        from pykakasi.kanji import Kanwa

        _dictionary = Kanwa()
    table = _dictionary.load(text[at]) or {}
    found = []
    for length in range(min(len(text) - at, _LONGEST_WORD), 0, -1):
        readings = {(skeleton(fold(yomi)), yomi.translate(HIRAGANA)) for yomi, tail
                    in table.get(text[at:at + length], ()) if tail is None}
        if readings:
            found.append((length, tuple(sorted(readings))))
    return found


@lru_cache(maxsize=16_384)
def _text(name: str) -> str:
    """The name as read: folded, company form and everything but kanji, kana, letters and digits removed."""
    return _KEEP.sub("", _JA_FORM.sub("", fold(name)))


@lru_cache(maxsize=16_384)
def _lattice(name: str) -> tuple[tuple[tuple[int, tuple[tuple[str, str], ...]], ...], ...]:
    """Per position of ``_text(name)``: the words that may start there, with their readings."""
    text = _text(name)
    out: list[tuple[tuple[int, tuple[tuple[str, str], ...]], ...]] = []
    for at, ch in enumerate(text):
        if ch == "々" and at:  # the previous kanji again, often voiced: 佐々木 ササキ, 野々村 ノノムラ
            out.append(tuple((1, r) for n, r in _words_at(text, at - 1) if n == 1))
        elif _KANJI.match(ch):
            out.append(tuple(_words_at(text, at)))
        elif ch in _LETTERS:  # ＡＢＣ商事 may be printed ABC or ｴ-ﾋﾞ-ｼ-
            out.append(((1, tuple((skeleton(fold(kana)), kana) for kana in (ch, *_LETTERS[ch]))),))
        elif at and not _KANJI.match(text[at - 1]) and text[at - 1] not in _LETTERS:
            out.append(())  # inside a run of kana or digits, read as one word from its start
        else:
            run = _RUN.match(text, at).group()
            out.append(((len(run), ((skeleton(run), run),)),))
    return tuple(out)


@lru_cache(maxsize=65_536)
def read_as(name: str, payer: str, prefix: bool = False) -> tuple[tuple[str, str], ...] | None:
    """How the kana ``payer`` (a ``name_key``) reads the kanji ``name`` by pykakasi's dictionary,
    word by word (((東, アズマ), (商事, ショウジ))), or None when it cannot: any reading of each word,
    a word after the first possibly voiced (連濁: 山崎 ヤマザキ) or ending in a small ッ; compared as
    ``skeleton`` (a kana that only lengthens a vowel may be missing on either side). ``prefix``: the
    payer may stop inside the name (the bank cut it)."""
    lattice, text = _lattice(name), _text(name)
    target = skeleton(payer)
    if not lattice or not target:
        return None
    memo: dict[tuple[int, int], tuple[tuple[str, str], ...] | None] = {}

    def walk(at: int, got: int) -> tuple[tuple[str, str], ...] | None:
        if (at, got) not in memo:
            memo[at, got] = step(at, got)
        return memo[at, got]

    def step(at: int, got: int) -> tuple[tuple[str, str], ...] | None:
        if got == len(target):
            return () if at == len(lattice) or prefix else None
        if at == len(lattice):
            return None
        first = target[got]
        for length, readings in lattice[at]:
            word = text[at:at + length]
            for yomi, shown in readings:
                if at and got and len(yomi) > 1 and yomi[0] != first and _lengthens(target[got - 1], yomi[0]):
                    yomi = yomi[1:]  # 河野|運輸 カワノ|ウンユ: the payer's skeleton dropped the ウ
                if yomi[0] != first and not (at and first in _RENDAKU.get(yomi[0], ())):
                    continue
                if yomi[0] != first:
                    yomi, shown = first + yomi[1:], first + shown[1:]  # voiced (or not) inside a compound
                variants = [(yomi, shown)]
                if len(yomi) > 1 and shown[-1] in "つくちきツクチキ":  # 日本 ニッポン, 学校 ガッコウ: a small ッ
                    variants.append((yomi[:-1] + "ツ", shown[:-1] + "ッ"))
                for said, as_shown in variants:
                    if prefix and target.startswith(said[:len(target) - got], got) and len(target) - got < len(said):
                        return ((word, target[got:]),)
                    if target.startswith(said, got):
                        tail = walk(at + length, got + len(said))
                        if tail is not None:
                            return ((word, as_shown),) + tail
        return None

    return walk(0, 0)


def fits_reading(name: str, payer: str, prefix: bool = False) -> bool:
    """Whether the kana ``payer`` reads as the kanji ``name`` (see ``read_as``)."""
    return read_as(name, payer, prefix) is not None


def reading_note(name: str, payer: str) -> str:
    """``東 アズマ, 商事 シヨウジ``: how the payer reads the name, for a reason (see ``read_as``)."""
    path = read_as(name, payer) or read_as(name, payer, prefix=True) or ()
    return ", ".join(f"{word} {kana}" for word, kana in path)


def openings(name: str) -> set[str]:
    """The first two kana (``skeleton``) a reading of ``name`` may begin with, for finding the names
    a payer may read as without reading every name."""
    lattice = _lattice(name)
    found: set[str] = set()
    for length, readings in lattice[0] if lattice else ():
        for yomi, _ in readings:
            if len(skeleton(yomi)) >= 2 or length == len(lattice):
                found.add(skeleton(yomi)[:2])
                continue
            for _, following in lattice[length]:
                for after, _ in following:
                    found.update(skeleton(yomi + voiced)[:2] for voiced in _RENDAKU.get(after[0], {after[0]}))
    return found


def closings(name: str) -> frozenset[str]:
    """How a whole reading of ``name`` may end: the last two kana (``skeleton``) of its last word's
    readings, one when the reading is that short (for ``str.endswith`` against a payer's skeleton)."""
    lattice = _lattice(name)
    found: set[str] = set()
    for at, words in enumerate(lattice):
        for length, readings in words:
            if at + length != len(lattice):
                continue
            for yomi, _ in readings:
                shape = skeleton(yomi)
                if at and len(shape) == 1:  # one kana: possibly voiced inside the compound
                    found.update(_RENDAKU.get(shape, {shape}))
                    continue
                found.add(shape[-2:] if at or len(shape) > 1 else shape)
                if len(yomi) > 1 and yomi[-1] in "ツクチキ":
                    found.add(skeleton(yomi[:-1] + "ツ")[-2:])
    return frozenset(found)


def lengths(name: str) -> tuple[int, int]:
    """The fewest and most kana (``skeleton``) a whole reading of ``name`` may have, give or take
    the lengthening kana dropped where two words meet (``read_as`` may read one less per word)."""
    lattice = _lattice(name)
    low, high = [0] * (len(lattice) + 1), [0] * (len(lattice) + 1)
    for at in range(len(lattice) - 1, -1, -1):
        ends = [(len(yomi), length) for length, readings in lattice[at] for yomi, _ in readings]
        low[at] = min((n - 1 + low[at + length] for n, length in ends), default=10 ** 6)
        high[at] = max((n + high[at + length] for n, length in ends), default=0)
    return max(low[0], 1), high[0]
