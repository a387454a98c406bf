"""The read model against the real store and the real Redis event: loading with the
projection answers like the reference over the stored documents, and a ``listings:changed``
event is applied (exactly those keys re-read) within 5 seconds."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from django.test import override_settings

from core.events import LISTINGS_CHANGED_COUNT as COUNT
from devtools.synthetic.listings import documents
from listings.readmodel import SearchQuery, Sort, reference
from listings.readmodel.loader import Holder
from listings.readmodel.reader import fetch, load
from listings.readmodel.refresh import CHANNEL, Refresher, parse_event

ACTIVE, CLOSED = "rm_test_listings", "rm_test_closed"


@pytest.fixture
def collections(mongo_db: Any) -> Iterator[Any]:
    for name in (ACTIVE, CLOSED):
        mongo_db[name].drop()
    mongo_db[ACTIVE].insert_many(list(documents(300, seed=5)))
    yield mongo_db
    for name in (ACTIVE, CLOSED):
        mongo_db[name].drop()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A private redis-server, so no other process's events reach this test."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)


def test_load_from_store_equals_reference(collections: Any) -> None:
    model = load(db=collections, collection=ACTIVE)
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in (
        SearchQuery(),
        SearchQuery(cities=("Palm Springs",), min_beds=3, sort=Sort.PRICE_DESC),
        SearchQuery(text="pool casita", sort=Sort.PPSF_ASC, page=2, page_size=10),
    ):
        assert model.search(q) == reference.search(docs, q)


def test_fetch_rereads_every_key_across_batches(collections: Any) -> None:
    from core.batching import IN_CHUNK

    keys = [d["listingKey"] for d in collections[ACTIVE].find({}, {"listingKey": 1})]
    assert len(keys) > 5 * IN_CHUNK
    got = fetch(db=collections, collection=ACTIVE, keys=[*keys, "no-such-key", *keys[:3]])
    assert sorted(d["listingKey"] for d in got) == sorted(keys)


def test_event_parsing_rejects_malformed_payloads() -> None:
    assert parse_event(b'{"changed": ["a"], "removed": [], "closed": []}') == {
        "changed": ["a"],
        "removed": [],
        "closed": [],
    }
    for bad in (b"nope", b"[]", b'{"changed": [{"$ne": 1}]}', b'{"removed": "a"}'):
        assert parse_event(bad) is None


def test_refresher_applies_changed_keys_within_5s(collections: Any, redis_url: str) -> None:
    active = Holder(collection=ACTIVE, db=lambda: collections)
    closed = Holder(collection=CLOSED, db=lambda: collections)
    before = active.get()
    closed.get()
    docs = list(collections[ACTIVE].find({}, {"_id": 0}).limit(3))
    changed, removed, sold = docs
    collections[ACTIVE].update_one({"listingKey": changed["listingKey"]}, {"$set": {"listPrice": 1.0}})
    collections[ACTIVE].delete_one({"listingKey": removed["listingKey"]})
    collections[ACTIVE].delete_one({"listingKey": sold["listingKey"]})
    collections[CLOSED].insert_one({**sold, "standardStatus": "Closed", "closePrice": 5.0})
    fresh = next(documents(1, seed=9, start=99_999))
    collections[ACTIVE].insert_one(dict(fresh))

    refresher = Refresher(redis_url=redis_url, listings=active, closed=closed)
    refresher.start()
    try:
        assert refresher.subscribed.wait(5)
        published = time.monotonic()
        redis.Redis.from_url(redis_url).publish(
            CHANNEL,
            json.dumps(
                {
                    "source": "gps",
                    "run_id": 1,
                    "changed": [changed["listingKey"], fresh["listingKey"]],
                    "removed": [removed["listingKey"]],
                    "closed": [sold["listingKey"]],
                }
            ),
        )
        while refresher.applied < 1:
            assert time.monotonic() - published < 5, "not refreshed within 5 s"
            time.sleep(0.02)
    finally:
        refresher.stop()
        refresher.join(5)
    model = active.get()
    assert model.version != before.version and model.size == before.size - 2 + 1
    assert model.cards([model.row_of_key(changed["listingKey"])])[0]["price"] == 1
    assert model.row_of_key(removed["listingKey"]) is None
    assert model.row_of_key(sold["listingKey"]) is None
    assert model.row_of_key(fresh["listingKey"]) is not None
    sold_model = closed.get()
    assert sold_model.cols["close_price"][sold_model.row_of_key(sold["listingKey"])] == 5


def test_holder_loads_once_under_concurrent_first_use(collections: Any) -> None:
    calls = []

    def db() -> Any:
        calls.append(1)
        return collections

    holder = Holder(collection=ACTIVE, db=db)
    with ThreadPoolExecutor(8) as pool:
        models = list(pool.map(lambda _: holder.get(), range(16)))
    assert len(calls) == 1 and all(m is models[0] for m in models)
    assert models[0].size == 300


def test_events_about_other_keys_do_not_rebuild(collections: Any) -> None:
    holder = Holder(collection=ACTIVE, db=lambda: collections)
    model = holder.get()
    assert holder.refresh(upsert={"not-ours-1"}, remove={"not-ours-2"}) is model


def _reconnected(refresher: Refresher, redis_url: str) -> None:
    """Drop the refresher's subscription (as a Redis restart does) and wait until it is back."""
    admin = redis.Redis.from_url(redis_url)
    refresher.subscribed.clear()
    assert admin.client_kill_filter(_type="pubsub") >= 1
    assert refresher.subscribed.wait(10), "the refresher did not reconnect"


def test_a_reconnect_reloads_only_when_an_event_was_missed(collections: Any, redis_url: str) -> None:
    from listings.changes import changes_publish

    active = Holder(collection=ACTIVE, db=lambda: collections)
    closed = Holder(collection=CLOSED, db=lambda: collections)
    active.get(), closed.get()
    refresher = Refresher(redis_url=redis_url, listings=active, closed=closed)
    refresher.start()
    try:
        assert refresher.subscribed.wait(5)
        assert refresher.reloads == 2  # loaded before the first subscription: start over
        key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
        collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 7.0}})
        with override_settings(REDIS_URL=redis_url):
            changes_publish({"source": "gps", "run_id": 1, "changed": [key], "removed": [], "closed": []})
        deadline = time.monotonic() + 5
        while refresher.applied < 1:
            assert time.monotonic() < deadline, "the event was not applied"
            time.sleep(0.02)
        applied_version = active.get().version
        _reconnected(refresher, redis_url)  # nothing published meanwhile: no rebuild
        assert refresher.reloads == 2 and active.get().version == applied_version
        # An event published while the subscriber was away (simulated: the count moved on and
        # the message never arrived): the next reconnect reloads from the store.
        collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 9.0}})
        redis.Redis.from_url(redis_url).incr(COUNT)
        _reconnected(refresher, redis_url)
        assert refresher.reloads == 4
        model = active.get()
        assert model.version != applied_version and model.cards([model.row_of_key(key)])[0]["price"] == 9
    finally:
        refresher.stop()
        refresher.join(5)
