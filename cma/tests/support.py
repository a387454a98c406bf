"""A store for CMA page/API tests: closed sales priced by a known hedonic function around the
listing pages' subject (123 Palm Canyon Dr), active competition and lease listings."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np

from listings.tests.pages_support import TODAY, rich_document, sold_document, store_documents

from .markets import true_log_price

CENTER = (33.8303, -116.5453)


def closed_documents(n: int = 400, *, seed: int = 5) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n):
        sqft = float(rng.integers(1300, 2500))
        beds = int(np.clip(round(sqft / 620 + rng.normal(0, 0.5)), 2, 5))
        baths = int(np.clip(round(sqft / 900 + rng.normal(0, 0.4)), 1, 4))
        year = int(rng.integers(1950, 2015))
        lot = float(rng.integers(5000, 14000))
        garage = int(rng.integers(0, 4))
        pool = bool(rng.random() < 0.4)
        sub = ["Alpha", "Beta", "Gamma"][i % 3]
        days_ago = int(rng.integers(5, 700))
        closed = TODAY - timedelta(days=days_ago)
        months = 24 - days_ago / 30.44
        price = round(
            math.exp(
                true_log_price(
                    sqft=sqft,
                    beds=beds,
                    baths=baths,
                    year=year,
                    lot=lot,
                    garage=garage,
                    pool=pool,
                    subdivision=sub,
                    months=months,
                )
                + rng.normal(0, 0.04)
            ),
            -2,
        )
        lat = CENTER[0] + rng.uniform(-1.5, 1.5) / 69.0
        lon = CENTER[1] + rng.uniform(-1.5, 1.5) / 57.4
        key = f"19{i:08d}"
        docs.append(
            {
                "listingKey": key,
                "listingId": f"C{i}",
                "mlsSource": "gps",
                "slug": f"{i}-comp-st-palm-springs-{key}",
                "standardStatus": "Closed",
                "propertyType": "Residential",
                "propertySubType": "Single Family Residence",
                "listPrice": price * 1.02,
                "closePrice": price,
                "closeDate": closed.isoformat(),
                "onMarketDate": (closed - timedelta(days=40)).isoformat(),
                "bedroomsTotal": beds,
                "bathroomsTotalInteger": baths,
                "bathroomsFull": baths,
                "bathroomsHalf": 0,
                "livingArea": sqft,
                "lotSizeSquareFeet": lot,
                "yearBuilt": year,
                "garageSpaces": float(garage),
                "poolPrivateYN": pool,
                "propertyCondition": int(rng.integers(2, 6)),
                "unparsedAddress": f"{i} Comp St",
                "city": "Palm Springs",
                "stateOrProvince": "CA",
                "postalCode": "92262",
                "subdivisionName": sub,
                "latitude": lat,
                "longitude": lon,
                "modificationTimestamp": f"{closed.isoformat()}T10:00:00Z",
            }
        )
    return docs


def lease_documents(n: int = 6) -> list[dict[str, Any]]:
    return [
        rich_document(
            listingKey=f"18{i:08d}",
            slug=f"{i}-rent-rd-palm-springs-18{i:08d}",
            propertyType="Residential Lease",
            listPrice=3000.0 + 100 * i,
            unparsedAddress=f"{i} Rent Rd",
            latitude=CENTER[0] + 0.002 * i,
            longitude=CENTER[1],
            landLease=False,
        )
        for i in range(n)
    ]


def cma_store_documents() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(active listings, closed sales). The listing pages' subject sits in the middle."""
    subject = rich_document(landLease=False, subdivisionName="Alpha", garageSpaces=2.0, propertyCondition=3)
    active = [d for d in store_documents() if d["listingKey"] != subject["listingKey"]] + [subject] + lease_documents()
    return active, [*closed_documents(), sold_document()]


def as_of() -> date:
    return TODAY
