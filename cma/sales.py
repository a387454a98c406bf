"""Closed sales as columns: the one table the market model, the comps and the backtest read.

Built either from the closed-sales read model (``from_read_model``: the product) or from CSV
rows with RESO column names (``from_rows``: the backtest, any market). Numbers are float64
with NaN for "missing"; categorical values are integer codes into per-column value lists
(code 0 = missing), compared by code, never by string, on the hot path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from listings.readmodel.columns import POOL
from listings.readmodel.model import ReadModel
from listings.readmodel.normalize import EPOCH

EARTH_RADIUS_MI = 3958.7613
NUMERIC = ("price", "day", "lat", "lon", "sqft", "beds", "baths", "year", "lot", "garage", "pool", "fireplaces")
CATEGORICAL = ("ptype", "psub", "subdivision", "condition", "sale_condition", "source")


@dataclass
class Categories:
    """Codes of one categorical column; ``values[0]`` is None (missing)."""

    codes: np.ndarray
    values: list[str | None]

    def code_of(self, value: str | None) -> int:
        if not value:
            return 0
        folded = value.casefold()
        for i, v in enumerate(self.values):
            if v is not None and v.casefold() == folded:
                return i
        return -1  # a value no sale has: matches nothing


@dataclass
class Sales:
    """Columns of closed sales. ``lat_order`` sorts rows by latitude for radius queries."""

    key: np.ndarray
    num: dict[str, np.ndarray]
    cats: dict[str, Categories]
    lat_order: np.ndarray = field(init=False)
    lat_sorted: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        lat = self.num["lat"]
        self.lat_order = np.argsort(np.where(np.isfinite(lat), lat, np.inf), kind="stable")
        self.lat_sorted = lat[self.lat_order]

    @property
    def size(self) -> int:
        return len(self.key)

    def near(self, lat: float, lon: float, radius_mi: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, miles) of sales within ``radius_mi`` of a point (haversine)."""
        dlat = math.degrees(radius_mi / EARTH_RADIUS_MI)
        lo, hi = np.searchsorted(self.lat_sorted, [lat - dlat, lat + dlat], side="left")
        rows = self.lat_order[lo:hi]
        miles = haversine_mi(lat, lon, self.num["lat"][rows], self.num["lon"][rows])
        keep = miles <= radius_mi
        return rows[keep], miles[keep]

    def row_of_key(self, key: str) -> int | None:
        hits = np.flatnonzero(self.key == key)
        return int(hits[0]) if len(hits) else None

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_read_model(cls, model: ReadModel) -> Sales:
        """The closed-sales read model's columns as a ``Sales`` table (no store access)."""
        c = model.cols

        def num(name: str) -> np.ndarray:
            a = c[name].astype(np.float64)
            a[a < 0] = np.nan
            return a

        sold = c["close_price"] if "close_price" in c else c["price"]
        price = sold.astype(np.float64)
        price[price <= 0] = np.nan
        day = c["close_day"].astype(np.float64)
        day[day < 0] = np.nan
        numbers = {
            "price": price,
            "day": day,
            "lat": np.asarray(c["lat"], dtype=np.float64),
            "lon": np.asarray(c["lon"], dtype=np.float64),
            "sqft": num("sqft"),
            "beds": num("beds"),
            "baths": num("baths"),
            "year": num("year"),
            "lot": num("lot"),
            "garage": num("garage") if "garage" in c else np.full(model.size, np.nan),
            "pool": (np.asarray(c["flags"]) & POOL).astype(np.float64) if "flags" in c else np.full(model.size, np.nan),
            "fireplaces": np.full(model.size, np.nan),
        }
        numbers["sqft"][numbers["sqft"] <= 0] = np.nan
        cats = {
            "ptype": Categories(np.asarray(c["ptype"], dtype=np.int32), list(model.dicts["ptype"].values)),
            "psub": Categories(np.asarray(c["psub"], dtype=np.int32), list(model.dicts["psub"].values)),
            "subdivision": Categories(
                np.asarray(c["subdivision"], dtype=np.int32), list(model.dicts["subdivision"].values)
            ),
            "source": Categories(np.asarray(c["source"], dtype=np.int32), list(model.dicts["source"].values)),
        }
        if "condition" in c:
            cond = np.asarray(c["condition"], dtype=np.int32)
            top = int(cond.max(initial=0))
            cats["condition"] = Categories(np.where(cond > 0, cond, 0), [None, *(str(i) for i in range(1, top + 1))])
        else:
            cats["condition"] = Categories(np.zeros(model.size, dtype=np.int32), [None])
        cats["sale_condition"] = Categories(np.zeros(model.size, dtype=np.int32), [None])
        return cls(key=np.asarray(c["key"]), num=numbers, cats=cats)

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> Sales:
        """Closed sales from RESO-named records (CSV rows): strings or numbers, blanks missing.

        Rows without a usable key, date, price, position or living area are dropped: the
        backtest needs all five, the other columns may be empty or absent."""
        parsed = [p for r in rows if (p := _parse_row(r)) is not None]
        numbers = {name: np.array([p[name] for p in parsed], dtype=np.float64) for name in NUMERIC}
        cats = {name: _categories([p[name] for p in parsed]) for name in CATEGORICAL}
        return cls(key=np.array([p["key"] for p in parsed], dtype=np.dtypes.StringDType()), num=numbers, cats=cats)


