"""Page views are handed to the process's shipper (memory) and reach Redis from its thread; when
Redis is down they wait in memory and go once it is back."""

from __future__ import annotations

import json
import os
import socket
import time
from typing import Any

import pytest
import redis as redis_py

from analytics import recorder
from analytics.models import Kind
from analytics.recorder import queue_key, record, redis
from analytics.shipper import Shipper, shipper

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    shipper.flush()
    redis().delete(queue_key())


def test_page_views_reach_redis_from_the_background(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    for _ in range(3):
        assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    deadline = time.monotonic() + 10
    while redis().llen(queue_key()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)  # nobody flushes: the shipper's thread does
    queued = [json.loads(x) for x in redis().lrange(queue_key(), 0, -1)]
    assert [e["k"] for e in queued] == [Kind.PAGE_VIEW] * 3 and len({e["u"] for e in queued}) == 3
    assert shipper.waiting() == 0


def test_redis_down_keeps_the_events_until_it_is_back(monkeypatch: pytest.MonkeyPatch) -> None:
    own = Shipper()
    own._pid = os.getpid()  # this test drives flush itself: no thread
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    down = redis_py.Redis(host="127.0.0.1", port=closed, socket_connect_timeout=0.2)
    for i in range(5):
        own.put(json.dumps({"s": "x", "k": Kind.PAGE_VIEW, "u": f"down{i}"}))
    monkeypatch.setattr(recorder, "redis", lambda: down)
    assert own.flush() == -1 and own.waiting() == 5  # a real refused connection: nothing lost
    own.put(json.dumps({"s": "x", "k": Kind.PAGE_VIEW, "u": "down5"}))
    monkeypatch.undo()
    assert own.flush() == 6 and own.waiting() == 0
    ids = [json.loads(x)["u"] for x in redis().lrange(queue_key(), 0, -1)]
    assert ids == [f"down{i}" for i in range(6)]  # in order, once each


def test_bots_are_recognised_once_per_agent_string(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    client.get("/", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.get("/", HTTP_USER_AGENT="")
    client.get("/", HTTP_USER_AGENT=BROWSER)
    shipper.flush()
    assert redis().llen(queue_key()) == 1


def test_events_other_than_page_views_are_pushed_at_once(sarah_site: Any) -> None:
    record(schema_name=sarah_site.schema_name, kind=Kind.SWIPE, key="NOW")
    assert redis().llen(queue_key()) == 1
