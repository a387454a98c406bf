"""Cluster indexes per filter set, built from the read model and cached (LRU).

The key is the query *without* its viewport, sort and page: the map asks for many viewports
of the same filters, and one index answers all of them. After a new read model version (a sync
changed listings) an index of an older version of the same lineage keeps answering, from the
model it was built from, for up to ``stale_s`` seconds while one background thread rebuilds the
filter sets asked for; indexes nobody asks for are dropped then. Every worker rebuilding its
indexes on request threads at once after each sync paused all of them for seconds (the mixed
benchmark's end-of-sync errors, docs/benchmarks.md).

Bounded both ways, so varying the filters cannot make a process rebuild without end: the cache
holds at most ``max_entries`` indexes and ``max_points`` points, and builds draw on a
``BuildBudget`` of CPU seconds (a burst, refilled at a share of one core). A build the budget
cannot pay for raises ``security.ratelimit.Throttled``: the client gets 429 with
``Retry-After``, and indexes already cached keep answering.
"""

from __future__ import annotations

import dataclasses
import logging
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

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entry:
    index: ClusterIndex
    rows: np.ndarray  # read-model row of each input point of the index
    model: ReadModel  # the version it was built from: ``rows`` index this model

    @property
    def version(self) -> int:
        return self.model.version

    def point_properties(self) -> Any:
        """Pin properties for single points, looked up column-wise from the entry's model."""
        cols = self.model.cols

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
    """Indexes per filter key, the newest built for each (LRU over keys).

    After a new read model version an index of the older one still answers (its rows index
    the model it was built from, which it keeps) for up to ``stale_s`` seconds, while one
    background thread rebuilds the filter sets that are asked for: every worker otherwise
    rebuilt them all on request threads at once after each sync. A different lineage (a full
    reload) or an older stale index is built on the request, within the budget."""

    def __init__(
        self,
        *,
        max_entries: int = 16,
        max_points: int = 3_000_000,
        build_burst_s: float = 5.0,
        build_share: float = 0.25,
        stale_s: float = 60.0,
    ) -> None:
        self.max_entries, self.max_points, self.stale_s = max_entries, max_points, stale_s
        self.budget = BuildBudget(burst_s=build_burst_s, share=build_share)
        self._entries: OrderedDict[SearchQuery, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[int, SearchQuery], threading.Lock] = {}
        self._sources: dict[int, frozenset[int]] = {}
        self._newest = 0  # the newest read model version asked about
        self._superseded: dict[int, float] = {}  # version -> when a newer one was first asked about
        self._rebuilder = Rebuilder(self)
        self.builds = 0  # observability and tests
        self.refused = 0

    def get(self, *, model: ReadModel, query: SearchQuery) -> Entry:
        fkey = filter_key(scope_key(model, query, self._sources))
        with self._lock:
            self._observe(model)
            entry = self._entries.get(fkey)
            # An older index of the same lineage answers while it is rebuilt (``_observe`` has
            # just dropped those superseded longer than ``stale_s``).
            if entry is not None and (entry.version >= model.version or entry.model.lineage == model.lineage):
                self._entries.move_to_end(fkey)
                if entry.version < model.version:
                    self._rebuilder.ask(fkey, model)
                return entry
            key = (model.version, fkey)
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # one build per key even when many requests ask at once
            try:
                with self._lock:
                    entry = self._entries.get(fkey)
                if entry is None or entry.version < model.version:
                    entry = self._build_within_budget(model, fkey)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return entry

    def _observe(self, model: ReadModel) -> None:
        """Note a newer version, and drop indexes superseded more than ``stale_s`` ago."""
        now = time.monotonic()
        if model.version > self._newest:
            self._newest = model.version
            for entry in self._entries.values():
                if entry.version < model.version:
                    self._superseded.setdefault(entry.version, now)
        expired = {v for v, at in self._superseded.items() if now - at >= self.stale_s}
        if expired:
            for fkey in [k for k, e in self._entries.items() if e.version in expired]:
                del self._entries[fkey]
            for v in expired:
                del self._superseded[v]

    def _build_within_budget(self, model: ReadModel, fkey: SearchQuery) -> Entry:
        wait = self.budget.wait_s()
        if wait > 0:
            self.refused += 1
            raise Throttled(math.ceil(wait), "The map is busy. Please try again in a moment.")
        return self._build_and_store(model, fkey)

    def _build_and_store(self, model: ReadModel, fkey: SearchQuery) -> Entry:
        started = time.thread_time()
        try:
            entry = self._build(model, fkey)
        finally:
            self.budget.charge(time.thread_time() - started)
        with self._lock:
            return self._store(fkey, entry)

    def _build(self, model: ReadModel, query: SearchQuery) -> Entry:
        rows = model.select(query)
        lon, lat = model.cols["lon"][rows], model.cols["lat"][rows]
        located = ~(np.isnan(lon) | np.isnan(lat))
        rows = rows[located]
        index = ClusterIndex(lon=lon[located], lat=lat[located], price=model.cols["price"][rows])
        self.builds += 1
        return Entry(index=index, rows=rows, model=model)

    def _store(self, fkey: SearchQuery, entry: Entry) -> Entry:
        """Keep ``entry`` unless a newer index of the key is there already; returns the kept one."""
        have = self._entries.get(fkey)
        if have is not None and have.version >= entry.version:
            return have
        self._entries[fkey] = entry
        self._entries.move_to_end(fkey)
        if entry.version < self._newest:
            self._superseded.setdefault(entry.version, time.monotonic())
        while len(self._entries) > self.max_entries or (
            len(self._entries) > 1 and sum(e.index.n for e in self._entries.values()) > self.max_points
        ):
            self._entries.popitem(last=False)
        return entry

    def has(self, fkey: SearchQuery, model: ReadModel) -> bool:
        """Is an index of ``fkey`` for ``model`` or a newer version cached?"""
        with self._lock:
            entry = self._entries.get(fkey)
        return entry is not None and entry.version >= model.version

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until no rebuild is asked for or running (tests)."""
        return self._rebuilder.settle(timeout)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._superseded.clear()


class Rebuilder:
    """One background thread per process rebuilding stale indexes for the newest version
    asked about, one at a time, within the cache's build budget (it waits instead of refusing)."""

    def __init__(self, cache: ClusterCache) -> None:
        self.cache = cache
        self._asked: OrderedDict[SearchQuery, ReadModel] = OrderedDict()
        self._busy = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def ask(self, fkey: SearchQuery, model: ReadModel) -> None:
        with self._cond:
            have = self._asked.get(fkey)
            if have is None or have.version < model.version:
                self._asked[fkey] = model
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._run, name="cluster-rebuild", daemon=True)
                self._thread.start()
            self._cond.notify()

    def settle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._asked or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._asked:
                    self._cond.wait()
                fkey, model = self._asked.popitem(last=False)
                self._busy = True
            try:
                time.sleep(self.cache.budget.wait_s())
                if not self.cache.has(fkey, model):  # asked again while the last one was built
                    self.cache._build_and_store(model, fkey)
            except Exception:  # the next ask retries; requests keep the stale index meanwhile
                log.exception("rebuilding a map cluster index failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


_cache = ClusterCache(
    # 40: the filter sets a map's visitors commonly use (price and bedroom steps × two scopes)
    # fit, so they are not rebuilt in turn; max_points still bounds the memory.
    max_entries=getattr(settings, "LISTINGS_CLUSTER_CACHE_ENTRIES", 40),
    build_burst_s=getattr(settings, "LISTINGS_CLUSTER_BUILD_BURST_SECONDS", 5.0),
    build_share=getattr(settings, "LISTINGS_CLUSTER_BUILD_SHARE", 0.25),
    stale_s=getattr(settings, "LISTINGS_CLUSTER_STALE_SECONDS", 60.0),
)


def get_cluster_cache() -> ClusterCache:
    return _cache
