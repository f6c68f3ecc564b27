"""Checking and preparing the events of a big document on several cores.

The per-event work (semantic checks, event schema, CBV hash, rows) is pure Python and
independent per event, so a big document is cut into contiguous slices handled by forked worker
processes. The workers inherit the parsed document (nothing is pickled on the way in) and return
each event's problems and prepared rows. Forking is safe only in a single-threaded process (a
lock held by another thread would stay locked in the child), so a process with threads (the web
server's thread pool) works sequentially. Sequential is also the default (see :func:`workers_for`).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")
_WORK: list[Callable[[int, int], Any]] = []  # what the forked workers run (inherited)


def workers_for(n_events: int, requested: int | None = None) -> int:
    """How many processes to use: ``requested`` (None or 1 = sequential, the default), never
    more than there are events, and 1 whenever forking is unsafe or unavailable.

    Sequential is the default because on the shared 2-core machine measured
    (``bench/epcis_capture.py``) two processes were slower than one: the parent's share (parsing,
    collecting results) plus contention ate the gain. Ask for workers on a dedicated
    multi-core host and measure there.
    """
    if requested is None or requested <= 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    return max(1, min(requested, n_events))


def _run_slice(start: int, stop: int) -> Any:
    return _WORK[-1](start, stop)


def map_slices(
    work: Callable[[int, int], list[Result]], n_items: int, workers: int
) -> list[Result]:
    """``work(start, stop)`` over contiguous slices of ``range(n_items)``, in order."""
    if workers <= 1 or n_items == 0:
        return work(0, n_items)
    slices = workers * 2  # two slices per worker evens out slow and fast ones
    bounds = [n_items * k // slices for k in range(slices + 1)]
    _WORK.append(work)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = pool.map(_run_slice, bounds[:-1], bounds[1:])
            return [item for part in parts for item in part]
    finally:
        _WORK.pop()
