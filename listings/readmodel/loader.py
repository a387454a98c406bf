"""Loading the read models from the store and keeping them fresh.

* ``load`` (``reader.py``) streams one collection with a projection into a ``ReadModel``.
* ``Holder`` (``holder.py``) owns the current snapshot of one collection: lazy, thread-safe
  first load, and atomic swaps (readers just take ``holder.get()``; a swap is one reference
  assignment).
* ``Refresher`` (``refresh.py``) keeps them fresh from the ``listings:changed`` events.
* ``get_read_model()`` / ``get_closed_model()`` are the process-wide accessors; the refresher
  is started on first use, i.e. in each worker after gunicorn forks, never in the master.
* With ``LISTINGS_READMODEL_SNAPSHOT_DIR`` set, the workers of a host share one mapped copy
  (``snapshot.py``): one leader loads, applies events and publishes versions; the others map
  them and a ``Watcher`` thread (``refresh.py``) remaps each new version within 0.2 s.
"""

from __future__ import annotations

import logging
import os
import threading

from pymongo.database import Database

from . import snapshot
from .holder import CLOSED, Holder
from .model import Mark, ReadModel
from .reader import LISTINGS
from .refresh import Refresher, Watcher, channel_position
from .snapshot import SharedDir

log = logging.getLogger(__name__)

__all__ = ["CLOSED", "LISTINGS", "Holder", "get_closed_model", "get_read_model", "holder", "warm_in_background"]


_lock = threading.Lock()
_holders: dict[str, Holder] = {}
_refresher: Refresher | None = None


def _store_db() -> Database:
    from listings.store import get_db

    return get_db()


def _redis_url() -> str:
    from django.conf import settings

    return getattr(settings, "REDIS_URL", None) or os.environ.get("REDIS_URL", "redis://localhost:6379/0")


def _position() -> Mark:
    import redis

    client = redis.Redis.from_url(_redis_url(), socket_timeout=2, socket_connect_timeout=2)
    try:
        return channel_position(client)
    finally:
        client.close()


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
                collection=collection, db=_store_db, shared=_shared_dir(collection), lead=lead, position=_position
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
            listings.events = closed.events = _refresher.log
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
