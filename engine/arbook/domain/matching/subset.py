"""Which of a client's open invoices a payment adds up to: bounded, oldest combination first.

Amounts are integer minor units, all positive, listed oldest first. A run of the oldest
invoices is tried first (clients usually clear their oldest items); then combinations of up
to ``max_size`` among the oldest ``max_items``, in age order, with a hard budget on the
number of nodes visited, so 100+ open invoices never explode.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Callable, Sequence


@dataclass(frozen=True)
class Combination:
    """Positions (into the input list) of the chosen invoices; ``ambiguous`` if another fits too."""

    positions: tuple[int, ...]
    total: int
    ambiguous: bool


def find_combination(amounts: Sequence[int], low: int, high: int, max_size: int = 4, max_items: int = 24,
                     budget: int = 20_000, fits: Callable[[int], bool] | None = None) -> Combination | None:
    """The oldest set of at least two amounts whose total lies in [low, high] (and that ``fits``
    accepts, when given: a total less a real bank fee), or None.

    ``ambiguous`` is set when a combination of other amounts also fits (another set of the same
    amounts, as with monthly plans, is not a real alternative: the oldest is the rule).
    """
    total = 0
    for end, amount in enumerate(amounts):
        total += amount
        if total > high:
            break
        if total >= low and end >= 1 and (fits is None or fits(total)):
            return Combination(tuple(range(end + 1)), total, ambiguous=False)
    items = list(amounts[:max_items])
    if max_size <= 4 and not _reachable(items, low, high):
        return None
    ceiling = [0] * (len(items) + 1)  # ceiling[i]: the largest amount from position i on
    for position in range(len(items) - 1, -1, -1):
        ceiling[position] = max(items[position], ceiling[position + 1])
    found: list[tuple[tuple[int, ...], int]] = []
    first_amounts: list[int] = []
    visited = 0
    by_amount = sorted((amount, position) for position, amount in enumerate(items))  # for the last slots
    pairs: list[tuple[int, int, int]] = []  # (sum, position, position), built when first needed

    def record(chosen: list[int], value: int) -> bool:
        """Keep a combination that fits; True once a real alternative shows it is ambiguous."""
        if fits is not None and not fits(value):
            return False
        amounts_of = sorted(items[p] for p in chosen)
        if not found:
            found.append((tuple(chosen), value))
            first_amounts.extend(amounts_of)
        elif amounts_of != first_amounts:  # equal amounts (monthly plans) are no real choice
            found.append((tuple(chosen), value))
            return True
        return False

    def walk(start: int, chosen: list[int], subtotal: int) -> bool:
        nonlocal visited
        slots = max_size - len(chosen)
        if slots <= 2 and chosen:  # the last one or two amounts lie in a known range: look them up
            ends = [(p, -1) for p in _in_range(by_amount, low - subtotal, high - subtotal, start)]
            if slots == 2:
                if not pairs:
                    pairs.extend(sorted((items[p] + items[q], p, q) for p, q in combinations(range(len(items)), 2)))
                first = bisect_left(pairs, (low - subtotal, -1, -1))
                last = bisect_right(pairs, (high - subtotal, len(items), len(items)))
                ends += [(p, q) for _, p, q in pairs[first:last] if p >= start]
            for p, q in sorted(ends):
                visited += 1
                tail = [p] if q < 0 else [p, q]
                if visited > budget or record(chosen + tail, subtotal + sum(items[i] for i in tail)):
                    return True
            return False
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
            if value >= low and len(chosen) >= 2 and record(chosen, value):
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


@lru_cache(maxsize=8192)
def _halves(items: tuple[int, ...]) -> tuple[frozenset[int], tuple[int, ...]]:
    """Every sum of at most two of ``items``, as a set and in order (a client's open amounts
    recur from payment to payment)."""
    sums = frozenset((0, *items, *map(sum, combinations(items, 2))))
    return sums, tuple(sorted(sums))


def _reachable(items: list[int], low: int, high: int) -> bool:
    """Whether two sums of at most two items each can total [low, high]: a quick necessary
    condition for a combination of up to four (most payments have none, and the search would
    visit its whole budget to find that out)."""
    halves, ordered = _halves(tuple(items))
    if low == high:
        return not halves.isdisjoint(map(low.__sub__, halves))
    first, last = 0, len(ordered) - 1
    while first <= last:  # two pointers over the ordered sums
        total = ordered[first] + ordered[last]
        if total < low:
            first += 1
        elif total > high:
            last -= 1
        else:
            return True
    return False


def _in_range(by_amount: list[tuple[int, int]], low: int, high: int, start: int) -> list[int]:
    """Positions from ``start`` on whose amount lies in [low, high] (``by_amount``: sorted (amount, position))."""
    first = bisect_left(by_amount, (low, -1))
    last = bisect_right(by_amount, (high, len(by_amount)))
    return [p for _, p in by_amount[first:last] if p >= start]
