"""Loading the read models from the store and keeping them fresh.

* ``load`` streams one collection with a projection into a ``ReadModel``.
* ``Holder`` owns the current snapshot of one collection: lazy, thread-safe first load, and
  atomic swaps (readers just take ``holder.get()``; a swap is one reference assignment).
* ``Refresher`` (``refresh.py``) keeps them fresh from the ``listings:changed`` events.
* ``get_read_model()`` / ``get_closed_model()`` are the process-wide accessors; the refresher
  is started on first use, i.e. in each worker after gunicorn forks, never in the master.
* With ``LISTINGS_READMODEL_SNAPSHOT_DIR`` set, the workers of a host share one mapped copy
  (``snapshot.py``): one leader loads, applies events and publishes versions; the others map
  them and a ``Watcher`` thread (``refresh.py``) remaps each new version within 0.2 s.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pymongo.database import Database

from . import snapshot
from .columns import CHUNK, PROJECTION, Vocabulary, make_chunk, new_dictionaries
from .model import ReadModel
from .refresh import Refresher, Watcher
from .snapshot import SharedDir

log = logging.getLogger(__name__)

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
    """The current snapshot of one collection's read model.

    With a ``shared`` directory (``snapshot.SharedDir``) the processes of a host share one
    mapped copy: the leader builds it from the store, applies the change events and
    publishes each version; followers map the current version and remap when it changes
    (``poll``, from the watcher thread). ``lead=False`` (no event subscriber in this
    process) never leads: it follows a leader or, without one, loads its own model. Without
    ``shared`` (or when the directory is unusable) each process loads its own model.
    """

    def __init__(
        self, *, collection: str, db: Callable[[], Database], shared: SharedDir | None = None, lead: bool = True
    ) -> None:
        self.collection = collection
        self._db = db
        self._model: ReadModel | None = None
        self._lock = threading.Lock()  # serialises loads and swaps, never reads
        self.shared = shared
        self.lead = lead
        self.wait_s = 300.0  # how long a follower waits for a leader's first version

    def get(self) -> ReadModel:
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._first_model()
                model = self._model
        return model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def leading(self) -> bool:
        return self.shared is not None and self.shared.leading

    @property
    def following(self) -> bool:
        """Mapping a version another process maintains (events are that process's job)."""
        return (
            self.shared is not None
            and not self.shared.leading
            and self._model is not None
            and self._model.snapshot is not None
        )

    # ---- shared snapshots (callers hold self._lock) ------------------------------------
    def _unshare(self, error: BaseException) -> None:
        log.warning(
            "read model snapshots unusable at %s (%s): this process loads its own model",
            self.shared and self.shared.root,
            error,
        )
        if self.shared is not None:
            self.shared.resign()
        self.shared = None

    def _build(self) -> ReadModel:
        """A fresh model from the store; the leader publishes it and serves the mapped copy."""
        model = load(db=self._db(), collection=self.collection)
        return self._publish(model) if self.leading else model

    def _publish(self, model: ReadModel) -> ReadModel:
        assert self.shared is not None
        try:
            mapped = snapshot.open_snapshot(self.shared.publish(model))
        except (OSError, snapshot.SnapshotError) as e:
            self.shared.retract()
            self._unshare(e)
            return model
        del model
        release_free_memory()
        return mapped

    def _lead(self) -> ReadModel:
        assert self.shared is not None
        log.info("read model %s: leading %s", self.collection, self.shared.root)
        self.shared.retract()  # events may have been missed while nobody led: rebuild
        return self._build()

    def _first_model(self) -> ReadModel:
        if self.shared is None:
            return load(db=self._db(), collection=self.collection)
        deadline = time.monotonic() + self.wait_s
        try:
            while True:
                if self.lead and self.shared.try_lead():
                    return self._lead()
                if not self.lead and not self.shared.leader_alive():
                    return load(db=self._db(), collection=self.collection)
                mapped = self.shared.open_current()
                if mapped is not None:
                    return mapped
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no snapshot from the leader within {self.wait_s:.0f}s")
                time.sleep(0.05)  # the leader is building its first version
        except (OSError, snapshot.SnapshotError) as e:
            self._unshare(e)
            return load(db=self._db(), collection=self.collection)

    def poll(self) -> ReadModel | None:
        """Follower step (watcher thread): take over from a dead leader, or map a newer
        version. Returns the new model when it changed."""
        with self._lock:
            if self.shared is None or self._model is None or self.shared.leading:
                return None
            try:
                if self.lead and self.shared.try_lead():
                    self._model = self._lead()
                    return self._model
                name = self.shared.current()
                if name is None:
                    if not self.lead and self._model.snapshot is not None and not self.shared.leader_alive():
                        self._model = load(db=self._db(), collection=self.collection)  # orphaned: own copy
                        return self._model
                    return None
                if name == self._model.snapshot:
                    return None
                mapped = self.shared.open_current()
            except (OSError, snapshot.SnapshotError) as e:
                self._unshare(e)
                return None
            if mapped is None:
                return None
            self._model = mapped
            return mapped

    # ---- loads and events --------------------------------------------------------------
    def reload(self) -> ReadModel:
        with self._lock:
            if self.following:  # the leader reloads; map whatever it publishes
                assert self.shared is not None
                with contextlib.suppress(OSError, snapshot.SnapshotError):
                    self._model = self.shared.open_current() or self._model
                assert self._model is not None
                return self._model
            self._model = self._build()
            return self._model

    def refresh(self, *, upsert: Iterable[str], remove: Iterable[str]) -> ReadModel | None:
        """Re-read ``upsert`` keys (a key no longer in the store is removed) and drop ``remove``."""
        with self._lock:
            if self._model is None:
                return None  # not loaded yet: the first load will read the fresh data
            if self.following:
                return self._model  # the leader applies it and publishes; ``poll`` remaps
            upsert, remove = set(upsert), set(remove)
            docs = fetch(db=self._db(), collection=self.collection, keys=upsert)
            gone = upsert - {d["listingKey"] for d in docs}
            present = [k for k in remove | gone if self._model.row_of_key(k) is not None]
            if not docs and not present:
                return self._model  # nothing of ours (e.g. another database's sync): no rebuild
            model = self._model.apply_changes(changed=docs, removed=present)
            self._model = self._publish(model) if self.leading else model
            release_free_memory()
            return self._model


_lock = threading.Lock()
_holders: dict[str, Holder] = {}
_refresher: Refresher | None = None


def _store_db() -> Database:
    from listings.store import get_db

    return get_db()


def _redis_url() -> str:
    from django.conf import settings

    return getattr(settings, "REDIS_URL", None) or os.environ.get("REDIS_URL", "redis://localhost:6379/0")


def _shared_dir(collection: str) -> SharedDir | None:
    """This host's snapshot directory of ``collection`` (None when sharing is switched off)."""
    from django.conf import settings

    base = getattr(settings, "LISTINGS_READMODEL_SNAPSHOT_DIR", "")
    if not base:
        return None
    return SharedDir(snapshot.root_for(base, db_name=settings.MONGODB_DB, collection=collection))


def holder(collection: str) -> Holder:
    from django.conf import settings

    with _lock:
        h = _holders.get(collection)
        if h is None:
            # Only a process that receives the change events may lead (apply and publish them).
            lead = bool(getattr(settings, "LISTINGS_READMODEL_REFRESH", True))
            h = _holders[collection] = Holder(
                collection=collection, db=_store_db, shared=_shared_dir(collection), lead=lead
            )
        return h


_watcher: Watcher | None = None


def _ensure_watcher() -> None:
    global _watcher
    with _lock:
        if not any(h.shared is not None for h in _holders.values()):
            return
        if _watcher is None or not _watcher.is_alive():
            _watcher = Watcher(lambda: [h for h in list(_holders.values()) if h.shared is not None])
            _watcher.start()


def _ensure_refresher() -> Refresher | None:
    global _refresher
    from django.conf import settings

    if not getattr(settings, "LISTINGS_READMODEL_REFRESH", True):
        return None
    listings, closed = holder(LISTINGS), holder(CLOSED)
    with _lock:
        if _refresher is None or not _refresher.is_alive():
            _refresher = Refresher(redis_url=_redis_url(), listings=listings, closed=closed)
            _refresher.start()
        return _refresher


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


def _get(collection: str) -> ReadModel:
    h = holder(collection)
    if not h.loaded:
        refresher = _ensure_refresher()
        # Subscribed before the load reads the store, so no event is lost meanwhile (an event
        # arriving during the load waits for it, then applies). Without Redis, load anyway:
        # the refresher reloads everything once it connects.
        if refresher is not None:
            refresher.subscribed.wait(timeout=2.0)
    model = h.get()
    _ensure_watcher()
    return model


def get_read_model() -> ReadModel:
    """The process-wide read model of active listings (loaded or mapped on first use)."""
    return _get(LISTINGS)


def get_closed_model() -> ReadModel:
    """The process-wide read model of closed sales (CMA comps)."""
    return _get(CLOSED)
