"""Vectorised evaluation of a ``SearchQuery`` over the read model's columns.

Narrow first, then filter: a geographic query (bbox, polygon, near) starts from the rows of
its bounding box (a latitude band found by binary search on the latitude-sorted rows, cut to
the box's longitudes), and free text starts from the postings; all other predicates then run
on that candidate subset only. With neither, or when the candidates are a large share of the
rows, the predicates run as boolean masks over every row (~20 microseconds each at 74K rows).
The exact polygon and radius tests run last, on the rows that passed everything else.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .columns import LAND_LEASE, POOL
from .normalize import EPOCH, words
from .query import EARTH_RADIUS_MI, Near, SearchQuery, Sort
from .textindex import intersect_sorted

if TYPE_CHECKING:
    from .model import ReadModel

DEG = np.pi / 180.0
_BAND_SLACK = 1e-9  # degrees; the band is a prefilter, exact tests follow


def haversine_mi(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    a = (
        np.sin((lat2 - lat1) * DEG / 2) ** 2
        + np.cos(lat1 * DEG) * np.cos(lat2 * DEG) * np.sin((lon2 - lon1) * DEG / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def point_in_polygon(lon: np.ndarray, lat: np.ndarray, ring: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Even-odd rule, one pass per edge over all points (same arithmetic as the reference)."""
    inside = np.zeros(len(lon), dtype=bool)
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        crosses = (yi > lat) != (yj > lat)
        if yj != yi:
            with np.errstate(invalid="ignore"):
                crosses &= lon < (xj - xi) * (lat - yi) / (yj - yi) + xi
        else:
            crosses[:] = False  # a horizontal edge never crosses (and must not divide by 0)
        inside ^= crosses
        j = i
    return inside


_WIDE = 4  # a candidate set above 1/_WIDE of the rows is cheaper as a full-width mask


@dataclass(frozen=True, slots=True)
class GeoBox:
    """Latitude/longitude bounds every match of a geographic query lies within (with slack):
    a cheap prefilter before the exact bbox, polygon and radius tests."""

    south: float
    north: float
    west: float
    east: float


def geo_box(q: SearchQuery) -> GeoBox | None:
    if q.bbox is None and q.polygon is None and q.near is None:
        return None
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    if q.bbox is not None:
        b = q.bbox
        south, north, west, east = max(south, b.south), min(north, b.north), max(west, b.west), min(east, b.east)
    if q.polygon is not None:
        lons, lats = [p[0] for p in q.polygon], [p[1] for p in q.polygon]
        south, north = max(south, min(lats)), min(north, max(lats))
        west, east = max(west, min(lons)), min(east, max(lons))
    if q.near is not None:
        n = q.near
        d = n.radius_mi / (EARTH_RADIUS_MI * DEG) * 1.000001
        south, north = max(south, n.lat - d), min(north, n.lat + d)
        # A spherical cap of angular radius r around latitude phi spans at most
        # asin(sin r / cos phi) of longitude either side (when it does not contain a pole);
        # a window crossing the antimeridian is left open.
        r = n.radius_mi / EARTH_RADIUS_MI
        cos_lat = math.cos(n.lat * DEG)
        if r < math.pi / 2 and math.sin(r) < cos_lat * 0.999:
            dlon = math.asin(math.sin(r) / cos_lat) / DEG * 1.000001 + 1e-9
            if n.lon - dlon >= -180.0 and n.lon + dlon <= 180.0:
                west, east = max(west, n.lon - dlon), min(east, n.lon + dlon)
    return GeoBox(south - _BAND_SLACK, north + _BAND_SLACK, west - _BAND_SLACK, east + _BAND_SLACK)


