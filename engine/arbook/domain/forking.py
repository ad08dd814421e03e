"""Using both cores by forking: the inputs are shared with the child processes, not pickled."""
from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The running call's (function, inputs): set only while ``fork_map`` runs, so forked children
# inherit it copy-on-write instead of receiving a pickled copy per task.
_RUNNING: list[tuple[Callable[..., Any], dict[str, Any]]] = []


@contextmanager
def collector_paused() -> Iterator[None]:
    """Cyclic GC off while millions of acyclic objects (rows, lines, records) are made: with it on,
    each full collection walks them all and a large book or import slows several times over."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()  # what was made meanwhile joins the oldest generation unscanned (else the first
            gc.unfreeze()  # collection after this walks every one of those millions of objects at once)
            gc.enable()


def _call(group: Any) -> Any:
    function, inputs = _RUNNING[-1]
    return function(group, **inputs)


def fork_map(function: Callable[..., R], groups: Sequence[T], inputs: dict[str, Any]) -> list[R]:
    """``function(group, **inputs)`` for every group: the first here, the others meanwhile in forked
    processes when the platform can fork (so give the first group the most work: its result needs
    no pickling). Children inherit ``inputs`` (nothing is pickled but the groups and results); the
    collector is paused and the heap frozen, so children copy none of the parent's objects and no
    full scans of a large heap slow the work down."""
    _RUNNING.append((function, inputs))
    gc.freeze()
    try:
        with collector_paused():
            if len(groups) > 1 and "fork" in multiprocessing.get_all_start_methods():
                with ProcessPoolExecutor(len(groups) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
                    others = [pool.submit(_call, group) for group in groups[1:]]  # forked here, before any work
                    return [function(groups[0], **inputs), *(future.result() for future in others)]
            return [function(group, **inputs) for group in groups]
    finally:
        _RUNNING.pop()
        gc.unfreeze()
