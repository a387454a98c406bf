"""A worker taking over from a dead snapshot leader, against the real store and a private Redis:
it adopts the last published snapshot and replays only the events that snapshot lacks (no
rebuild from the store), and rebuilds whenever it cannot prove it has every event since."""

# ruff: noqa: F811 (the store tests' fixtures are imported and used as arguments)

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import override_settings

from core.events import LISTINGS_CHANGED_COUNT as COUNT
from listings.changes import changes_publish
from listings.readmodel import holder, offload, reference
from listings.readmodel.loader import Holder
from listings.readmodel.model import Mark
from listings.readmodel.refresh import CHANNEL, EventLog, Refresher, channel_position, mark_advance, parse_message
from listings.readmodel.snapshot import SharedDir
from listings.tests.test_readmodel_snapshot import QUERIES
from listings.tests.test_readmodel_store import ACTIVE, CLOSED, collections, redis_url  # noqa: F401


class Process:
    """One web process's view: a holder on the shared directory and its subscriber."""

    def __init__(self, db: Any, root: Path, url: str) -> None:
        def position() -> Mark:
            return channel_position(redis.Redis.from_url(url))

        self.h = Holder(collection=ACTIVE, db=lambda: db, shared=SharedDir(root), position=position)
        self.refresher = Refresher(redis_url=url, listings=self.h, closed=Holder(collection=CLOSED, db=lambda: db))
        self.h.events = self.refresher.log
        self.refresher.start()
        assert self.refresher.subscribed.wait(10)

    def wait_applied(self, n: int) -> None:
        deadline = time.monotonic() + 10
        while self.refresher.applied < n:
            assert time.monotonic() < deadline, "the event did not arrive"
            time.sleep(0.02)

    def die(self) -> None:
        self.refresher.stop()
        self.refresher.join(5)
        assert self.h.shared is not None
        self.h.shared.resign()  # what the kernel does when the process dies


@pytest.fixture
def pair(collections: Any, redis_url: str, tmp_path: Path) -> Iterator[tuple[Process, Process]]:
    leader = Process(collections, tmp_path, redis_url)
    leader.h.get()
    follower = Process(collections, tmp_path, redis_url)
    follower.h.get()
    assert leader.h.leading and follower.h.following
    yield leader, follower
    for p in (leader, follower):
        p.refresher.stop()


def _publish(url: str, **keys: list[str]) -> int:
    event = {"source": "gps", "run_id": 1, "changed": [], "removed": [], "closed": [], **keys}
    with override_settings(REDIS_URL=url):
        return changes_publish(event)


def _no_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: Any) -> None:
        raise AssertionError("rebuilt from the store")

    monkeypatch.setattr(holder, "load", refuse)


def _price(h: Holder, key: str) -> int:
    model = h.get()
    row = model.row_of_key(key)
    assert row is not None
    return int(model.cols["price"][row])


def test_events_are_numbered_in_one_history(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    got = []
    for key in ("a", "b"):
        assert _publish(redis_url, changed=[key]) == 1
        while (msg := pubsub.get_message(timeout=5)) is None:
            pass
        got.append(parse_message(msg["data"]))
    (first, m1), (second, m2) = got  # type: ignore[misc]
    assert first["changed"] == ["a"] and second["changed"] == ["b"]
    assert m1 is not None and m2 is not None and (m1.seq, m2.seq) == (1, 2) and m1.epoch == m2.epoch != ""
    assert channel_position(client) == m2
    client.flushall()  # Redis lost its data: a new history, never confused with the old one
    _publish(redis_url, changed=["c"])
    now = channel_position(client)
    assert now.seq == 1 and now.epoch not in ("", m1.epoch)
    assert parse_message(json.dumps({"changed": ["x"]})) == ({"changed": ["x"], "removed": [], "closed": []}, None)


def test_a_new_leader_adopts_the_snapshot_and_replays_what_the_dead_leader_missed(
    pair: tuple[Process, Process], collections: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, follower = pair
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 5.0}})
    _publish(redis_url, changed=[key])
    leader.wait_applied(1)
    follower.wait_applied(1)
    applied = leader.h.get()
    assert applied.mark == channel_position(redis.Redis.from_url(redis_url)) and _price(leader.h, key) == 5
    # The leader stops hearing events, one more change is published, then the leader dies.
    leader.refresher.stop()
    leader.refresher.join(5)
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 6.0}})
    _publish(redis_url, changed=[key])
    follower.wait_applied(2)
    leader.die()
    _no_rebuild(monkeypatch)
    taken = follower.h.poll()
    assert follower.h.leading and taken is not None
    assert taken.snapshot == "v000000000003" and taken.mark is not None and taken.mark.seq == 2
    assert _price(follower.h, key) == 6
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in QUERIES:
        assert taken.search(q) == reference.search(docs, q)
    # The new leader goes on applying events from where the snapshot stands.
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 7.0}})
    _publish(redis_url, changed=[key])
    follower.wait_applied(3)
    assert _price(follower.h, key) == 7 and follower.h.get().mark.seq == 3  # type: ignore[union-attr]


def test_nothing_missed_means_the_same_version_is_kept(
    pair: tuple[Process, Process], monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, follower = pair
    before = leader.h.get().snapshot
    leader.die()
    _no_rebuild(monkeypatch)
    taken = follower.h.poll()
    assert follower.h.leading and taken is not None and taken.snapshot == before


def test_an_event_this_process_never_received_means_a_rebuild(
    pair: tuple[Process, Process], collections: Any, redis_url: str
) -> None:
    leader, follower = pair
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 8.0}})
    redis.Redis.from_url(redis_url).incr(COUNT)  # published while nobody here was listening
    leader.die()
    taken = follower.h.poll()
    assert follower.h.leading and taken is not None and taken.snapshot == "v000000000002"
    assert _price(follower.h, key) == 8 and taken.mark is not None and taken.mark.seq == 1


