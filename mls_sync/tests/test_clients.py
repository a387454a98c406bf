"""The real clients against the local Spark server: paging, errors, retries, limits."""

from __future__ import annotations

import time

import pytest
import requests

from mls_sync.clients import (
    MlsAuthError,
    MlsBadFilter,
    MlsTokenExpired,
    MlsUnavailable,
    MlsWrongHost,
    Query,
    RateLimiter,
)

from .conftest import PAGE, SIZES, Spark


def _keys(client, query: Query | None = None) -> list[str]:
    return [r["StandardFields"]["ListingKey"] for p in client.iter_pages(query, limit=PAGE) for r in p.records]


def test_skiptoken_paging_returns_every_record_once_in_key_order(spark: Spark) -> None:
    keys = _keys(spark.client("gps"))
    assert len(keys) == sum(SIZES["gps"]) == len(set(keys))
    assert keys == sorted(keys)


def test_filters_select_and_resume_token(spark: Spark) -> None:
    client = spark.client("crmls")
    closed = _keys(client, Query(status="Closed", select=["ListingKey"], expand=()))
    assert len(closed) == SIZES["crmls"][1]
    pages = client.iter_pages(Query(select=["ListingKey"], expand=()), limit=PAGE)
    first = next(pages)
    rest = [
        r["Id"]
        for p in client.iter_pages(Query(select=["ListingKey"], expand=()), limit=PAGE, resume_from=first.next_token)
        for r in p.records
    ]
    assert [r["Id"] for r in first.records] + rest == _keys(client)


def test_typed_errors(spark: Spark) -> None:
    with pytest.raises(MlsAuthError):
        next(spark.client("nope").iter_pages())
    with pytest.raises(MlsBadFilter):
        spark.client("gps").get_json(f"{spark.url}/v1/listings", {"_filter": "ListPrice Gt"})
    spark.fault("wrong_host")
    with pytest.raises(MlsWrongHost):
        next(spark.client("gps").iter_pages())


def test_expired_token_is_refreshed_once_then_raises(spark: Spark) -> None:
    rotated = []
    client = spark.client("gps", key_provider=lambda: rotated.append(1) or "gps-secret")
    spark.fault("expired")
    assert next(client.iter_pages(limit=5)).records and rotated == [1] and client.credentials.token == "gps-secret"
    spark.fault("expired", 2)
    with pytest.raises(MlsTokenExpired):
        next(spark.client("gps").iter_pages(limit=5))


@pytest.mark.parametrize("kind", ["429", "503", "500", "drop"])
def test_transient_faults_are_retried(spark: Spark, kind: str) -> None:
    client = spark.client("gps")
    spark.fault(kind, 2)
    assert len(_keys(client)) == sum(SIZES["gps"])
    assert client.retries == 2


def test_retries_give_up_eventually(spark: Spark) -> None:
    spark.fault("500", 10)
    with pytest.raises(MlsUnavailable):
        next(spark.client("gps", max_retries=2).iter_pages())


def test_rate_limiter_blocks_past_the_window() -> None:
    limiter = RateLimiter(max_requests=3, period=0.3)
    start = time.monotonic()
    for _ in range(4):
        limiter.acquire()
    assert time.monotonic() - start >= 0.25


def _raw_pages(spark: Spark, source: str) -> list[bytes]:
    """Every page body of a full replication, as the server sent it."""
    bodies, token = [], ""
    headers = {"Authorization": f"Bearer {source}", "X-SparkApi-User-Agent": "tests"}
    while True:
        params = {"_limit": PAGE, "_expand": "Photos,OpenHouses,VirtualTours,Rooms,Units", "_skiptoken": token}
        resp = requests.get(f"{spark.url}/v1/listings", params=params, headers=headers, timeout=10)
        resp.raise_for_status()
        bodies.append(resp.content)
        token = resp.json()["D"].get("SkipToken")
        if not token:
            return bodies


def test_warm_pages_are_the_bytes_the_live_feed_sends(spark: Spark) -> None:
    live = {src: _raw_pages(spark, src) for src in SIZES}
    spark.app.warm(spark.url, limit=PAGE)
    assert requests.get(f"{spark.url}/_control/state", timeout=10).json()["warm"] == "ready"
    assert len(spark.app.pages) == sum(len(pages) for pages in live.values())
    assert {src: _raw_pages(spark, src) for src in SIZES} == live
    # Any other request shape (a filter, another page size) is served live.
    assert spark.app.warm_page("gps", {"_limit": str(PAGE), "_filter": "MlsStatus Eq 'Closed'"}, spark.url) is None
    assert spark.app.warm_page("gps", {"_limit": "10", "_skiptoken": ""}, spark.url) is None
    # A changed feed drops the pages; the live path serves the change.
    spark.advance(percent=20)
    assert spark.app.pages == {} and requests.get(f"{spark.url}/_control/state", timeout=10).json()["warm"] == "off"
    assert {src: _raw_pages(spark, src) for src in SIZES} != live
