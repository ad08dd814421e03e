"""Who paid: the customers a bank payer string can be, each with a score and a reason.

Keys per customer: its Name, Name Kana, every learned Payer Names alias and its Customer ID.
The whole name (company form included) or the customer code scores 1.0, key equality 0.98; a key contained in the payer (a prefix code or a branch added)
or the payer contained in a key (the bank cut the name short) scores 0.9-0.95; otherwise a
fuzzy ratio (rapidfuzz) over customers that share a rare character pair with the payer, kept
only from 0.88 up. Lookups are cached: the same payer string recurs every month.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

import re
import unicodedata

from rapidfuzz import fuzz

from arbook.domain.matching.normalize import compact, name_key, name_keys

FUZZY_FLOOR = 0.88
_CODE_LIKE = re.compile(r"[A-Z]*\d[A-Z\d-]{2,}")  # customer codes look like C00123 or 12345
MIN_CONTAINED = {"cjk": 2, "other": 4}


@dataclass(frozen=True)
class NameHit:
    """A customer the payer may be, how sure and why."""

    customer: str
    score: float
    why: str


def _grams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


def _is_cjk(key: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in key)


class CustomerIndex:
    """Name keys of every customer, for identifying payers."""

    def __init__(self, customers: Iterable[dict]):
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.keys: dict[str, list[tuple[str, str]]] = defaultdict(list)  # customer -> (key, label)
        self.grams: dict[str, set[str]] = defaultdict(set)
        self.codes: dict[str, str] = {}
        self.full: dict[str, set[str]] = defaultdict(set)  # whole names, company form included
        self._cache: dict[str, list[NameHit]] = {}
        for customer in customers:
            cid = str(customer["Customer ID"])
            if len(compact(cid)) >= 4:
                self.codes[compact(cid)] = cid
            labelled = [(customer.get("Name"), "name"), (customer.get("Name Kana"), "kana")]
            labelled += [(alias, "learned payer name") for alias in str(customer.get("Payer Names") or "").split(";")]
            self.full[compact(str(customer.get("Name") or ""))].add(cid)
            for text, label in labelled:
                key = name_key(str(text or ""))
                if len(key) < 2:
                    continue
                self.exact[key].add(cid)
                self.keys[cid].append((key, label))
                for gram in _grams(key):
                    self.grams[gram].add(cid)

    def identify(self, payer: str, memo: str = "") -> list[NameHit]:
        """Customers ``payer`` may be, best first (``memo`` is kept for callers; codes count in the payer)."""
        by_code = [NameHit(cid, 1.0, f"customer code {cid} before the payer name") for cid in self._codes_in(payer)]
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

        def offer(hit: NameHit) -> None:
            if hit.customer not in best or hit.score > best[hit.customer].score:
                best[hit.customer] = hit

        for cid in self.full.get(compact(payer), ()):
            offer(NameHit(cid, 1.0, "payer equals the name, company form included"))
        for key in set(name_keys(payer)):
            if len(key) < 2:
                continue
            for cid in self.exact.get(key, ()):
                label = next(lbl for k, lbl in self.keys[cid] if k == key)
                offer(NameHit(cid, 0.98, f"payer equals {label}"))
            if best and max(h.score for h in best.values()) >= 0.98:
                continue
            self._near(key, offer)
        return sorted(best.values(), key=lambda h: (-h.score, h.customer))

    def _near(self, key: str, offer) -> None:
        grams = sorted(_grams(key), key=lambda g: len(self.grams.get(g, ())))
        candidates: set[str] = set()
        for gram in grams[:3]:
            candidates |= self.grams.get(gram, set())
        floor = MIN_CONTAINED["cjk" if _is_cjk(key) else "other"]
        for cid in candidates:
            for other, label in self.keys[cid]:
                shorter, longer = sorted((key, other), key=len)
                if len(shorter) >= floor and shorter in longer:
                    if longer.startswith(shorter) and shorter == key:
                        offer(NameHit(cid, 0.93, f"payer is the start of the {label} (cut short by the bank)"))
                    elif shorter == other:
                        offer(NameHit(cid, 0.95 if len(shorter) >= 4 else 0.9, f"payer contains the {label}"))
                    else:  # e.g. the client's name without its city: 华贸 of 上海华贸
                        strong = len(shorter) >= (4 if _is_cjk(shorter) else 6)
                        offer(NameHit(cid, 0.95 if strong else 0.9, f"payer is part of the {label}"))
                    continue
                ratio = fuzz.ratio(key, other) / 100
                if ratio >= FUZZY_FLOOR:
                    offer(NameHit(cid, round(ratio * 0.95, 3), f"payer resembles the {label} ({ratio:.0%})"))
