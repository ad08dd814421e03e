"""Using both cores by forking: the inputs are shared with the child processes, not pickled."""
from __future__ import annotations

import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: What the work function reads its large inputs from while ``fork_map`` runs.
SHARED: dict[str, Any] = {}


def fork_map(function: Callable[[T], R], groups: Sequence[T], shared: dict[str, Any]) -> list[R]:
    """``function(group)`` for every group, in forked processes when there are several groups and
    the platform can fork, else here; ``shared`` is in ``SHARED`` meanwhile. The collector is
    paused and the heap frozen, so children copy none of the parent's objects and no full scans
    of a large heap slow the work down."""
    SHARED.update(shared)
    collecting = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        if len(groups) > 1 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(function, groups))
        return [function(group) for group in groups]
    finally:
        SHARED.clear()
        gc.unfreeze()
        if collecting:
            gc.enable()
