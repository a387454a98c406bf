"""Full runs purge what the feed no longer sends: stored listings a full sync did not see.

A feed in ListingKey order (Spark) is compared one key range at a time as pages arrive; a feed
in the server's own order (RESO) once, at the end, with every key the run saw (checkpointed in
``sync_seen`` so a resumed run still knows them). Deleted keys are journaled first
(``listings.changes``), so the change event that removes them from the read models is never lost.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from pymongo.database import Database

from core.batching import in_chunks
from listings import store
from listings.changes import changes_journal
from mls_sync.stages import SyncCounters

SEEN = "sync_seen"  # keys a running full sync of an unordered feed has seen, page by page


@dataclass
class Purge:
    """Stored listings a full run finds the feed no longer sends.

    A feed in ListingKey order (Spark) is compared one key range at a time: stored keys between
    two pages' ends that the feed skipped are gone. A feed in the server's own order (RESO) is
    compared once, at the end, with every key the run saw; those are checkpointed page by page
    in ``sync_seen`` so a resumed run still knows what the run before the crash saw."""

    db: Database
    source: str
    run: str
    keys: list[str]
    cursor: int
    ordered: bool
    dry_run: bool
    seen: set[str] = field(default_factory=set)

    def start(self, *, resume: bool) -> None:
        if self.ordered or self.dry_run:
            return
        if resume:
            for doc in self.db[SEEN].find({"run": self.run}, {"keys": 1}):
                self.seen.update(doc.get("keys") or [])
        else:
            self.db[SEEN].delete_many({"run": self.run})

    def page(self, *, page_keys: set[str], more: bool, counters: SyncCounters) -> None:
        if not self.ordered:
            self.seen |= page_keys
            if page_keys and not self.dry_run:
                self.db[SEEN].insert_one({"run": self.run, "keys": sorted(page_keys)})
        elif page_keys:
            last = max(page_keys) if more else None
            self.cursor = purge_range(
                db=self.db,
                source=self.source,
                keys=self.keys,
                start=self.cursor,
                upto=last,
                seen=page_keys,
                counters=counters,
                dry_run=self.dry_run,
            )

    def finish(self, *, counters: SyncCounters) -> None:
        if self.ordered:
            return
        purge_range(
            db=self.db,
            source=self.source,
            keys=self.keys,
            start=0,
            upto=None,
            seen=self.seen,
            counters=counters,
            dry_run=self.dry_run,
        )
        if not self.dry_run:
            self.db[SEEN].delete_many({"run": self.run})


def first_after(keys: list[str], token: str | None) -> int:
    return bisect_right(keys, token) if token else 0


def purge_range(
    *,
    db: Database,
    source: str,
    keys: list[str],
    start: int,
    upto: str | None,
    seen: set[str],
    counters: SyncCounters,
    dry_run: bool,
) -> int:
    """Delete stored listings with keys in (previous page end, ``upto``] that the feed did not send."""
    end = bisect_right(keys, upto) if upto is not None else len(keys)
    missing = [k for k in keys[start:end] if k not in seen]
    if missing:
        if not dry_run:
            changes_journal(db=db, source=source, keys=missing)
            for part in in_chunks(missing):
                db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
        counters.purged += len(missing)
        counters.removed_keys.update(missing)
    return end
