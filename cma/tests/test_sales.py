"""The closed-sales read model as the engine's sales table."""

from __future__ import annotations

import math

import numpy as np

from cma.sales import Sales
from listings.readmodel.model import ReadModel


def doc(key, **kw):
    d = {
        "listingKey": key,
        "slug": f"1-main-st-{key}",
        "mlsSource": "gps",
        "standardStatus": "Closed",
        "propertyType": "Residential",
        "propertySubType": "Single Family Residence",
        "listPrice": 510000,
        "closePrice": 500000,
        "closeDate": "2026-03-04",
        "bedroomsTotal": 3,
        "bathroomsTotalInteger": 2,
        "livingArea": 1800,
        "lotSizeSquareFeet": 7000,
        "yearBuilt": 1990,
        "garageSpaces": 2.0,
        "propertyCondition": 4,
        "poolPrivateYN": True,
        "latitude": 33.8,
        "longitude": -116.5,
        "subdivisionName": "Alpha",
    }
    d.update(kw)
    return d


def test_columns_come_from_the_closed_read_model():
    model = ReadModel.from_documents(
        [doc("a"), doc("b", closePrice=None, garageSpaces=None, propertyCondition=None, poolPrivateYN=False)]
    )
    s = Sales.from_read_model(model)
    a, b = s.row_of_key("a"), s.row_of_key("b")
    assert s.num["price"][a] == 500000 and math.isnan(s.num["price"][b])  # the sold price, never the list price
    assert s.num["garage"][a] == 2 and math.isnan(s.num["garage"][b])
    assert s.num["pool"][a] == 1 and s.num["pool"][b] == 0
    assert s.cats["condition"].values[s.cats["condition"].codes[a]] == "4"
    assert s.cats["condition"].codes[b] == 0
    assert s.cats["psub"].code_of("single family residence") == s.cats["psub"].codes[a]
    assert s.cats["psub"].code_of("Castle") == -1
    assert s.num["day"][a] == (np.datetime64("2026-03-04") - np.datetime64("1970-01-01")).astype(int)
    rows, miles = s.near(33.8, -116.5, 0.5)
    assert set(rows.tolist()) == {a, b} and np.allclose(miles, 0)
