"""Caching for the public portal: computed data for a short time, and conditional GETs.

Portal pages are the same for every anonymous visitor, so the data behind them (page of
announcements, totals, pass rates) is kept per application for ``TTL`` seconds. The rendered
page carries a strong ETag of its body; a browser that sends it back gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from fastapi import Request
from fastapi.responses import Response

TTL = 60.0
MAX_ENTRIES = 256
BROWSER_MAX_AGE = 60

T = TypeVar("T")


class TtlCache:
    """A small thread-safe least-recently-used cache whose entries expire after ``ttl`` s."""

    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, or ``compute()`` stored for ``ttl`` seconds."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                self._entries.move_to_end(key)
                return cast(T, hit[1])
        value = compute()
        with self._lock:
            self._entries[key] = (now + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def cache_of(request: Request) -> TtlCache:
    """The application's portal cache (created on first use)."""
    state = request.app.state
    cache: TtlCache | None = getattr(state, "portal_cache", None)
    if cache is None:
        cache = TtlCache()
        state.portal_cache = cache
    return cache


def conditional(request: Request, response: Response) -> Response:
    """Mark ``response`` cacheable by the browser for a minute, with an ETag; 304 if unchanged.

    The page holds the visitor's CSRF token, so it is ``private`` (never kept by shared caches).
    """
    body = bytes(response.body)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"private, max-age={BROWSER_MAX_AGE}",
        "Vary": response.headers.get("Vary", "Accept-Language, Cookie"),
    }
    wanted = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if response.status_code == 200 and etag in wanted:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
