"""Indexes of the listings store: made by ``mls_ensure_indexes`` or a sync run finding them
missing, never per query.

A full load into a never-indexed store builds the indexes *after* the load: maintaining them
per insert costs more than building them once (measured on SecantusDB: 1,000 documents insert
in 0.36 s with no index, 0.66 s with the four listings indexes, 1.35 s with the 2dsphere too).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import OperationFailure

from listings import store

INDEX_OPTIONS_CONFLICT, INDEX_KEY_SPECS_CONFLICT = 85, 86

KEY_INDEXES: dict[str, list[IndexModel]] = {
    store.LISTINGS: [IndexModel([("listingKey", ASCENDING)], unique=True, name="listingKey_unique")],
    store.CLOSED: [IndexModel([("listingKey", ASCENDING)], unique=True, name="listingKey_unique")],
    store.PHOTOS: [IndexModel([("listingKey", ASCENDING)], unique=True, name="listingKey_unique")],
    store.QUARANTINE: [IndexModel([("source", ASCENDING), ("at", DESCENDING)], name="source_at")],
}
SECONDARY_INDEXES: dict[str, list[IndexModel]] = {
    store.LISTINGS: [
        IndexModel([("slug", ASCENDING)], unique=True, name="slug_unique"),
        IndexModel([("modificationTimestamp", ASCENDING)], name="modificationTimestamp"),
        IndexModel([("mlsSource", ASCENDING), ("standardStatus", ASCENDING)], name="source_status"),
    ],
    store.CLOSED: [
        IndexModel([("mlsSource", ASCENDING), ("closeDate", DESCENDING)], name="source_closeDate"),
    ],
}
GEO_INDEXES: dict[str, list[IndexModel]] = {
    store.LISTINGS: [IndexModel([("location", "2dsphere")], name="location_2dsphere")],
}


def store_ensure_indexes(*, db: Database, secondary: bool = True, geo: bool = True) -> list[str]:
    """Create the store's indexes (idempotent); returns the names ensured.

    One ``createIndexes`` per collection, so a server building them after a bulk load can do it
    in one pass over the documents.
    """
    groups = [KEY_INDEXES] + ([SECONDARY_INDEXES] if secondary else []) + ([GEO_INDEXES] if geo else [])
    wanted: dict[str, list[IndexModel]] = {}
    for group in groups:
        for collection, models in group.items():
            wanted.setdefault(collection, []).extend(models)
    # Collections are built in parallel: after a bulk load each build is one pass over its
    # own collection, and the server can run them side by side.
    with ThreadPoolExecutor(max_workers=len(wanted) or 1) as pool:
        built = pool.map(
            lambda item: _collection_ensure_indexes(db=db, collection=item[0], models=item[1]), wanted.items()
        )
        return [name for names in built for name in names]


def _collection_ensure_indexes(*, db: Database, collection: str, models: list[IndexModel]) -> list[str]:
    # Create only what is missing: re-sending an existing 2dsphere spec is rejected as a
    # conflict by servers that store the index version in the spec (SecantusDB does).
    existing = set(db[collection].index_information())
    todo = [m for m in models if m.document["name"] not in existing]
    names: list[str] = []
    try:
        names += db[collection].create_indexes(todo) if todo else []
    except OperationFailure as exc:
        # Two runs ensuring indexes at once: the other one created it first. Anything else
        # (a real spec conflict) is still an error.
        if exc.code not in (INDEX_OPTIONS_CONFLICT, INDEX_KEY_SPECS_CONFLICT):
            raise
        if {m.document["name"] for m in todo} - set(db[collection].index_information()):
            raise
        names += [m.document["name"] for m in todo]
    names += [m.document["name"] for m in models if m.document["name"] in existing]
    return names


def store_is_indexed(*, db: Database) -> bool:
    return "listingKey_unique" in db[store.LISTINGS].index_information()
