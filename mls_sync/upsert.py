"""Write one page of flattened documents into the store, touching only what changed.

Per page: look up the stored ``contentHash`` of the page's keys, ``insert_many`` the new
documents, ``UpdateOne`` the changed ones, skip the unchanged. Closed listings move from
``listings`` to ``closed`` - written to ``closed`` first, then deleted from ``listings``, with
the keys logged in ``sync_state`` beforehand, so a process dying between the two writes
leaves a move that the next run completes (``moves_reconcile``) and never a lost listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from core.batching import in_chunks
from listings import store
from mls_sync.lookups import DELETED, OFF_MARKET, ON_MARKET

DUPLICATE_KEY = 11000


def utcnow_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Stored:
    content_hash: str
    list_price: float | None


class KnownDocs(Protocol):
    """What the store already holds for some keys of one collection."""

    def lookup(self, collection: str, keys: list[str]) -> dict[str, Stored]: ...


@dataclass
class QueriedDocs:
    """Looks keys up in the store per page (incremental runs: few keys, big collections)."""

    db: Database

    def lookup(self, collection: str, keys: list[str]) -> dict[str, Stored]:
        out: dict[str, Stored] = {}
        for part in in_chunks(keys):
            for d in self.db[collection].find(
                {"listingKey": {"$in": part}}, {"_id": 0, "listingKey": 1, "contentHash": 1, "listPrice": 1}
            ):
                out[d["listingKey"]] = Stored(d.get("contentHash", ""), d.get("listPrice"))
        return out


@dataclass
class PreloadedDocs:
    """One projection scan up front (full runs: every key is looked up, a scan beats 1,500 $in's)."""

    maps: dict[str, dict[str, Stored]]

    @classmethod
    def load(cls, *, db: Database, source: str, collections: Iterable[str]) -> PreloadedDocs:
        maps = {}
        for name in collections:
            cursor = db[name].find({"mlsSource": source}, {"_id": 0, "listingKey": 1, "contentHash": 1, "listPrice": 1})
            maps[name] = {d["listingKey"]: Stored(d.get("contentHash", ""), d.get("listPrice")) for d in cursor}
        return cls(maps)

    def lookup(self, collection: str, keys: list[str]) -> dict[str, Stored]:
        known = self.maps.get(collection, {})
        return {k: known[k] for k in keys if k in known}

    def remember(self, collection: str, docs: Iterable[dict[str, Any]]) -> None:
        known = self.maps.setdefault(collection, {})
        for d in docs:
            known[d["listingKey"]] = Stored(d["contentHash"], d.get("listPrice"))

    def forget(self, collection: str, keys: Iterable[str]) -> None:
        known = self.maps.get(collection, {})
        for k in keys:
            known.pop(k, None)


@dataclass
class PageResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    removed: int = 0
    quarantined: int = 0
    errors: int = 0
    changed_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)
    closed_keys: list[str] = field(default_factory=list)


def _first_history(doc: dict[str, Any]) -> list[dict[str, Any]]:
    day = doc.get("onMarketDate") or doc["modificationTimestamp"][:10]
    history = [{"date": day, "price": doc["listPrice"], "event": "Listed"}]
    if doc["standardStatus"] == "Closed" and doc.get("closePrice"):
        history.append(
            {
                "date": doc.get("closeDate") or doc["modificationTimestamp"][:10],
                "price": doc["closePrice"],
                "event": "Sold",
            }
        )
    return history


def _write_docs(
    *,
    db: Database,
    collection: str,
    docs: list[dict[str, Any]],
    known: dict[str, Stored],
    result: PageResult,
    now: str,
    dry_run: bool,
) -> list[dict[str, Any]]:
    """Insert new, update changed, skip unchanged; returns the documents actually written."""
    new, changed = [], []
    for doc in docs:
        before = known.get(doc["listingKey"])
        if before is None:
            new.append(doc)
        elif before.content_hash != doc["contentHash"]:
            changed.append((doc, before))
        else:
            result.unchanged += 1
    if dry_run:
        result.inserted += len(new)
        result.updated += len(changed)
        return [*new, *(d for d, _ in changed)]
    if new:
        changed += _insert_new(db=db, collection=collection, new=new, result=result, now=now)
    if changed:
        _update_changed(db=db, collection=collection, changed=changed, now=now)
        result.updated += len(changed)
    return [*new, *(d for d, _ in changed)]


