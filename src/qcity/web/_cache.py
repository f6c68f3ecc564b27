"""A small in-process cache for what pages compute from data that changes rarely.

Keys carry what the value depends on (the data version, locale, filters, the user's scope),
so a stale entry is never looked up again; the time limit bounds what a key cannot capture.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

CACHE_SECONDS = 300.0
CACHE_ENTRIES = 256
T = TypeVar("T")

_cache: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_cache_lock = threading.Lock()


def cached(key: Hashable, compute: Callable[[], T], seconds: float = CACHE_SECONDS) -> T:
    """``compute()``, remembered under ``key`` for ``seconds`` (least recently used evicted)."""
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < seconds:
            _cache.move_to_end(key)
            value: T = hit[1]
            return value
    value = compute()
    with _cache_lock:
        _cache[key] = (now, value)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value
