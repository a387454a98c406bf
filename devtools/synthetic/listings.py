"""Deterministic, realistic-looking listing documents for tests and benchmarks.

Independent of the MLS sync's fake feed on purpose: the read model is tested on documents
whose shape follows docs/listing-document.md, generated here from a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

CITIES: list[tuple[str, float, float, str]] = [
    ("Palm Springs", 33.8303, -116.5453, "92262"),
    ("Palm Desert", 33.7222, -116.3745, "92260"),
    ("Cathedral City", 33.7797, -116.4653, "92234"),
    ("Rancho Mirage", 33.7397, -116.4128, "92270"),
    ("La Quinta", 33.6634, -116.3100, "92253"),
    ("Indio", 33.7206, -116.2156, "92201"),
    ("Indian Wells", 33.7175, -116.3431, "92210"),
    ("Desert Hot Springs", 33.9611, -116.5017, "92240"),
    ("Coachella", 33.6803, -116.1739, "92236"),
    ("Riverside", 33.9533, -117.3962, "92501"),
    ("Irvine", 33.6846, -117.8265, "92618"),
    ("Long Beach", 33.7701, -118.1937, "90802"),
    ("Pasadena", 34.1478, -118.1445, "91101"),
    ("Santa Monica", 34.0195, -118.4912, "90401"),
    ("Temecula", 33.4936, -117.1484, "92590"),
    ("San Bernardino", 34.1083, -117.2898, "92401"),
]
SUBDIVISIONS = [
    "Movie Colony",
    "Deepwell Estates",
    "Racquet Club",
    "Indian Canyons",
    "Mesa",
    "Vista Las Palmas",
    "Sunrise Park",
    "Old Las Palmas",
    "Twin Palms",
    "Tahquitz River",
    "Canyon Country Club",
    "Desert Park Estates",
    "Ironwood",
    "Bighorn",
    "PGA West",
    "Sun City",
    "Mission Hills",
    "Thunderbird Heights",
    "The Springs",
    "Del Webb",
]
STREETS = [
    "Palm Canyon Dr",
    "Tahquitz Canyon Way",
    "Ramon Rd",
    "Sunrise Way",
    "Vista Chino",
    "Indian Canyon Dr",
    "Via Escuela",
    "Racquet Club Rd",
    "Farrell Dr",
    "Mesquite Ave",
    "Desert Willow Ln",
    "Ocotillo Ave",
    "Joshua Tree St",
    "Camino Real",
    "Avenida Caballeros",
]
TYPES = [
    ("Residential", "Single Family Residence", 0.55),
    ("Residential", "Condominium", 0.2),
    ("Residential", "Townhouse", 0.07),
    ("Manufactured In Park", "Manufactured Home", 0.06),
    ("Land", "Unimproved Land", 0.05),
    ("Residential Lease", "Single Family Residence", 0.05),
    ("Residential Income", "Duplex", 0.02),
]
STATUSES = [("Active", 0.7), ("Active Under Contract", 0.1), ("Pending", 0.12), ("Coming Soon", 0.08)]
WORDS = [
    "stunning",
    "mid",
    "century",
    "modern",
    "home",
    "with",
    "mountain",
    "views",
    "pool",
    "spa",
    "open",
    "floor",
    "plan",
    "remodeled",
    "kitchen",
    "quartz",
    "counters",
    "stainless",
    "appliances",
    "private",
    "courtyard",
    "gated",
    "community",
    "golf",
    "course",
    "fairway",
    "casita",
    "guest",
    "house",
    "solar",
    "owned",
    "turnkey",
    "furnished",
    "vaulted",
    "ceilings",
    "clerestory",
    "windows",
    "terrazzo",
    "floors",
    "walk",
    "in",
    "closet",
    "primary",
    "suite",
    "desert",
    "landscaping",
    "citrus",
    "trees",
    "outdoor",
    "kitchen",
    "fire",
    "pit",
    "close",
    "to",
    "downtown",
    "dining",
    "shopping",
    "hiking",
    "trails",
    "tennis",
    "pickleball",
    "hoa",
    "includes",
    "cable",
    "internet",
    "water",
    "trash",
    "low",
    "maintenance",
    "investment",
    "opportunity",
    "short",
    "term",
    "rental",
    "permit",
    "approved",
]
ANCHOR = date(2026, 11, 26)


def _pick(rng: random.Random, weighted: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    x, acc = rng.random(), 0.0
    for item in weighted:
        acc += item[-1]
        if x <= acc:
            return item
    return weighted[-1]


def document(i: int, rng: random.Random, *, source: str = "gps") -> dict[str, Any]:
    city, clat, clon, zipc = CITIES[min(int(rng.paretovariate(1.2)) - 1, len(CITIES) - 1)]
    ptype, psub, _ = _pick(rng, TYPES)
    status, _ = _pick(rng, STATUSES)
    key = f"{'1' if source == 'gps' else '2'}{i:09d}"
    num, street = rng.randint(100, 79999), rng.choice(STREETS)
    address = f"{num} {street}"
    land = ptype == "Land"
    beds = None if land else rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])
    sqft = None if land else round(rng.lognormvariate(7.4, 0.35))
    base = 2_800 if ptype == "Residential Lease" else rng.lognormvariate(13.1, 0.6)
    price = float(round(base, -2 if base > 10_000 else 0))
    listed = ANCHOR - timedelta(days=int(rng.expovariate(1 / 60)))
    slug = f"{address}-{city}-{key}".lower().replace(" ", "-")
    photo_id = f"{key}-{rng.randint(1, 40):02d}"
    opens = (
        [{"date": (ANCHOR + timedelta(days=rng.randint(-7, 14))).isoformat(), "startTime": "11:00", "endTime": "14:00"}]
        if rng.random() < 0.12
        else []
    )
    return {
        "listingKey": key,
        "listingId": f"{24_000_000 + i}",
        "mlsSource": source,
        "slug": slug,
        "standardStatus": status,
        "propertyType": ptype,
        "propertySubType": psub,
        "listPrice": price,
        "originalListPrice": price,
        "bedroomsTotal": beds,
        "bathroomsTotalInteger": None if land else max(1, (beds or 1) - rng.randint(0, 1)),
        "livingArea": float(sqft) if sqft else None,
        "lotSizeSquareFeet": float(rng.randint(2_000, 40_000)),
        "yearBuilt": None if land else rng.randint(1935, 2025),
        "poolPrivateYN": None if land else rng.random() < 0.45,
        "associationFee": float(rng.choice([0, 0, 150, 295, 420, 610])) if rng.random() < 0.7 else None,
        "landLease": city == "Palm Springs" and rng.random() < 0.15,
        "unparsedAddress": address,
        "city": city,
        "stateOrProvince": "CA",
        "postalCode": zipc,
        "subdivisionName": rng.choice(SUBDIVISIONS) if rng.random() < 0.8 else None,
        "latitude": clat + rng.gauss(0, 0.03),
        "longitude": clon + rng.gauss(0, 0.04),
        "publicRemarks": " ".join(rng.choices(WORDS, k=rng.randint(25, 70))).capitalize() + ".",
        "listingContractDate": listed.isoformat(),
        "onMarketDate": listed.isoformat(),
        "modificationTimestamp": f"{(listed + timedelta(days=1)).isoformat()}T14:03:00Z",
        "daysOnMarket": (ANCHOR - listed).days if rng.random() < 0.8 else None,
        "primaryPhotoUrl": f"https://photos.example.invalid/{source}/{photo_id}/640.jpg",
        "openHouses": opens,
        "listAgentFullName": "Pat Agent",
        "listOfficeName": "Desert Realty",
    }


def documents(n: int, *, seed: int = 7, source: str = "gps", start: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` documents with keys ``start .. start+n-1``; the same seed gives the same documents."""
    rng = random.Random(seed)
    for i in range(start, start + n):
        doc = document(i, rng, source=source)
        doc["location"] = {"type": "Point", "coordinates": [doc["longitude"], doc["latitude"]]}
        yield doc