def test_a_new_history_means_a_rebuild(pair: tuple[Process, Process], collections: Any, redis_url: str) -> None:
    leader, follower = pair
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    _publish(redis_url, changed=[key])
    leader.wait_applied(1)
    follower.wait_applied(1)
    old = leader.h.get().mark
    assert old is not None and old.seq == 1 and leader.h.get().snapshot == "v000000000002"
    leader.refresher.stop()
    leader.refresher.join(5)
    redis.Redis.from_url(redis_url).flushall()  # count and epoch gone: sequence numbers restart
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 9.0}})
    _publish(redis_url, changed=[key])  # seq 1 again, in a new epoch
    follower.wait_applied(2)
    leader.die()
    taken = follower.h.poll()
    assert taken is not None and taken.snapshot == "v000000000003" and _price(follower.h, key) == 9
    assert taken.mark is not None and taken.mark.seq == 1 and taken.mark.epoch != old.epoch


def test_a_process_that_just_started_adopts_only_when_nothing_was_published_since(
    collections: Any, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Process(collections, tmp_path, redis_url)
    assert first.h.get().snapshot == "v000000000001"
    first.die()
    with monkeypatch.context() as m:  # a worker forked after the leader died: nothing was published
        _no_rebuild(m)
        second = Process(collections, tmp_path, redis_url)
        assert second.h.get().snapshot == "v000000000001" and second.h.leading
    second.die()
    # An event published while no process listened: whoever starts next cannot know its keys.
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 4.0}})
    assert _publish(redis_url, changed=[key]) == 0
    third = Process(collections, tmp_path, redis_url)
    try:
        assert third.h.get().snapshot == "v000000000002" and _price(third.h, key) == 4
    finally:
        third.refresher.stop()


def test_the_leader_applies_events_in_a_lower_priority_child_process(
    pair: tuple[Process, Process], collections: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, follower = pair
    lineage = leader.h.get().lineage
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 3.0}})
    _publish(redis_url, changed=[key])
    leader.wait_applied(1)
    model = leader.h.get()
    assert model.snapshot == "v000000000002" and _price(leader.h, key) == 3
    assert model.lineage == lineage  # the child's version continues the load's lineage
    assert leader.h.shared is not None
    meta = json.loads((leader.h.shared.root / "v000000000002" / "meta.json").read_text())
    assert meta["pid"] != os.getpid() and meta["events"] == list(model.mark or ())
    assert os.getpriority(os.PRIO_PROCESS, meta["pid"]) >= offload.NICE  # the child is kept for the next
    docs = list(collections[ACTIVE].find({}, {"_id": 0}))
    for q in QUERIES:
        assert model.search(q) == reference.search(docs, q)
    # A child that cannot run: the leader applies in its own process, nothing is skipped.
    monkeypatch.setattr(offload, "_executor", lambda: (_ for _ in ()).throw(OSError("no processes left")))
    collections[ACTIVE].update_one({"listingKey": key}, {"$set": {"listPrice": 2.0}})
    _publish(redis_url, changed=[key])
    leader.wait_applied(2)
    assert leader.h.get().snapshot == "v000000000003" and _price(leader.h, key) == 2
    meta = json.loads((leader.h.shared.root / "v000000000003" / "meta.json").read_text())
    assert meta["pid"] == os.getpid()
    assert not list(leader.h.shared.root.glob(".tmp-*"))  # no staging directory left behind


def test_events_a_model_already_reflects_are_not_applied_again(
    pair: tuple[Process, Process], collections: Any, redis_url: str
) -> None:
    leader, _ = pair
    key = collections[ACTIVE].find_one({}, {"listingKey": 1})["listingKey"]
    _publish(redis_url, changed=[key])
    leader.wait_applied(1)
    model = leader.h.get()
    assert model.mark is not None
    assert leader.h.refresh(upsert={key}, remove=(), marks=[model.mark]) is model


def test_mark_advance_and_event_log_gaps() -> None:
    a = Mark("e", 4)
    assert mark_advance(a, [Mark("e", 5), Mark("e", 6)]) == Mark("e", 6)
    assert mark_advance(a, [Mark("e", 3)]) == a
    assert mark_advance(a, [Mark("e", 6)]) is None  # 5 is missing
    assert mark_advance(a, [Mark("f", 5)]) is None
    assert mark_advance(Mark("", 0), [Mark("f", 1)]) == Mark("f", 1)
    assert mark_advance(None, [Mark("e", 5)]) is None
    log = EventLog(keys=6)
    for seq in (5, 6, 7):
        log.add(Mark("e", seq), {"changed": [f"k{seq}"], "removed": [], "closed": []})
    assert [m.seq for m, _ in log.after(a, through=7) or []] == [5, 6, 7]
    assert log.after(a, through=8) is None  # 8 published, never received
    assert log.after(Mark("e", 7), through=6) is None  # the count went back
    assert log.after(Mark("x", 7), through=7) == []  # nothing published since
    log.add(Mark("e", 8), {"changed": ["k8"], "removed": [], "closed": []})  # 4 x 2 keys > 6: 5 dropped
    assert log.after(a, through=8) is None and [m.seq for m, _ in log.after(Mark("e", 5), through=8) or []] == [6, 7, 8]
