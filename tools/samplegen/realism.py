"""How often generated data shows what real books and banks do: the benchmark's setting."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Realism:
    """How often the benchmark's data shows what real books and banks do (0 = never, the plain samples).

    ``kanji_only``: Japanese clients whose master has no Name Kana; ``homonyms``: Japanese clients
    that get a twin of the same reading (other kanji, other company form or its place);
    ``long_names``: Japanese names long enough for the bank's 48-column payer field to cut them;
    ``third_parties``: clients paid by someone else (a factoring company, the parent, a director);
    ``diverse_amounts``: invoice amounts as real prices with tax (not a few round figures);
    ``stray_fees``: clients whose master states no Fee Deduction deduct a real transfer fee anyway
    (every payment of the fee kinds, and this share of their whole payments).
    """

    kanji_only: float = 0.0
    homonyms: float = 0.0
    long_names: float = 0.0
    third_parties: float = 0.0
    diverse_amounts: bool = False
    stray_fees: float = 0.0


REALISTIC = Realism(kanji_only=0.25, homonyms=0.05, long_names=0.06, third_parties=0.04, diverse_amounts=True,
                     stray_fees=0.3)
