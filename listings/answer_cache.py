"""Per-process caches of answers computed from the read model: the search API's encoded answers
(``listings.api``) and signed-out visitors' pages (``listings.pagecache``).

Each holds entries for one read-model version: a new snapshot empties it, so an answer never
outlives the data it was computed from. Bounded (LRU, by entries and optionally by the bytes
of their bodies) and short-lived (TTL). Per process, so it keeps answering while Redis restarts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """LRU of answers for the current read-model version, with a TTL; ``max_bytes`` (0: no
    bound) caps the summed ``nbytes`` of the entries, and refuses any one entry over it."""

    def __init__(self, *, size: int, ttl: float, max_bytes: int = 0) -> None:
        self.size, self.ttl, self.max_bytes = size, ttl, max_bytes
        self._entries: OrderedDict[Hashable, tuple[float, V, int]] = OrderedDict()
        self._bytes = 0
        self._version: object = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: object, key: Hashable) -> V | None:
        now = time.monotonic()
        with self._lock:
            if version != self._version:
                self._clear()
                self._version = version
            hit = self._entries.get(key)
            if hit is None or hit[0] <= now:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[1]

    def put(self, version: object, key: Hashable, value: V, *, nbytes: int = 0) -> None:
        if self.size <= 0 or self.ttl <= 0 or (self.max_bytes and nbytes > self.max_bytes):
            return
        with self._lock:
            if version != self._version:
                return  # computed from a snapshot that has been replaced meanwhile
            old = self._entries.pop(key, None)
            self._bytes -= old[2] if old else 0
            self._entries[key] = (time.monotonic() + self.ttl, value, nbytes)
            self._bytes += nbytes
            while len(self._entries) > self.size or (self.max_bytes and self._bytes > self.max_bytes):
                _key, (_t, _v, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def clear(self) -> None:
        with self._lock:
            self._clear()
            self.hits = self.misses = 0
