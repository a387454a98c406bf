"""The CMA engine: one code path for the report page, the API, the chat tool and the backtest.

``valuate(subject=, sales=, as_of_day=)``:

1. the sales that may be used: closed strictly before ``as_of_day``, not the subject itself,
   same property type, allowed sources;
2. the local market model (``market.py``) on the nearest of them, distance-weighted;
3. the comparables (``comps.py``);
4. each comp's price adjusted to the subject, line by line, from the model's coefficients;
5. reconciliation: a weighted mean of the adjusted prices (in logs), weights from similarity
   and the size of each comp's adjustments; the range and confidence from how well the
   adjusted comps agree and how well the market model fits.

docs/cma.md has the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import comps as comps_mod
from .market import MarketModel, Point, _weighted_median
from .sales import Sales, haversine_mi

MODEL_MAX_SALES = 2000  # the nearest this many sales make the local market
MODEL_MAX_MILES = 25.0
MODEL_YEARS = 5.0
KERNEL_STRETCH = 1.5  # tricube kernel reaches 0 at 1.5 x the farthest sale used
RANGE_Z = 1.2816  # the range is a central 80 % interval
WEIGHT_FLOOR = 0.2  # similarity score added to every comp before inverting
GROSS_SCALE = 0.25  # a comp whose adjustments total 25 % counts half as much
RELAXED_SIGMA = 1.5  # comps from outside the usual rules: a wider range
OUTLIER_Z = 2.5  # adjusted comps this many residual scales from the middle count less
MIN_SCALE = 0.02


class CmaError(ValueError):
    """Bad input: the message is safe to show, ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass
class Subject:
    """The home being valued: a listing's facts or what the user typed (None = unknown)."""

    lat: float
    lon: float
    sqft: float
    beds: float | None = None
    baths: float | None = None
    year: float | None = None
    lot: float | None = None
    garage: float | None = None
    pool: bool | None = None
    fireplaces: float | None = None
    ptype: str | None = None
    psub: str | None = None
    subdivision: str | None = None
    condition: str | None = None
    sale_condition: str | None = None
    key: str | None = None  # a listing's own sale is never its comp
    address: str = ""

    def validate(self) -> None:
        if not (isinstance(self.lat, (int, float)) and isinstance(self.lon, (int, float))):
            raise CmaError("The home needs a location.", field="address", code="no_location")
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)) or abs(self.lat) > 90 or abs(self.lon) > 180:
            raise CmaError("The home's location is not a valid position.", field="address", code="no_location")
        if not isinstance(self.sqft, (int, float)) or not math.isfinite(self.sqft) or self.sqft <= 0:
            raise CmaError("Living area must be a positive number of square feet.", field="sqft")
        if self.sqft > 100_000:
            raise CmaError("Living area over 100,000 sq ft is not a home this engine can value.", field="sqft")
        for name, top in (("beds", 50), ("baths", 50), ("lot", 1e9), ("garage", 50), ("fireplaces", 50)):
            v = getattr(self, name)
            if v is not None and (not math.isfinite(v) or v < 0 or v > top):
                raise CmaError(f"{name.capitalize()} must be between 0 and {top:,.0f}.", field=name)
        if self.year is not None and not 1600 <= self.year <= 2200:
            raise CmaError("Year built must be a year between 1600 and 2200.", field="year")


@dataclass
class Adjustment:
    label: str
    amount: float  # dollars added to the comp's price on this line
    log: float  # the same line as a log-price difference


@dataclass
class Comp:
    key: str
    row: int
    price: float
    day: int
    miles: float
    similarity: float
    adjustments: list[Adjustment]
    adjusted: float
    weight: float = 0.0
    outlier: bool = False

    @property
    def gross(self) -> float:
        return sum(abs(a.log) for a in self.adjustments)


@dataclass
class Valuation:
    """The engine's answer. ``estimate`` is None when the data is too thin to say."""

    estimate: float | None
    low: float | None
    high: float | None
    confidence: str  # high / medium / low / none
    sigma: float | None  # forecast standard deviation (log)
    ppsf: float | None
    comps: list[Comp]
    search: comps_mod.Search | None
    model: MarketModel | None
    reason: str = ""  # why there is no estimate, or why confidence is low
    rates: dict[str, Any] = field(default_factory=dict)  # market-derived adjustment rates
    market_sales: int = 0


def _point(subject: Subject, sales: Sales) -> Point:
    def f(v: float | bool | None) -> float:
        return math.nan if v is None else float(v)

    num = {
        "price": math.nan,
        "day": math.nan,
        "lat": subject.lat,
        "lon": subject.lon,
        "sqft": float(subject.sqft),
        "beds": f(subject.beds),
        "baths": f(subject.baths),
        "year": f(subject.year),
        "lot": f(subject.lot),
        "garage": f(subject.garage),
        "pool": f(subject.pool),
        "fireplaces": f(subject.fireplaces),
    }
    codes = {
        name: sales.cats[name].code_of(getattr(subject, name))
        for name in ("ptype", "psub", "subdivision", "condition", "sale_condition")
    }
    return Point(num=num, codes=codes)


