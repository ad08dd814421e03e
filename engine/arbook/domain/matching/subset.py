"""Which of a client's open invoices a payment adds up to: bounded, oldest combination first.

Amounts are integer minor units, all positive, listed oldest first. A run of the oldest
invoices is tried first (clients usually clear their oldest items); then combinations of up
to ``max_size`` among the oldest ``max_items``, in age order, with a hard budget on the
number of nodes visited, so 100+ open invoices never explode.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Combination:
    """Positions (into the input list) of the chosen invoices; ``ambiguous`` if another fits too."""

    positions: tuple[int, ...]
    total: int
    ambiguous: bool


def find_combination(amounts: Sequence[int], low: int, high: int, max_size: int = 4, max_items: int = 24,
                     budget: int = 20_000) -> Combination | None:
    """The oldest set of at least two amounts whose total lies in [low, high], or None.

    ``ambiguous`` is set when a combination of other amounts also fits (another set of the same
    amounts, as with monthly plans, is not a real alternative: the oldest is the rule).
    """
    total = 0
    for end, amount in enumerate(amounts):
        total += amount
        if total > high:
            break
        if total >= low and end >= 1:
            return Combination(tuple(range(end + 1)), total, ambiguous=False)
    items = list(amounts[:max_items])
    ceiling = [0] * (len(items) + 1)  # ceiling[i]: the largest amount from position i on
    for position in range(len(items) - 1, -1, -1):
        ceiling[position] = max(items[position], ceiling[position + 1])
    found: list[tuple[tuple[int, ...], int]] = []
    first_amounts: list[int] = []
    visited = 0

    def walk(start: int, chosen: list[int], subtotal: int) -> bool:
        nonlocal visited
        slots = max_size - len(chosen)
        for position in range(start, len(items)):
            if subtotal + slots * ceiling[position] < low:
                return False  # even the largest remaining amounts cannot reach the target
            visited += 1
            if visited > budget:
                return True
            value = subtotal + items[position]
            if value > high:
                continue
            chosen.append(position)
            if value >= low and len(chosen) >= 2:
                amounts_of = sorted(items[p] for p in chosen)
                if not found:
                    found.append((tuple(chosen), value))
                    first_amounts.extend(amounts_of)
                elif amounts_of != first_amounts:  # equal amounts (monthly plans) are no real choice
                    found.append((tuple(chosen), value))
                    return True
            if len(chosen) < max_size and walk(position + 1, chosen, value):
                return True
            chosen.pop()
        return False

    walk(0, [], 0)
    if not found:
        return None
    positions, value = found[0]
    return Combination(positions, value, ambiguous=len(found) > 1 or visited > budget)
