"""The fork helper and the paused collector: same results forked or not; objects made while paused
are neither scanned at once afterwards nor lost to the collector."""
import gc
import weakref

from arbook.domain.forking import collector_paused, fork_map


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
