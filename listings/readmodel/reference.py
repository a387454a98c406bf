"""Brute-force evaluation of a ``SearchQuery`` over plain listing documents, in pure Python.

This is the executable specification the columnar read model is tested against: one document
at a time, no indexes, no numpy. Keep it obvious rather than fast.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .normalize import (
    EPOCH,
    coordinate,
    days_on_market,
    doc_words,
    fold,
    last_open_house_day,
    listed_day,
    slugify_name,
    small_int,
    whole,
    words,
)
from .query import EARTH_RADIUS_MI, SearchQuery, SearchResult, Sort

Doc = Mapping[str, Any]
DEG = math.pi / 180.0


def haversine_mi(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    a = (
        math.sin((lat2 - lat1) * DEG / 2) ** 2
        + math.cos(lat1 * DEG) * math.cos(lat2 * DEG) * math.sin((lon2 - lon1) * DEG / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MI * math.asin(math.sqrt(min(1.0, a)))


def point_in_polygon(lon: float, lat: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _ppsf(doc: Doc) -> float | None:
    price, sqft = whole(doc.get("listPrice")), whole(doc.get("livingArea"))
    return price / sqft if price is not None and sqft else None


def _in(value: Any, wanted: tuple[str, ...]) -> bool:
    return not wanted or fold(value) in wanted


def _geo_matches(doc: Doc, q: SearchQuery) -> bool:
    lat, lon = coordinate(doc.get("latitude"), 90), coordinate(doc.get("longitude"), 180)
    if q.bbox is None and q.polygon is None and q.near is None:
        return True
    if lat is None or lon is None:
        return False
    b = q.bbox
    if b is not None and not (b.south <= lat <= b.north and b.west <= lon <= b.east):
        return False
    if q.polygon is not None and not point_in_polygon(lon, lat, q.polygon):
        return False
    n = q.near
    return n is None or haversine_mi(n.lat, n.lon, lat, lon) <= n.radius_mi


def matches(doc: Doc, q: SearchQuery) -> bool:
    today = (q.as_of - EPOCH).days
    if not (
        _in(doc.get("city"), q.folded("cities"))
        and _in(doc.get("subdivisionName"), q.folded("subdivisions"))
        and _in(doc.get("postalCode"), q.folded("postal_codes"))
        and _in(doc.get("propertyType"), q.folded("property_types"))
        and _in(doc.get("propertySubType"), q.folded("property_sub_types"))
        and _in(doc.get("standardStatus"), q.folded("statuses"))
    ):
        return False
    if q.mls_sources is not None and fold(doc.get("mlsSource")) not in q.folded("mls_sources"):
        return False
    price, sqft = whole(doc.get("listPrice")), whole(doc.get("livingArea"))
    beds, baths = small_int(doc.get("bedroomsTotal")), small_int(doc.get("bathroomsTotalInteger"))
    for value, bound, lower in (
        (price, q.min_price, True),
        (price, q.max_price, False),
        (beds, q.min_beds, True),
        (beds, q.max_beds, False),
        (baths, q.min_baths, True),
        (sqft, q.min_sqft, True),
        (sqft, q.max_sqft, False),
        (small_int(doc.get("yearBuilt")), q.min_year_built, True),
        (whole(doc.get("lotSizeSquareFeet")), q.min_lot_sqft, True),
        (_ppsf(doc), q.max_ppsf, False),
    ):
        if bound is not None and (value is None or (value < bound if lower else value > bound)):
            return False
    hoa = whole(doc.get("associationFee"))
    if q.max_hoa is not None and hoa is not None and hoa > q.max_hoa:
        return False
    if q.pool is not None and (doc.get("poolPrivateYN") is True) != q.pool:
        return False
    if q.land_lease is not None and (doc.get("landLease") is True) != q.land_lease:
        return False
    if q.open_house:
        oh = last_open_house_day(doc)
        if oh is None or oh < today:
            return False
    if q.newer_than_days is not None:
        listed = listed_day(doc)
        if listed is None or listed < today - q.newer_than_days:
            return False
    if not _geo_matches(doc, q):
        return False
    if q.text:
        have = doc_words(doc)
        for w in words(q.text):
            if not any(h.startswith(w) for h in have):
                return False
    return True


def _sort_value(doc: Doc, q: SearchQuery) -> float | None:
    s = q.sort
    if s in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        return whole(doc.get("listPrice"))
    if s in (Sort.NEWEST, Sort.OLDEST):
        return listed_day(doc)
    if s in (Sort.PPSF_ASC, Sort.PPSF_DESC):
        return _ppsf(doc)
    if s in (Sort.BEDS_ASC, Sort.BEDS_DESC):
        return small_int(doc.get("bedroomsTotal"))
    if s in (Sort.SQFT_ASC, Sort.SQFT_DESC):
        return whole(doc.get("livingArea"))
    assert q.near is not None
    lat, lon = coordinate(doc.get("latitude"), 90), coordinate(doc.get("longitude"), 180)
    if lat is None or lon is None:
        return None
    return haversine_mi(q.near.lat, q.near.lon, lat, lon)


def card(doc: Doc) -> dict[str, object]:
    return {
        "key": doc["listingKey"],
        "slug": doc.get("slug") or "",
        "address": doc.get("unparsedAddress") or "",
        "city": doc.get("city") or "",
        "status": doc.get("standardStatus") or "",
        "propertyType": doc.get("propertyType") or "",
        "photo": doc.get("primaryPhotoUrl") or "",
        "price": whole(doc.get("listPrice")),
        "beds": small_int(doc.get("bedroomsTotal")),
        "baths": small_int(doc.get("bathroomsTotalInteger")),
        "sqft": whole(doc.get("livingArea")),
        "lat": coordinate(doc.get("latitude"), 90),
        "lon": coordinate(doc.get("longitude"), 180),
    }


def search(docs: Iterable[Doc], query: SearchQuery) -> SearchResult:
    hits = [d for d in docs if matches(d, query)]
    descending = query.sort.value.startswith("-") or query.sort is Sort.NEWEST
    featured = set(query.folded("featured_subdivisions"))

    def order(doc: Doc) -> tuple[Any, ...]:
        v = _sort_value(doc, query)
        boost = 0 if featured and fold(doc.get("subdivisionName")) in featured else 1
        return (boost, v is None, 0 if v is None else (-v if descending else v), doc["listingKey"])

    hits.sort(key=order)
    page = hits[query.offset : query.offset + query.page_size]
    return SearchResult(total=len(hits), keys=[d["listingKey"] for d in page], cards=[card(d) for d in page])


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def facets(docs: Iterable[Doc], query: SearchQuery, *, by: str, today: int) -> list[dict[str, Any]]:
    """Per city/subdivision: count, median price, median $/sqft, median days on market."""
    field_name = {"city": "city", "subdivision": "subdivisionName"}[by]
    groups: dict[str, list[Doc]] = defaultdict(list)
    names: dict[str, str] = {}
    for d in docs:
        f = fold(d.get(field_name))
        if f is not None and matches(d, query):
            groups[f].append(d)
            names.setdefault(f, d[field_name])
    out: list[dict[str, Any]] = []
    for f, members in groups.items():
        prices = [p for p in (whole(d.get("listPrice")) for d in members) if p is not None]
        ppsf = [p for p in (_ppsf(d) for d in members) if p is not None]
        dom = [x for x in (days_on_market(d, today) for d in members) if x is not None]
        out.append(
            {
                "name": names[f],
                "slug": slugify_name(names[f]),
                "count": len(members),
                "median_price": _median(prices),
                "median_ppsf": _median(ppsf),
                "median_dom": _median(dom),
            }
        )
    out.sort(key=lambda r: (-r["count"], r["slug"]))
    return out
