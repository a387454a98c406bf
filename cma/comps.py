"""Choosing comparable sales: the issue's rules, widened step by step, then ranked.

Rules (all must hold): same property type and sub-type, living area within +-25 %, beds and
baths within +-1 (when both homes state them), closed within the last 12 months and within
1 mile. While fewer than ``MIN_FOUND`` pass, the radius widens 1 -> 1.5 -> 2 -> 2.5 -> 3 miles,
then the period 12 -> 18 -> 24 -> 36 months (each period tried at every radius). If still
fewer than ``MIN_COMPS`` pass, one relaxed pass (+-40 % area, +-2 beds/baths, 5 miles,
36 months) may supply them, and the result says so (its confidence is capped at "low").
Candidates are ranked by a similarity score (lower = more similar) and the best
``MAX_COMPS`` kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .sales import Sales

MIN_COMPS, MIN_FOUND, MAX_COMPS = 3, 4, 12
RADII_MI = (1.0, 1.5, 2.0, 2.5, 3.0)
PERIODS_MONTHS = (12, 18, 24, 36)
RELAXED = {"radius": 5.0, "months": 36, "area": 0.40, "rooms": 2.0}
MONTH_DAYS = 365.2425 / 12

# Similarity: each term is 1 at a difference an appraiser would call "one step" apart.
SIM_MILES = 0.5
SIM_LOG_AREA = 0.15
SIM_YEARS = 15.0
SIM_MONTHS = 12.0
SIM_LOG_LOT = 1.0
SIM_ROOMS = 4.0  # one bedroom or bathroom apart = 0.25
SIM_FLAG = 1.0  # pool / subdivision mismatch


@dataclass(frozen=True)
class Search:
    """How the comps were found: the final radius and period, and whether rules were relaxed."""

    radius_mi: float
    months: int
    relaxed: bool
    candidates: int  # sales that passed the final rules (before keeping the best 12)


@dataclass(frozen=True)
class Target:
    """What the comps must resemble (raw values; NaN/0 = unknown)."""

    lat: float
    lon: float
    day: float
    sqft: float
    beds: float
    baths: float
    year: float
    lot: float
    pool: float
    ptype: int
    psub: int
    subdivision: int


def _rules(
    sales: Sales,
    rows: np.ndarray,
    miles: np.ndarray,
    t: Target,
    *,
    radius: float,
    months: int,
    area: float,
    rooms: float,
) -> np.ndarray:
    n = sales.num
    age_days = t.day - n["day"][rows]
    ok = (miles <= radius) & (age_days <= months * MONTH_DAYS)
    ok &= np.abs(n["sqft"][rows] / t.sqft - 1.0) <= area
    for name, value in (("beds", t.beds), ("baths", t.baths)):
        if math.isfinite(value):
            other = n[name][rows]
            ok &= ~np.isfinite(other) | (np.abs(other - value) <= rooms)
    return ok


def select(sales: Sales, pool: np.ndarray, t: Target) -> tuple[np.ndarray, np.ndarray, np.ndarray, Search] | None:
    """(rows, miles, similarity, search) of the comps, best first; None when fewer than 3.

    ``pool`` holds the rows that may be used at all (sold before the subject's date, not the
    subject itself, same type, this site's sources): look-ahead is excluded before this."""
    if len(pool) == 0:
        return None
    c = sales.cats
    same = np.ones(len(pool), dtype=bool)
    if t.psub > 0:
        same &= c["psub"].codes[pool] == t.psub
    elif t.psub < 0:  # a sub-type no sale has
        return None
    rows = pool[same]
    miles = _miles(sales, rows, t)
    near = miles <= RELAXED["radius"]
    rows, miles = rows[near], miles[near]
    found = None
    for months in PERIODS_MONTHS:
        for radius in RADII_MI:
            ok = _rules(sales, rows, miles, t, radius=radius, months=months, area=0.25, rooms=1.0)
            if ok.sum() >= MIN_FOUND:
                found = (ok, Search(radius, months, relaxed=False, candidates=int(ok.sum())))
                break
        if found:
            break
    if found is None:
        ok = _rules(sales, rows, miles, t, radius=3.0, months=36, area=0.25, rooms=1.0)
        if ok.sum() >= MIN_COMPS:
            found = (ok, Search(3.0, 36, relaxed=False, candidates=int(ok.sum())))
        else:
            ok = _rules(
                sales,
                rows,
                miles,
                t,
                radius=RELAXED["radius"],
                months=int(RELAXED["months"]),
                area=RELAXED["area"],
                rooms=RELAXED["rooms"],
            )
            if ok.sum() < MIN_COMPS:
                return None
            found = (ok, Search(RELAXED["radius"], int(RELAXED["months"]), relaxed=True, candidates=int(ok.sum())))
    ok, search = found
    rows, miles = rows[ok], miles[ok]
    sim = similarity(sales, rows, miles, t)
    best = np.lexsort((sales.key[rows], sim))[:MAX_COMPS]
    return rows[best], miles[best], sim[best], search


def _miles(sales: Sales, rows: np.ndarray, t: Target) -> np.ndarray:
    from .sales import haversine_mi

    return haversine_mi(t.lat, t.lon, sales.num["lat"][rows], sales.num["lon"][rows])


def similarity(sales: Sales, rows: np.ndarray, miles: np.ndarray, t: Target) -> np.ndarray:
    """Lower is more similar: distance, recency, size, age, lot, rooms, pool, subdivision."""
    n = sales.num

    def diff(values: np.ndarray, target: float, scale: float) -> np.ndarray:
        d = np.abs(values - target) / scale
        return np.where(np.isfinite(d), d, 0.0)

    with np.errstate(divide="ignore", invalid="ignore"):
        score = miles / SIM_MILES
        score += diff(np.log(n["sqft"][rows]), math.log(t.sqft), SIM_LOG_AREA)
        score += diff(n["year"][rows], t.year, SIM_YEARS)
        score += (t.day - n["day"][rows]) / MONTH_DAYS / SIM_MONTHS
        if math.isfinite(t.lot) and t.lot > 0:
            score += diff(np.log(n["lot"][rows]), math.log(t.lot), SIM_LOG_LOT)
        score += diff(n["beds"][rows], t.beds, SIM_ROOMS) + diff(n["baths"][rows], t.baths, SIM_ROOMS)
        if math.isfinite(t.pool):
            other = n["pool"][rows]
            score += np.where(np.isfinite(other) & (other != t.pool), SIM_FLAG, 0.0)
    if t.subdivision > 0:
        score += np.where(sales.cats["subdivision"].codes[rows] != t.subdivision, SIM_FLAG, 0.0)
    return score
