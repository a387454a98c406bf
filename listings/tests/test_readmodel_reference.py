"""The columnar read model must answer exactly like the brute-force reference.

Hypothesis draws small documents from tight value domains (so filters, ties and duplicates
actually collide) with some garbage mixed in (strings, bools, NaN, huge numbers), and random
queries over the same domains; results, order, totals, cards and facets must be identical.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listings.readmodel import BBox, Near, ReadModel, SearchQuery, Sort, reference
from listings.readmodel.stats import facets

CITIES = ["Palm Springs", "Indio", "La Quinta", None, ""]
SUBDIVISIONS = ["Movie Colony", "Mesa", "PGA West", None]
STATUSES = ["Active", "Pending", "Coming Soon", "Active Under Contract"]
TYPES = ["Residential", "Land", "Residential Lease"]
SUBTYPES = ["Single Family Residence", "Condominium", None]
SOURCES = ["gps", "crmls", None]
WORDS = ["pool", "spa", "casita", "views", "golf", "pooled", "mid", "modern", "Straße", "café"]
TODAY = date(2026, 11, 26)

garbage = st.sampled_from(["abc", True, False, math.nan, math.inf, -5, 10**12, [], {"$ne": 1}])
AMOUNTS = [0, 150, 250, 250.5, 251.5, 1500, 300_000, 450_000.0]  # collisions on purpose
amounts = st.sampled_from(AMOUNTS)
money = st.one_of(st.none(), amounts, amounts, amounts, st.integers(0, 3_000_000), st.floats(0, 3_000_000), garbage)
BOUNDS = st.sampled_from([0, 150, 250, 251, 252, 1500, 300_000, 450_000])
bound = st.one_of(BOUNDS, BOUNDS, BOUNDS, st.integers(0, 3_000_000))
counts = st.one_of(st.none(), st.integers(0, 7), st.floats(0, 7), garbage)
days = st.integers(-120, 30).map(lambda d: (TODAY + timedelta(days=d)).isoformat())
lat = st.one_of(st.none(), st.floats(33.0, 34.0), st.just(33.5))
lon = st.one_of(st.none(), st.floats(-117.0, -116.0), st.just(-116.5))
text = st.lists(st.sampled_from(WORDS + ["and", "the", "1234"]), max_size=6).map(" ".join)


@st.composite
def documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(0, 30))
    keys = draw(st.lists(st.text("ab0123", min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    out = []
    for key in keys:
        out.append(
            {
                "listingKey": key,
                "slug": f"s-{key}",
                "listingId": f"L{key}",
                "mlsSource": draw(st.sampled_from(SOURCES)),
                "standardStatus": draw(st.sampled_from(STATUSES)),
                "propertyType": draw(st.sampled_from(TYPES)),
                "propertySubType": draw(st.sampled_from(SUBTYPES)),
                "city": draw(st.sampled_from(CITIES)),
                "subdivisionName": draw(st.sampled_from(SUBDIVISIONS)),
                "postalCode": draw(st.sampled_from(["92262", "92201", None])),
                "listPrice": draw(money),
                "livingArea": draw(money),
                "associationFee": draw(money),
                "lotSizeSquareFeet": draw(money),
                "yearBuilt": draw(st.one_of(st.none(), st.sampled_from([1950, 1999, 2000, 2024]), garbage)),
                "bedroomsTotal": draw(counts),
                "bathroomsTotalInteger": draw(counts),
                "daysOnMarket": draw(counts),
                "poolPrivateYN": draw(st.sampled_from([True, False, None])),
                "landLease": draw(st.sampled_from([True, False, None])),
                "latitude": draw(lat),
                "longitude": draw(lon),
                "unparsedAddress": draw(st.sampled_from(["12 Main St", "1234 Palm Canyon Dr", ""])),
                "publicRemarks": draw(st.one_of(st.none(), text)),
                "onMarketDate": draw(st.one_of(st.none(), days, st.just("not a date"))),
                "openHouses": [{"date": d} for d in draw(st.lists(days, max_size=2))],
                "primaryPhotoUrl": draw(st.sampled_from([None, "https://p.example/1.jpg"])),
                "modificationTimestamp": "2026-11-20T10:00:00Z",
            }
        )
    return out


def some(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def subset(values: list[Any]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from([v for v in values if v]), max_size=2).map(tuple)


@st.composite
def bboxes(draw: st.DrawFn) -> BBox:
    la = sorted(draw(st.lists(st.floats(32.9, 34.1), min_size=2, max_size=2)))
    lo = sorted(draw(st.lists(st.floats(-117.1, -115.9), min_size=2, max_size=2)))
    return BBox(west=lo[0], south=la[0], east=lo[1], north=la[1])


polygons = st.lists(st.tuples(st.floats(-117.1, -115.9), st.floats(32.9, 34.1)), min_size=3, max_size=6).map(tuple)
nears = st.builds(Near, lat=st.floats(33.0, 34.0), lon=st.floats(-117.0, -116.0), radius_mi=st.floats(0, 60))


FILTERS: dict[str, st.SearchStrategy[Any]] = {
    "cities": subset(CITIES),
    "subdivisions": subset(SUBDIVISIONS),
    "postal_codes": subset(["92262", "92201", "99999"]),
    "property_types": subset(TYPES),
    "property_sub_types": subset(SUBTYPES),
    "statuses": subset(STATUSES),
    "min_price": bound,
    "max_price": bound,
    "min_beds": st.integers(0, 7),
    "max_beds": st.integers(0, 7),
    "min_baths": st.integers(0, 7),
    "min_sqft": bound,
    "max_sqft": bound,
    "max_hoa": bound,
    "max_ppsf": st.one_of(st.sampled_from([1, 150, 200, 1200]), st.integers(1, 5000)),
    "min_year_built": st.sampled_from([1700, 1999, 2000, 2001]),
    "min_lot_sqft": bound,
    "pool": st.booleans(),
    "land_lease": st.booleans(),
    "open_house": st.booleans(),
    "newer_than_days": st.integers(0, 200),
    "bbox": bboxes(),
    "polygon": polygons,
    "text": st.one_of(text, st.sampled_from(["po", "1", "caf", "STRASSE", "$ne", ".*"])),
    "mls_sources": subset(SOURCES),
}


@st.composite
def queries(draw: st.DrawFn) -> SearchQuery:
    # Few filters at a time, so that most queries still match something and order matters.
    active = draw(st.sets(st.sampled_from(sorted(FILTERS)), max_size=3))
    values = {name: draw(FILTERS[name]) for name in sorted(active)}
    near = draw(some(nears)) if draw(st.integers(0, 4)) == 0 else None
    sorts = [s for s in Sort if near is not None or not s.value.endswith("distance")]
    return SearchQuery(
        **values,
        near=near,
        featured_subdivisions=draw(subset(SUBDIVISIONS)),
        sort=draw(st.sampled_from(sorts)),
        page=draw(st.integers(1, 3)),
        page_size=draw(st.integers(1, 12)),
        as_of=TODAY,
    )


FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FAST
@given(docs=documents(), q=queries())
def test_search_equals_reference(docs: list[dict[str, Any]], q: SearchQuery) -> None:
    model = ReadModel.from_documents(docs)
    assert model.search(q) == reference.search(docs, q)


@FAST
@given(docs=documents(), q=queries(), by=st.sampled_from(["city", "subdivision"]))
def test_facets_equal_reference(docs: list[dict[str, Any]], q: SearchQuery, by: str) -> None:
    model = ReadModel.from_documents(docs)
    today = (TODAY - date(1970, 1, 1)).days
    assert facets(model, q, by=by, today=today) == reference.facets(docs, q, by=by, today=today)


@FAST
@given(docs=documents(), update=documents(), data=st.data())
def test_apply_changes_equals_rebuild(
    docs: list[dict[str, Any]], update: list[dict[str, Any]], data: st.DataObject
) -> None:
    keys = [d["listingKey"] for d in docs]
    removed = data.draw(st.lists(st.sampled_from(keys), unique=True) if keys else st.just([]))
    model = ReadModel.from_documents(docs).apply_changes(changed=update, removed=removed)
    by_key = {d["listingKey"]: d for d in docs if d["listingKey"] not in removed}
    by_key.update({d["listingKey"]: d for d in update})
    expected = list(by_key.values())
    q = data.draw(queries())
    assert model.search(q) == reference.search(expected, q)
    for k in removed:
        if k not in {d["listingKey"] for d in update}:
            assert model.row_of_key(k) is None


def test_bounds_are_inclusive_and_missing_hoa_passes() -> None:
    docs = [
        {
            "listingKey": "a",
            "listPrice": 100.0,
            "associationFee": 150,
            "livingArea": 1000,
            "bedroomsTotal": 3,
            "bathroomsTotalInteger": 2,
        },
        {"listingKey": "b", "listPrice": 100.4, "associationFee": None, "livingArea": None},
    ]
    model = ReadModel.from_documents(docs)
    for q, total in (
        (SearchQuery(min_price=100, max_price=100), 2),
        (SearchQuery(max_hoa=150), 2),
        (SearchQuery(max_hoa=149), 1),
        (SearchQuery(min_sqft=1000, max_sqft=1000), 1),
        (SearchQuery(min_beds=3, min_baths=2), 1),
        (SearchQuery(min_beds=4), 0),
    ):
        assert model.search(q).total == reference.search(docs, q).total == total, q


def test_pages_are_stable_and_disjoint() -> None:
    docs = [{"listingKey": f"k{i:02d}", "listPrice": 100.0 * (i % 3), "city": "Indio"} for i in range(25)]
    model = ReadModel.from_documents(docs)
    seen: list[str] = []
    for page in (1, 2, 3):
        seen += model.search(SearchQuery(sort=Sort.PRICE_ASC, page=page, page_size=10)).keys
    assert len(seen) == len(set(seen)) == 25
    assert seen[:3] == ["k00", "k03", "k06"]  # equal prices: key order


def test_lookups_by_key_and_slug() -> None:
    docs = [{"listingKey": f"k{i}", "slug": f"slug-{i}"} for i in range(50)]
    model = ReadModel.from_documents(docs)
    assert model.row_of_key("k7") is not None
    assert model.cols["slug"][model.row_of_slug("slug-7")] == "slug-7"
    assert model.row_of_key("nope") is None and model.row_of_slug("") is None


def test_empty_model_answers() -> None:
    model = ReadModel.from_documents([])
    assert model.search(SearchQuery(text="pool")).total == 0
    assert facets(model, SearchQuery(), by="city", today=0) == []