def _insert_new(
    *, db: Database, collection: str, new: list[dict[str, Any]], result: PageResult, now: str
) -> list[tuple[dict[str, Any], Stored]]:
    """Insert documents not stored yet; returns those a resumed page had written meanwhile and
    that changed since (to be updated instead)."""
    changed: list[tuple[dict[str, Any], Stored]] = []
    for doc in new:
        if "priceHistory" not in doc:  # moved listings arrive with their history
            doc["priceHistory"] = _first_history(doc)
        doc["syncedAt"] = now
    try:
        db[collection].insert_many(new, ordered=False)
        result.inserted += len(new)
    except BulkWriteError as exc:
        # A resumed page may find some of its documents already written: update those instead.
        dup_idx = {e["index"] for e in exc.details["writeErrors"] if e["code"] == DUPLICATE_KEY}
        result.errors += len(exc.details["writeErrors"]) - len(dup_idx)
        result.inserted += exc.details.get("nInserted", 0)
        again = QueriedDocs(db).lookup(collection, [new[i]["listingKey"] for i in dup_idx])
        for i in dup_idx:
            doc = new[i]
            doc.pop("_id", None)
            before = again.get(doc["listingKey"])
            if before and before.content_hash == doc["contentHash"]:
                result.unchanged += 1
            else:
                changed.append((doc, before or Stored("", None)))
    for doc in new:
        doc.pop("_id", None)  # insert_many adds it; callers reuse the dicts
    return changed


def _update_changed(*, db: Database, collection: str, changed: list[tuple[dict[str, Any], Stored]], now: str) -> None:
    """Update changed documents in place; a new list price adds a price-history entry."""
    ops = []
    for doc, before in changed:
        fields = {k: v for k, v in doc.items() if k != "priceHistory"}
        fields["syncedAt"] = now
        update: dict[str, Any] = {"$set": fields}
        if before.list_price is not None and before.list_price != doc["listPrice"]:
            update["$push"] = {
                "priceHistory": {
                    "date": doc["modificationTimestamp"][:10],
                    "price": doc["listPrice"],
                    "event": "Price Change",
                }
            }
        ops.append(UpdateOne({"listingKey": doc["listingKey"]}, update, upsert=True))
    db[collection].bulk_write(ops, ordered=False)


def moves_reconcile(*, db: Database, source: str) -> int:
    """Finish moves a crash interrupted: logged keys already in ``closed`` leave ``listings``."""
    state = db[store.SYNC_STATE].find_one({"_id": f"{source}:moves"})
    keys = (state or {}).get("keys") or []
    done = 0
    for part in in_chunks(keys):
        in_closed = [
            d["listingKey"] for d in db[store.CLOSED].find({"listingKey": {"$in": part}}, {"_id": 0, "listingKey": 1})
        ]
        if in_closed:
            done += db[store.LISTINGS].delete_many({"listingKey": {"$in": in_closed}}).deleted_count
    if state:
        db[store.SYNC_STATE].delete_one({"_id": f"{source}:moves"})
    return done


def page_write(
    *,
    db: Database,
    source: str,
    docs: list[dict[str, Any]],
    known: KnownDocs,
    dry_run: bool = False,
    between_move_writes: Callable[[], None] | None = None,
) -> PageResult:
    """Apply one page of flattened documents; ``between_move_writes`` exists for crash tests."""
    result = PageResult()
    now = utcnow_iso()
    active = [d for d in docs if d["standardStatus"] in ON_MARKET]
    closed = [d for d in docs if d["standardStatus"] == "Closed"]
    off = [d["listingKey"] for d in docs if d["standardStatus"] in OFF_MARKET]

    known_active = known.lookup(store.LISTINGS, [d["listingKey"] for d in active + closed] + off)
    written = _write_docs(
        db=db, collection=store.LISTINGS, docs=active, known=known_active, result=result, now=now, dry_run=dry_run
    )
    result.changed_keys += [d["listingKey"] for d in written]

    if closed:
        _closed_write(
            db=db,
            source=source,
            closed=closed,
            known=known,
            known_active=known_active,
            result=result,
            now=now,
            dry_run=dry_run,
            between_move_writes=between_move_writes,
        )
    sold_deleted = _gone_remove(
        db=db, docs=docs, off=off, known=known, known_active=known_active, result=result, dry_run=dry_run
    )
    if isinstance(known, PreloadedDocs) and not dry_run:
        known.remember(store.LISTINGS, [d for d in active if d.get("contentHash")])
        known.remember(store.CLOSED, closed)
        known.forget(store.LISTINGS, [d["listingKey"] for d in closed] + off)
        known.forget(store.CLOSED, sold_deleted)
    return result


