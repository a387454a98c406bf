"""Open houses from a RESO server's ``OpenHouse`` resource, applied to listings a run did not touch.

A RESO server keeps open houses in their own resource: scheduling one need not change the
listing's ``ModificationTimestamp``, so an incremental run would miss it. After the listings of
a run are written (with the open houses attached), this brings every other stored listing of the
source in line with the resource: new open houses appear, cancelled and past ones disappear.
"""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne
from pymongo.database import Database

from core.batching import in_chunks
from listings import store
from listings.changes import changes_journal
from mls_sync.flatten import open_houses
from mls_sync.upsert import utcnow_iso


def open_houses_apply(
    *, db: Database, source: str, shows: dict[str, list[dict[str, Any]]], skip: set[str], dry_run: bool = False
) -> set[str]:
    """Set ``openHouses`` of the source's listings (except ``skip``: written by this run) from
    ``shows`` (ListingKey -> Spark-shaped open houses); returns the keys changed."""
    wanted = {key: open_houses(rows) for key, rows in shows.items() if key not in skip}
    stored: dict[str, list[dict[str, Any]]] = {}
    # Listings showing open houses now, and the listings the resource names.
    for doc in db[store.LISTINGS].find(
        {"mlsSource": source, "openHouses.0": {"$exists": True}}, {"_id": 0, "listingKey": 1, "openHouses": 1}
    ):
        stored[doc["listingKey"]] = doc.get("openHouses") or []
    for part in in_chunks([k for k in wanted if k not in stored]):
        for doc in db[store.LISTINGS].find(
            {"mlsSource": source, "listingKey": {"$in": part}}, {"_id": 0, "listingKey": 1, "openHouses": 1}
        ):
            stored[doc["listingKey"]] = doc.get("openHouses") or []
    changed = [key for key, current in stored.items() if key not in skip and current != wanted.get(key, [])]
    if changed and not dry_run:
        changes_journal(db=db, source=source, keys=changed)  # alerts and read models hear of them
        now = utcnow_iso()
        # contentHash "": the next full run rewrites the document from the feed, hash and all.
        ops = [
            UpdateOne(
                {"listingKey": k}, {"$set": {"openHouses": wanted.get(k, []), "contentHash": "", "syncedAt": now}}
            )
            for k in changed
        ]
        for batch in in_chunks(ops, 500):
            db[store.LISTINGS].bulk_write(batch, ordered=False)
    return set(changed)
