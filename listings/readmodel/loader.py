"""Loading the read models from the store and keeping them fresh.

* ``load`` streams one collection with a projection into a ``ReadModel``.
* ``Holder`` owns the current snapshot of one collection: lazy, thread-safe first load, and
  atomic swaps (readers just take ``holder.get()``; a swap is one reference assignment).
* ``Refresher`` is a daemon thread subscribed to ``listings:changed``: it drains every pending
  event, unions their keys, re-reads exactly those keys from the store and swaps in the next
  snapshot. After losing its Redis connection it reloads everything, because events published
  while it was away are gone (pub/sub does not queue).
* ``get_read_model()`` / ``get_closed_model()`` are the process-wide accessors; the refresher
  is started on first use, i.e. in each worker after gunicorn forks, never in the master.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pymongo.database import Database

from .columns import CHUNK, PROJECTION, Vocabulary, make_chunk, new_dictionaries
from .model import ReadModel

log = logging.getLogger(__name__)

CHANNEL = "listings:changed"
LISTINGS, CLOSED = "listings", "closed"  # mirrors listings.store (kept import-light for tests)


def _prefetch(cursor: Iterable[dict[str, Any]], *, size: int) -> Iterator[list[dict[str, Any]]]:
    """Batches of documents read by a background thread.

    The store does its work (scan, encode) while this process builds columns from the
    previous batch, so a load costs about max(scan, build) rather than their sum.
    """
    q: queue.Queue[list[dict[str, Any]] | BaseException | None] = queue.Queue(maxsize=4)

    def produce() -> None:
        try:
            batch: list[dict[str, Any]] = []
            for doc in cursor:
                if isinstance(doc.get("listingKey"), str):
                    batch.append(doc)
                if len(batch) == size:
                    q.put(batch)
                    batch = []
            q.put(batch)
            q.put(None)
        except BaseException as e:  # handed to the consumer, raised there
            q.put(e)

    threading.Thread(target=produce, name="readmodel-prefetch", daemon=True).start()
    while (item := q.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def load(*, db: Database, collection: str = LISTINGS, batch_size: int = 5000) -> ReadModel:
    cursor = db[collection].find({}, PROJECTION, batch_size=batch_size)
    dicts, vocab = new_dictionaries(), Vocabulary()
    parts = (make_chunk(batch, dicts=dicts, vocab=vocab) for batch in _prefetch(cursor, size=CHUNK))
    model = ReadModel.from_chunks(parts, dicts=dicts, vocab=vocab)
    release_free_memory()
    return model


def release_free_memory() -> None:
    """Give the build's freed heap back to the OS (glibc keeps it otherwise: ~2x RSS)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def fetch(*, db: Database, collection: str, keys: Iterable[str]) -> list[dict[str, Any]]:
    keys = [k for k in keys if isinstance(k, str)]
    if not keys:
        return []
    return list(db[collection].find({"listingKey": {"$in": keys}}, PROJECTION))


class Holder:
    """The current snapshot of one collection's read model."""

    def __init__(self, *, collection: str, db: Callable[[], Database]) -> None:
        self.collection = collection
        self._db = db
        self._model: ReadModel | None = None
        self._lock = threading.Lock()  # serialises loads and swaps, never reads

    def get(self) -> ReadModel:
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    self._model = load(db=self._db(), collection=self.collection)
                model = self._model
        return model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def reload(self) -> ReadModel:
        with self._lock:
            self._model = load(db=self._db(), collection=self.collection)
            return self._model

    def refresh(self, *, upsert: Iterable[str], remove: Iterable[str]) -> ReadModel | None:
        """Re-read ``upsert`` keys (a key no longer in the store is removed) and drop ``remove``."""
        with self._lock:
            if self._model is None:
                return None  # not loaded yet: the first load will read the fresh data
            upsert, remove = set(upsert), set(remove)
            docs = fetch(db=self._db(), collection=self.collection, keys=upsert)
            gone = upsert - {d["listingKey"] for d in docs}
            present = [k for k in remove | gone if self._model.row_of_key(k) is not None]
            if not docs and not present:
                return self._model  # nothing of ours (e.g. another database's sync): no rebuild
            self._model = self._model.apply_changes(changed=docs, removed=present)
            release_free_memory()
            return self._model


