"""The read model's fast paths for large inputs (bitmap unions and intersections, lookup
tables for categories, the longitude prefilter of geographic queries) answer exactly like the
brute-force reference and like the plain numpy operations they replace.

The hypothesis reference tests use at most 30 documents, which never reach these paths.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import numpy as np
import pytest

from devtools.synthetic.listings import CITIES, documents
from listings.readmodel import BBox, Near, ReadModel, SearchQuery, Sort, reference
from listings.readmodel.filters import _in
from listings.readmodel.textindex import intersect_sorted, sorted_unique

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize("seed", range(6))
def test_set_helpers_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    universe = int(rng.integers(10, 200_000))
    for size_a, size_b in ((0, 50), (5, 5_000), (3_000, 40_000), (40_000, 45_000), (1, 1)):
        a = np.unique(rng.integers(0, universe, size=size_a)).astype(np.int32)
        b = np.unique(rng.integers(0, universe, size=size_b)).astype(np.int64)
        got = intersect_sorted(a, b)
        assert got.tolist() == np.intersect1d(a, b).tolist()
        assert intersect_sorted(b, a).tolist() == got.tolist()
        dup = rng.integers(0, universe, size=size_b).astype(np.int32)
        assert sorted_unique(dup).tolist() == np.unique(dup).tolist()


def test_category_lookup_table_equals_isin() -> None:
    rng = np.random.default_rng(1)
    for dtype in (np.uint8, np.uint16, np.int32):
        values = rng.integers(0, 200, size=10_000).astype(dtype)
        for codes in ([], [7], [0, 3, 199], list(range(0, 200, 3))):
            arr = np.array(codes, dtype=np.uint16)
            assert (_in(values, arr) == np.isin(values, arr)).all()


def _world_documents(n: int, seed: int) -> list[dict[str, Any]]:
    """Listings spread over the whole globe: high latitudes, both sides of the antimeridian."""
    rng = random.Random(seed)
    docs = list(documents(n, seed=seed))
    for d in docs[: n // 2]:
        d["latitude"] = rng.uniform(-89.9, 89.9)
        d["longitude"] = rng.choice([rng.uniform(-180, 180), rng.uniform(178, 180), rng.uniform(-180, -178)])
    return docs


@pytest.fixture(scope="module")
def world() -> tuple[list[dict[str, Any]], ReadModel]:
    docs = _world_documents(4_000, seed=11)
    return docs, ReadModel.from_documents(docs)


def _queries() -> list[SearchQuery]:
    rng = random.Random(5)
    out = []
    for lat, lon in [(c[1], c[2]) for c in CITIES[:6]] + [(70.0, 20.0), (-85.0, 0.0), (0.0, 179.9), (10.0, -179.95)]:
        for radius in (0.0, 2.0, 25.0, 400.0):
            out.append(SearchQuery(near=Near(lat=lat, lon=lon, radius_mi=radius), sort=Sort.DISTANCE_ASC))
            out.append(SearchQuery(near=Near(lat=lat, lon=lon, radius_mi=radius), text="pool", min_price=300_000))
    for _ in range(40):
        w, s = rng.uniform(-180, 170), rng.uniform(-90, 80)
        bbox = BBox(west=w, south=s, east=min(180, w + rng.uniform(0, 40)), north=min(90, s + rng.uniform(0, 20)))
        out.append(SearchQuery(bbox=bbox, sort=rng.choice(list(Sort)[:8])))
        out.append(SearchQuery(bbox=bbox, text=rng.choice(["mid century", "casita views", "p", "pool spa"])))
    for city, lat, lon, _zip in CITIES[:5]:
        ring = ((lon - 0.1, lat - 0.1), (lon + 0.1, lat - 0.05), (lon, lat + 0.1))
        out.append(SearchQuery(polygon=ring, cities=(city,), sort=Sort.PRICE_DESC))
        out.append(SearchQuery(cities=(city, "Indio", "nowhere"), statuses=("Active", "Pending"), min_beds=3))
        out.append(SearchQuery(cities=(city,), featured_subdivisions=("Movie Colony", "Mesa"), page=2))
    out.append(SearchQuery(text="m", sort=Sort.PPSF_ASC))
    # Many matches under every query-independent sort: pages read off the precomputed orders,
    # with and without featured subdivisions first.
    for sort in [s for s in Sort if "distance" not in s.value]:
        for featured in ((), ("Movie Colony", "Mesa"), ("nowhere",)):
            out.append(SearchQuery(sort=sort, page=rng.choice([1, 2, 5]), featured_subdivisions=featured))
            out.append(SearchQuery(sort=sort, min_price=400_000, featured_subdivisions=featured, page_size=100))
        # fewer featured matches than the page reaches: the page continues with the others
        out.append(SearchQuery(sort=sort, featured_subdivisions=("Twin Palms",), page=3, page_size=100))
    return out


def test_large_queries_equal_reference(world: tuple[list[dict[str, Any]], ReadModel]) -> None:
    docs, model = world
    matched = 0
    for q in _queries():
        q = SearchQuery(**{**{f: getattr(q, f) for f in q.__dataclass_fields__}, "as_of": TODAY})
        got = model.search(q)
        assert got == reference.search(docs, q), q
        matched += got.total > 0
    assert matched > 40  # the queries do select listings
