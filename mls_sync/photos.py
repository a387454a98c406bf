"""The photo cache: one document per listing in ``photos`` holding its photo set.

The skip index is the ``{listingKey: photosHash}`` map of what is cached; listings whose photo
set hashes the same are skipped, so a nightly pass writes only new and changed sets. Cached sets
of listings that left ``listings`` are dropped.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from pymongo import ReplaceOne
from pymongo.database import Database

from core.batching import in_chunks
from listings import store
from mls_sync.upsert import utcnow_iso

if TYPE_CHECKING:
    from mls_sync.stages import SyncCounters

BATCH = 500


def photos_hash(photos: list[dict[str, Any]]) -> str:
    return hashlib.blake2b(json.dumps(photos, separators=(",", ":")).encode(), digest_size=12).hexdigest()


def photos_cache_sync(*, db: Database, source: str, counters: SyncCounters, dry_run: bool = False) -> None:
    cached = {
        d["listingKey"]: d.get("photosHash")
        for d in db[store.PHOTOS].find({"mlsSource": source}, {"_id": 0, "listingKey": 1, "photosHash": 1})
    }
    seen: set[str] = set()
    ops: list[ReplaceOne] = []
    now = utcnow_iso()
    for doc in db[store.LISTINGS].find({"mlsSource": source}, {"_id": 0, "listingKey": 1, "photos": 1}):
        key, photos = doc["listingKey"], doc.get("photos") or []
        seen.add(key)
        counters.fetched += 1
        digest = photos_hash(photos)
        if cached.get(key) == digest:
            counters.unchanged += 1
            continue
        if key in cached:
            counters.updated += 1
        else:
            counters.inserted += 1
        counters.changed_keys.add(key)
        ops.append(
            ReplaceOne(
                {"listingKey": key},
                {
                    "listingKey": key,
                    "mlsSource": source,
                    "photosHash": digest,
                    "count": len(photos),
                    "primary": photos[0] if photos else None,
                    "photos": photos,
                    "cachedAt": now,
                },
                upsert=True,
            )
        )
        if len(ops) >= BATCH and not dry_run:
            db[store.PHOTOS].bulk_write(ops, ordered=False)
            ops = []
    if ops and not dry_run:
        db[store.PHOTOS].bulk_write(ops, ordered=False)
    stale = sorted(cached.keys() - seen)
    if stale and not dry_run:
        for part in in_chunks(stale):
            db[store.PHOTOS].delete_many({"listingKey": {"$in": part}})
    counters.removed += len(stale)
