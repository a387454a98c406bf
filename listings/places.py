"""Place names for the offline basemap: each city with listings on a site, at the middle of its
listings, from the read model (no geocoder, no tile server)."""

from __future__ import annotations

from typing import Any

import numpy as np

from listings.readmodel.filters import select
from listings.readmodel.loader import get_read_model, holder, warm_in_background
from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.query import SearchQuery
from listings.store import LISTINGS

_PLACES = SnapshotMemo(64)
MAX_PLACES = 400


def map_places(*, mls_sources: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """``[{"name", "lat", "lng", "count"}]``, most listings first: a city's label sits at the
    median of its listings' coordinates (robust to a stray geocode). Empty while this process
    is still loading its read model (the map never waits for it)."""
    if not holder(LISTINGS).loaded:
        warm_in_background()
        return []
    model = get_read_model()
    key = (mls_sources,)
    cached = _PLACES.get(model.version, key)
    if cached is None:
        cached = _PLACES.put(model.version, key, _places(model, mls_sources))
    return cached


def _places(model: Any, mls_sources: tuple[str, ...] | None) -> list[dict[str, Any]]:
    rows = select(model, SearchQuery(mls_sources=mls_sources))
    lat, lon = model.cols["lat"][rows], model.cols["lon"][rows]
    codes = model.cols["city"][rows].astype(np.int64)
    ok = (codes > 0) & ~np.isnan(lat) & ~np.isnan(lon)
    codes, lat, lon = codes[ok], lat[ok], lon[ok]
    if not len(codes):
        return []
    order = np.lexsort((lat, codes))
    names = model.dicts["city"].values
    out = []
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for group in np.split(order, bounds):
        code = int(codes[group[0]])
        out.append(
            {
                "name": names[code],
                "lat": round(float(np.median(lat[group])), 5),
                "lng": round(float(np.median(lon[group])), 5),
                "count": int(len(group)),
            }
        )
    out.sort(key=lambda p: (-p["count"], p["name"]))
    return out[:MAX_PLACES]
