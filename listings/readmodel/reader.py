"""Reading a collection from the store into a ``ReadModel``.

* ``load`` streams one collection with a projection into a model (the store scans while this
  process builds columns).
* ``fetch`` re-reads the keys a change event names.
"""

from __future__ import annotations

import contextlib
import ctypes
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from pymongo.database import Database

from core.batching import in_chunks

from .columns import CHUNK, PROJECTION, Vocabulary, make_chunk, new_dictionaries
from .model import ReadModel

LISTINGS = "listings"  # mirrors listings.store (kept import-light for tests)


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
    keys = list(dict.fromkeys(k for k in keys if isinstance(k, str)))  # batches must not repeat a key
    if not keys:
        return []
    return [doc for part in in_chunks(keys) for doc in db[collection].find({"listingKey": {"$in": part}}, PROJECTION)]