def _closed_write(
    *,
    db: Database,
    source: str,
    closed: list[dict[str, Any]],
    known: KnownDocs,
    known_active: dict[str, Stored],
    result: PageResult,
    now: str,
    dry_run: bool,
    between_move_writes: Callable[[], None] | None,
) -> None:
    """Write closed sales; a listing that closed moves from ``listings`` to ``closed`` (logged
    first, so a crash between the two writes is finished by ``moves_reconcile``)."""
    moving = [d["listingKey"] for d in closed if d["listingKey"] in known_active]
    if moving and not dry_run:
        db[store.SYNC_STATE].update_one(
            {"_id": f"{source}:moves"}, {"$addToSet": {"keys": {"$each": moving}}}, upsert=True
        )
        _carry_history(db=db, docs=[d for d in closed if d["listingKey"] in known_active])
    written = _write_docs(
        db=db,
        collection=store.CLOSED,
        docs=closed,
        known=known.lookup(store.CLOSED, [d["listingKey"] for d in closed]),
        result=result,
        now=now,
        dry_run=dry_run,
    )
    result.closed_keys += [d["listingKey"] for d in written]
    if moving:
        if between_move_writes:
            between_move_writes()
        if not dry_run:
            db[store.LISTINGS].delete_many({"listingKey": {"$in": moving}})
            db[store.SYNC_STATE].update_one({"_id": f"{source}:moves"}, {"$pullAll": {"keys": moving}})
        result.moved += len(moving)
        result.removed_keys += moving


def _gone_remove(
    *,
    db: Database,
    docs: list[dict[str, Any]],
    off: list[str],
    known: KnownDocs,
    known_active: dict[str, Stored],
    result: PageResult,
    dry_run: bool,
) -> list[str]:
    """Remove listings that went off the market, and sales the MLS deleted; returns the latter."""
    gone = [k for k in off if k in known_active]
    if gone and not dry_run:
        for part in in_chunks(gone):
            db[store.LISTINGS].delete_many({"listingKey": {"$in": part}})
    result.removed += len(gone)
    result.removed_keys += gone
    # A sale the MLS deleted leaves the closed sales (and the comps) too.
    deleted = [d["listingKey"] for d in docs if d["standardStatus"] in DELETED]
    sold_deleted = list(known.lookup(store.CLOSED, deleted)) if deleted else []
    if sold_deleted and not dry_run:
        for part in in_chunks(sold_deleted):
            db[store.CLOSED].delete_many({"listingKey": {"$in": part}})
    result.removed += len(sold_deleted)
    result.removed_keys += sold_deleted
    return sold_deleted


def _carry_history(*, db: Database, docs: list[dict[str, Any]]) -> None:
    """A sold listing keeps its price history, ending with the sale."""
    keys = [d["listingKey"] for d in docs]
    history: dict[str, list[dict[str, Any]]] = {}
    for part in in_chunks(keys):
        for d in db[store.LISTINGS].find({"listingKey": {"$in": part}}, {"_id": 0, "listingKey": 1, "priceHistory": 1}):
            history[d["listingKey"]] = d.get("priceHistory") or []
    for doc in docs:
        past = history.get(doc["listingKey"], [])
        sold = {
            "date": doc.get("closeDate") or doc["modificationTimestamp"][:10],
            "price": doc.get("closePrice") or doc["listPrice"],
            "event": "Sold",
        }
        doc["priceHistory"] = [*past, sold]
