"""One MLS sync run: fetch -> flatten -> upsert (-> status, photos), page by page, resumable.

Every page ends with a checkpoint in ``sync_state`` (``_id = "<source>:<mode>"``) holding the
token that resumes after it and the query that produced it, so a run that died - killed,
crashed, out of retries - continues where it stopped with the same query, and replaying a
half-written page is harmless (inserts fall back to updates, unchanged documents are skipped).
A producer thread fetches and flattens the next page while the current one is written.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from listings import store
from mls_sync.clients import Page, Query, ResoWebApiClient, SparkClient
from mls_sync.flatten import MalformedRecord, flatten
from mls_sync.indexes import store_ensure_indexes, store_is_indexed
from mls_sync.photos import photos_cache_sync
from mls_sync.upsert import (
    ON_MARKET, KnownDocs, PageResult, PreloadedDocs, QueriedDocs, chunks, moves_reconcile, page_write, utcnow_iso,
)

log = logging.getLogger(__name__)

MODES = ("full", "incremental", "status", "closed", "photos")
OVERLAP = timedelta(minutes=20)  # Spark: query from last success - 20 min (server-side caching)
REFETCH_BATCH = 100
Client = SparkClient | ResoWebApiClient


@dataclass
class SyncHooks:
    """Test seams: ``after_page(n)`` runs after page n is checkpointed; the other between a move's writes."""

    after_page: Callable[[int], None] | None = None
    between_move_writes: Callable[[], None] | None = None


@dataclass
class SyncCounters:
    source: str
    mode: str
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    removed: int = 0
    purged: int = 0
    quarantined: int = 0
    errors: int = 0
    retries: int = 0
    pages: int = 0
    duration_s: float = 0.0
    resumed: bool = False
    watermark: str | None = None
    changed_keys: set[str] = field(default_factory=set)
    removed_keys: set[str] = field(default_factory=set)
    closed_keys: set[str] = field(default_factory=set)

    def add(self, result: PageResult) -> None:
        for name in ("inserted", "updated", "unchanged", "moved", "removed", "quarantined", "errors"):
            setattr(self, name, getattr(self, name) + getattr(result, name))
        self.changed_keys.update(result.changed_keys)
        self.removed_keys.update(result.removed_keys)
        self.closed_keys.update(result.closed_keys)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.endswith("_keys")}


@dataclass
class _Flat:
    page: Page
    docs: list[dict[str, Any]]
    bad: list[tuple[dict[str, Any], MalformedRecord]]


def _flatten_page(page: Page, source: str) -> _Flat:
    docs, bad = [], []
    for raw in page.records:
        try:
            docs.append(flatten(raw, source=source))
        except MalformedRecord as exc:
            bad.append((raw, exc))
    return _Flat(page, docs, bad)


