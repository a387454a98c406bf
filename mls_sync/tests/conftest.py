"""Fixtures for mls_sync: a real MongoDB-protocol database and a real fake-Spark server.

Nothing here is mocked: tests talk HTTP to ``devtools.spark`` on a free port and write to
the MongoDB at ``MONGODB_URI`` (SecantusDB in dev/CI) in a database unique to the test,
dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from django.conf import settings
from pymongo import MongoClient
from pymongo.database import Database

from devtools.spark import FakeSpark, serve_in_thread
from mls_sync.clients import RateLimiter, SparkClient

# Small feeds keep the module fast; page size 100 still gives several pages per source.
SIZES = {"gps": (240, 160), "crmls": (200, 200)}
PAGE = 100


@pytest.fixture(scope="session")
def mongo_client() -> Iterator[MongoClient]:
    client: MongoClient = MongoClient(settings.MONGODB_URI, serverSelectionTimeoutMS=5000, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def store_db(mongo_client: MongoClient) -> Iterator[Database]:
    name = f"mls_test_{uuid.uuid4().hex[:10]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)


@pytest.fixture
def ref_db(mongo_client: MongoClient) -> Iterator[Database]:
    name = f"mls_ref_{uuid.uuid4().hex[:10]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)


class Spark:
    """A running fake server plus helpers to drive its control endpoints."""

    def __init__(self, app: FakeSpark, url: str) -> None:
        self.app, self.url = app, url

    def control(self, action: str, **body: Any) -> Any:
        resp = requests.post(f"{self.url}/_control/{action}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def fault(self, kind: str, count: int = 1) -> None:
        self.control("faults", kind=kind, count=count)

    def advance(self, percent: float = 5.0, hours: float = 12.0) -> dict[str, Any]:
        return self.control("advance", percent=percent, hours=hours)

    def client(self, source: str, **kwargs: Any) -> SparkClient:
        kwargs.setdefault("backoff_base", 0.001)
        kwargs.setdefault("limiter", RateLimiter(10_000, 300))
        return SparkClient(base_url=self.url, api_key=source, user_agent="ChatRealty-tests/1.0", **kwargs)

    def live_keys(self, source: str) -> set[str]:
        feed = self.app.feeds.feeds[source]
        _, _, live = feed.columns()
        return {feed.key_at(int(p)) for p in live.nonzero()[0]}


@pytest.fixture
def spark() -> Iterator[Spark]:
    app = FakeSpark(seed=7, sizes=SIZES, keys={"gps-secret": "gps", "crmls-secret": "crmls"})
    server, url = serve_in_thread(app)
    yield Spark(app, url)
    server.shutdown()
    server.server_close()


@pytest.fixture
def snapshot() -> Callable[[Database], dict[str, dict[str, str]]]:
    """The store's content as {collection: {listingKey: contentHash}} for end-state comparisons."""

    def take(db: Database) -> dict[str, dict[str, str]]:
        return {
            name: {d["listingKey"]: d["contentHash"] for d in db[name].find({}, {"listingKey": 1, "contentHash": 1})}
            for name in ("listings", "closed")
        }

    return take