def parse_event(raw: bytes | str) -> dict[str, list[str]] | None:
    """The event payload as lists of keys, or None when it is not a valid event."""
    try:
        payload = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    out: dict[str, list[str]] = {}
    for name in ("changed", "removed", "closed"):
        values = payload.get(name) or []
        if not isinstance(values, list) or not all(isinstance(k, str) for k in values):
            return None
        out[name] = values
    return out


def apply_events(events: list[dict[str, list[str]]], *, listings: Holder, closed: Holder) -> None:
    changed = {k for e in events for k in e["changed"]}
    removed = {k for e in events for k in e["removed"]}
    moved = {k for e in events for k in e["closed"]}
    listings.refresh(upsert=changed, remove=removed | moved)
    # A closed sale appears in the closed collection; re-reading it there is an upsert.
    closed.refresh(upsert=moved, remove=())


class Refresher(threading.Thread):
    def __init__(self, *, redis_url: str, listings: Holder, closed: Holder, channel: str = CHANNEL) -> None:
        super().__init__(name="readmodel-refresher", daemon=True)
        self.redis_url, self.channel = redis_url, channel
        self.listings, self.closed = listings, closed
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.applied = 0  # events applied (tests and health checks read it)

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        import redis

        first = True
        while not self.stopping.is_set():
            try:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                if not first:  # events published while disconnected are lost: start over
                    for h in (self.listings, self.closed):
                        if h.loaded:
                            h.reload()
                first = False
                self.subscribed.set()
                self._listen(pubsub)
                pubsub.close()
            except Exception:  # keep the thread alive across Redis/Mongo outages
                self.subscribed.clear()
                log.exception("read model refresher failed; retrying")
                self.stopping.wait(2.0)

    def _listen(self, pubsub: Any) -> None:
        while not self.stopping.is_set():
            msg = pubsub.get_message(timeout=1.0)
            if msg is None:
                continue
            batch = [msg]
            while (more := pubsub.get_message(timeout=0.05)) is not None:
                batch.append(more)  # a burst of syncs becomes one rebuild
            events = [e for m in batch if m.get("type") == "message" and (e := parse_event(m["data"])) is not None]
            if events:
                started = time.perf_counter()
                apply_events(events, listings=self.listings, closed=self.closed)
                self.applied += len(events)
                log.info("read model refreshed from %d event(s) in %.3fs", len(events), time.perf_counter() - started)


_lock = threading.Lock()
_holders: dict[str, Holder] = {}
_refresher: Refresher | None = None


def _store_db() -> Database:
    from listings.store import get_db

    return get_db()


def _redis_url() -> str:
    from django.conf import settings

    return getattr(settings, "REDIS_URL", None) or os.environ.get("REDIS_URL", "redis://localhost:6379/0")


def holder(collection: str) -> Holder:
    with _lock:
        h = _holders.get(collection)
        if h is None:
            h = _holders[collection] = Holder(collection=collection, db=_store_db)
        return h


def _ensure_refresher() -> None:
    global _refresher
    from django.conf import settings

    if not getattr(settings, "LISTINGS_READMODEL_REFRESH", True):
        return
    listings, closed = holder(LISTINGS), holder(CLOSED)
    with _lock:
        if _refresher is None or not _refresher.is_alive():
            _refresher = Refresher(redis_url=_redis_url(), listings=listings, closed=closed)
            _refresher.start()


_warm_thread: threading.Thread | None = None


def warm_in_background() -> threading.Thread:
    """Start loading the read models now (once per worker process, after the fork); while a
    warm-up is running, further calls return it instead of starting another."""
    global _warm_thread

    def run() -> None:
        try:
            get_read_model()
            get_closed_model()
        except Exception:  # the first request will retry and report
            log.exception("read model warm-up failed")

    with _lock:
        if _warm_thread is not None and _warm_thread.is_alive():
            return _warm_thread
        _warm_thread = threading.Thread(target=run, name="readmodel-warm", daemon=True)
        _warm_thread.start()
        return _warm_thread


def get_read_model() -> ReadModel:
    """The process-wide read model of active listings (loaded on first use)."""
    h = holder(LISTINGS)
    model = h.get()
    _ensure_refresher()
    return model


def get_closed_model() -> ReadModel:
    """The process-wide read model of closed sales (CMA comps)."""
    h = holder(CLOSED)
    model = h.get()
    _ensure_refresher()
    return model
