"""The one hedonic model that prices every home in the fake feed.

Asking prices and closed prices both come from ``hedonic_price``; closed sales add lognormal
noise and the market index of their close month. A comps-based valuation (the CMA feature) is
backtested on this feed, so the model is deliberately the kind such a valuation can recover:
location level x size^elasticity x multiplicative adjustments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

# Size elasticity: doubling living area raises value by 2**0.78 ~ 1.72x, typical of SoCal comps.
SIZE_ELASTICITY = 0.78
REFERENCE_SQFT = 1800.0
REFERENCE_LOT = 7500.0
LOT_ELASTICITY = 0.07
NOISE_SIGMA = 0.075  # closed-price noise (log scale): ~7.5 %, the usual CMA error floor
CONDITION_FACTORS = {1: 0.84, 2: 0.92, 3: 1.0, 4: 1.07, 5: 1.15}
SUBTYPE_FACTORS = {
    "Single Family Residence": 1.0,
    "Condominium": 0.86,
    "Townhouse": 0.93,
    "Manufactured Home": 0.48,
    "Duplex": 0.92,
}
LAND_LEASE_FACTOR = 0.62  # buyers pay far less for a home on leased land
INDEX_BASE = date(2026, 11, 1)  # market index = 1.0 in this month


@dataclass(frozen=True, slots=True)
class HomeFeatures:
    ppsf: float  # city level x subdivision premium, USD / sq ft for the reference home
    living_area: float
    year_built: int
    beds: int
    baths: int
    pool: bool
    lot_sqft: float | None
    condition: int  # 1..5
    sub_type: str
    land_lease: bool
    desert: bool  # pools are worth more in the desert


def market_index(on: date) -> float:
    """Market level relative to Nov 2026: ~3.5 %/yr growth, a 2024 dip, spring seasonality."""
    months = (on.year - INDEX_BASE.year) * 12 + (on.month - INDEX_BASE.month)
    trend = 0.035 / 12 * months
    dip = -0.045 * math.exp(-(((months + 26) / 5.0) ** 2))  # mid/late-2024 rate shock
    seasonal = 0.018 * math.sin(2 * math.pi * (on.month - 2) / 12)  # peaks around May
    return math.exp(trend + dip + seasonal)


def hedonic_price(features: HomeFeatures, *, on: date) -> float:
    """Expected sale price (USD) of a home on date ``on``, before noise."""
    f = features
    size = REFERENCE_SQFT * (f.living_area / REFERENCE_SQFT) ** SIZE_ELASTICITY
    age = max(0, on.year - f.year_built)
    # Depreciation flattens after ~45 years; true mid-century homes carry a design premium.
    age_factor = 1.0 - 0.0045 * min(age, 45)
    if 1948 <= f.year_built <= 1972:
        age_factor += 0.06
    beds_factor = 1.0 + 0.025 * (max(0, min(f.beds, 6)) - 3)
    baths_factor = 1.0 + 0.035 * (max(1, min(f.baths, 6)) - 2)
    pool_factor = (1.07 if f.desert else 1.04) if f.pool else 1.0
    lot = f.lot_sqft if f.lot_sqft and f.lot_sqft > 0 else REFERENCE_LOT
    lot_factor = (min(lot, 60000.0) / REFERENCE_LOT) ** LOT_ELASTICITY
    price = (
        f.ppsf
        * size
        * age_factor
        * beds_factor
        * baths_factor
        * pool_factor
        * lot_factor
        * CONDITION_FACTORS.get(f.condition, 1.0)
        * SUBTYPE_FACTORS.get(f.sub_type, 1.0)
        * (LAND_LEASE_FACTOR if f.land_lease else 1.0)
        * market_index(on)
    )
    return price


def land_price(*, ppsf: float, lot_sqft: float, on: date) -> float:
    """Unimproved land: roughly 2.5 % of the improved price per sq ft, concave in lot size."""
    return 0.025 * ppsf * 20000 * (lot_sqft / 20000) ** 0.8 * market_index(on)
