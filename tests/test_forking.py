"""The fork helper and the paused collector: same results forked or not, the first group here; objects
made while paused are neither scanned at once afterwards nor lost to the collector; matching's groups."""
import gc
import os
import weakref

from arbook.domain.forking import collector_paused, fork_map
from arbook.domain.matching.engine import _currency_groups


class Node:
    """A weak-referenceable object that can hold a cycle."""

    def __init__(self) -> None:
        self.other: object = None


def _scaled(group: int, factor: int, offset: int) -> list[int]:
    return [group * factor + offset + n for n in range(3)]


def test_fork_map_gives_the_same_results_forked_or_in_process():
    inputs = {"factor": 10, "offset": 1}
    assert fork_map(_scaled, [1, 2, 3], inputs) == [_scaled(g, **inputs) for g in (1, 2, 3)]
    assert fork_map(_scaled, [4], inputs) == [[41, 42, 43]]


def _where(group: int) -> tuple[int, int]:
    return group, os.getpid()


def test_the_first_group_runs_in_this_process_the_others_in_forked_ones():
    ran = fork_map(_where, [0, 1, 2], {})
    assert [g for g, _ in ran] == [0, 1, 2]
    assert ran[0][1] == os.getpid() and all(pid != os.getpid() for _, pid in ran[1:])


def test_currency_groups_balance_work_and_put_the_most_first():
    # 12,000 Japanese lines are more work than 13,000 others: each Japanese payer is read against kanji names
    assert _currency_groups({"JPY": 12_000, "USD": 13_000, "EUR": 1_000}, 2) == [frozenset({"JPY"}),
                                                                              frozenset({"EUR", "USD"})]
    assert _currency_groups({"USD": 30_000, "EUR": 5_000}, 2) == [frozenset({"USD"}), frozenset({"EUR"})]
    assert _currency_groups({"USD": 3}, 2) == [frozenset({"USD"})]


def test_objects_made_while_paused_join_the_oldest_generation_unscanned():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(200_000)]  # tracked containers, all alive afterwards
    assert gc.isenabled()
    for _ in range(3):  # a young generation would be collected (walked) here, its survivors moved on
        [[n] for n in range(1_000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(kept) in oldest and id(kept[-1]) in oldest


def test_a_nested_pause_leaves_the_collector_paused_until_the_outer_one_ends():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_cycles_made_while_paused_are_still_collected():
    with collector_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    gc.collect()
    assert gone() is None
