"""Shared read-model snapshots against the real store and Redis: a mapped snapshot answers
exactly like a fresh load and the reference; worker processes end up on one version; a change
event reaches every process within 5 s; a half-written or corrupt snapshot is never mapped;
an unusable directory falls back to a private load; a dead leader is replaced."""

# ruff: noqa: F811 (the store tests' fixtures are imported and used as arguments)

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from listings.readmodel import SearchQuery, Sort, reference
from listings.readmodel.loader import Holder
from listings.readmodel.reader import load
from listings.readmodel.refresh import CHANNEL, Refresher, Watcher
from listings.readmodel.snapshot import SharedDir, SnapshotError, open_snapshot
from listings.tests.test_readmodel_store import ACTIVE, collections, redis_url  # noqa: F401

QUERIES = (
    SearchQuery(),
    SearchQuery(cities=("Palm Springs",), min_beds=3, sort=Sort.PRICE_DESC),
    SearchQuery(text="pool casita", sort=Sort.PPSF_ASC, page=2, page_size=10),
    SearchQuery(min_price=300_000, max_price=900_000, sort=Sort.NEWEST, page_size=50),
)


def _holder(db: Any, root: Path, *, lead: bool = True) -> Holder:
    return Holder(collection=ACTIVE, db=lambda: db, shared=SharedDir(root), lead=lead)


def test_mapped_snapshot_answers_like_a_fresh_load_and_the_reference(collections: Any, tmp_path: Path) -> None:
    leader = _holder(collections, tmp_path)
    model = leader.get()
    assert leader.leading and model.snapshot == "v000000000001"
    # File-backed (shared page cache), as plain ndarrays.
    assert type(model.cols["price"]) is np.ndarray and isinstance(model.cols["price"].base, np.memmap)
    assert isinstance(model.text.rows.base, np.memmap)
    fresh = load(db=collections, collection=ACTIVE)
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in QUERIES:
        assert model.search(q) == fresh.search(q) == reference.search(docs, q)
    for name, col in fresh.cols.items():
        assert np.array_equal(model.cols[name], col, equal_nan=col.dtype.kind == "f"), name
    key = docs[7]["listingKey"]
    assert model.row_of_key(key) == fresh.row_of_key(key) is not None
    assert model.row_of_slug(docs[7]["slug"]) == fresh.row_of_slug(docs[7]["slug"])
    assert model.city_by_slug == fresh.city_by_slug


def test_follower_maps_and_follows_the_leader_and_takes_over(collections: Any, tmp_path: Path) -> None:
    leader, follower = _holder(collections, tmp_path), _holder(collections, tmp_path)
    first = leader.get()
    mapped = follower.get()
    assert follower.following and mapped.snapshot == first.snapshot
    doc = collections[ACTIVE].find_one({}, {"_id": 0})
    collections[ACTIVE].update_one({"listingKey": doc["listingKey"]}, {"$set": {"listPrice": 1.0}})
    assert follower.refresh(upsert={doc["listingKey"]}, remove=()) is mapped  # the leader's job
    second = leader.refresh(upsert={doc["listingKey"]}, remove=())
    assert second is not None and second.snapshot == "v000000000002"
    now = follower.poll()
    assert now is not None and now.snapshot == second.snapshot
    assert now.cards(np.array([now.row_of_key(doc["listingKey"])]))[0]["price"] == 1
    # Versions of one load share its lineage (the map may answer from the last one meanwhile).
    assert mapped.lineage == second.lineage == now.lineage == first.lineage
    assert follower.poll() is None  # nothing new
    # The leader dies (its lock is released): the follower leads and rebuilds from the store.
    assert leader.shared is not None
    leader.shared.resign()
    third = follower.poll()
    assert follower.leading and third is not None and third.snapshot == "v000000000003"
    assert third.lineage != first.lineage  # a new load
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in QUERIES:
        assert third.search(q) == reference.search(docs, q)


