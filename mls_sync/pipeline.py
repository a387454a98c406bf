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
from mls_sync.clients import Query, ResoWebApiClient, SparkClient
from mls_sync.indexes import store_ensure_indexes, store_is_indexed
from mls_sync.openhouses import open_houses_apply
from mls_sync.photos import photos_cache_sync
from mls_sync.purge import Purge, first_after
from mls_sync.stages import SyncCounters, SyncHooks, coalesced, flat_page_store, prefetched, quarantine_release
from mls_sync.status import status_check_run
from mls_sync.upsert import (
    KnownDocs,
    PreloadedDocs,
    QueriedDocs,
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
    known = _known_docs(db=db, source=source, full=full)
    run = _Run(db=db, source=source, plan=plan, known=known, counters=counters, dry_run=dry_run, hooks=hooks)
    run.purge = _purge_for(run, client) if full else None
    if not dry_run:
        _state_running(db=db, plan=plan)
    try:
        if run.purge is not None:
            run.purge.start(resume=plan.resume)
        pages = client.iter_pages(plan.query, limit=page_size, resume_from=plan.token)
        for flat in prefetched(coalesced(pages, page_size), source):
            run.page(flat)
            if progress:
                progress(flat.fetched)
            if hooks.after_page:
                hooks.after_page(counters.pages)
        if run.purge is not None:
            run.purge.finish(counters=counters)
        # A full run wrote every listing with its open houses; an incremental one only some.
        if isinstance(client, ResoWebApiClient) and plan.mode == "incremental":
            changed = open_houses_apply(
                db=db, source=source, shows=client.open_houses(), skip=run.good_keys, dry_run=dry_run
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
    quarantine_release(db=db, source=source, good=run.good_keys)
    _state_ok(db=db, plan=plan, counters=counters)


@dataclass
class _Run:
    """A replication run's state between pages."""

    db: Database
    source: str
    plan: _Plan
    known: KnownDocs
    counters: SyncCounters
    dry_run: bool
    hooks: SyncHooks
    purge: Purge | None = None
    good_keys: set[str] = field(default_factory=set)
    last_key: str | None = None

    def __post_init__(self) -> None:
        # Resume the purge after the last key the interrupted run wrote (tokens are opaque: a URL for RESO).
        self.last_key = self.plan.state.get("lastKey") if self.plan.resume else None

    def page(self, flat: Any) -> None:
        """Store one fetched page, purge what it proves gone, checkpoint after it."""
        counters = self.counters
        counters.fetched += flat.fetched
        counters.pages += 1
        flat_page_store(
            db=self.db,
            source=self.source,
            flat=flat,
            known=self.known,
            dry_run=self.dry_run,
            hooks=self.hooks,
            counters=counters,
        )
        page_keys = {d["listingKey"] for d in flat.docs} | {e.listing_key for _, e in flat.bad if e.listing_key}
        self.good_keys.update(d["listingKey"] for d in flat.docs)
        self.last_key = max(page_keys) if page_keys else self.last_key
        if self.purge is not None:
            self.purge.page(page_keys=page_keys, more=bool(flat.next_token), counters=counters)
        marks = [d["modificationTimestamp"] for d in flat.docs if d["modificationTimestamp"]]
        if marks and (counters.watermark is None or max(marks) > counters.watermark):
            counters.watermark = max(marks)
        if not self.dry_run:
            self.db[store.SYNC_STATE].update_one(
                {"_id": self.plan.state_id},
                {
                    "$set": {
                        "token": flat.next_token,
                        "lastKey": self.last_key,
                        "watermark": counters.watermark,
                        "updatedAt": utcnow_iso(),
                    },
                    "$inc": {"pages": 1},
                },
            )


def _known_docs(*, db: Database, source: str, full: bool) -> KnownDocs:
    """A full run reads every stored key of the source once; others ask the store per page."""
    if full:
        return PreloadedDocs.load(db=db, source=source, collections=(store.LISTINGS, store.CLOSED))
    return QueriedDocs(db)


def _purge_for(run: _Run, client: Client) -> Purge:
    stored_keys = sorted(run.known.maps[store.LISTINGS]) if isinstance(run.known, PreloadedDocs) else []
    return Purge(
        run.db,
        run.source,
        run.plan.state_id,
        stored_keys,
        first_after(stored_keys, run.last_key),
        ordered=getattr(client, "ordered_by_key", True),
        dry_run=run.dry_run,
    )


def _state_running(*, db: Database, plan: _Plan) -> None:
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


def _state_ok(*, db: Database, plan: _Plan, counters: SyncCounters) -> None:
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