def _prefetched(pages: Iterator[Page], source: str, depth: int = 2) -> Iterator[_Flat]:
    """Fetch + flatten in a thread, ``depth`` pages ahead; errors surface in the consumer."""
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for page in pages:
                item = _flatten_page(page, source)
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            out.put(exc)

    thread = threading.Thread(target=produce, name=f"mls-fetch-{source}", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def quarantine_write(*, db: Database, source: str, bad: list[tuple[dict[str, Any], MalformedRecord]]) -> None:
    now = utcnow_iso()
    for raw, exc in bad:
        key = exc.listing_key or f"unkeyed:{abs(hash(repr(raw)))}"
        db[store.QUARANTINE].replace_one(
            {"_id": f"{source}:{key}"},
            {"source": source, "listingKey": exc.listing_key, "reason": exc.reason, "record": raw, "at": now},
            upsert=True)


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
    return {"modified_after": q.modified_after.isoformat() if q.modified_after else None, "status": q.status}


def _query_from(doc: dict[str, Any]) -> Query:
    after = doc.get("modified_after")
    return Query(modified_after=datetime.fromisoformat(after) if after else None, status=doc.get("status"))


def sync_run(
    *, db: Database, client: Client, source: str, mode: str, since: datetime | None = None,
    dry_run: bool = False, geo_index: bool = True, defer_indexes: bool = False, hooks: SyncHooks | None = None,
    progress: Callable[[int], None] | None = None, page_size: int = 1000,
) -> SyncCounters:
    """Run one sync of ``source`` in ``mode``; returns its counters (raises if the feed fails).

    ``defer_indexes``: a caller loading several sources into an empty store builds the
    secondary indexes once, after all of them (``store_ensure_indexes``), instead of per run.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    counters = SyncCounters(source=source, mode=mode)
    started = time.monotonic()
    hooks = hooks or SyncHooks()
    retries_before = client.retries
    try:
        if not dry_run:
            moves_reconcile(db=db, source=source)
            if mode in ("status", "photos"):
                store_ensure_indexes(db=db, geo=geo_index)
        if mode == "photos":
            photos_cache_sync(db=db, source=source, counters=counters, dry_run=dry_run)
        elif mode == "status":
            _status_run(db=db, client=client, source=source, counters=counters, dry_run=dry_run, hooks=hooks)
        else:
            _replicate(db=db, client=client, source=source, mode=mode, since=since, counters=counters,
                       dry_run=dry_run, geo_index=geo_index, defer_indexes=defer_indexes, hooks=hooks,
                       progress=progress, page_size=page_size)
    finally:
        counters.retries = client.retries - retries_before
        counters.duration_s = round(time.monotonic() - started, 3)
    return counters


def _replicate(
    *, db: Database, client: Client, source: str, mode: str, since: datetime | None, counters: SyncCounters,
    dry_run: bool, geo_index: bool, defer_indexes: bool, hooks: SyncHooks,
    progress: Callable[[int], None] | None, page_size: int,
) -> None:
    state_id = _checkpoint_id(source, mode)
    state = db[store.SYNC_STATE].find_one({"_id": state_id}) or {}
    resume = state.get("status") in ("running", "failed") and bool(state.get("token")) and since is None
    if resume:
        query, token = _query_from(state.get("query") or {}), state["token"]
        counters.resumed, counters.watermark = True, state.get("watermark")
        log.info("%s %s: resuming after %s", source, mode, token)
    else:
        token = None
        query = Query()
        if mode == "incremental":
            mark = since or _last_watermark(db, source, ("full", "incremental"))
            if mark is None:
                log.warning("%s: no successful run to continue from; running a full sync", source)
                mode, state_id = "full", _checkpoint_id(source, "full")
            else:
                query.modified_after = mark - (OVERLAP if since is None else timedelta(0))
        elif mode == "closed":
            query.status = "Closed"
            mark = since or _last_watermark(db, source, ("closed",))
            query.modified_after = mark - OVERLAP if mark and since is None else mark
    full = mode == "full"
    # A full load into a store that was never indexed (fresh database) builds every index after
    # the load; duplicates cannot arise meanwhile because a full run knows every stored key
    # (PreloadedDocs) and the per-source lock excludes concurrent runs.
    bulk_load = full and not dry_run and (defer_indexes or not store_is_indexed(db=db))
    if not dry_run and not bulk_load:
        store_ensure_indexes(db=db, geo=geo_index)
    known: KnownDocs = (PreloadedDocs.load(db=db, source=source, collections=(store.LISTINGS, store.CLOSED))
                        if full else QueriedDocs(db))
    # Full runs walk the feed in ListingKey order: stored keys between two pages' ends that the
    # feed skipped are gone from the MLS (purge by comparing key sets, one key range at a time).
    stored_keys = sorted(known.maps[store.LISTINGS]) if isinstance(known, PreloadedDocs) else []
    cursor = _first_after(stored_keys, token)
    if not dry_run:
        db[store.SYNC_STATE].update_one({"_id": state_id}, {"$set": {
            "status": "running", "query": _query_doc(query), "startedAt": utcnow_iso(), "error": None,
            **({} if resume else {"token": None, "pages": 0, "watermark": None})}}, upsert=True)
    good_keys: set[str] = set()
    try:
        pages = client.iter_pages(query, limit=page_size, resume_from=token)
        for flat in _prefetched(pages, source):
            counters.fetched += len(flat.page.records)
            counters.pages += 1
            if flat.bad:
                counters.quarantined += len(flat.bad)
                if not dry_run:
                    quarantine_write(db=db, source=source, bad=flat.bad)
            result = page_write(db=db, source=source, docs=flat.docs, known=known, dry_run=dry_run,
                                between_move_writes=hooks.between_move_writes)
            counters.add(result)
            page_keys = {d["listingKey"] for d in flat.docs} | {e.listing_key for _, e in flat.bad if e.listing_key}
            good_keys.update(d["listingKey"] for d in flat.docs)
            if full and page_keys:
                last = max(page_keys) if flat.page.next_token else None
                cursor = _purge_range(db=db, keys=stored_keys, start=cursor, upto=last, seen=page_keys,
                                      counters=counters, dry_run=dry_run)
            marks = [d["modificationTimestamp"] for d in flat.docs]
            if marks and (counters.watermark is None or max(marks) > counters.watermark):
                counters.watermark = max(marks)
            if not dry_run:
                db[store.SYNC_STATE].update_one({"_id": state_id}, {
                    "$set": {"token": flat.page.next_token, "watermark": counters.watermark,
                             "updatedAt": utcnow_iso()}, "$inc": {"pages": 1}})
            if progress:
                progress(len(flat.page.records))
            if hooks.after_page:
                hooks.after_page(counters.pages)
    except BaseException as exc:
        if not dry_run:
            db[store.SYNC_STATE].update_one({"_id": state_id}, {"$set": {"status": "failed", "error": repr(exc)}})
        raise
    if dry_run:
        return
    if bulk_load and not defer_indexes:
        store_ensure_indexes(db=db, geo=geo_index)
    _quarantine_release(db=db, source=source, good=good_keys)
    db[store.SYNC_STATE].update_one({"_id": state_id}, {"$set": {
        "status": "ok", "token": None, "lastSuccessAt": utcnow_iso(), "finishedAt": utcnow_iso(),
        "lastWatermark": counters.watermark or state.get("lastWatermark")}})


def _first_after(keys: list[str], token: str | None) -> int:
    from bisect import bisect_right

    return bisect_right(keys, token) if token else 0


def _purge_range(*, db: Database, keys: list[str], start: int, upto: str | None, seen: set[str],
                 counters: SyncCounters, dry_run: bool) -> int:
    """Delete stored listings with keys in (previous page end, ``upto``] that the feed did not send."""
    from bisect import bisect_right

    end = bisect_right(keys, upto) if upto is not None else len(keys)
    missing = [k for k in keys[start:end] if k not in seen]
    if missing:
        if not dry_run:
            for part in chunks(missing):
                db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
        counters.purged += len(missing)
        counters.removed_keys.update(missing)
    return end


def _quarantine_release(*, db: Database, source: str, good: set[str]) -> None:
    """Quarantined records that have since arrived intact leave the quarantine."""
    held = [d["listingKey"] for d in db[store.QUARANTINE].find({"source": source}, {"listingKey": 1})
            if d.get("listingKey") in good]
    for part in chunks(held):
        db[store.QUARANTINE].delete_many({"source": source, "listingKey": {"$in": part}})


def _status_run(*, db: Database, client: Client, source: str, counters: SyncCounters, dry_run: bool,
                hooks: SyncHooks) -> None:
    """Compare the feed's key set and statuses with the store; purge, then refetch what differs."""
    feed: dict[str, tuple[str, str]] = {}
    header = Query(select=["ListingKey", "StandardStatus", "ModificationTimestamp"], expand=())
    for page in client.iter_pages(header):
        for rec in page.records:
            f = rec.get("StandardFields") or {}
            if f.get("ListingKey"):
                feed[f["ListingKey"]] = (f.get("StandardStatus") or "", f.get("ModificationTimestamp") or "")
        counters.pages += 1
    stored = {d["listingKey"]: (d.get("standardStatus"), d.get("modificationTimestamp"))
              for d in db[store.LISTINGS].find({"mlsSource": source},
                                               {"_id": 0, "listingKey": 1, "standardStatus": 1,
                                                "modificationTimestamp": 1})}
    missing = sorted(stored.keys() - feed.keys())
    if missing and not dry_run:
        for part in chunks(missing):
            db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
    counters.purged += len(missing)
    counters.removed_keys.update(missing)
    stale = [k for k, (status, modified) in stored.items()
             if k in feed and (feed[k][0] != status or (feed[k][1] or "") > (modified or ""))]
    # On-market listings the store never saw (a missed incremental window).
    unseen = [k for k, (status, _) in feed.items() if status in ON_MARKET and k not in stored]
    known = QueriedDocs(db)
    for batch in chunks(sorted(stale + unseen), REFETCH_BATCH):
        for page in client.iter_pages(Query(keys=batch), limit=REFETCH_BATCH):
            flat = _flatten_page(page, source)
            counters.fetched += len(page.records)
            counters.quarantined += len(flat.bad)
            if flat.bad and not dry_run:
                quarantine_write(db=db, source=source, bad=flat.bad)
            counters.add(page_write(db=db, source=source, docs=flat.docs, known=known, dry_run=dry_run,
                                    between_move_writes=hooks.between_move_writes))
    if not dry_run:
        db[store.SYNC_STATE].update_one({"_id": _checkpoint_id(source, "status")}, {"$set": {
            "status": "ok", "lastSuccessAt": utcnow_iso(), "checked": len(stored), "feedKeys": len(feed)}},
            upsert=True)


def utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
