"""Constructed markets whose true price function is known (for engine tests)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np

BASE_DAY = date(2024, 1, 1)
TRUE = {
    "lsqft": 0.80,
    "beds": 0.03,
    "baths": 0.05,
    "age": -0.04,  # per decade
    "llot": 0.10,
    "garage": 0.04,
    "pool": 0.08,
    "month": 0.005,  # +0.5 % a month
}
SUBDIVISION = {"Alpha": 0.0, "Beta": 0.15, "Gamma": -0.10}


def true_log_price(
    *,
    sqft: float,
    beds: int,
    baths: float,
    year: int,
    lot: float,
    garage: int,
    pool: bool,
    subdivision: str,
    months: float,
) -> float:
    age = max(0.0, (2024 + months / 12) - year) / 10
    return (
        12.5
        + TRUE["lsqft"] * math.log(sqft / 1800)
        + TRUE["beds"] * beds
        + TRUE["baths"] * baths
        + TRUE["age"] * age
        + TRUE["llot"] * math.log(lot / 7000)
        + TRUE["garage"] * garage
        + TRUE["pool"] * pool
        + SUBDIVISION[subdivision]
        + TRUE["month"] * months
    )


def market(
    n: int = 1200, *, seed: int = 1, noise: float = 0.0, months: int = 24, spread_mi: float = 2.0
) -> list[dict[str, Any]]:
    """CSV-like rows (RESO names) around (34.0, -117.0) over ``months`` months."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        sqft = float(rng.integers(1000, 3200))
        beds = int(np.clip(round(sqft / 650 + rng.normal(0, 0.6)), 1, 6))
        baths = float(np.clip(round(sqft / 900 + rng.normal(0, 0.5)), 1, 4))
        year = int(rng.integers(1950, 2020))
        lot = float(rng.integers(4000, 15000))
        garage = int(rng.integers(0, 4))
        pool = bool(rng.random() < 0.3)
        sub = ["Alpha", "Beta", "Gamma"][i % 3]
        month = int(rng.integers(0, months))
        day = BASE_DAY + timedelta(days=round(month * 30.436875) + 1)
        logp = true_log_price(
            sqft=sqft,
            beds=beds,
            baths=baths,
            year=year,
            lot=lot,
            garage=garage,
            pool=pool,
            subdivision=sub,
            months=month,
        )
        price = round(math.exp(logp + rng.normal(0, noise)))
        lat = 34.0 + rng.uniform(-1, 1) * spread_mi / 69.0
        lon = -117.0 + rng.uniform(-1, 1) * spread_mi / 57.2
        rows.append(
            {
                "ListingKey": f"k{i}",
                "CloseDate": day.isoformat(),
                "ClosePrice": str(price),
                "Latitude": f"{lat:.6f}",
                "Longitude": f"{lon:.6f}",
                "LivingArea": str(sqft),
                "BedroomsTotal": str(beds),
                "BathroomsFull": str(int(baths)),
                "BathroomsHalf": "0",
                "YearBuilt": str(year),
                "LotSizeSquareFeet": str(lot),
                "GarageSpaces": str(garage),
                "PoolPrivateYN": "true" if pool else "false",
                "PropertySubType": "Single Family Residence",
                "SubdivisionName": sub,
            }
        )
    return rows