def test_half_written_and_corrupt_snapshots_are_never_mapped(collections: Any, tmp_path: Path) -> None:
    leader = _holder(collections, tmp_path)
    good = leader.get()
    shared = leader.shared
    assert shared is not None and good.snapshot is not None
    # A writer that died mid-way leaves a temporary directory: never a version, never current.
    half = tmp_path / ".tmp-v000000000002-1-abcd"
    half.mkdir()
    (half / "col.price.npy").write_bytes(b"\x93NUMPY partial")
    assert shared.versions() == [good.snapshot] and shared.current() == good.snapshot
    # A truncated array in a complete-looking version is refused...
    broken = tmp_path / "v000000000002"
    broken.mkdir()
    for f in (tmp_path / good.snapshot).iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    with open(broken / "col.price.npy", "r+b") as f:
        f.truncate(os.path.getsize(broken / "col.price.npy") - 8)
    with pytest.raises(SnapshotError):
        open_snapshot(broken)
    (tmp_path / "CURRENT").write_text("v000000000002")
    # ...so a follower pointed at it serves its own load instead (and answers correctly).
    follower = _holder(collections, tmp_path)
    model = follower.get()
    assert model.snapshot is None and follower.shared is None
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in QUERIES:
        assert model.search(q) == reference.search(docs, q)


def test_unusable_directory_falls_back_to_a_private_load(
    collections: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    h = _holder(collections, tmp_path / "a-file" / "readmodel")
    with caplog.at_level("WARNING", logger="listings.readmodel.loader"):
        model = h.get()
    assert model.size == 300 and model.snapshot is None and h.shared is None
    assert "snapshots unusable" in caplog.text
    # A process that may not lead and finds no leader loads its own copy and creates nothing.
    other = _holder(collections, tmp_path / "nobody-leads", lead=False)
    assert other.get().snapshot is None and not (tmp_path / "nobody-leads").exists()


def test_old_versions_are_collected_but_stay_readable_while_mapped(collections: Any, tmp_path: Path) -> None:
    leader = _holder(collections, tmp_path)
    first = leader.get()
    keys = [d["listingKey"] for d in collections[ACTIVE].find({}, {"listingKey": 1}).limit(3)]
    for k in keys:
        collections[ACTIVE].delete_one({"listingKey": k})
        leader.refresh(upsert={k}, remove=())
    assert leader.shared is not None
    removed = leader.shared.collect(keep=leader.get().snapshot or "", now=time.time() + 3600)
    assert first.snapshot in removed and leader.shared.versions() == ["v000000000003", "v000000000004"]
    assert first.size == 300 and int(first.cols["price"].sum()) == int(np.asarray(first.cols["price"]).sum())
    assert first.search(SearchQuery(text="pool")).total >= 0


def _worker(root: str, uri: str, db_name: str, url: str, key: str, out: Any, stop: Any) -> None:
    """A web process: maps (or leads) the shared model, follows events, reports what it sees."""
    from pymongo import MongoClient

    db = MongoClient(uri)[db_name]
    h = Holder(collection=ACTIVE, db=lambda: db, shared=SharedDir(Path(root)))
    # As loader._get does: subscribed before loading, so no event can fall in between.
    refresher = Refresher(redis_url=url, listings=h, closed=Holder(collection="rm_test_closed", db=lambda: db))
    refresher.start()
    refresher.subscribed.wait(10)
    model = h.get()
    Watcher(lambda: [h], interval=0.1).start()
    out.put(("ready", os.getpid(), model.snapshot, h.leading, model.size))
    while not stop.is_set():
        m = h.get()
        row = m.row_of_key(key)
        if row is not None and int(m.cols["price"][row]) == 1:
            out.put(("seen", os.getpid(), time.time(), m.snapshot))
            break
        time.sleep(0.02)
    stop.wait(30)


def test_worker_processes_share_one_version_and_see_a_change_within_5s(
    collections: Any, redis_url: str, tmp_path: Path
) -> None:
    from django.conf import settings

    ctx = multiprocessing.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    args = (str(tmp_path), settings.MONGODB_URI, collections.name, redis_url, key, out, stop)
    procs = [ctx.Process(target=_worker, args=args, daemon=True) for _ in range(4)]
    for p in procs:
        p.start()
    try:
        ready = [out.get(timeout=120) for _ in procs]
        assert {r[0] for r in ready} == {"ready"} and {r[4] for r in ready} == {300}
        assert len({r[2] for r in ready}) == 1, ready  # one version for everyone
        assert sum(r[3] for r in ready) == 1, ready  # exactly one leader built it
        collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 1.0}})
        published = time.time()
        redis.Redis.from_url(redis_url).publish(CHANNEL, json.dumps({"changed": [key], "removed": [], "closed": []}))
        seen = [out.get(timeout=10) for _ in procs]
        assert all(s[0] == "seen" and s[2] - published < 5 for s in seen), seen
        assert len({s[3] for s in seen}) == 1 and seen[0][3] != ready[0][2]  # one new version
    finally:
        stop.set()
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
