"""Who paid: the customers a bank payer string can be, each with a score and a reason.

Keys per customer: its Name, Name Kana (or, when the master has none, the reading derived from
a kanji name), every learned Payer Names alias, every learned third-party payer (Paid By) and
its Customer ID. The whole name (company form included) or the customer code scores 1.0, key
equality 0.98 (a derived reading 0.96, a third-party payer 0.97); a payer equal to the start of
a name or reading (the bank cut it at its field length) 0.95 when no other client's name starts
so, 0.9 when several do; a key contained in the payer or the payer in a key 0.9-0.95; otherwise
a fuzzy ratio (rapidfuzz) kept only from 0.88 up. A kanji-only name also fits any reading its
words have in pykakasi's dictionary (0.95; 日本 ニホン/ニッポン), and a reading is never the only
proof: clients reading nearly the same become contenders, as does a kanji-only client reading as
another client's entered kana. The payer is also tried without the
bank's words around the name (ﾌﾘｺﾐ, a branch, a reference number) and without a company form
the bank cut. The company form printed with the payer (ｶ)NAME = 株式会社 placed first, NAME(ﾕ =
有限会社 placed last, ｶﾌﾞｼｷｶﾞｲｼﾔ spelled out, 有限公司, Inc. ...) rules out a candidate whose name
has another form or place when another candidate's agrees. Lookups are cached: the same payer
string recurs every month.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from rapidfuzz import fuzz

from arbook.domain.matching.normalize import (BRANCH_END, bank_variants, company_form, compact, cut_form,
                                              describe_form, form_agreement, name_key, name_keys)
from arbook.domain.matching.readings import (VOICED, closings, fits_reading, lengths, needs_reading, openings,
                                             reading, reading_note, skeleton)

FUZZY_FLOOR = 0.88
_CODE_LIKE = re.compile(r"[A-Z]*\d[A-Z\d-]{2,}")  # customer codes look like C00123 or 12345
MIN_CONTAINED = {"cjk": 2, "other": 4}
MIN_CUT = {"cjk": 4, "other": 5}
RARE_GRAM = 24  # a character pair shared by more clients than this says little about who paid  # a payer cut this short can still be told apart; shorter ones are words
MIN_DICTIONARY_CUT = 12  # a kana payer this long may be the start of a reading (cut by the bank at 24-48 columns)
CONTEST = FUZZY_FLOOR  # another client's name resembling the payer this much contests a reading derived from kanji
AUTO_FLOOR, MARGIN_INSIDE = 0.9, 0.06  # a contender scores at least the matcher's auto floor, within its margin
RULED_OUT_SCORE = 0.7  # a client whose company form or its place the payer contradicts, beside one it agrees with
THIRD_PARTY = "learned third-party payer (Paid By)"
DERIVED = "reading derived from the name"
DICTIONARY = "dictionary reading of the name"
SCORES = {"name": 0.98, "kana": 0.98, "learned payer name": 0.98, THIRD_PARTY: 0.97, DERIVED: 0.96, DICTIONARY: 0.95}
_KANA_KEY = re.compile(r"[\u30a1-\u30fa0-9A-Z]*[\u30a1-\u30fa][\u30a1-\u30fa0-9A-Z]*")  # kana, maybe letters
Form = tuple[str, str, str] | None


@dataclass(frozen=True)
class NameHit:
    """A customer the payer may be, how sure and why (``label``: which of its names matched)."""

    customer: str
    score: float
    why: str
    label: str = ""


def _grams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


def _is_cjk(key: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in key)


def split_names(text: object) -> list[str]:
    """The names of a ';'-separated Payer Names or Paid By cell."""
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


def _drop_inner(best: dict[str, NameHit], matched_key: dict[str, str], keys: list[str]) -> None:
    """Drop the clients whose name the payer contains only inside another client's name it contains: that
    name explains the payer (ﾄｳｷﾖｳｲﾝﾀｰ in ｶ)ﾄｳｷﾖｳｲﾝﾀｰﾅｼﾖﾅﾙﾛｼﾞｽﾃｲｸｽ ｵｵｻｶｼ, a branch the bank cut)."""
    contained = {cid: key for cid, key in matched_key.items() if key and any(key in k for k in keys)}
    for cid, key in list(contained.items()):
        if any(key != other and key in other for other in contained.values()):
            del best[cid]


class CustomerIndex:
    """Name keys of every customer, for identifying payers."""

    def __init__(self, customers: Iterable[dict]):
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.keys: dict[str, list[tuple[str, str]]] = defaultdict(list)  # customer -> (key, label)
        self.grams: dict[str, set[str]] = defaultdict(set)
        self.codes: dict[str, str] = {}
        self.full: dict[str, set[str]] = defaultdict(set)  # whole names, company form included
        self.forms: dict[tuple[str, str], Form] = {}  # (customer, key) -> the form that key stands with
        self.name_forms: dict[str, Form] = {}
        self._cache: dict[str, list[NameHit]] = {}
        self._readings: dict[tuple[str, bool], list[NameHit]] = {}
        self.kanji_names: dict[str, str] = {}  # clients without Name Kana: their kanji name
        self.by_opening: dict[str, set[str]] = defaultdict(set)  # the two kana their readings may start with
        self.closings: dict[str, tuple[str, ...]] = {}  # how their whole readings may end
        self.lengths: dict[str, tuple[int, int]] = {}  # how long their whole readings may be
        starts: set[tuple[str, str, str]] = set()
        for customer in customers:
            cid = str(customer["Customer ID"])
            if len(compact(cid)) >= 4:
                self.codes[compact(cid)] = cid
            name = str(customer.get("Name") or "")
            name_form = self.name_forms[cid] = company_form(name)
            kana = str(customer.get("Name Kana") or "")
            labelled: list[tuple[str, str, Form]] = [(name, "name", name_form), (kana, "kana", name_form)]
            if not kana and needs_reading(name, customer.get("Language")):
                labelled.append((reading(name), DERIVED, name_form))
                self.kanji_names[cid] = name
                for opening in openings(name):
                    self.by_opening[opening].add(cid)
                self.closings[cid] = tuple(closings(name))
                self.lengths[cid] = lengths(name)
            labelled += [(alias, "learned payer name", company_form(alias) or name_form)
                         for alias in split_names(customer.get("Payer Names"))]
            labelled += [(payer, THIRD_PARTY, None) for payer in split_names(customer.get("Paid By"))]
            whole = compact(name)
            self.full[whole].add(cid)
            if len(whole) >= 2:
                starts.add((whole, cid, "name"))
                if whole != name_key(name):  # form included, for payers cut inside it: 金桥进出口有限公
                    self.keys[cid].append((whole, "name"))
                    for gram in _grams(whole):
                        self.grams[gram].add(cid)
            for text, label, form in labelled:
                key = name_key(text)
                if len(key) < 2:
                    continue
                self.exact[key].add(cid)
                if (key, label) not in self.keys[cid]:
                    self.keys[cid].append((key, label))
                self.forms.setdefault((cid, key), form)
                starts.add((key, cid, label))
                for gram in _grams(key):
                    self.grams[gram].add(cid)
        self.starts = sorted(starts)
        self._start_keys = [key for key, _, _ in self.starts]

    def identify(self, payer: str, memo: str = "") -> list[NameHit]:
        """Customers ``payer`` may be, best first (``memo`` is kept for callers; codes count in the payer)."""
        by_code = [NameHit(cid, 1.0, f"customer code {cid} before the payer name", "code")
                   for cid in self._codes_in(payer)]
        if payer not in self._cache:
            self._cache[payer] = self._by_name(payer)
        hits = self._cache[payer]
        if not by_code:
            return hits
        coded = {h.customer for h in by_code}
        return by_code + [h for h in hits if h.customer not in coded]

    def _codes_in(self, payer: str) -> list[str]:
        """Customer codes written into the payer field (``K12345 ﾔﾏﾀﾞ``); a memo's numbers are
        left to invoice numbers, which they usually are."""
        found = []
        for token in _CODE_LIKE.findall(unicodedata.normalize("NFKC", payer).upper()):
            cid = self.codes.get(token)
            if cid is not None and cid not in found:
                found.append(cid)
        return found

    def _by_name(self, payer: str) -> list[NameHit]:
        best: dict[str, NameHit] = {}
        matched_key: dict[str, str] = {}

        def offer(hit: NameHit, key: str, note: str = "") -> None:
            if hit.customer not in best or hit.score > best[hit.customer].score:
                best[hit.customer] = replace(hit, why=f"{hit.why} ({note})") if note else hit
                matched_key[hit.customer] = key

        for cid in self.full.get(compact(payer), ()):
            offer(NameHit(cid, 1.0, "payer equals the name, company form included", "name"), "")
        # the payer as printed, then without the bank's words around the name (ﾌﾘｺﾐ, a branch, a reference)
        variants = [(key, "") for key in name_keys(payer)]
        around = bank_variants(payer)
        variants += [(key, note) for text, note in around for key in name_keys(text)]
        variants += [(cut_form(key), f"{note + '; ' if note else ''}a company form cut short by the bank")
                     for key, note in variants if cut_form(key)]  # 有限责任公 for 有限公司
        variants = [(key, note) for key, note in dict.fromkeys(variants) if len(key) >= 2]
        for key, note in variants:
            for cid in self.exact.get(key, ()):
                label = max((lbl for k, lbl in self.keys[cid] if k == key), key=SCORES.__getitem__)
                offer(NameHit(cid, SCORES[label], f"payer equals {'the ' if label == DERIVED else ''}{label}",
                              label), key, note)
            if best:
                break  # the payer is one of the names as it stands: parts and cuts of others say less
        # kanji that read several ways (日本 ニホン/ニッポン); beside a client whose kana the payer equals, a
        # kanji-only client reading the same is a homonym, not ruled out: the open items decide
        read_all = not best or all(h.label == DERIVED for h in best.values())
        for key, note in variants if read_all else [(k, n) for k, n in variants if k in matched_key.values()]:
            self._dictionary(key, offer, note)
        if not best:
            for key, note in variants:
                self._cut(key, offer, note)
                self._branch_glued(key, offer)
                self._near(key, offer, note)
            self._cut(compact(payer), offer)  # cut inside a word the keys abbreviate: LOGISTICS INTERNATIO
            _drop_inner(best, matched_key, [key for key, _ in variants])
        if not any(h.score >= AUTO_FLOOR for h in best.values()):  # nothing better than a resemblance
            for key, note in variants:
                self._dictionary(key, offer, note, cut=True)
        if best and all(h.label in (DERIVED, DICTIONARY) for h in best.values()):
            self._contest(variants[0][0] if variants else "", best, offer)
        if len(best) < 2:
            return list(best.values())
        forms = (company_form(text) for text in (payer, *(text for text, _ in around)))
        return self._weigh_forms(next((f for f in forms if f), None), best, matched_key)

    def _dictionary(self, key: str, offer, note: str = "", cut: bool = False) -> None:
        """Kanji-only names the kana payer reads as by the dictionary, any reading of each word
        (日本 ニホン/ニッポン, 東 ヒガシ/アズマ/トウ, 中島 ナカジマ/ナカシマ); ``cut``: names a long payer is
        the start of a reading of (the bank cut it)."""
        if (key, cut) not in self._readings:
            self._readings[key, cut] = self._read(key, cut)
        for hit in self._readings[key, cut]:
            offer(hit, key, note)

    def _read(self, key: str, cut: bool) -> list[NameHit]:
        """``_dictionary``'s hits for one payer key (cached: many payers share a key)."""
        if not _KANA_KEY.fullmatch(key) or (cut and len(key) < MIN_DICTIONARY_CUT):
            return []
        shape = skeleton(key)
        candidates = self.by_opening.get(shape[:2], ())
        if not cut:
            return [NameHit(cid, SCORES[DICTIONARY], "payer is a reading of the name (pykakasi dictionary: "
                            f"{reading_note(self.kanji_names[cid], key)})", DICTIONARY)
                    for cid in sorted(c for c in candidates if shape.endswith(self.closings[c])
                                      and self.lengths[c][0] <= len(shape) <= self.lengths[c][1])
                    if fits_reading(self.kanji_names[cid], key)]
        if key[-1] in VOICED:
            key = key[:-1]  # the name may be cut between a kana and its voiced mark: ﾃ|ﾞ
        found = [cid for cid in sorted(candidates) if fits_reading(self.kanji_names[cid], key, prefix=True)]
        said = "; no other client's name reads so" if len(found) == 1 else f"; {len(found)} clients' names read so"
        return [NameHit(cid, 0.95 if len(found) == 1 else 0.9,
                        f"payer is the start of a reading of the name (cut short by the bank){said}", DICTIONARY)
                for cid in found]

    def _contest(self, key: str, best: dict[str, NameHit], offer) -> None:
        """A reading derived from kanji is never the only proof: clients whose names read the same
        or nearly the same (``CONTEST``: one kana in nine differs) become contenders, and their open items decide."""
        if len(key) < 2:
            return
        top = max(h.score for h in best.values())
        found: dict[str, tuple[float, str]] = {}

        def near(hit: NameHit, other: str, note: str = "") -> None:
            # alike as a whole, not one name inside the other (テイジン in エヌアイテイジンシヨウジ)
            alike = fuzz.ratio(key, other) / 100
            if hit.customer not in best and alike >= max(CONTEST, found.get(hit.customer, (0.0, ""))[0]):
                found[hit.customer] = alike, hit.label

        self._near(key, near)
        for cid, (alike, label) in found.items():
            offer(NameHit(cid, max(AUTO_FLOOR, round(top - MARGIN_INSIDE, 3)),
                          f"payer reads nearly as the {label} ({alike:.0%}); the other client's name was read, not "
                          "entered", label), key)

    def _branch_glued(self, key: str, offer) -> None:
        """A name followed by its branch without a space (ﾅｶﾑﾗｼｽﾃﾑﾌｸｵｶｼﾃﾝ): the longest client name
        the payer starts with, when what follows ends like a branch."""
        if not BRANCH_END.search(key):
            return
        for end in range(len(key) - 2, MIN_CUT["cjk" if _is_cjk(key) else "other"] - 1, -1):
            owners = self.exact.get(key[:end])
            if owners:
                for cid in sorted(owners):
                    label = max((lbl for k, lbl in self.keys[cid] if k == key[:end]), key=SCORES.__getitem__)
                    offer(NameHit(cid, 0.95 if len(owners) == 1 else 0.9,
                                  f"payer is the {label} followed by a branch ({key[end:]})", label), key[:end])
                return

    def _weigh_forms(self, payer_form: Form, best: dict[str, NameHit], matched_key: dict[str, str]) -> list[NameHit]:
        """Hits with the company-form evidence applied: a candidate whose form or its place
        disagrees with the payer's falls to ``RULED_OUT_SCORE`` (a suggestion at most: payers do type
        their own names) when another candidate's agrees."""
        hits = sorted(best.values(), key=lambda h: (-h.score, h.customer))
        if payer_form is None or len(hits) < 2:
            return hits
        verdicts = {}
        for hit in hits:
            key = matched_key[hit.customer]
            form = self.forms.get((hit.customer, key), self.name_forms.get(hit.customer))
            verdicts[hit.customer] = form_agreement(payer_form, None if hit.label in (THIRD_PARTY, "code") else form)
        if not any(v == 1 for v in verdicts.values()):
            return hits
        out = sorted((h for h in hits if verdicts[h.customer] != -1), key=lambda h: -verdicts[h.customer])
        out.sort(key=lambda h: -h.score)
        described = describe_form(payer_form)
        below = [replace(h, score=min(h.score, RULED_OUT_SCORE),
                         why=f"{h.why}; but the payer's company form or its place ({described}) is another")
                 for h in hits if verdicts[h.customer] == -1]
        ruled_out = [h.customer for h in below]
        said = f"company form agrees ({described})" + (
            f"; {', '.join(ruled_out)} ruled out: another company form or place" if ruled_out else "")
        if len(out) == 1 and ruled_out:  # the form tells the one client from the others as a unique name does
            return [replace(out[0], score=max(out[0].score, 0.95), why=f"{out[0].why}; {said}"), *below]
        return [*(replace(h, why=f"{h.why}; {said}") if verdicts[h.customer] == 1 else h for h in out), *below]

    def _cut(self, key: str, offer, note: str = "") -> None:
        """Names and readings that start with the payer: the bank cut the name at its field length."""
        if len(key) < MIN_CUT["cjk" if _is_cjk(key) else "other"]:
            return
        owners: dict[str, tuple[str, str]] = {}
        for start in (key, *(key[:-1] + form for form in VOICED.get(key[-1], ()))):  # cut before a voiced mark: ﾛｼ|ﾞ
            at = bisect_left(self._start_keys, start)
            while at < len(self.starts) and self._start_keys[at].startswith(start) and len(owners) <= 5:
                whole, cid, label = self.starts[at]
                if whole != key:
                    owners.setdefault(cid, (label, whole))
                at += 1
        if not owners:
            return
        others = "; no other client's name starts so" if len(owners) == 1 else (
            f"; {len(owners)} clients' names start so")
        for cid, (label, whole) in owners.items():
            offer(NameHit(cid, 0.95 if len(owners) == 1 else 0.9,
                          f"payer is the start of the {label} (cut short by the bank){others}", label), whole, note)

    def _near(self, key: str, offer, note: str = "") -> None:
        grams = sorted((g for g in _grams(key) if 0 < len(self.grams.get(g, ())) <= RARE_GRAM),
                       key=lambda g: len(self.grams[g]))
        candidates: set[str] = set()
        for gram in grams[:3]:
            candidates |= self.grams[gram]
        for end in range(len(key) - 1, MIN_CUT["cjk" if _is_cjk(key) else "other"] - 1, -1):
            candidates |= self.exact.get(key[:end], set())  # the name and then more the bank added
        floor = MIN_CONTAINED["cjk" if _is_cjk(key) else "other"]
        for cid in sorted(candidates):  # a fixed order: equal scores keep the same reason in every run
            for other, label in self.keys[cid]:
                shorter, longer = (key, other) if len(key) <= len(other) else (other, key)
                if len(shorter) >= floor and shorter in longer:
                    if longer.startswith(shorter) and shorter == key:
                        offer(NameHit(cid, 0.93, f"payer is the start of the {label} (cut short by the bank)",
                                      label), other)
                    elif shorter == other:
                        offer(NameHit(cid, 0.95 if len(shorter) >= 4 else 0.9, f"payer contains the {label}",
                                      label), other)
                    else:  # e.g. the client's name without its city: 华贸 of 上海华贸
                        strong = len(shorter) >= (4 if _is_cjk(shorter) else 6)
                        offer(NameHit(cid, 0.95 if strong else 0.9, f"payer is part of the {label}", label), other)
                    continue
                ratio = fuzz.ratio(key, other, score_cutoff=FUZZY_FLOOR * 100) / 100
                if ratio >= FUZZY_FLOOR:
                    offer(NameHit(cid, round(ratio * 0.95, 3), f"payer resembles the {label} ({ratio:.0%})", label),
                          other)
