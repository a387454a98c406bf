"""Comparable-sale rules: radius and period widening, type, size, rooms, ranking, 3 to 12."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from cma.comps import Target, select
from cma.sales import Sales, day_of

LAT, LON = 34.0, -117.0
AS_OF = date(2026, 1, 1)


def sale(
    key,
    *,
    miles=0.5,
    bearing=0.0,
    months_ago=3,
    sqft=1800,
    beds=3,
    baths=2,
    psub="Single Family Residence",
    year=1990,
    subdivision="Alpha",
    pool="false",
):
    dlat = miles * math.cos(math.radians(bearing)) / 69.05
    dlon = miles * math.sin(math.radians(bearing)) / (69.17 * math.cos(math.radians(LAT)))
    day = AS_OF - timedelta(days=round(months_ago * 30.44))
    return {
        "ListingKey": key,
        "CloseDate": day.isoformat(),
        "ClosePrice": "500000",
        "Latitude": LAT + dlat,
        "Longitude": LON + dlon,
        "LivingArea": sqft,
        "BedroomsTotal": beds,
        "BathroomsFull": baths,
        "PropertySubType": psub,
        "YearBuilt": year,
        "SubdivisionName": subdivision,
        "PoolPrivateYN": pool,
    }


def run(rows, **kw):
    sales = Sales.from_rows(rows)
    t = {
        "lat": LAT,
        "lon": LON,
        "day": float(day_of(AS_OF)),
        "sqft": 1800.0,
        "beds": 3.0,
        "baths": 2.0,
        "year": 1990.0,
        "lot": math.nan,
        "pool": 0.0,
        "ptype": 0,
        "psub": sales.cats["psub"].code_of("Single Family Residence"),
        "subdivision": sales.cats["subdivision"].code_of("Alpha"),
    }
    t.update(kw)
    found = select(sales, np.arange(sales.size), Target(**t))
    if found is None:
        return None, None
    rows_, miles, sim, search = found
    return [str(sales.key[r]) for r in rows_], search


def test_four_within_a_mile_stay_at_a_mile():
    rows = [sale(f"near{i}", miles=0.2 * (i + 1)) for i in range(4)] + [sale("far", miles=1.3)]
    keys, search = run(rows)
    assert search.radius_mi == 1.0 and search.months == 12 and not search.relaxed
    assert set(keys) == {f"near{i}" for i in range(4)}


def test_radius_widens_step_by_step_to_three_miles():
    rows = [
        sale("a", miles=0.5),
        sale("b", miles=0.9),
        sale("c", miles=1.4),
        sale("d", miles=1.9),
        sale("e", miles=2.9),
    ]
    keys, search = run(rows)
    assert search.radius_mi == 2.0 and set(keys) == {"a", "b", "c", "d"}
    keys, search = run(rows[:3] + [sale("e", miles=2.9)])
    assert search.radius_mi == 3.0 and len(keys) == 4


def test_period_widens_after_the_radius():
    rows = [sale(f"old{i}", miles=0.3, months_ago=14 + i) for i in range(4)] + [sale("new", miles=0.3, months_ago=2)]
    keys, search = run(rows)
    assert search.months == 18 and search.radius_mi == 1.0 and "new" in keys


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"psub": "Condominium"}, "sub-type"),
        ({"sqft": 2300}, "over +25 %"),
        ({"sqft": 1300}, "under -25 %"),
        ({"beds": 5}, "two more bedrooms"),
        ({"baths": 4}, "two more baths"),
        ({"months_ago": 40}, "older than 36 months"),
        ({"miles": 6}, "beyond the relaxed radius"),
    ],
)
def test_rules_exclude(bad, why):
    rows = [sale(f"ok{i}", miles=0.3 + 0.1 * i) for i in range(4)] + [sale("bad", **{"miles": 0.1, **bad})]
    keys, _ = run(rows)
    assert "bad" not in keys, why


def test_edges_of_the_rules_are_inside():
    rows = [sale("area_hi", sqft=2250), sale("area_lo", sqft=1350), sale("beds", beds=4), sale("baths", baths=1)]
    keys, search = run(rows)
    assert set(keys) == {"area_hi", "area_lo", "beds", "baths"} and search.radius_mi == 1.0


def test_at_most_twelve_ranked_by_similarity():
    rows = [sale(f"s{i:02d}", miles=0.05 + 0.04 * i) for i in range(20)]
    rows.append(sale("twin", miles=0.01))
    rows.append(sale("other_sub", miles=0.02, subdivision="Beta"))
    rows.append(sale("pool", miles=0.02, pool="true"))
    keys, _ = run(rows)
    assert len(keys) == 12 and keys[0] == "twin"
    assert keys[1:4] == ["s00", "s01", "s02"]
    # a subdivision or pool mismatch costs as much as half a mile: 0.02 mi + mismatch ranks
    # after a plain sale at 0.37 mi
    keys, _ = run(rows[:9] + rows[20:])
    assert keys.index("other_sub") > keys.index("s08") and keys.index("pool") > keys.index("s08")


def test_fewer_than_three_even_relaxed_is_none():
    keys, search = run([sale("a"), sale("b")])
    assert keys is None


def test_three_only_with_relaxed_rules_says_so():
    rows = [sale("a", sqft=2450), sale("b", sqft=2400, beds=5), sale("c", miles=4.0)]
    keys, search = run(rows)
    assert search.relaxed and set(keys) == {"a", "b", "c"}


def test_unknown_sub_type_has_no_comps():
    keys, _ = run([sale(f"s{i}") for i in range(5)], psub=-1)
    assert keys is None
