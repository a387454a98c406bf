"""Backtest: value a random holdout of recorded sales with the product's engine, each from the
sales that closed strictly before it, and compare with what it sold for.

Any market works: the CSV needs RESO columns ListingKey, CloseDate, ClosePrice, Latitude,
Longitude and LivingArea; every other column (BedroomsTotal, BathroomsFull, BathroomsHalf,
YearBuilt, LotSizeSquareFeet, PropertySubType, SubdivisionName, GarageSpaces, PoolArea,
Fireplaces, OverallCondition, SaleCondition, ...) is used when present.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .engine import Subject, Valuation, valuate
from .sales import Sales

REQUIRED = ("ListingKey", "CloseDate", "ClosePrice", "Latitude", "Longitude", "LivingArea")


class BacktestError(ValueError):
    pass


def read_csv(path: str | Path) -> Sales:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise BacktestError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    sales = Sales.from_rows(rows)
    if sales.size == 0:
        raise BacktestError(f"{path}: no usable sales (each needs a key, date, price, position and living area)")
    return sales


def subject_of(sales: Sales, row: int) -> Subject:
    """The sale as the engine's subject: its facts, never its price."""
    n, c = sales.num, sales.cats

    def num(name: str) -> float | None:
        v = float(n[name][row])
        return v if math.isfinite(v) else None

    def cat(name: str) -> str | None:
        return c[name].values[int(c[name].codes[row])]

    pool = num("pool")
    return Subject(
        lat=float(n["lat"][row]),
        lon=float(n["lon"][row]),
        sqft=float(n["sqft"][row]),
        beds=num("beds"),
        baths=num("baths"),
        year=num("year"),
        lot=num("lot"),
        garage=num("garage"),
        pool=None if pool is None else pool > 0,
        fireplaces=num("fireplaces"),
        ptype=cat("ptype"),
        psub=cat("psub"),
        subdivision=cat("subdivision"),
        condition=cat("condition"),
        sale_condition=cat("sale_condition"),
        key=str(sales.key[row]),
    )


@dataclass
class Outcome:
    key: str
    price: float
    valuation: Valuation


def holdout_rows(size: int, *, holdout: float, seed: int) -> np.ndarray:
    if not 0 < holdout <= 1:
        raise BacktestError("--holdout must be in (0, 1]")
    k = max(1, round(size * holdout))
    return np.sort(np.random.default_rng(seed).choice(size, size=k, replace=False))


def run(
    sales: Sales, *, holdout: float = 0.1, seed: int = 42, valuer: Callable[..., Valuation] = valuate
) -> tuple[dict[str, Any], list[Outcome]]:
    started = time.monotonic()
    outcomes = []
    for row in holdout_rows(sales.size, holdout=holdout, seed=seed).tolist():
        subject = subject_of(sales, row)
        # as_of = the sale's own date: the engine uses only sales strictly before it.
        v = valuer(subject=subject, sales=sales, as_of_day=float(sales.num["day"][row]))
        outcomes.append(Outcome(key=subject.key or "", price=float(sales.num["price"][row]), valuation=v))
    return summarise(outcomes, seconds=time.monotonic() - started), outcomes


def summarise(outcomes: Sequence[Outcome], *, seconds: float = 0.0) -> dict[str, Any]:
    est = [(o.valuation, o.price) for o in outcomes if o.valuation.estimate is not None]
    signed = np.array([v.estimate / p - 1 for v, p in est if v.estimate is not None])
    ape = np.abs(signed)
    inside = [v.low <= p <= v.high for v, p in est if v.low is not None and v.high is not None]

    def share(x: Any) -> float | None:
        return round(float(np.mean(x)), 4) if len(est) else None

    return {
        "n": len(outcomes),
        "mdape": round(float(np.median(ape)), 4) if len(est) else None,
        "within_5": share(ape <= 0.05),
        "within_10": share(ape <= 0.10),
        "within_20": share(ape <= 0.20),
        "coverage": round(len(est) / len(outcomes), 4) if outcomes else 0.0,
        "median_signed_error": round(float(np.median(signed)), 4) if len(est) else None,
        "in_range": share(inside),
        "seconds": round(seconds, 1),
    }
