"""Replication end to end: real client -> local Spark server -> pipeline -> MongoDB store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pymongo.database import Database

from mls_sync.pipeline import SyncHooks, sync_run

from .conftest import PAGE, SIZES, Spark

Snapshot = Callable[[Database], dict[str, dict[str, str]]]


class Crash(RuntimeError):
    """Stands in for a process dying at a chosen point."""


def run(spark: Spark, store_db: Database, source: str, mode: str, **kwargs: Any):
    return sync_run(
        db=store_db, client=spark.client(source), source=source, mode=mode, page_size=PAGE, geo_index=False, **kwargs
    )


def full_both(spark: Spark, store_db: Database) -> None:
    for source in SIZES:
        run(spark, store_db, source, "full")


def test_full_replication_loads_every_listing_and_sale(spark: Spark, store_db: Database) -> None:
    counters = run(spark, store_db, "gps", "full")
    active, closed = SIZES["gps"]
    assert counters.fetched == counters.inserted == active + closed
    assert store_db.listings.count_documents({"mlsSource": "gps"}) == active
    assert store_db.closed.count_documents({"mlsSource": "gps"}) == closed
    doc = store_db.listings.find_one({"photos.0": {"$exists": True}})
    assert doc["photos"][0]["primary"] and doc["location"]["type"] == "Point"
    assert doc["priceHistory"][0]["event"] == "Listed"
    sale = store_db.closed.find_one({})
    assert sale["closePrice"] > 0 and sale["closeDate"] and sale["priceHistory"][-1]["event"] == "Sold"
    assert "slug_unique" in store_db.listings.index_information()
    state = store_db.sync_state.find_one({"_id": "gps:full"})
    assert state["status"] == "ok" and state["lastWatermark"]


def test_second_run_changes_nothing(spark: Spark, store_db: Database) -> None:
    full_both(spark, store_db)
    for source in SIZES:
        again = run(spark, store_db, source, "full")
        assert (again.inserted, again.updated, again.moved, again.purged) == (0, 0, 0, 0)
        assert again.unchanged == sum(SIZES[source])
        inc = run(spark, store_db, source, "incremental")
        assert (inc.inserted, inc.updated) == (0, 0)


def test_incremental_applies_advanced_time(
    spark: Spark, store_db: Database, ref_db: Database, snapshot: Snapshot
) -> None:
    full_both(spark, store_db)
    events = spark.advance(percent=20)
    for source in SIZES:
        counters = run(spark, store_db, source, "incremental")
        ev = events[source]
        assert counters.inserted >= len(ev["new"])
        assert counters.moved == len(ev["closed"])
        assert counters.removed == len(ev["withdrawn"]) + len(ev["expired"]) + len(ev["canceled"])
        for key in ev["closed"]:
            assert store_db.listings.find_one({"listingKey": key}) is None
            sale = store_db.closed.find_one({"listingKey": key})
            assert sale["standardStatus"] == "Closed" and sale["priceHistory"][-1]["event"] == "Sold"
        for key in ev["price_drop"]:
            history = store_db.listings.find_one({"listingKey": key})["priceHistory"]
            assert history[-1]["event"] == "Price Change" and history[-1]["price"] < history[0]["price"]
    # Deleted listings are not in any change window; the status check purges them by key set.
    for source in SIZES:
        status = run(spark, store_db, source, "status")
        assert status.purged == len(events[source]["deleted"])
    # The result equals a fresh full load of the advanced feed.
    full_both(spark, ref_db)
    assert snapshot(store_db) == snapshot(ref_db)


def test_resume_after_a_crash_mid_run(spark: Spark, store_db: Database, ref_db: Database, snapshot: Snapshot) -> None:
    def die_after_third(page: int) -> None:
        if page == 3:
            raise Crash("killed after page 3")

    with pytest.raises(Crash):
        run(spark, store_db, "crmls", "full", hooks=SyncHooks(after_page=die_after_third))
    assert store_db.sync_state.find_one({"_id": "crmls:full"})["status"] == "failed"
    resumed = run(spark, store_db, "crmls", "full")
    assert resumed.resumed and resumed.fetched == sum(SIZES["crmls"]) - 3 * PAGE
    run(spark, ref_db, "crmls", "full")
    assert snapshot(store_db) == snapshot(ref_db)


@pytest.mark.parametrize("kind", ["429", "500", "503", "expired", "drop"])
def test_faults_mid_run_lose_nothing(
    spark: Spark, store_db: Database, ref_db: Database, snapshot: Snapshot, kind: str
) -> None:
    run(spark, ref_db, "gps", "full")
    spark.fault(kind, 1)
    counters = run(spark, store_db, "gps", "full")
    assert counters.retries == 1 and counters.quarantined == 0
    assert snapshot(store_db) == snapshot(ref_db)


def test_malformed_records_are_quarantined_and_released(
    spark: Spark, store_db: Database, ref_db: Database, snapshot: Snapshot
) -> None:
    spark.fault("malformed", 1)
    counters = run(spark, store_db, "gps", "full")
    broken = spark.app.malformed_served
    assert counters.quarantined == len(broken) == 4
    held = list(store_db.quarantine.find({"source": "gps"}))
    assert {q["listingKey"] for q in held} == set(broken)
    assert {q["reason"].split(" ")[0] for q in held} >= {"unreadable", "bad", "unknown", "record"}
    assert store_db.listings.count_documents({}) + store_db.closed.count_documents({}) == sum(SIZES["gps"]) - 4
    # The next full run gets the records intact: stored, and out of quarantine.
    run(spark, store_db, "gps", "full")
    run(spark, ref_db, "gps", "full")
    assert snapshot(store_db) == snapshot(ref_db)
    assert store_db.quarantine.count_documents({"source": "gps"}) == 0


def test_crash_between_the_two_writes_of_a_move(spark: Spark, store_db: Database) -> None:
    run(spark, store_db, "gps", "full")
    closed = spark.advance(percent=30)["gps"]["closed"]
    assert closed

    def die() -> None:
        raise Crash("killed between closed insert and listings delete")

    with pytest.raises(Crash):
        run(spark, store_db, "gps", "incremental", hooks=SyncHooks(between_move_writes=die))
    # Half-moved: written to closed, still in listings - never in neither.
    some = closed[0]
    assert store_db.closed.find_one({"listingKey": some}) and store_db.listings.find_one({"listingKey": some})
    # The next run first completes the logged move, then replays the same change window.
    run(spark, store_db, "gps", "incremental")
    for key in closed:
        assert store_db.closed.count_documents({"listingKey": key}) == 1
        assert store_db.listings.count_documents({"listingKey": key}) == 0
    assert store_db.sync_state.find_one({"_id": "gps:moves"}) is None


def test_closed_mode_and_photos_cache(spark: Spark, store_db: Database) -> None:
    run(spark, store_db, "crmls", "full")
    spark.advance(percent=30)
    closed_run = run(spark, store_db, "crmls", "closed")
    assert closed_run.moved > 0 and closed_run.inserted == closed_run.moved  # moved in, nothing else new
    first = run(spark, store_db, "crmls", "photos")
    assert (
        first.inserted
        == store_db.listings.count_documents({"mlsSource": "crmls"})
        == store_db.photos.count_documents({})
    )
    second = run(spark, store_db, "crmls", "photos")
    assert second.inserted == second.updated == 0 and second.unchanged == first.inserted


def test_dry_run_writes_nothing(spark: Spark, store_db: Database) -> None:
    counters = run(spark, store_db, "gps", "full", dry_run=True)
    assert counters.inserted == sum(SIZES["gps"])
    assert store_db.listings.count_documents({}) == store_db.closed.count_documents({}) == 0


def test_concurrent_runs_may_ensure_indexes_at_once(store_db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mls_sync.indexes import store_ensure_indexes

    store_db.listings.insert_one(
        {"listingKey": "k", "slug": "s", "location": {"type": "Point", "coordinates": [-116, 33]}}
    )
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: store_ensure_indexes(db=store_db, geo=True), range(4)))
    assert all("location_2dsphere" in names for names in results)


def test_small_server_pages_are_written_in_batches_of_the_size_asked() -> None:
    from mls_sync.clients import Page
    from mls_sync.stages import coalesced

    pages = [Page([{"Id": str(n)}] * 3, next_token=f"t{n}") for n in range(5)] + [Page([{"Id": "x"}], None)]
    batches = list(coalesced(iter(pages), 7))
    assert [(len(b.records), b.next_token) for b in batches] == [(9, "t2"), (7, None)]
    assert [(len(b.records), b.next_token) for b in coalesced(iter(pages[:2]), 7)] == [(6, None)]