def usable_rows(
    sales: Sales, *, subject: Subject, as_of_day: float, sources: tuple[str, ...] | None = None
) -> np.ndarray:
    """Rows the engine may use for this subject: closed strictly before ``as_of_day`` (no
    look-ahead), within the model's period, not the subject's own sale, same property type."""
    n = sales.num
    day = n["day"]
    ok = np.isfinite(day) & (day < as_of_day) & (day >= as_of_day - MODEL_YEARS * 365.2425)
    ok &= np.isfinite(n["price"]) & np.isfinite(n["sqft"]) & np.isfinite(n["lat"])
    if subject.key:
        ok &= sales.key != subject.key
    ptype = sales.cats["ptype"].code_of(subject.ptype)
    if ptype != 0:
        ok &= sales.cats["ptype"].codes == ptype
    if sources is not None:
        codes = [sales.cats["source"].code_of(s) for s in sources]
        ok &= np.isin(sales.cats["source"].codes, codes)
    return np.flatnonzero(ok)


@dataclass
class LocalMarket:
    """The sales that make a subject's local market and the model fitted on them (None when
    there are too few); ``reason`` says why not."""

    rows: np.ndarray
    miles: np.ndarray
    model: MarketModel | None
    reason: str = ""


def local_sales(
    *, subject: Subject, sales: Sales, as_of_day: float, sources: tuple[str, ...] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Step 1: (rows, miles) of the usable sales nearest the subject, at most
    ``MODEL_MAX_SALES`` within ``MODEL_MAX_MILES``, nearest first."""
    pool = usable_rows(sales, subject=subject, as_of_day=as_of_day, sources=sources)
    miles = haversine_mi(subject.lat, subject.lon, sales.num["lat"][pool], sales.num["lon"][pool])
    near = miles <= MODEL_MAX_MILES
    pool, miles = pool[near], miles[near]
    order = np.argsort(miles, kind="stable")[:MODEL_MAX_SALES]
    return pool[order], miles[order]


def local_market(
    *, subject: Subject, sales: Sales, as_of_day: float, sources: tuple[str, ...] | None = None
) -> LocalMarket:
    """Steps 1 and 2: the usable sales nearest the subject (distance-weighted) and the local
    market model with its monthly price index. Needs only the subject's position and type, so
    callers wanting the local price index alone (investor tools) use it directly."""
    local, local_mi = local_sales(subject=subject, sales=sales, as_of_day=as_of_day, sources=sources)
    if len(local) == 0:
        return LocalMarket(local, local_mi, None, "No closed sales of this kind of home within 25 miles.")
    reach = max(float(local_mi.max()) * KERNEL_STRETCH, 1.0)
    weights = (1 - (local_mi / reach) ** 3) ** 3
    model = MarketModel.fit(sales, local, weights, last_day=as_of_day)
    if model is None:
        reason = f"Only {len(local)} closed sales of this kind nearby: too few to measure the local market."
        return LocalMarket(local, local_mi, None, reason)
    return LocalMarket(local, local_mi, model)


def valuate(
    *,
    subject: Subject,
    sales: Sales,
    as_of_day: float,
    sources: tuple[str, ...] | None = None,
    market: LocalMarket | None = None,
) -> Valuation:
    """``market``: a local market model already fitted for a point near the subject, with the
    same ``as_of_day``, type and sources (batch revaluation shares one among the homes of an
    area); the comps are still chosen from the sales around the subject itself."""
    subject.validate()
    point = _point(subject, sales)
    if market is None:
        market = local_market(subject=subject, sales=sales, as_of_day=as_of_day, sources=sources)
    elif market.model is not None:
        rows, miles = local_sales(subject=subject, sales=sales, as_of_day=as_of_day, sources=sources)
        market = LocalMarket(rows, miles, market.model)
    model = market.model
    if model is None:
        empty = Valuation(None, None, None, "none", None, None, [], None, None, reason=market.reason)
        empty.market_sales = len(market.rows)
        return empty
    local = market.rows
    target = comps_mod.Target(
        lat=subject.lat,
        lon=subject.lon,
        day=as_of_day,
        sqft=float(subject.sqft),
        beds=point.num["beds"],
        baths=point.num["baths"],
        year=point.num["year"],
        lot=point.num["lot"],
        pool=point.num["pool"],
        ptype=point.codes["ptype"],
        psub=point.codes["psub"],
        subdivision=point.codes["subdivision"],
    )
    found = comps_mod.select(sales, local, target)
    if found is None:
        return Valuation(
            None,
            None,
            None,
            "none",
            None,
            None,
            [],
            None,
            model,
            reason="Fewer than 3 comparable sales nearby, even with wider rules: not enough data for an estimate.",
            market_sales=model.n,
        )
    rows, comp_mi, sim, search = found
    return _reconcile(subject, sales, model, point, as_of_day, rows, comp_mi, sim, search)


def _adjust(model: MarketModel, sales: Sales, subject_parts: dict[str, float], row: int) -> list[Adjustment]:
    """Adjustment lines taking one comp to the subject. Each line is a log difference of one
    feature group; dollars are applied in sequence, so the lines add up exactly."""
    comp = model.parts(Point.of_row(sales, row), day=float(sales.num["day"][row]))
    running = float(sales.num["price"][row])
    lines = []
    for label, value in subject_parts.items():
        d = value - comp[label]
        if abs(d) < 1e-9:
            continue
        after = running * math.exp(d)
        lines.append(Adjustment(label=label, amount=after - running, log=d))
        running = after
    return lines


def _adjusted_comps(
    sales: Sales,
    model: MarketModel,
    subject_parts: dict[str, float],
    rows: np.ndarray,
    comp_mi: np.ndarray,
    sim: np.ndarray,
) -> list[Comp]:
    """Each comp with its adjustments to the subject and its adjusted price."""
    comps: list[Comp] = []
    for row, mi, s in zip(rows.tolist(), comp_mi.tolist(), sim.tolist(), strict=True):
        lines = _adjust(model, sales, subject_parts, row)
        price = float(sales.num["price"][row])
        comps.append(
            Comp(
                key=str(sales.key[row]),
                row=row,
                price=price,
                day=int(sales.num["day"][row]),
                miles=mi,
                similarity=s,
                adjustments=lines,
                adjusted=price * math.exp(sum(a.log for a in lines)),
            )
        )
    return comps


def _reconcile(
    subject: Subject,
    sales: Sales,
    model: MarketModel,
    point: Point,
    as_of_day: float,
    rows: np.ndarray,
    comp_mi: np.ndarray,
    sim: np.ndarray,
    search: comps_mod.Search,
) -> Valuation:
    comps = _adjusted_comps(sales, model, model.parts(point, day=as_of_day), rows, comp_mi, sim)
    raw = np.array([1.0 / (WEIGHT_FLOOR + c.similarity) / (1.0 + c.gross / GROSS_SCALE) for c in comps])
    logs = np.log([c.adjusted for c in comps])
    # A comp whose adjusted price sits far from the others' (an odd sale, a data error) is
    # down-weighted like a Huber outlier: distance measured in the market's residual scale.
    middle = _weighted_median(logs, raw)
    z = np.abs(logs - middle) / max(model.scale, MIN_SCALE)
    raw = raw * np.minimum(1.0, OUTLIER_Z / np.maximum(z, 1e-12))
    weights = raw / raw.sum()
    for c, w, zz in zip(comps, weights.tolist(), z.tolist(), strict=True):
        c.weight = w
        c.outlier = zz > OUTLIER_Z
    center = float(weights @ logs)
    estimate = math.exp(center)
    n_eff = 1.0 / float(weights @ weights)
    spread = math.sqrt(float(weights @ (logs - center) ** 2) * len(comps) / max(len(comps) - 1, 1))
    # The subject's own price varies around the comps' consensus by about the market's
    # residual scale; a consensus of few or disagreeing comps adds its own uncertainty.
    sigma = math.sqrt(model.scale**2 + spread**2 / n_eff)
    confidence = "high" if sigma <= 0.10 and n_eff >= 4 else "medium" if sigma <= 0.18 else "low"
    reason = ""
    if search.relaxed:
        sigma *= RELAXED_SIGMA
        confidence = "low"
        reason = "Few close matches: comps were taken from a wider area and size range, so the range is wider."
    elif len(comps) < 5 and confidence == "high":
        confidence = "medium"
    return Valuation(
        estimate=estimate,
        low=estimate * math.exp(-RANGE_Z * sigma),
        high=estimate * math.exp(RANGE_Z * sigma),
        confidence=confidence,
        sigma=sigma,
        ppsf=estimate / float(subject.sqft),
        comps=comps,
        search=search,
        model=model,
        reason=reason,
        rates=rates(model, point, estimate=estimate, as_of_day=as_of_day),
        market_sales=model.n,
    )


def rates(model: MarketModel, point: Point, *, estimate: float, as_of_day: float) -> dict[str, Any]:
    """What one unit of each feature is worth at the subject, in dollars (for the report)."""
    out: dict[str, Any] = {}
    sqft = point.num["sqft"]
    if "lsqft" in model.coef:
        out["per_sqft"] = model.coef["lsqft"] * estimate / sqft
    for key, name in (("beds", "per_bedroom"), ("baths", "per_bathroom"), ("garage", "per_garage_space")):
        if key in model.coef:
            out[name] = (math.exp(model.coef[key]) - 1) * estimate
    if "pool" in model.coef:
        out["pool"] = (math.exp(model.coef["pool"]) - 1) * estimate
    if "age" in model.coef:
        year = point.num["year"] if math.isfinite(point.num["year"]) else None
        if year is not None:
            older = dict(point.num, year=year - 1)
            d = model.predict(Point(num=older, codes=point.codes), day=as_of_day) - model.predict(point, day=as_of_day)
            out["per_year_older"] = (math.exp(d) - 1) * estimate
    if "llot" in model.coef:
        out["lot_elasticity"] = model.coef["llot"]
    year_ago = as_of_day - 365.2425
    out["annual_change"] = model.index_ratio(year_ago, as_of_day) - 1
    out["residual_scale"] = model.scale
    return out
