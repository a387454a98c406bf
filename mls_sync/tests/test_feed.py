"""The fake feed: deterministic, lazy, realistic enough that its prices carry a hedonic signal."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from devtools.spark.feed import FeedSet
from devtools.spark.feed.filters import FilterError, parse_filter
from devtools.spark.feed.geography import CITIES_BY_SOURCE
from devtools.spark.feed.hedonic import NOISE_SIGMA, market_index
from devtools.spark.feed.records import ACTIVE, CLOSED, generate_record, listing_key, parse_listing_key

ALL = frozenset({"Photos", "OpenHouses", "VirtualTours", "Rooms", "Units"})


def test_records_are_deterministic_per_index() -> None:
    a = generate_record(
        seed=1, source="gps", kind=ACTIVE, i=17, status="Active", mod_ts=1.79e9, photo_base="x", expand=ALL
    )
    b = generate_record(
        seed=1, source="gps", kind=ACTIVE, i=17, status="Active", mod_ts=1.79e9, photo_base="x", expand=ALL
    )
    c = generate_record(
        seed=2, source="gps", kind=ACTIVE, i=17, status="Active", mod_ts=1.79e9, photo_base="x", expand=ALL
    )
    assert a == b
    assert a != c


def test_keys_sort_in_feed_order_and_round_trip() -> None:
    keys = [listing_key("gps", ACTIVE, 9), listing_key("gps", ACTIVE, 10), listing_key("gps", CLOSED, 0)]
    assert keys == sorted(keys)
    assert parse_listing_key(keys[1]) == ("gps", ACTIVE, 10)
    assert listing_key("gps", ACTIVE, 0) < listing_key("crmls", ACTIVE, 0)


def test_feed_covers_the_markets_with_realistic_mix() -> None:
    feeds = FeedSet(seed=42, sizes={"gps": (600, 0), "crmls": (600, 0)})
    for source, feed in feeds.feeds.items():
        recs = [feed.record(p, photo_base="", expand=frozenset())["StandardFields"] for p in range(600)]
        cities = {r["City"] for r in recs}
        assert len(cities) >= len(CITIES_BY_SOURCE[source]) - 3
        types = {r["PropertyType"] for r in recs}
        assert {"Residential", "Residential Lease", "Land"} <= types
        homes = [
            r for r in recs if r["PropertyType"] == "Residential" and r["PropertySubType"] == "Single Family Residence"
        ]
        median = float(np.median([float(r["ListPrice"]) for r in homes]))
        assert 350_000 < median < 1_600_000
        leases = [float(r["ListPrice"]) for r in recs if r["PropertyType"] == "Residential Lease"]
        assert 1_000 < float(np.median(leases)) < 12_000  # monthly rent
        assert any(isinstance(r["ListPrice"], str) for r in recs)  # numbers sometimes as strings
    gps = [feeds.feeds["gps"].record(p, photo_base="", expand=frozenset())["StandardFields"] for p in range(600)]
    assert any(r["LandLeaseYN"] and r["City"] == "Palm Springs" for r in gps)
    assert {"PGA West", "Bighorn", "Sun City Palm Desert"} & {r["SubdivisionName"] for r in gps}


def test_closed_prices_follow_one_hedonic_model() -> None:
    """Same home, two close dates: the price ratio is the market index ratio times noise."""
    import random

    from devtools.spark.feed.records import _Home  # the physical home is independent of the close date

    residuals = []
    for i in range(300):
        rec = generate_record(
            seed=3, source="crmls", kind=CLOSED, i=i, status="Closed", mod_ts=1.79e9, photo_base="", expand=frozenset()
        )["StandardFields"]
        if rec["PropertyType"] != "Residential":
            continue
        home = _Home(random.Random(f"3:crmls:{CLOSED}:{i}"), "crmls", CLOSED, i)
        close = date.fromisoformat(rec["CloseDate"])
        residuals.append(math.log(rec["ClosePrice"] / home.value(close)))
    sigma = float(np.std(residuals))
    assert abs(float(np.mean(residuals))) < 0.03
    assert 0.5 * NOISE_SIGMA < sigma < 1.5 * NOISE_SIGMA
    assert market_index(date(2026, 11, 1)) == pytest.approx(1.0, abs=0.02)


def test_filters_parse_spark_and_odata_and_reject_garbage() -> None:
    node = parse_filter(
        "ModificationTimestamp Gt 2026-11-01T00:00:00Z And (MlsStatus Eq 'Closed' Or MlsStatus Eq 'Pending')"
    )
    assert node.op == "and"
    assert parse_filter("StandardStatus eq 'Active' and ListingKey gt '1'").op == "and"
    for bad in ("ModificationTimestamp Gt", "Foo Bar 1", "(MlsStatus Eq 'Closed'", ""):
        with pytest.raises(FilterError):
            parse_filter(bad)
