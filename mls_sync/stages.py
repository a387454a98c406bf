"""The parts every sync run shares: counters, test hooks, the prefetching flattener, quarantine."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import bson.errors
from pymongo.database import Database

from core.batching import in_chunks
from listings import store
from listings.changes import changes_journal
from mls_sync.clients import Page
from mls_sync.flatten import MalformedRecord, flatten
from mls_sync.upsert import KnownDocs, PageResult, page_write, utcnow_iso


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
class Flat:
    """A flattened page. The raw records are not kept (only the malformed ones, for quarantine):
    a raw page of 1,000 listings with photos is ~40 MB of Python objects."""

    fetched: int
    next_token: str | None
    docs: list[dict[str, Any]]
    bad: list[tuple[dict[str, Any], MalformedRecord]]


def flatten_page(page: Page, source: str) -> Flat:
    """Flatten every record of a page; a record that cannot be flattened is quarantined, whatever
    the error, so one record never fails the page (and every resume after it)."""
    docs, bad = [], []
    for raw in page.records:
        try:
            docs.append(flatten(raw, source=source))
        except MalformedRecord as exc:
            bad.append((raw, exc))
        except Exception as exc:  # a shape no rule foresaw: quarantine it, say what broke
            key = raw.get("Id") if isinstance(raw, dict) else None
            bad.append((raw, MalformedRecord(f"unreadable record: {type(exc).__name__}: {exc}", listing_key=key)))
    return Flat(len(page.records), page.next_token, docs, bad)


def coalesced(pages: Iterator[Page], min_records: int) -> Iterator[Page]:
    """Consecutive pages joined until they hold ``min_records``: a server that chooses small
    pages (RESO servers send 100-200) is written in batches as large as asked for, one bulk
    write and one checkpoint per batch (its token: the last page's, which resumes after it)."""
    records: list[dict[str, Any]] = []
    for page in pages:
        records.extend(page.records)
        if len(records) >= min_records or page.next_token is None:
            yield Page(records=records, next_token=page.next_token)
            records = []
    if records:  # the server ended with a page that still named a next one
        yield Page(records=records, next_token=None)


def prefetched(pages: Iterator[Page], source: str, depth: int = 1) -> Iterator[Flat]:
    """Fetch + flatten in a thread, ``depth`` pages ahead; errors surface in the consumer."""
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for page in pages:
                item = flatten_page(page, source)
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(done)
        except BaseException as exc:
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
        key = exc.listing_key if isinstance(exc.listing_key, str) else None
        held = {"source": source, "listingKey": key, "reason": exc.reason, "record": raw, "at": now}
        _id = f"{source}:{key or f'unkeyed:{abs(hash(repr(raw)))}'}"
        try:
            db[store.QUARANTINE].replace_one({"_id": _id}, held, upsert=True)
        except (OverflowError, bson.errors.InvalidDocument):
            # A record BSON cannot hold (an integer beyond 64 bits, odd keys): keep its text.
            held["record"] = {"unstorable": repr(raw)[:100_000]}
            db[store.QUARANTINE].replace_one({"_id": _id}, held, upsert=True)


def flat_page_store(
    *, db: Database, source: str, flat: Flat, known: KnownDocs, dry_run: bool, hooks: SyncHooks, counters: SyncCounters
) -> None:
    """Quarantine a page's malformed records and write its good documents (full, incremental
    and status runs alike)."""
    counters.quarantined += len(flat.bad)
    if not dry_run:
        # Before the writes: a run that dies now still has its keys carried by a later event.
        changes_journal(db=db, source=source, keys=[d["listingKey"] for d in flat.docs])
    if flat.bad and not dry_run:
        quarantine_write(db=db, source=source, bad=flat.bad)
    counters.add(
        page_write(
            db=db,
            source=source,
            docs=flat.docs,
            known=known,
            dry_run=dry_run,
            between_move_writes=hooks.between_move_writes,
        )
    )


def quarantine_release(*, db: Database, source: str, good: set[str]) -> None:
    """Quarantined records that have since arrived intact leave the quarantine."""
    held = [
        d["listingKey"]
        for d in db[store.QUARANTINE].find({"source": source}, {"listingKey": 1})
        if d.get("listingKey") in good
    ]
    for part in in_chunks(held):
        db[store.QUARANTINE].delete_many({"source": source, "listingKey": {"$in": part}})
