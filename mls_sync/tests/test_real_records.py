"""Records shaped like the Spark and RESO documentation's examples, through client, sync and store.

Issue 10, "Real MLS records": each test is a regression test for one way such records broke
the sync (fixtures in ``fixtures/``, served byte for byte by ``pages.PagesServer``).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pymongo.database import Database

from listings.readmodel import SearchQuery
from listings.readmodel.reader import load
from mls_sync.clients import RateLimiter, ResoWebApiClient, SparkClient
from mls_sync.pipeline import sync_run

from .pages import PagesServer, fixture, pages_server

SPARK_PAGES = ("spark_listings.json", "spark_listings_page2.json")
RESO_PAGES = ("reso_property.json", "reso_property_page2.json")
FARGO = "20261002091542318000000001"  # UnparsedAddress with city/state/ZIP, PropertyType "A"
WEST_FARGO = "20261001140211876000000002"  # address from parts with StreetDirPrefix "E"
LAND = "20260930101133002000000003"
COMING = "20260929083015441000000004"
SOLD = "20260815120000100000000005"
NON_FINITE = {
    "20261002110000000000000006": "BedsTotal",  # "NaN"
    "20261002110000000000000007": "YearBuilt",  # "Infinity"
    "20261002110000000000000008": "ListPrice",  # "1e400"
    "20261002120000000000000009": "BathsTotal",  # NaN (a bare token, not JSON)
    "20261002120000000000000010": "ListPrice",  # 1e400 (a number beyond a double)
    "20261002120000000000000011": "BuildingAreaTotal",  # -Infinity
}
AFTER_JUNK = "20261002120000000000000012"  # the last record of the page with the bare tokens


@pytest.fixture
def pages() -> Iterator[PagesServer]:
    with pages_server() as server:
        yield server


def spark_client(server: PagesServer) -> SparkClient:
    return SparkClient(
        base_url=server.url, api_key="k", backoff_base=0.001, max_retries=1, limiter=RateLimiter(10_000, 300)
    )


def reso_client(server: PagesServer) -> ResoWebApiClient:
    return ResoWebApiClient(
        base_url=server.url, api_key="k", backoff_base=0.001, max_retries=1, limiter=RateLimiter(10_000, 300)
    )


def sync(db: Database, client: Any, mode: str = "full", source: str = "fixture") -> Any:
    # page_size 1: every served page is its own write batch (and checkpoint)
    return sync_run(db=db, client=client, source=source, mode=mode, geo_index=False, page_size=1)


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, float | int) and not isinstance(value, bool):
        yield float(value)


def test_spark_documented_records_sync_and_junk_numbers_are_quarantined(pages: PagesServer, store_db: Database) -> None:
    pages.serve(spark=[fixture(name) for name in SPARK_PAGES])
    counters = sync(store_db, spark_client(pages))
    assert (counters.fetched, counters.quarantined, counters.inserted) == (12, 6, 6)
    assert counters.pages == 2  # the page with NaN/1e400 tokens did not fail
    held = {d["listingKey"]: d["reason"] for d in store_db.quarantine.find({"source": "fixture"})}
    assert held.keys() == NON_FINITE.keys()
    for key, field in NON_FINITE.items():
        assert held[key].startswith(f"{field} is not a finite number"), held[key]
    stored = list(store_db.listings.find({}, {"_id": 0})) + list(store_db.closed.find({}, {"_id": 0}))
    assert {d["listingKey"] for d in stored} == {FARGO, WEST_FARGO, LAND, COMING, SOLD, AFTER_JUNK}
    assert all(math.isfinite(n) for d in stored for n in _numbers(d))
    state = store_db.sync_state.find_one({"_id": "fixture:full"})
    assert state["status"] == "ok" and state["token"] is None


def test_a_run_that_died_on_the_junk_page_resumes_past_it(pages: PagesServer, store_db: Database) -> None:
    pages.serve(spark=[fixture(name) for name in SPARK_PAGES])
    store_db.sync_state.insert_one({"_id": "fixture:full", "status": "failed", "token": "1", "query": {}})
    counters = sync(store_db, spark_client(pages))
    assert counters.resumed and counters.pages == 1 and counters.quarantined == 3
    assert store_db.listings.find_one({"listingKey": AFTER_JUNK})
    assert store_db.sync_state.find_one({"_id": "fixture:full"})["status"] == "ok"


def test_spark_addresses_property_class_and_tours(pages: PagesServer, store_db: Database) -> None:
    pages.serve(spark=[fixture(name) for name in SPARK_PAGES])
    sync(store_db, spark_client(pages))
    docs = {d["listingKey"]: d for d in store_db.listings.find({})}
    fargo, west, land, coming = docs[FARGO], docs[WEST_FARGO], docs[LAND], docs[COMING]
    # UnparsedAddress is the whole one-line address: the street line is kept, once.
    assert fargo["unparsedAddress"] == "1420 8th Street N"
    assert fargo["slug"] == f"1420-8th-street-n-fargo-{FARGO}"
    assert coming["unparsedAddress"] == "501 2nd Ave N Apt 305"
    assert land["unparsedAddress"] == "TBD County Road 17"  # UnparsedFirstLineAddress
    # Built from parts, with the direction prefix.
    assert west["unparsedAddress"] == "830 E Main Ave #4"
    assert west["slug"] == f"830-e-main-ave-4-west-fargo-{WEST_FARGO}"
    # PropertyType "A" is the MLS's code; PropertyClass carries the RESO name.
    assert {d["propertyType"] for d in (fargo, west, coming)} == {"Residential"} and land["propertyType"] == "Land"
    assert fargo["virtualTourUrl"] == "https://tours.example.com/unbranded/4410"
    assert west["virtualTourUrl"] == "https://tours.example.com/branded/4388"
    assert land["virtualTourUrl"] == "https://tours.example.com/land/4371"
    model = load(db=store_db)
    residential = model.search(SearchQuery(property_types=("Residential",), page_size=50))
    assert set(residential.keys) == {FARGO, WEST_FARGO, COMING, AFTER_JUNK}
    assert model.search(SearchQuery(property_types=("Land",))).keys == [LAND]


def _page(records: list[dict[str, Any]]) -> str:
    return json.dumps({"D": {"Success": True, "Results": records}})


def _with(record: dict[str, Any], key: str, **fields: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out["Id"] = out["StandardFields"]["ListingKey"] = key
    out["StandardFields"].update(fields)
    return out


# Raw status (either spelling, or a local name) -> where the listing ends up: (collection, status).
TRANSITIONS = {
    "Active": ("listings", "Active"),
    "ActiveUnderContract": ("listings", "Active Under Contract"),
    "Active Under Contract": ("listings", "Active Under Contract"),
    "ComingSoon": ("listings", "Coming Soon"),
    "Pending": ("listings", "Pending"),
    "Closed": ("closed", "Closed"),
    "Leased": ("closed", "Closed"),
    "Hold": (None, None),
    "Delete": (None, None),
    "Incomplete": (None, None),
    "Withdrawn": (None, None),
    "Expired": (None, None),
    "Canceled": (None, None),
    "Cancelled": (None, None),
}


def test_every_standard_status_in_both_spellings_moves_a_stored_listing(pages: PagesServer, store_db: Database) -> None:
    base = json.loads(fixture("spark_listings.json"))["D"]["Results"][0]
    keys = {status: f"{FARGO[:-2]}{n:02d}" for n, status in enumerate(TRANSITIONS, start=20)}
    pages.serve(spark=[_page([_with(base, key) for key in keys.values()])])
    assert sync(store_db, spark_client(pages)).inserted == len(keys)
    # Off-market records often arrive stripped (no price, no coordinates): they still leave.
    changed = [
        _with(base, keys[s], StandardStatus=s, MlsStatus=s, ListPrice=None, Latitude=None)
        if TRANSITIONS[s][0] is None
        else _with(base, keys[s], StandardStatus=s, ClosePrice=380000, CloseDate="2026-10-20")
        for s in TRANSITIONS
    ]
    pages.serve(spark=[_page(changed)])
    counters = sync(store_db, spark_client(pages), mode="incremental")
    assert counters.quarantined == 0
    for status, (collection, shown) in TRANSITIONS.items():
        key = keys[status]
        where = {name: store_db[name].find_one({"listingKey": key}) for name in ("listings", "closed")}
        if collection is None:
            assert where == {"listings": None, "closed": None}, status
            continue
        assert where["closed" if collection == "listings" else "listings"] is None, status
        assert where[collection]["standardStatus"] == shown, status
    model = load(db=store_db)
    assert set(model.search(SearchQuery(page_size=50)).keys) == {
        keys[s] for s, (c, _) in TRANSITIONS.items() if c == "listings"
    }
    # A sale the MLS deletes leaves the closed sales too.
    pages.serve(spark=[_page([_with(base, keys["Closed"], StandardStatus="Delete")])])
    counters = sync(store_db, spark_client(pages), mode="incremental")
    assert counters.removed == 1 and store_db.closed.find_one({"listingKey": keys["Closed"]}) is None


def test_closed_sales_are_selected_by_standard_status(pages: PagesServer, store_db: Database) -> None:
    pages.serve(spark=[fixture("spark_listings.json").replace('"SkipToken": "1"', '"SkipToken": null')])
    sync(store_db, spark_client(pages), mode="closed")
    sent = parse_qs(urlsplit(pages.requests[0]).query)["_filter"][0]
    assert "StandardStatus Eq 'Closed'" in sent and "MlsStatus" not in sent
    assert store_db.closed.find_one({"listingKey": SOLD})["closePrice"] == 309500


def test_reso_documented_records_media_order_categories_and_tours(pages: PagesServer, store_db: Database) -> None:
    pages.serve(reso=[fixture(name) for name in RESO_PAGES])
    counters = sync(store_db, reso_client(pages))
    assert (counters.fetched, counters.inserted, counters.quarantined) == (3, 3, 0)
    docs = {d["listingKey"]: d for d in store_db.listings.find({})}
    house, lease, condo = docs["3yd-FMLS-7061432"], docs["3yd-FMLS-7061877"], docs["3yd-FMLS-7062004"]
    # String Order sorts as numbers; the photo without Order comes last; the floor plan is no photo.
    assert [p["id"] for p in house["photos"]] == ["3yd-m-3", "3yd-m-2", "3yd-m-1", "3yd-m-5", "3yd-m-4"]
    assert house["primaryPhotoUrl"] == "https://media.example.com/7061432/1.jpg"
    assert house["standardStatus"] == "Active Under Contract" and house["unparsedAddress"] == "4471 Kestrel Ridge Dr NW"
    assert house["virtualTourUrl"] == "https://tours.example.com/branded/7061432"  # only the branded one sent
    # "Photograph" and "Photos" are photos; the preferred photo is primary.
    assert [p["id"] for p in lease["photos"]] == ["3yd-n-2", "3yd-n-1"] and lease["photos"][0]["primary"]
    assert lease["standardStatus"] == "Coming Soon" and lease["propertyType"] == "Residential Lease"
    assert lease["virtualTourUrl"] == "https://tours.example.com/unbranded/7061877"
    assert [p["id"] for p in condo["photos"]] == ["3yd-p-1", "3yd-p-2", "3yd-p-3"]
    assert condo["virtualTourUrl"] == "https://tours.example.com/unbranded/7062004"  # a tour in Media
    assert condo["unparsedAddress"] == "1200 Peachtree St NE Unit 1408"
    model = load(db=store_db)
    assert model.search(SearchQuery(property_types=("Residential Lease",))).keys == ["3yd-FMLS-7061877"]
