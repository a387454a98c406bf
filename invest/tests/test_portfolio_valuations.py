"""Batch valuation of portfolio homes: cutting the sales table to each area's reach changes no
value (the triangle-inequality bound holds), homes share one market per cell, and a home the
engine cannot value says why."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from cma.engine import Subject, Valuation, local_market, valuate
from cma.sales import Sales, day_of
from cma.tests.markets import BASE_DAY, market
from invest.portfolio_revalue import _cell, valuations


def test_area_tables_value_exactly_like_the_whole_table() -> None:
    rows = market(6000, seed=11, noise=0.06, months=48, spread_mi=15.0)
    for r in rows:
        r["PropertyType"] = "Residential"
    sales = Sales.from_rows(rows)
    rng = random.Random(5)
    homes = []
    for i in range(24):
        r = rows[rng.randrange(len(rows))]
        homes.append(
            Subject(
                lat=float(r["Latitude"]) + 0.0007,
                lon=float(r["Longitude"]),
                sqft=float(r["LivingArea"]),
                beds=3,
                baths=2.0,
                year=1985,
                ptype="Residential",
                key=r["ListingKey"] if i % 2 else None,  # a home's own sale is never its comp
            )
        )
    homes.append(Subject(lat=math.nan, lon=-117.0, sqft=1500.0))
    as_of = BASE_DAY + timedelta(days=49 * 30)
    found, markets = valuations(homes, sales=sales, as_of=as_of, sources=None)
    assert markets == len({_cell(h) for h in homes[:-1]}) < len(homes) - 1
    assert isinstance(found[-1], str) and "location" in found[-1]
    day = day_of(as_of + timedelta(days=1))
    cells: dict[tuple[object, ...], list[Subject]] = {}
    for h in homes[:-1]:
        cells.setdefault(_cell(h), []).append(h)
    for h, v in zip(homes[:-1], found[:-1], strict=True):
        members = cells[_cell(h)]
        centre = Subject(
            lat=sum(m.lat for m in members) / len(members),
            lon=sum(m.lon for m in members) / len(members),
            sqft=1.0,
            ptype="Residential",
        )
        whole = valuate(
            subject=h, sales=sales, as_of_day=day, market=local_market(subject=centre, sales=sales, as_of_day=day)
        )
        assert isinstance(v, Valuation) and v.estimate is not None
        assert (v.estimate, v.low, v.high) == (whole.estimate, whole.low, whole.high)
        assert [c.key for c in v.comps] == [c.key for c in whole.comps]
        own = valuate(subject=h, sales=sales, as_of_day=day)  # its own local market
        assert own.estimate is not None and v.estimate == pytest.approx(own.estimate, rel=0.03)