def haversine_mi(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    dphi = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MI * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def day_of(value: date) -> int:
    return (value - EPOCH).days


def _categories(values: Iterable[str | None]) -> Categories:
    table: dict[str, int] = {}
    out: list[str | None] = [None]
    codes = []
    for v in values:
        if not v:
            codes.append(0)
            continue
        f = v.casefold()
        if f not in table:
            table[f] = len(out)
            out.append(v)
        codes.append(table[f])
    return Categories(np.array(codes, dtype=np.int32), out)


def _float(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return math.nan
        if value.casefold() in ("true", "yes", "y"):
            return 1.0
        if value.casefold() in ("false", "no", "n"):
            return 0.0
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _parse_row(r: Mapping[str, Any]) -> dict[str, Any] | None:
    key = _text(r.get("ListingKey"))
    try:
        day = day_of(date.fromisoformat(str(r.get("CloseDate") or "")[:10]))
    except ValueError:
        return None
    price, lat, lon, sqft = (_float(r.get(c)) for c in ("ClosePrice", "Latitude", "Longitude", "LivingArea"))
    if key is None or not (price > 0 and sqft > 0 and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    full, half = _float(r.get("BathroomsFull")), _float(r.get("BathroomsHalf"))
    baths = _float(r.get("BathroomsTotalInteger"))
    if math.isfinite(full):
        baths = full + 0.5 * (half if math.isfinite(half) else 0.0)
    pool = _float(r.get("PoolPrivateYN"))
    if not math.isfinite(pool):
        area = _float(r.get("PoolArea"))
        pool = (1.0 if area > 0 else 0.0) if math.isfinite(area) else math.nan
    lot = _float(r.get("LotSizeSquareFeet"))
    return {
        "key": key,
        "price": price,
        "day": float(day),
        "lat": lat,
        "lon": lon,
        "sqft": sqft,
        "beds": _float(r.get("BedroomsTotal")),
        "baths": baths,
        "year": _float(r.get("YearBuilt")),
        "lot": lot if lot > 0 else math.nan,
        "garage": _float(r.get("GarageSpaces")),
        "pool": pool,
        "fireplaces": _float(r.get("Fireplaces") or r.get("FireplacesTotal")),
        "ptype": _text(r.get("PropertyType")),
        "psub": _text(r.get("PropertySubType")),
        "subdivision": _text(r.get("SubdivisionName")),
        "condition": _text(r.get("OverallCondition") or r.get("PropertyCondition")),
        "sale_condition": _text(r.get("SaleCondition")),
        "source": _text(r.get("MlsSource") or r.get("mlsSource")),
    }
