"""One MLS sync run: fetch -> flatten -> upsert (-> status, photos), page by page, resumable.

Every page ends with a checkpoint in ``sync_state`` (``_id = "<source>:<mode>"``) holding the
token that resumes after it and the query that produced it, so a run that died - killed,
crashed, out of retries - continues where it stopped with the same query, and replaying a
half-written page is harmless (inserts fall back to updates, unchanged documents are skipped).
A producer thread fetches and flattens the next page while the current one is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.database import Database

from listings import store
from listings.changes import changes_journal
from mls_sync.clients import Query, ResoWebApiClient, SparkClient
from mls_sync.indexes import store_ensure_indexes, store_is_indexed
from mls_sync.openhouses import open_houses_apply
from mls_sync.photos import photos_cache_sync
from mls_sync.stages import SyncCounters, SyncHooks, coalesced, flat_page_store, prefetched, quarantine_release
from mls_sync.status import status_check_run
from mls_sync.upsert import (
    KnownDocs,
    PreloadedDocs,
    QueriedDocs,
    chunks,
    moves_reconcile,
    utcnow_iso,
)

log = logging.getLogger(__name__)

MODES = ("full", "incremental", "status", "closed", "photos")
OVERLAP = timedelta(minutes=20)  # Spark: query from last success - 20 min (server-side caching)
Client = SparkClient | ResoWebApiClient


def _checkpoint_id(source: str, mode: str) -> str:
    return f"{source}:{mode}"


def _last_watermark(db: Database, source: str, modes: tuple[str, ...]) -> datetime | None:
    marks = []
    for mode in modes:
        state = db[store.SYNC_STATE].find_one({"_id": _checkpoint_id(source, mode)}) or {}
        if state.get("lastWatermark"):
            marks.append(state["lastWatermark"])
    return datetime.fromisoformat(max(marks).replace("Z", "+00:00")) if marks else None


def _query_doc(q: Query) -> dict[str, Any]:
    return {
        "modified_after": q.modified_after.isoformat() if q.modified_after else None,
        "status": q.status,
        "closed_since": q.closed_since.isoformat() if q.closed_since else None,
    }


def _query_from(doc: dict[str, Any]) -> Query:
    after, since = doc.get("modified_after"), doc.get("closed_since")
    return Query(
        modified_after=datetime.fromisoformat(after) if after else None,
        status=doc.get("status"),
        closed_since=date.fromisoformat(since) if since else None,
    )


class StoreMetadataCache:
    """A RESO source's parsed ``$metadata``, kept in ``sync_state`` (``<source>:metadata``)."""

    def __init__(self, db: Database, source: str) -> None:
        self.collection, self.id = db[store.SYNC_STATE], f"{source}:metadata"

    def load(self) -> dict[str, Any] | None:
        return self.collection.find_one({"_id": self.id})

    def save(self, doc: dict[str, Any]) -> None:
        self.collection.replace_one({"_id": self.id}, doc, upsert=True)


