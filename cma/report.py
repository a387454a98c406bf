"""The report: the engine's answer as plain data (saved as JSON; the page, the PDF, the API and
the chat tool all read this one dict, so they cannot disagree), plus the area around the
subject: active and pending competition, rent comps, and the market's recent numbers.

Money is rounded once, here: the estimate and range to $1,000 (an appraiser's precision),
everything else to whole dollars. The narrative only quotes values from this dict.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np

from listings.readmodel.model import ReadModel
from listings.readmodel.normalize import EPOCH

from .engine import Comp, Subject, Valuation
from .sales import Sales, haversine_mi

ACTIVE_STATUSES = ("active", "active under contract", "pending", "coming soon")
LEASE = "residential lease"


def _r(x: float | None, step: int = 1) -> int | None:
    return None if x is None or not math.isfinite(x) else int(round(x / step) * step)


def _day(d: float | int) -> str:
    return (EPOCH + timedelta(days=int(d))).isoformat()


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def subject_facts(s: Subject) -> dict[str, Any]:
    return {
        "address": s.address,
        "lat": round(s.lat, 6),
        "lon": round(s.lon, 6),
        "sqft": _r(s.sqft),
        "beds": _num(s.beds),
        "baths": _num(s.baths),
        "year": _r(s.year) if s.year is not None else None,
        "lot": _r(s.lot) if s.lot is not None else None,
        "garage": _num(s.garage),
        "pool": s.pool,
        "ptype": s.ptype,
        "psub": s.psub,
        "subdivision": s.subdivision,
        "condition": s.condition,
        "key": s.key,
    }


def _comp_row(c: Comp, *, sales: Sales, closed: ReadModel) -> dict[str, Any]:
    """One comparable sale as the report shows it."""
    row = c.row
    cols = closed.cols
    return {
        "key": c.key,
        "address": str(cols["address"][row]),
        "city": closed.dicts["city"].values[int(cols["city"][row])] or "",
        "slug": str(cols["slug"][row]),
        "lat": round(float(cols["lat"][row]), 6),
        "lon": round(float(cols["lon"][row]), 6),
        "close_date": _day(c.day),
        "price": _r(c.price),
        "sqft": _r(float(sales.num["sqft"][row])),
        "beds": _num(float(sales.num["beds"][row])),
        "baths": _num(float(sales.num["baths"][row])),
        "year": _r(float(sales.num["year"][row])),
        "miles": round(c.miles, 2),
        "weight": round(c.weight, 4),
        "adjustments": [{"label": a.label, "amount": _r(a.amount)} for a in c.adjustments],
        "adjusted": _r(c.adjusted),
        "ppsf": _r(c.price / float(sales.num["sqft"][row])),
    }


def build(
    *, valuation: Valuation, subject: Subject, sales: Sales, closed: ReadModel, active: ReadModel, as_of: date
) -> dict[str, Any]:
    v = valuation
    lease = (subject.ptype or "").casefold() == LEASE
    comps = [_comp_row(c, sales=sales, closed=closed) for c in v.comps]
    search = v.search
    out: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "kind": "rent" if lease else "value",
        "subject": subject_facts(subject),
        "estimate": _r(v.estimate, 10 if lease else 1000),
        "low": _r(v.low, 10 if lease else 1000),
        "high": _r(v.high, 10 if lease else 1000),
        "ppsf": _r(v.ppsf) if not lease else (round(v.ppsf, 2) if v.ppsf else None),
        "confidence": v.confidence,
        "sigma": round(v.sigma, 4) if v.sigma is not None else None,
        "reason": v.reason,
        "comps": comps,
        "search": (
            {
                "radius_mi": search.radius_mi,
                "months": search.months,
                "relaxed": search.relaxed,
                "candidates": search.candidates,
            }
            if search
            else None
        ),
        "rates": {
            k: (round(x, 4) if k in ("annual_change", "residual_scale", "lot_elasticity") else _r(x))
            for k, x in v.rates.items()
        },
        "market_sales": v.market_sales,
    }
    radius = search.radius_mi if search else 1.0
    out["competition"] = competition(subject=subject, active=active, as_of=as_of, lease=lease)
    out["rent_comps"] = [] if lease else rent_comps(subject=subject, active=active, closed=closed, as_of=as_of)
    out["market"] = market_stats(
        subject=subject, sales=sales, closed=closed, active=active, as_of=as_of, radius=radius, valuation=v
    )
    return out


def _near(model: ReadModel, s: Subject, radius: float) -> tuple[np.ndarray, np.ndarray]:
    dlat = math.degrees(radius / 3958.7613)
    lo, hi = np.searchsorted(model.lat_sorted, [s.lat - dlat, s.lat + dlat])
    rows = np.asarray(model.lat_order[lo:hi])
    miles = haversine_mi(s.lat, s.lon, model.cols["lat"][rows], model.cols["lon"][rows])
    ok = miles <= radius
    return rows[ok], miles[ok]


def _codes(model: ReadModel, name: str, values: tuple[str, ...]) -> np.ndarray:
    return model.dicts[name].lookup(values)


def competition(
    *, subject: Subject, active: ReadModel, as_of: date, lease: bool, limit: int = 10
) -> list[dict[str, Any]]:
    """Active, coming-soon and pending listings of the same kind and size nearby (1 -> 3 mi)."""
    c = active.cols
    statuses = _codes(active, "status", ACTIVE_STATUSES)
    for radius in (1.0, 2.0, 3.0):
        rows, miles = _near(active, subject, radius)
        ok = np.isin(c["status"][rows], statuses)
        if subject.ptype:
            ok &= np.isin(c["ptype"][rows], _codes(active, "ptype", (subject.ptype,)))
        if subject.psub:
            ok &= np.isin(c["psub"][rows], _codes(active, "psub", (subject.psub,)))
        sqft = c["sqft"][rows].astype(np.float64)
        ok &= (sqft > 0) & (np.abs(sqft / subject.sqft - 1) <= 0.25)
        if subject.key:
            ok &= c["key"][rows] != subject.key
        if ok.sum() >= 3:
            break
    rows, miles = rows[ok], miles[ok]
    order = np.argsort(miles, kind="stable")[:limit]
    today = active.today(as_of)
    dom = active.days_on_market(rows[order], today=today)
    out = []
    for card, mi, d in zip(active.cards(rows[order]), miles[order].tolist(), dom.tolist(), strict=True):
        card["miles"] = round(mi, 2)
        card["days_on_market"] = d if d >= 0 else None
        price, sqft = card["price"], card["sqft"]
        card["ppsf"] = _r(price / sqft) if isinstance(price, int) and isinstance(sqft, int) and sqft > 0 else None
        card.pop("photo", None)
        out.append(card)
    return out


def rent_comps(
    *, subject: Subject, active: ReadModel, closed: ReadModel, as_of: date, limit: int = 8
) -> list[dict[str, Any]]:
    """Lease listings and leased closings of similar size within 3 miles (rent, $/sq ft)."""
    out = []
    for model, is_closed in ((active, False), (closed, True)):
        rows, miles = _near(model, subject, 3.0)
        c = model.cols
        ok = np.isin(c["ptype"][rows], _codes(model, "ptype", ("Residential Lease",)))
        sqft = c["sqft"][rows].astype(np.float64)
        ok &= (sqft > 0) & (np.abs(sqft / subject.sqft - 1) <= 0.25)
        if is_closed:
            ok &= (c["close_price"][rows] > 0) & (c["close_day"][rows] >= closed.today(as_of) - 365)
        for row, mi in zip(rows[ok].tolist(), miles[ok].tolist(), strict=True):
            rent = int(c["close_price"][row] if is_closed else c["price"][row])
            if rent <= 0:
                continue
            out.append(
                {
                    "key": str(c["key"][row]),
                    "slug": str(c["slug"][row]),
                    "address": str(c["address"][row]),
                    "status": "Leased" if is_closed else "For rent",
                    "rent": rent,
                    "sqft": int(c["sqft"][row]),
                    "beds": int(c["beds"][row]) if c["beds"][row] >= 0 else None,
                    "miles": round(mi, 2),
                }
            )
    out.sort(key=lambda r: (r["miles"], r["key"]))
    return out[:limit]


def market_stats(
    *,
    subject: Subject,
    sales: Sales,
    closed: ReadModel,
    active: ReadModel,
    as_of: date,
    radius: float,
    valuation: Valuation,
) -> dict[str, Any]:
    """The last 12 months of sales of this kind within the comps' radius, and active supply."""
    today = closed.today(as_of)
    rows, _ = sales.near(subject.lat, subject.lon, radius)
    n = sales.num
    ok = (n["day"][rows] >= today - 365) & (n["day"][rows] <= today) & np.isfinite(n["price"][rows])
    if subject.ptype:
        code = sales.cats["ptype"].code_of(subject.ptype)
        ok &= sales.cats["ptype"].codes[rows] == code
    rows = rows[ok]
    price = n["price"][rows]
    ppsf = price / n["sqft"][rows]
    listed = closed.cols["listed_day"][rows].astype(np.float64)
    dom = np.where(listed >= 0, n["day"][rows] - listed, np.nan)
    lp = closed.cols["price"][rows].astype(np.float64)
    ratio = np.where(lp > 0, price / np.where(lp > 0, lp, 1), np.nan)
    a_rows, _ = _near(active, subject, radius)
    statuses = _codes(active, "status", ("active", "coming soon"))
    a_ok = np.isin(active.cols["status"][a_rows], statuses)
    if subject.ptype:
        a_ok &= np.isin(active.cols["ptype"][a_rows], _codes(active, "ptype", (subject.ptype,)))
    inventory = int(a_ok.sum())
    per_month = len(rows) / 12

    def med(x: np.ndarray) -> float | None:
        x = x[np.isfinite(x)]
        return float(np.median(x)) if len(x) else None

    change = valuation.rates.get("annual_change")
    return {
        "radius_mi": radius,
        "sales_12m": int(len(rows)),
        "median_price": _r(med(price)),
        "median_ppsf": _r(med(ppsf)),
        "median_days_on_market": _r(med(dom)),
        "sale_to_list": None if (s2l := med(ratio)) is None else round(s2l, 3),
        "active_listings": inventory,
        "months_of_supply": round(inventory / per_month, 1) if per_month > 0 else None,
        "annual_change": round(change, 4) if change is not None else None,
    }
