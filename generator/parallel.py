"""Work shared out to a process per core.

The processes are forked: they inherit what the build has loaded (the handbook, the
compiled templates, the caches) rather than receive it pickled, and only the results
come back pickled. Reading role files, the checks within each role and rendering pages
use it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Items from which the work is shared out (for fewer, starting processes costs more).
PARALLEL_FROM = 64
#: What the forked processes do (set just before they are forked).
_forked: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
#: True in a process forked by :func:`each`.
_in_worker = False


def each(work: Callable[[T], R], items: Sequence[T], *, chunk: int = 8) -> list[R]:
    """``work(item)`` for each item, in order: in forked processes, one per core, when
    there are many items and the machine has several cores and can fork; else here."""
    global _forked
    cores = os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or cores < 2 or "fork" not in mp.get_all_start_methods():
        return [work(item) for item in items]
    _forked = (work, items)
    try:
        with ProcessPoolExecutor(cores, mp_context=mp.get_context("fork")) as pool:
            return list(pool.map(_forked_work, range(len(items)), chunksize=chunk))
    finally:
        _forked = None


def forked() -> bool:
    """Whether this is a process forked by :func:`each` (whose results go back pickled)."""
    return _in_worker


def _forked_work(index: int) -> Any:
    global _in_worker
    _in_worker = True
    assert _forked is not None
    work, items = _forked
    return work(items[index])
