"""Cluster indexes per filter set, built from the read model and cached (LRU).

The key is the read model version plus the query *without* its viewport, sort and page: the
map asks for many viewports of the same filters, and one index answers all of them. A new
read model version (a sync changed listings) makes every older entry unreachable; they are
dropped on the next access rather than rebuilt eagerly, since most filter sets never return.

Bounded both ways, so varying the filters cannot make a process rebuild without end: the cache
holds at most ``max_entries`` indexes and ``max_points`` points, and builds draw on a
``BuildBudget`` of CPU seconds (a burst, refilled at a share of one core). A build the budget
cannot pay for raises ``security.ratelimit.Throttled``: the client gets 429 with
``Retry-After``, and indexes already cached keep answering.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

from listings.readmodel.model import ReadModel
from listings.readmodel.query import SearchQuery, Sort
from security.ratelimit import Throttled

from .index import ClusterIndex


@dataclass(frozen=True, slots=True)
class Entry:
    index: ClusterIndex
    rows: np.ndarray  # read-model row of each input point of the index
    version: int

    def point_properties(self, model: ReadModel) -> Any:
        """Pin properties for single points, looked up column-wise from the read model."""
        cols = model.cols

        def props(ident: np.ndarray) -> list[dict[str, Any]]:
            rows = self.rows[ident]
            return [
                {
                    "key": k,
                    "slug": s,
                    "price": None if p < 0 else p,
                    "beds": None if b < 0 else b,
                    "baths": None if ba < 0 else ba,
                }
                for k, s, p, b, ba in zip(
                    cols["key"][rows].tolist(),
                    cols["slug"][rows].tolist(),
                    cols["price"][rows].tolist(),
                    cols["beds"][rows].tolist(),
                    cols["baths"][rows].tolist(),
                    strict=True,
                )
            ]

        return props


def filter_key(query: SearchQuery) -> SearchQuery:
    """The part of a query that decides which points are clustered."""
    return dataclasses.replace(query, bbox=None, sort=Sort.NEWEST, page=1, page_size=1, featured_subdivisions=())


def _every_source(model: ReadModel, memo: dict[int, frozenset[int]]) -> frozenset[int]:
    """Codes of the MLS sources some row of ``model`` has (memo: one entry, its version)."""
    hit = memo.get(model.version)
    if hit is None:
        hit = frozenset(np.unique(model.cols["source"]).tolist())
        memo.clear()
        memo[model.version] = hit
    return hit


def scope_key(model: ReadModel, query: SearchQuery, memo: dict[int, frozenset[int]]) -> SearchQuery:
    """``query`` with ``mls_sources=None`` when its sources cover every source the read model
    holds: it selects the same rows in the same order as the flagship's unscoped query, so one
    index serves both (an agent site with every feed no longer builds its own copy)."""
    if query.mls_sources is None:
        return query
    asked = set(model.dicts["source"].lookup(query.mls_sources).tolist())
    return dataclasses.replace(query, mls_sources=None) if _every_source(model, memo) <= asked else query


class BuildBudget:
    """CPU seconds this process may spend building indexes: up to ``burst_s`` at once,
    refilled at ``share`` seconds per second (0.25: a quarter of one core on average). A build
    may start while the balance is positive and is charged what it took."""

    def __init__(self, *, burst_s: float, share: float) -> None:
        self.burst_s, self.share = burst_s, share
        self._balance = burst_s
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> float:
        now = time.monotonic()
        self._balance = min(self.burst_s, self._balance + (now - self._at) * self.share)
        self._at = now
        return self._balance

    def wait_s(self) -> float:
        """0 when a build may start now, else the seconds until one may."""
        with self._lock:
            balance = self._refill()
        return 0.0 if balance > 0 else (1e-3 - balance) / self.share

    def charge(self, seconds: float) -> None:
        with self._lock:
            self._refill()
            self._balance -= seconds


class ClusterCache:
    def __init__(
        self,
        *,
        max_entries: int = 16,
        max_points: int = 3_000_000,
        build_burst_s: float = 5.0,
        build_share: float = 0.25,
    ) -> None:
        self.max_entries, self.max_points = max_entries, max_points
        self.budget = BuildBudget(burst_s=build_burst_s, share=build_share)
        self._entries: OrderedDict[tuple[int, SearchQuery], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[int, SearchQuery], threading.Lock] = {}
        self._sources: dict[int, frozenset[int]] = {}
        self.builds = 0  # observability and tests
        self.refused = 0

    def get(self, *, model: ReadModel, query: SearchQuery) -> Entry:
        key = (model.version, filter_key(scope_key(model, query, self._sources)))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # one build per key even when many requests ask at once
            try:
                with self._lock:
                    entry = self._entries.get(key)
                if entry is None:
                    entry = self._build_within_budget(model, key)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return entry

    def _build_within_budget(self, model: ReadModel, key: tuple[int, SearchQuery]) -> Entry:
        wait = self.budget.wait_s()
        if wait > 0:
            self.refused += 1
            raise Throttled(math.ceil(wait), "The map is busy. Please try again in a moment.")
        started = time.thread_time()
        try:
            entry = self._build(model, key[1])
        finally:
            self.budget.charge(time.thread_time() - started)
        with self._lock:
            self._store(key, entry)
        return entry

    def _build(self, model: ReadModel, query: SearchQuery) -> Entry:
        rows = model.select(query)
        lon, lat = model.cols["lon"][rows], model.cols["lat"][rows]
        located = ~(np.isnan(lon) | np.isnan(lat))
        rows = rows[located]
        index = ClusterIndex(lon=lon[located], lat=lat[located], price=model.cols["price"][rows])
        self.builds += 1
        return Entry(index=index, rows=rows, version=model.version)

    def _store(self, key: tuple[int, SearchQuery], entry: Entry) -> None:
        for old in [k for k in self._entries if k[0] < key[0]]:
            del self._entries[old]  # an older read model version: never asked for again
        self._entries[key] = entry
        while len(self._entries) > self.max_entries or (
            len(self._entries) > 1 and sum(e.index.n for e in self._entries.values()) > self.max_points
        ):
            self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = ClusterCache(
    # 40: the filter sets a map's visitors commonly use (price and bedroom steps × two scopes)
    # fit, so they are not rebuilt in turn; max_points still bounds the memory.
    max_entries=getattr(settings, "LISTINGS_CLUSTER_CACHE_ENTRIES", 40),
    build_burst_s=getattr(settings, "LISTINGS_CLUSTER_BUILD_BURST_SECONDS", 5.0),
    build_share=getattr(settings, "LISTINGS_CLUSTER_BUILD_SHARE", 0.25),
)


def get_cluster_cache() -> ClusterCache:
    return _cache