def sync_run(
    *,
    db: Database,
    client: Client,
    source: str,
    mode: str,
    since: datetime | None = None,
    dry_run: bool = False,
    geo_index: bool = True,
    defer_indexes: bool = False,
    hooks: SyncHooks | None = None,
    progress: Callable[[int], None] | None = None,
    page_size: int = 1000,
    closed_lookback_days: int = 3 * 365,
) -> SyncCounters:
    """Run one sync of ``source`` in ``mode``; returns its counters (raises if the feed fails).

    ``defer_indexes``: a caller loading several sources into a fresh store builds the indexes
    once, after all of them (``store_ensure_indexes``), instead of at the end of each run.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    counters = SyncCounters(source=source, mode=mode)
    started = time.monotonic()
    hooks = hooks or SyncHooks()
    retries_before = client.retries
    if isinstance(client, ResoWebApiClient) and client.metadata_cache is None and not dry_run:
        client.metadata_cache = StoreMetadataCache(db, source)
    try:
        if not dry_run:
            moves_reconcile(db=db, source=source)
            if mode in ("status", "photos"):
                store_ensure_indexes(db=db, geo=geo_index)
        if mode == "photos":
            photos_cache_sync(db=db, source=source, counters=counters, dry_run=dry_run)
        elif mode == "status":
            status_check_run(db=db, client=client, source=source, counters=counters, dry_run=dry_run, hooks=hooks)
        else:
            _replicate(
                db=db,
                client=client,
                source=source,
                mode=mode,
                since=since,
                counters=counters,
                dry_run=dry_run,
                geo_index=geo_index,
                defer_indexes=defer_indexes,
                hooks=hooks,
                progress=progress,
                page_size=page_size,
                closed_lookback_days=closed_lookback_days,
            )
    finally:
        counters.retries = client.retries - retries_before
        counters.duration_s = round(time.monotonic() - started, 3)
    return counters


@dataclass
class _Plan:
    """Where a run starts: a fresh query, or the checkpoint of a run that died."""

    mode: str
    state_id: str
    state: dict[str, Any]
    query: Query
    token: str | None = None
    resume: bool = False


def _plan(
    *, db: Database, source: str, mode: str, since: datetime | None, counters: SyncCounters, closed_lookback_days: int
) -> _Plan:
    state_id = _checkpoint_id(source, mode)
    state = db[store.SYNC_STATE].find_one({"_id": state_id}) or {}
    if state.get("status") in ("running", "failed") and state.get("token") and since is None:
        counters.resumed, counters.watermark = True, state.get("watermark")
        log.info("%s %s: resuming after %s", source, mode, state["token"])
        return _Plan(mode, state_id, state, _query_from(state.get("query") or {}), state["token"], resume=True)
    query = Query()
    if mode == "incremental":
        mark = since or _last_watermark(db, source, ("full", "incremental"))
        if mark is None:
            log.warning("%s: no successful run to continue from; running a full sync", source)
            counters.mode = "full"
            return _plan(db=db, source=source, mode="full", since=None, counters=counters, closed_lookback_days=0)
        query.modified_after = mark - (OVERLAP if since is None else timedelta(0))
    elif mode == "closed":
        # Sales by StandardStatus (not the MLS's own status names) that closed in the window.
        query.status = "Closed"
        query.expand = tuple(e for e in query.expand if e != "OpenHouses")  # a sale has none to show
        query.closed_since = datetime.now(UTC).date() - timedelta(days=closed_lookback_days)
        mark = since or _last_watermark(db, source, ("closed",))
        query.modified_after = mark - OVERLAP if mark and since is None else mark
    return _Plan(mode, state_id, state, query)


SEEN = "sync_seen"  # keys a running full sync of an unordered feed has seen, page by page


@dataclass
class _Purge:
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
            self.cursor = _purge_range(
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
        _purge_range(
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


def _replicate(
    *,
    db: Database,
    client: Client,
    source: str,
    mode: str,
    since: datetime | None,
    counters: SyncCounters,
    dry_run: bool,
    geo_index: bool,
    defer_indexes: bool,
    hooks: SyncHooks,
    progress: Callable[[int], None] | None,
    page_size: int,
    closed_lookback_days: int,
) -> None:
    plan = _plan(
        db=db, source=source, mode=mode, since=since, counters=counters, closed_lookback_days=closed_lookback_days
    )
    full = plan.mode == "full"
    # A full load into a store that was never indexed (fresh database) builds every index after
    # the load; duplicates cannot arise meanwhile because a full run knows every stored key
    # (PreloadedDocs) and the per-source lock excludes concurrent runs.
    bulk_load = full and not dry_run and (defer_indexes or not store_is_indexed(db=db))
    if not dry_run and not bulk_load:
        store_ensure_indexes(db=db, geo=geo_index)
    known: KnownDocs = (
        PreloadedDocs.load(db=db, source=source, collections=(store.LISTINGS, store.CLOSED))
        if full
        else QueriedDocs(db)
    )
    stored_keys = sorted(known.maps[store.LISTINGS]) if isinstance(known, PreloadedDocs) else []
    # Resume the purge after the last key the interrupted run wrote (tokens are opaque: a URL for RESO).
    last_key = plan.state.get("lastKey") if plan.resume else None
    purge = _Purge(
        db,
        source,
        plan.state_id,
        stored_keys,
        _first_after(stored_keys, last_key),
        ordered=getattr(client, "ordered_by_key", True),
        dry_run=dry_run,
    )
    if not dry_run:
        fresh = {"token": None, "lastKey": None, "pages": 0, "watermark": None}
        db[store.SYNC_STATE].update_one(
            {"_id": plan.state_id},
            {
                "$set": {
                    "status": "running",
                    "query": _query_doc(plan.query),
                    "startedAt": utcnow_iso(),
                    "error": None,
                    **({} if plan.resume else fresh),
                }
            },
            upsert=True,
        )
    good_keys: set[str] = set()
    try:
        if full:
            purge.start(resume=plan.resume)
        pages = client.iter_pages(plan.query, limit=page_size, resume_from=plan.token)
        for flat in prefetched(coalesced(pages, page_size), source):
            counters.fetched += flat.fetched
            counters.pages += 1
            flat_page_store(
                db=db, source=source, flat=flat, known=known, dry_run=dry_run, hooks=hooks, counters=counters
            )
            page_keys = {d["listingKey"] for d in flat.docs} | {e.listing_key for _, e in flat.bad if e.listing_key}
            good_keys.update(d["listingKey"] for d in flat.docs)
            last_key = max(page_keys) if page_keys else last_key
            if full:
                purge.page(page_keys=page_keys, more=bool(flat.next_token), counters=counters)
            marks = [d["modificationTimestamp"] for d in flat.docs if d["modificationTimestamp"]]
            if marks and (counters.watermark is None or max(marks) > counters.watermark):
                counters.watermark = max(marks)
            if not dry_run:
                db[store.SYNC_STATE].update_one(
                    {"_id": plan.state_id},
                    {
                        "$set": {
                            "token": flat.next_token,
                            "lastKey": last_key,
                            "watermark": counters.watermark,
                            "updatedAt": utcnow_iso(),
                        },
                        "$inc": {"pages": 1},
                    },
                )
            if progress:
                progress(flat.fetched)
            if hooks.after_page:
                hooks.after_page(counters.pages)
        if full:
            purge.finish(counters=counters)
        # A full run wrote every listing with its open houses; an incremental one only some.
        if isinstance(client, ResoWebApiClient) and plan.mode == "incremental":
            changed = open_houses_apply(
                db=db, source=source, shows=client.open_houses(), skip=good_keys, dry_run=dry_run
            )
            counters.changed_keys |= changed
    except BaseException as exc:
        if not dry_run:
            db[store.SYNC_STATE].update_one({"_id": plan.state_id}, {"$set": {"status": "failed", "error": repr(exc)}})
        raise
    if dry_run:
        return
    if bulk_load and not defer_indexes:
        store_ensure_indexes(db=db, geo=geo_index)
    quarantine_release(db=db, source=source, good=good_keys)
    db[store.SYNC_STATE].update_one(
        {"_id": plan.state_id},
        {
            "$set": {
                "status": "ok",
                "token": None,
                "lastSuccessAt": utcnow_iso(),
                "finishedAt": utcnow_iso(),
                "lastWatermark": counters.watermark or plan.state.get("lastWatermark"),
            }
        },
    )


def _first_after(keys: list[str], token: str | None) -> int:
    from bisect import bisect_right

    return bisect_right(keys, token) if token else 0


def _purge_range(
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
    from bisect import bisect_right

    end = bisect_right(keys, upto) if upto is not None else len(keys)
    missing = [k for k in keys[start:end] if k not in seen]
    if missing:
        if not dry_run:
            changes_journal(db=db, source=source, keys=missing)
            for part in chunks(missing):
                db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
        counters.purged += len(missing)
        counters.removed_keys.update(missing)
    return end
