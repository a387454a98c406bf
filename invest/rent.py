"""Rent estimate from the store: lease listings (asking rents) and leased closings nearby.

Each comparable rent is scaled to the subject's size with a sub-linear elasticity (a home
twice the size rents for about 2^0.6 = 1.5 times as much) and weighted by distance and kind
(a signed lease counts more than an asking rent); the estimate is the weighted median and the
range the weighted 20th to 80th percentile. Reads only the in-process read models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from cma.sales import haversine_mi
from listings.readmodel.model import ReadModel

LEASE_TYPE = "Residential Lease"
ACTIVE_STATUSES = ("active", "coming soon", "pending", "active under contract")
RADII = (1.0, 2.0, 3.0, 5.0)
MIN_COMPS = 3
MAX_COMPS = 10
SIZE_ELASTICITY = 0.6
SIZE_BAND = 0.35  # comps within ±35 % of the subject's living area
LEASED_DAYS = 548  # leased closings of the last 18 months
ASKING_WEIGHT = 0.8  # an asking rent is a little weaker evidence than a signed lease


@dataclass
class RentEstimate:
    estimate: int | None
    low: int | None
    high: int | None
    comps: list[dict[str, Any]] = field(default_factory=list)
    radius_mi: float | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "comps": self.comps,
            "radius_mi": self.radius_mi,
            "reason": self.reason,
        }


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = np.cumsum(w) - 0.5 * w
    return float(np.interp(q * w.sum(), cum, x))


def _candidates(
    model: ReadModel, *, lat: float, lon: float, radius: float, sqft: float | None, today: int, closed: bool
) -> np.ndarray:
    c = model.cols
    lease = model.dicts["ptype"].lookup((LEASE_TYPE,))
    if len(lease) == 0:
        return np.zeros(0, dtype=np.int64)
    ok = c["ptype"] == lease[0]
    dlat = radius / 69.0
    ok &= np.abs(c["lat"] - lat) <= dlat
    ok &= np.abs(c["lon"] - lon) <= radius / max(69.0 * math.cos(math.radians(lat)), 1e-6)
    if closed:
        ok &= (c["close_price"] > 0) & (c["close_day"] >= today - LEASED_DAYS) & (c["close_day"] <= today)
    else:
        ok &= (c["price"] > 0) & np.isin(c["status"], model.dicts["status"].lookup(ACTIVE_STATUSES))
    if sqft:
        s = c["sqft"].astype(np.float64)
        ok &= (s > 0) & (np.abs(s / sqft - 1) <= SIZE_BAND)
    return np.flatnonzero(ok)


def _miles(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    return haversine_mi(lat, lon, lats.astype(np.float64), lons.astype(np.float64))


def rent_estimate(
    *,
    lat: float,
    lon: float,
    sqft: float | None,
    beds: float | None,
    active: ReadModel,
    closed: ReadModel,
    as_of: date,
    exclude_key: str | None = None,
) -> RentEstimate:
    """The monthly rent this home would fetch, with its comps and a range (None when fewer than
    three lease comparables within 5 miles: the investor enters the rent)."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return RentEstimate(None, None, None, reason="The home has no position.")
    size = float(sqft) if sqft and math.isfinite(sqft) and sqft > 0 else None
    today = active.today(as_of)
    found: list[dict[str, Any]] = []
    radius = RADII[-1]
    for radius in RADII:
        found = [
            comp
            for model, is_closed in ((active, False), (closed, True))
            for comp in _comps(
                model,
                is_closed,
                lat=lat,
                lon=lon,
                radius=radius,
                size=size,
                beds=beds,
                today=today,
                exclude_key=exclude_key,
            )
        ]
        if len(found) >= MIN_COMPS:
            break
    if len(found) < MIN_COMPS:
        return RentEstimate(
            None,
            None,
            None,
            comps=found,
            reason="Fewer than 3 rentals of this size within 5 miles: enter the rent you expect.",
        )
    found.sort(key=lambda r: (-r["weight"], r["key"]))
    found = found[:MAX_COMPS]
    x = np.array([r["adjusted"] for r in found], dtype=np.float64)
    w = np.array([r["weight"] for r in found])
    total = w.sum()
    for r in found:
        r["weight"] = round(r["weight"] / total, 3)
    return RentEstimate(
        estimate=int(round(_weighted_quantile(x, w, 0.5), -1)),
        low=int(round(_weighted_quantile(x, w, 0.2), -1)),
        high=int(round(_weighted_quantile(x, w, 0.8), -1)),
        comps=found,
        radius_mi=radius,
    )


def _comps(
    model: ReadModel,
    is_closed: bool,
    *,
    lat: float,
    lon: float,
    radius: float,
    size: float | None,
    beds: float | None,
    today: int,
    exclude_key: str | None,
) -> list[dict[str, Any]]:
    rows = _candidates(model, lat=lat, lon=lon, radius=radius, sqft=size, today=today, closed=is_closed)
    if len(rows) == 0:
        return []
    c = model.cols
    miles = _miles(lat, lon, c["lat"][rows], c["lon"][rows])
    out = []
    for row, mi in zip(rows.tolist(), miles.tolist(), strict=True):
        key = str(c["key"][row])
        if mi > radius or key == exclude_key:
            continue
        rent = int(c["close_price"][row] if is_closed else c["price"][row])
        comp_sqft = int(c["sqft"][row])
        scale = (size / comp_sqft) ** SIZE_ELASTICITY if size and comp_sqft > 0 else 1.0
        comp_beds = int(c["beds"][row]) if c["beds"][row] >= 0 else None
        out.append(
            {
                "key": key,
                "slug": str(c["slug"][row]),
                "address": str(c["address"][row]),
                "status": "Leased" if is_closed else "For rent",
                "rent": rent,
                "sqft": comp_sqft if comp_sqft > 0 else None,
                "beds": comp_beds,
                "miles": round(mi, 2),
                "adjusted": round(rent * scale),
                "weight": (1.0 if is_closed else ASKING_WEIGHT) / (0.25 + mi) / (1 + _beds_gap(beds, comp_beds)),
            }
        )
    return out


def _beds_gap(beds: float | None, comp_beds: int | None) -> float:
    if beds is None or comp_beds is None or not math.isfinite(beds):
        return 0.0
    return abs(beds - comp_beds) / 2
