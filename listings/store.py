"""The shared MongoDB listings store: one client per process, collections by name.

Every site reads the same MLS data, so the store lives outside the tenant schemas. The code
speaks plain pymongo and runs unchanged on MongoDB Atlas (``MONGODB_URI``) or, in dev and CI,
on SecantusDB.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from django.conf import settings
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ServerSelectionTimeoutError
from pymongo.monitoring import TopologyListener

LISTINGS = "listings"
CLOSED = "closed"
QUARANTINE = "quarantine"
SYNC_STATE = "sync_state"
PHOTOS = "photos"

_lock = threading.Lock()


class StoreUnavailable(ServerSelectionTimeoutError):
    """The store is known to be down (it was reachable, then its server went away): raised at
    once instead of after ``serverSelectionTimeoutMS``. A ``ServerSelectionTimeoutError``, so
    code that handles the store's outages handles this one too."""


class _Breaker(TopologyListener):
    """Open from the moment a reachable store stops being reachable until its monitor (every
    ``HEARTBEAT_MS``) finds it again. While the store restarts, every request that reads it
    would otherwise hold its thread for the whole selection timeout: with a listing page in
    every few requests all of a worker's threads wait within a fraction of a second and every
    other page queues behind them (the mixed benchmark's SecantusDB restart)."""

    def __init__(self) -> None:
        self.open = False

    def opened(self, event: Any) -> None:
        pass

    def closed(self, event: Any) -> None:
        self.open = False

    def description_changed(self, event: Any) -> None:
        readable = event.new_description.has_readable_server()
        if readable:
            self.open = False
        elif event.previous_description.has_readable_server():
            self.open = True


HEARTBEAT_MS = 500  # how soon a store that came back is found again (pymongo's default: 10 s)
_breakers: dict[str, _Breaker] = {}


@lru_cache(maxsize=4)
def _client(uri: str) -> MongoClient:
    breaker = _breakers.setdefault(uri, _Breaker())
    return MongoClient(
        uri,
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        heartbeatFrequencyMS=HEARTBEAT_MS,
        event_listeners=[breaker],
        tz_aware=True,
    )


def get_client() -> MongoClient:
    with _lock:
        client = _client(settings.MONGODB_URI)
    breaker = _breakers.get(settings.MONGODB_URI)
    if breaker is not None and breaker.open:
        raise StoreUnavailable("the listings store is unreachable (retrying in the background)")
    return client


def get_db() -> Database:
    return get_client()[settings.MONGODB_DB]
