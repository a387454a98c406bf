"""The shared MongoDB listings store: one client per process, collections by name.

Every site reads the same MLS data, so the store lives outside the tenant schemas. The code
speaks plain pymongo and runs unchanged on MongoDB Atlas (``MONGODB_URI``) or, in dev and CI,
on SecantusDB.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from django.conf import settings
from pymongo import MongoClient
from pymongo.database import Database

LISTINGS = "listings"
CLOSED = "closed"
QUARANTINE = "quarantine"
SYNC_STATE = "sync_state"
PHOTOS = "photos"

_lock = threading.Lock()


@lru_cache(maxsize=4)
def _client(uri: str) -> MongoClient:
    return MongoClient(uri, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000, tz_aware=True)


def get_client() -> MongoClient:
    with _lock:
        return _client(settings.MONGODB_URI)


def get_db() -> Database:
    return get_client()[settings.MONGODB_DB]
