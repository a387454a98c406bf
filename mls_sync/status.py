"""The status check: compare the feed's key set and statuses with the store.

Listings the feed no longer has are purged; listings whose status or modification time differ
(and on-market listings the store never saw) are refetched by key and written like any page,
so Closed ones move to ``closed`` and off-market ones (Expired, Withdrawn, Canceled, Hold,
Delete, Incomplete) leave the sites.
"""

from __future__ import annotations

from pymongo.database import Database

from core.batching import in_chunks
from listings import store
from mls_sync.clients import Query, ResoWebApiClient, SparkClient
from mls_sync.flatten import to_timestamp
from mls_sync.lookups import ON_MARKET, standard_status
from mls_sync.stages import SyncCounters, SyncHooks, flat_page_store, flatten_page
from mls_sync.upsert import QueriedDocs, utcnow_iso

REFETCH_BATCH = 100


def status_check_run(
    *,
    db: Database,
    client: SparkClient | ResoWebApiClient,
    source: str,
    counters: SyncCounters,
    dry_run: bool,
    hooks: SyncHooks,
) -> None:
    """Compare the feed's key set and statuses with the store; purge, then refetch what differs."""
    feed: dict[str, tuple[str, str]] = {}
    header = Query(select=["ListingKey", "StandardStatus", "ModificationTimestamp"], expand=())
    for page in client.iter_pages(header):
        for rec in page.records:
            f = rec.get("StandardFields") or {}
            if f.get("ListingKey"):
                modified = to_timestamp(f.get("ModificationTimestamp")) or ""  # same format as stored
                # The stored spelling: "ActiveUnderContract" is the same status as stored
                # "Active Under Contract"; an unknown one differs from every stored status.
                raw = f.get("StandardStatus") or f.get("MlsStatus")
                feed[f["ListingKey"]] = (standard_status(raw) or f"?{raw}", modified)
        counters.pages += 1
    stored = {
        d["listingKey"]: (d.get("standardStatus"), d.get("modificationTimestamp"))
        for d in db[store.LISTINGS].find(
            {"mlsSource": source}, {"_id": 0, "listingKey": 1, "standardStatus": 1, "modificationTimestamp": 1}
        )
    }
    missing = sorted(stored.keys() - feed.keys())
    if missing and not dry_run:
        for part in in_chunks(missing):
            db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
    counters.purged += len(missing)
    counters.removed_keys.update(missing)
    stale = [
        k
        for k, (status, modified) in stored.items()
        if k in feed and (feed[k][0] != status or (feed[k][1] or "") > (modified or ""))
    ]
    # On-market listings the store never saw (a missed incremental window).
    unseen = [k for k, (status, _) in feed.items() if status in ON_MARKET and k not in stored]
    known = QueriedDocs(db)
    for batch in in_chunks(sorted(stale + unseen), REFETCH_BATCH):
        for page in client.iter_pages(Query(keys=batch), limit=REFETCH_BATCH):
            flat = flatten_page(page, source)
            counters.fetched += len(page.records)
            flat_page_store(
                db=db, source=source, flat=flat, known=known, dry_run=dry_run, hooks=hooks, counters=counters
            )
    if not dry_run:
        db[store.SYNC_STATE].update_one(
            {"_id": f"{source}:status"},
            {"$set": {"status": "ok", "lastSuccessAt": utcnow_iso(), "checked": len(stored), "feedKeys": len(feed)}},
            upsert=True,
        )