def _box_band(model: ReadModel, box: GeoBox) -> np.ndarray | None:
    """Sorted rows inside ``box`` found from the latitude-sorted rows, or None when the
    latitude band is so wide that a full-width mask in ``select`` is cheaper."""
    if box.south > box.north or box.west > box.east:
        return np.empty(0, dtype=np.int64)
    lo = int(np.searchsorted(model.lat_sorted, box.south, side="left"))
    hi = int(np.searchsorted(model.lat_sorted, box.north, side="right"))
    if (hi - lo) * _WIDE > model.size:
        return None
    band = model.lat_order[lo:hi]
    if (box.west, box.east) != (-180.0 - _BAND_SLACK, 180.0 + _BAND_SLACK):
        lon = model.cols["lon"][band]
        band = band[(lon >= box.west) & (lon <= box.east)]
    return np.sort(band)


def _in(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``np.isin`` for category codes: one comparison for one code, else a lookup table
    (a gather over the rows instead of isin's sort-based path)."""
    if len(codes) == 1:
        return values == codes[0]
    if not len(codes) or values.dtype.kind != "u" or values.dtype.itemsize > 2:
        return np.isin(values, codes)
    table = np.zeros(1 << (8 * values.dtype.itemsize), dtype=bool)
    table[codes] = True
    return table[values]


def _candidates(model: ReadModel, q: SearchQuery, box: GeoBox | None) -> np.ndarray | None:
    """Row ids that can possibly match, or None for 'all rows'."""
    bands: list[np.ndarray] = []
    if box is not None and (band := _box_band(model, box)) is not None:
        bands.append(band)
    prefixes = words(q.text)
    if prefixes:
        bands.append(model.text.match_all(prefixes))
    if not bands:
        return None
    out = min(bands, key=len)
    for b in bands:
        if b is not out:
            out = intersect_sorted(out, b)
    return out.astype(np.int64, copy=False)


def within_radius(near: Near, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """``haversine_mi(...) <= radius`` without the arcsin and square root for rows clearly
    inside or outside: the distance is monotonic in the haversine term ``a``, so ``a`` is
    compared with the radius's own term, and only rows within a relative 1e-9 of it (the
    boundary) get the exact formula the reference uses."""
    with np.errstate(invalid="ignore"):
        a = (
            np.sin((lat - near.lat) * DEG / 2) ** 2
            + math.cos(near.lat * DEG) * np.cos(lat * DEG) * np.sin((lon - near.lon) * DEG / 2) ** 2
        )
    limit = math.sin(min(math.pi / 2, near.radius_mi / (2 * EARTH_RADIUS_MI))) ** 2
    inside = a < limit * (1 - 1e-9)
    edge = np.flatnonzero(~inside & (a <= limit * (1 + 1e-9) + 1e-300))
    if len(edge):
        with np.errstate(invalid="ignore"):
            inside[edge] = haversine_mi(near.lat, near.lon, lat[edge], lon[edge]) <= near.radius_mi
    return inside


def _narrow_by_values(mask: np.ndarray, col: Callable[[str], np.ndarray], q: SearchQuery) -> None:
    """Price, size, rooms, fees, flags and dates: ``mask`` narrowed in place."""
    for name, bound, lower in (
        ("price", q.min_price, True),
        ("price", q.max_price, False),
        ("beds", q.min_beds, True),
        ("beds", q.max_beds, False),
        ("baths", q.min_baths, True),
        ("sqft", q.min_sqft, True),
        ("sqft", q.max_sqft, False),
        ("year", q.min_year_built, True),
        ("lot", q.min_lot_sqft, True),
    ):
        if bound is not None:
            v = col(name)
            mask &= (v >= bound) if lower else ((v <= bound) & (v >= 0))
    if q.max_ppsf is not None:
        price, sqft = col("price").astype(np.float64), col("sqft").astype(np.float64)
        ppsf = np.full(len(price), np.inf)  # unknown price or area: excluded
        np.divide(price, sqft, out=ppsf, where=(price >= 0) & (sqft > 0))
        mask &= ppsf <= q.max_ppsf
    if q.max_hoa is not None:
        mask &= col("hoa") <= q.max_hoa  # missing (-1) passes: no association
    if q.pool is not None:
        mask &= ((col("flags") & POOL) != 0) == q.pool
    if q.land_lease is not None:
        mask &= ((col("flags") & LAND_LEASE) != 0) == q.land_lease
    today = (q.as_of - EPOCH).days
    if q.open_house:
        mask &= col("oh_day") >= today
    if q.newer_than_days is not None:
        mask &= col("listed_day") >= max(0, today - q.newer_than_days)


def select(model: ReadModel, q: SearchQuery) -> np.ndarray:
    """Row ids (ascending) of every listing matching ``q``; ordering is ``order``'s job.

    Cheap predicates run first, as masks over the candidate rows (or over every row when
    the candidates are a large share: contiguous columns beat gathers then); the exact
    polygon and radius tests run last, on the survivors only."""
    c = model.cols
    box = geo_box(q)
    idx = _candidates(model, q, box)
    if idx is not None and len(idx) * _WIDE > model.size:
        mask = np.zeros(model.size, dtype=bool)
        mask[idx] = True
        idx = None
    else:
        mask = np.ones(model.size if idx is None else len(idx), dtype=bool)

    def col(name: str) -> np.ndarray:
        return c[name] if idx is None else c[name][idx]

    for name, values in (
        ("city", q.cities),
        ("subdivision", q.subdivisions),
        ("postal", q.postal_codes),
        ("ptype", q.property_types),
        ("psub", q.property_sub_types),
        ("status", q.statuses),
    ):
        if values:
            mask &= _in(col(name), model.dicts[name].lookup(values))
    if q.mls_sources is not None:
        mask &= _in(col("source"), model.dicts["source"].lookup(q.mls_sources))
    _narrow_by_values(mask, col, q)
    if box is not None:
        lat, lon = col("lat"), col("lon")
        # NaN compares false: rows without coordinates drop out here.
        mask &= (lat >= box.south) & (lat <= box.north) & (lon >= box.west) & (lon <= box.east)
        if q.bbox is not None:
            b = q.bbox
            mask &= (lat >= b.south) & (lat <= b.north) & (lon >= b.west) & (lon <= b.east)
    rows = np.flatnonzero(mask) if idx is None else idx[mask]
    if q.polygon is not None and len(rows):
        rows = rows[point_in_polygon(c["lon"][rows], c["lat"][rows], q.polygon)]
    if q.near is not None and len(rows):
        rows = rows[within_radius(q.near, c["lat"][rows], c["lon"][rows])]
    return rows


def sort_values(model: ReadModel, q: SearchQuery, rows: np.ndarray) -> np.ndarray:
    """float64 sort key per row, NaN where the value is missing."""
    c = model.cols
    s = q.sort
    if s in (Sort.PRICE_ASC, Sort.PRICE_DESC):
        v = c["price"][rows].astype(np.float64)
    elif s in (Sort.NEWEST, Sort.OLDEST):
        v = c["listed_day"][rows].astype(np.float64)
    elif s in (Sort.BEDS_ASC, Sort.BEDS_DESC):
        v = c["beds"][rows].astype(np.float64)
    elif s in (Sort.SQFT_ASC, Sort.SQFT_DESC):
        v = c["sqft"][rows].astype(np.float64)
    elif s in (Sort.PPSF_ASC, Sort.PPSF_DESC):
        return model.ppsf(rows)
    else:
        assert q.near is not None
        return haversine_mi(q.near.lat, q.near.lon, c["lat"][rows], c["lon"][rows])
    v[v < 0] = np.nan
    return v


# Per snapshot, every row in the order of each fixed sort (built on first use, ~10 ms each).
_PERMS: weakref.WeakKeyDictionary[ReadModel, dict[Sort, np.ndarray]] = weakref.WeakKeyDictionary()
_PERM_MIN_ROWS = 2048  # below this many matches a direct partition + sort is as cheap


def sort_order(model: ReadModel, sort: Sort) -> np.ndarray:
    """Every row of ``model`` in ``sort`` order (missing values last, then key ascending):
    ``order`` without the featured split, for the sorts that do not depend on the query."""
    perms = _PERMS.get(model)
    if perms is None:
        perms = _PERMS.setdefault(model, {})
    perm = perms.get(sort)
    if perm is None:
        rows = np.arange(model.size, dtype=np.int64)
        v = sort_values(model, SearchQuery(sort=sort, near=None), rows)
        missing = np.isnan(v)
        if sort.value.startswith("-") or sort is Sort.NEWEST:
            v = -v
        v[missing] = 0.0
        perm = perms[sort] = np.lexsort((model.key_rank, v, missing)).astype(np.int32)
    return perm


def _first_matches(perm: np.ndarray, match: np.ndarray, limit: int) -> np.ndarray:
    """The first ``limit`` entries of ``perm`` whose ``match`` is set, scanning in growing
    chunks (page 1 of a search matching 5 % of the rows reads ~500 entries, not all)."""
    found: list[np.ndarray] = []
    got, start, chunk = 0, 0, 1024
    while got < limit and start < len(perm):
        part = perm[start : start + chunk]
        hits = part[match[part]]
        found.append(hits)
        got += len(hits)
        start += chunk
        chunk *= 2
    out = np.concatenate(found) if found else perm[:0]
    return out[:limit]


def order(model: ReadModel, q: SearchQuery, rows: np.ndarray, *, limit: int | None = None) -> np.ndarray:
    """``rows`` in result order: featured first, sort value (missing last), key ascending.

    With ``limit``, only the first ``limit`` rows are returned. For many matches under a sort
    that does not depend on the query, they are read off the snapshot's precomputed order of
    every row (``sort_order``), keeping the matching ones; otherwise only the rows that can
    be among them are fully sorted: a linear-time partition on one composite float key picks
    them (ties included), so page 1 of 74,000 matches does not pay for a 74,000-row sort.
    """
    if (
        limit is not None
        and limit > 0
        and len(rows) >= _PERM_MIN_ROWS
        and q.sort not in (Sort.DISTANCE_ASC, Sort.DISTANCE_DESC)
    ):
        perm = sort_order(model, q.sort)
        if len(rows) == model.size and not q.featured_subdivisions:
            return perm[:limit].astype(rows.dtype)  # every row matches
        match = np.zeros(model.size, dtype=bool)
        match[rows] = True
        if not q.featured_subdivisions:
            return _first_matches(perm, match, limit).astype(rows.dtype, copy=False)
        featured = _in(model.cols["subdivision"], model.dicts["subdivision"].lookup(q.featured_subdivisions))
        first = _first_matches(perm, match & featured, limit)
        if len(first) < limit:
            rest = _first_matches(perm, match & ~featured, limit - len(first))
            first = np.concatenate((first, rest))
        return first.astype(rows.dtype, copy=False)
    v = sort_values(model, q, rows)
    missing = np.isnan(v)
    if q.sort.value.startswith("-") or q.sort is Sort.NEWEST:
        v = -v
    v[missing] = 0.0
    group = missing.astype(np.int8)
    if q.featured_subdivisions:
        featured = model.dicts["subdivision"].lookup(q.featured_subdivisions)
        group = group + 2 * ~_in(model.cols["subdivision"][rows], featured)
    if limit is not None and 0 < limit < len(rows) // 4:
        # Non-decreasing in (group, v): every row of the true top `limit` has a composite
        # <= the limit-th smallest composite, even where float rounding merges values.
        span = float(v.max() - v.min()) + 1.0
        composite = (v - v.min()) + group * span
        threshold = np.partition(composite, limit - 1)[limit - 1]
        keep = composite <= threshold
        rows, v, group = rows[keep], v[keep], group[keep]
    ordered = rows[np.lexsort((model.key_rank[rows], v, group))]
    return ordered if limit is None else ordered[:limit]
