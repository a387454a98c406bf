"""Build one Spark ``StandardFields`` record from (seed, source, kind, index), lazily.

Nothing here looks at any other record: record i is derived from its own ``random.Random``
seeded with a string of its identity (stable across processes, unlike ``hash()``), so a page
of 1,000 records costs 1,000 record builds no matter how large the feed is.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from .geography import CITIES_BY_SOURCE, City, Subdivision
from .hedonic import HomeFeatures, hedonic_price, land_price
from .names import (
    FIRST_NAMES,
    HIGHLIGHTS,
    LAST_NAMES,
    OFFICES,
    PHOTO_CAPTIONS,
    STREETS_BY_SOURCE,
    VIEWS,
)

ACTIVE, CLOSED = 0, 1
SOURCE_PREFIX = {"gps": "2010", "crmls": "2020", "hdmls": "2030"}
PREFIX_SOURCE = {v: k for k, v in SOURCE_PREFIX.items()}
MASK = "********"
PHOTO_SIZES = ("Uri300", "Uri640", "Uri800", "Uri1024", "Uri1280", "Uri1600", "Uri2048")

# (PropertyType, PropertySubType, weight) per source; lease rows become monthly rents.
TYPE_MIX: dict[str, tuple[tuple[str, str, float], ...]] = {
    "gps": (
        ("Residential", "Single Family Residence", 0.55),
        ("Residential", "Condominium", 0.21),
        ("Residential", "Townhouse", 0.05),
        ("Manufactured In Park", "Manufactured Home", 0.07),
        ("Land", "Unimproved Land", 0.05),
        ("Residential Lease", "Single Family Residence", 0.04),
        ("Residential Lease", "Condominium", 0.03),
    ),
    "crmls": (
        ("Residential", "Single Family Residence", 0.58),
        ("Residential", "Condominium", 0.14),
        ("Residential", "Townhouse", 0.09),
        ("Manufactured In Park", "Manufactured Home", 0.02),
        ("Land", "Unimproved Land", 0.03),
        ("Residential Income", "Duplex", 0.03),
        ("Residential Lease", "Single Family Residence", 0.06),
        ("Residential Lease", "Condominium", 0.05),
    ),
    "hdmls": (
        ("Residential", "Single Family Residence", 0.70),
        ("Residential", "Cabin", 0.06),
        ("Manufactured In Park", "Manufactured Home", 0.05),
        ("Land", "Unimproved Land", 0.12),
        ("Residential Lease", "Single Family Residence", 0.07),
    ),
}
_TYPE_CUM = {s: list(accumulate(w for _, _, w in mix)) for s, mix in TYPE_MIX.items()}
_CITY_CUM = {s: list(accumulate(c.weight for c in cities)) for s, cities in CITIES_BY_SOURCE.items()}
MEDIAN_SQFT = {
    "Single Family Residence": 2050,
    "Condominium": 1250,
    "Townhouse": 1500,
    "Manufactured Home": 1350,
    "Duplex": 2100,
    "Cabin": 900,
}
CRMLS_BOARDS = {
    "Riverside": "IV",
    "Temecula": "SW",
    "Murrieta": "SW",
    "Corona": "IG",
    "Irvine": "OC",
    "Anaheim": "PW",
    "Long Beach": "PW",
    "Pasadena": "P1",
    "San Diego": "ND",
}


def listing_key(source: str, kind: int, i: int) -> str:
    """Keys sort by (source, kind, index), so ``ListingKey`` order is the feed's natural order."""
    return f"{SOURCE_PREFIX[source]}{kind}{i:012d}"


def parse_listing_key(key: str) -> tuple[str, int, int]:
    if len(key) != 17 or not key.isdigit() or key[:4] not in PREFIX_SOURCE or key[4] not in "01":
        raise ValueError(f"not a feed key: {key!r}")
    return PREFIX_SOURCE[key[:4]], int(key[4]), int(key[5:])


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weighted(rng: random.Random, cum: list[float]) -> int:
    return min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)


def _place(rng: random.Random, city: City, sub: Subdivision | None) -> tuple[float, float]:
    lat0, lon0, radius = (sub.lat, sub.lon, sub.radius_km) if sub else (city.lat, city.lon, city.radius_km)
    r = radius * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = lat0 + r * math.cos(theta) / 111.0
    lon = lon0 + r * math.sin(theta) / (111.0 * math.cos(math.radians(lat0)))
    return round(lat, 6), round(lon, 6)


def _maybe_str(rng: random.Random, value: float | int, decimals: int = 0) -> Any:
    """Real feeds send some numbers as strings ("2150", "549000.00"); mimic ~12 % of them."""
    if rng.random() < 0.12:
        return f"{value:.2f}" if decimals else str(value)
    return value


class _Home:
    """The physical facts of one home, drawn in a fixed order so records are reproducible."""

    def __init__(self, rng: random.Random, source: str, kind: int, i: int) -> None:
        cities = CITIES_BY_SOURCE[source]
        self.city = city = cities[_weighted(rng, _CITY_CUM[source])]
        sub_rate = 0.72 if source == "gps" else 0.55
        self.sub = sub = rng.choice(city.subdivisions) if city.subdivisions and rng.random() < sub_rate else None
        ptype, subtype, _ = TYPE_MIX[source][_weighted(rng, _TYPE_CUM[source])]
        if sub and (sub.age_restricted or sub.gated_club) and ptype in ("Land", "Manufactured In Park"):
            ptype, subtype = "Residential", "Single Family Residence"
        self.ptype, self.subtype = ptype, subtype
        self.lat, self.lon = _place(rng, city, sub)
        self.is_land = ptype == "Land"
        lo = max(city.min_year, sub.min_year if sub else 0)
        hi = min(2025, sub.max_year if sub else 2025)
        self.year = None if self.is_land else int(lo + (hi - lo) * rng.random() ** 0.8)
        premium = sub.premium if sub else 1.0
        size_mult = min(2.2, premium**0.55) if sub and sub.gated_club else 1.0
        base_sqft = MEDIAN_SQFT.get(subtype, 1800) * (0.92 if source == "crmls" else 1.0)
        self.sqft = (
            0 if self.is_land else int(min(14000, max(420, base_sqft * size_mult * math.exp(rng.gauss(0, 0.33)))))
        )
        if self.is_land:
            self.beds = self.baths = 0
        else:
            self.beds = max(1 if subtype != "Condominium" else 0, min(8, round(self.sqft / 720 + rng.gauss(0.7, 0.55))))
            self.beds = max(1, self.beds)
            self.baths = max(1, min(9, round(self.beds * 0.75 + self.sqft / 3500 + rng.gauss(0.2, 0.45))))
        self.lot: float | None
        if self.is_land:
            self.lot = float(int(20000 * math.exp(rng.gauss(0, 0.9))))
        elif subtype in ("Condominium", "Townhouse"):
            self.lot = None
        elif subtype == "Manufactured Home":
            self.lot = float(int(4000 * math.exp(rng.gauss(0, 0.3))))
        else:
            median_lot = {"gps": 8500, "hdmls": 21000}.get(source, 6500) * (1.4 if premium > 1.5 else 1.0)
            self.lot = float(int(max(2500, self.sqft * 1.5, median_lot * math.exp(rng.gauss(0, 0.4)))))
        pool_rate = city.pool_rate if subtype in ("Single Family Residence", "Duplex") else 0.04
        self.pool = (not self.is_land) and rng.random() < pool_rate
        self.condition = 1 + _weighted(rng, [0.05, 0.2, 0.7, 0.9, 1.0])
        if sub and sub.hoa:
            self.hoa: float | None = float(rng.randint(*sub.hoa)) if sub.hoa[1] else None
        elif subtype == "Condominium":
            self.hoa = float(rng.randint(280, 680))
        elif subtype == "Townhouse":
            self.hoa = float(rng.randint(180, 420))
        else:
            self.hoa = None
        lease_rate = {
            "Condominium": city.land_lease_condo,
            "Townhouse": city.land_lease_condo,
            "Single Family Residence": city.land_lease_sfr,
            "Manufactured Home": city.land_lease_manufactured,
        }.get(subtype, 0.0)
        self.land_lease = rng.random() < lease_rate
        self.lease_amount = float(rng.randrange(250, 1300, 5)) if self.land_lease else None
        self.lease_expiry = date(rng.randint(2039, 2084), rng.randint(1, 12), 1) if self.land_lease else None
        self.ppsf = city.ppsf * premium
        self.garage = (
            0.0
            if self.is_land or subtype == "Condominium" and rng.random() < 0.5
            else float(min(4, max(1, round(self.sqft / 1100 + rng.gauss(0.3, 0.5)))))
        )

    def features(self) -> HomeFeatures:
        return HomeFeatures(
            ppsf=self.ppsf,
            living_area=float(self.sqft),
            year_built=self.year or 2000,
            beds=self.beds,
            baths=self.baths,
            pool=self.pool,
            lot_sqft=self.lot,
            condition=self.condition,
            sub_type=self.subtype,
            land_lease=self.land_lease,
            desert=(self.city.county == "Riverside" and self.city.lon > -116.7) or self.city.county == "San Bernardino",
        )

    def value(self, on: date) -> float:
        if self.is_land:
            return land_price(
                ppsf=self.city.ppsf * (self.sub.premium if self.sub else 1.0), lot_sqft=self.lot or 20000, on=on
            )
        return hedonic_price(self.features(), on=on)


def _round_price(price: float, *, lease: bool) -> float:
    if lease:
        return float(max(900, round(price / 25) * 25))
    step = 1000 if price >= 200_000 else 500
    return float(max(5000, round(price / step) * step))


def _remarks(rng: random.Random, h: _Home) -> str:
    where = h.sub.name if h.sub else h.city.name
    if h.is_land:
        return f"{int(h.lot or 0):,} sq ft lot in {where} with {rng.choice(VIEWS)} views. Utilities nearby; bring your plans."
    what = {
        "Condominium": "condo",
        "Townhouse": "townhome",
        "Manufactured Home": "manufactured home",
        "Duplex": "duplex",
    }.get(h.subtype, "home")
    era = "mid-century " if h.year and 1948 <= h.year <= 1972 else ""
    parts = [
        f"{era.capitalize() or ''}{what if era else what.capitalize()} in {where} with {rng.choice(VIEWS)} views.",
        f"{h.beds} bedrooms, {h.baths} baths and {h.sqft:,} sq ft with {rng.choice(HIGHLIGHTS)} and {rng.choice(HIGHLIGHTS)}.",
    ]
    if h.pool:
        parts.append("Private pool and spa in a sunny backyard.")
    if h.land_lease:
        parts.append("Land lease; see lease terms in documents.")
    return " ".join(parts)


def _photos(rng: random.Random, key: str, n: int, base: str) -> list[dict[str, Any]]:
    primary = 0 if rng.random() < 0.8 else rng.randrange(n)
    out = []
    for p in range(n):
        stem = f"{base}/photos/{key}/{p}"
        photo: dict[str, Any] = {
            "Id": f"{key}{p:03d}",
            "Name": "",
            "Caption": PHOTO_CAPTIONS[p % len(PHOTO_CAPTIONS)],
            "Primary": p == primary,
            "UriThumb": f"{stem}-thumb.jpg",
        }
        for size in PHOTO_SIZES:
            photo[size] = f"{stem}-{size[3:]}.jpg"
        photo["UriLarge"] = f"{stem}-large.jpg"
        out.append(photo)
    return out


def generate_record(
    *,
    seed: int,
    source: str,
    kind: int,
    i: int,
    status: str,
    mod_ts: float,
    photo_base: str,
    expand: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """One ``{"Id", "ResourceUri", "StandardFields"}`` result; ``expand`` picks the expansions."""
    rng = random.Random(f"{seed}:{source}:{kind}:{i}")
    h = _Home(rng, source, kind, i)
    key = listing_key(source, kind, i)
    lease = h.ptype == "Residential Lease"
    mod_dt = datetime.fromtimestamp(mod_ts, UTC)
    fields: dict[str, Any] = {"ListingKey": key}
    if source == "gps":
        fields["ListingId"] = f"{219 - kind}{i:06d}"
    elif source == "hdmls":
        fields["ListingId"] = f"HD{25 - kind}{i:06d}"
    else:
        fields["ListingId"] = f"{CRMLS_BOARDS.get(h.city.name, 'CR')}{25 - kind}{i:06d}"
    close_price: float | None = None
    close_date: date | None = None
    if kind == CLOSED:
        close_date = mod_dt.date() - timedelta(days=rng.randint(1, 5))
        value = h.value(close_date) * math.exp(rng.gauss(0.0, 0.075))
        close_price = _round_price(value * (0.0042 if lease else 1.0), lease=lease)
        list_price = _round_price(close_price * math.exp(rng.gauss(0.025, 0.035)), lease=lease)
        dom = int(math.exp(rng.gauss(3.6, 0.8)))
        on_market = close_date - timedelta(days=dom + (0 if lease else rng.randint(20, 45)))
    else:
        value = h.value(mod_dt.date()) * math.exp(rng.gauss(0.04, 0.06))
        list_price = _round_price(value * (0.0042 if lease else 1.0), lease=lease)
        dom = int(math.exp(rng.gauss(3.3, 0.9)))
        on_market = mod_dt.date() - timedelta(days=dom)
    original = _round_price(list_price * (1 + max(0.0, rng.gauss(0.01, 0.04))), lease=lease)
    number = rng.randint(100, 82999)
    street = rng.choice(STREETS_BY_SOURCE[source])
    unit = f" #{rng.randint(1, 240)}" if h.subtype in ("Condominium", "Townhouse") else ""
    half = 1 if h.baths > 2 and rng.random() < 0.4 else 0
    agent = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    fields.update(
        {
            "StandardStatus": status,
            "MlsStatus": status,
            "PropertyType": h.ptype,
            "PropertySubType": h.subtype,
            "ListPrice": _maybe_str(rng, list_price, 2),
            "OriginalListPrice": original,
            "BedsTotal": None if h.is_land else _maybe_str(rng, h.beds),
            "BathsTotal": None if h.is_land else float(h.baths),
            "BathroomsTotalInteger": None if h.is_land else h.baths,
            "BathsFull": None if h.is_land else h.baths - half,
            "BathsHalf": None if h.is_land else half,
            "BuildingAreaTotal": None if h.is_land else _maybe_str(rng, h.sqft),
            "LivingArea": None if h.is_land else h.sqft,
            "YearBuilt": h.year,
            "LotSizeSquareFeet": h.lot,
            "LotSizeAcres": round(h.lot / 43560, 3) if h.lot else None,
            "GarageSpaces": h.garage,
            "PoolPrivateYN": h.pool,
            "PropertyCondition": h.condition,
            "AssociationYN": h.hoa is not None,
            "AssociationFee": _maybe_str(rng, h.hoa, 2) if h.hoa else None,
            "AssociationFeeFrequency": "Monthly" if h.hoa else None,
            "LandLeaseYN": h.land_lease,
            "LandLeaseAmount": h.lease_amount,
            "LandLeaseAmountFrequency": "Monthly" if h.land_lease else None,
            "LandLeaseExpirationDate": h.lease_expiry.isoformat() if h.lease_expiry else None,
            "StreetNumber": str(number),
            "StreetName": street.rsplit(" ", 1)[0] if " " in street else street,
            "StreetSuffix": street.rsplit(" ", 1)[1] if " " in street else None,
            "UnitNumber": unit[2:] or None,
            "UnparsedAddress": f"{number} {street}{unit}",
            "City": h.city.name,
            "StateOrProvince": "CA",
            "PostalCode": rng.choice(h.city.postal_codes),
            "CountyOrParish": h.city.county,
            "SubdivisionName": h.sub.name if h.sub else None,
            "Latitude": h.lat,
            "Longitude": h.lon,
            "PublicRemarks": _remarks(rng, h),
            "ListingContractDate": (on_market - timedelta(days=rng.randint(0, 7))).isoformat(),
            "OnMarketDate": on_market.isoformat(),
            "DaysOnMarket": dom,
            "ModificationTimestamp": iso(mod_ts),
            "PriceChangeTimestamp": None,
            "ListAgentName": agent,
            "ListOfficeName": rng.choice(OFFICES),
            "ClosePrice": close_price,
            "CloseDate": close_date.isoformat() if close_date else None,
            "SeniorCommunityYN": bool(h.sub and h.sub.age_restricted),
        }
    )
    if rng.random() < 0.04:  # confidential fields some MLSs mask for IDX
        for name in rng.sample(
            ("LotSizeSquareFeet", "AssociationFee", "YearBuilt", "ListAgentName", "GarageSpaces"), 2
        ):
            fields[name] = MASK
    result: dict[str, Any] = {"Id": key, "ResourceUri": f"/v1/listings/{key}", "StandardFields": fields}
    if expand:
        n_photos = 1 + int(rng.random() * 6) if h.is_land else min(40, 4 + int(math.exp(rng.gauss(2.0, 0.5))))
        if "Photos" in expand:
            fields["Photos"] = _photos(rng, key, n_photos, photo_base)
        if "OpenHouses" in expand:
            fields["OpenHouses"] = _open_houses(rng, mod_dt) if kind == ACTIVE and status == "Active" else []
        if "VirtualTours" in expand:
            fields["VirtualTours"] = (
                [{"Id": f"{key}vt", "Name": "Virtual Tour", "Uri": f"https://my.matterport.com/show/?m={key[-9:]}"}]
                if rng.random() < 0.2
                else []
            )
        if "Rooms" in expand:
            fields["Rooms"] = (
                []
                if h.is_land
                else [
                    {"Id": f"{key}r{r}", "Fields": [{"Room Name": n}, {"Room Level": "Main"}]}
                    for r, n in enumerate(("Primary Bedroom", "Great Room", "Kitchen")[: min(3, h.beds)])
                ]
            )
        if "Units" in expand:
            fields["Units"] = (
                [{"Id": f"{key}u{u}", "Fields": [{"Unit Number": str(u + 1)}, {"Beds": 2}]} for u in range(2)]
                if h.subtype == "Duplex"
                else []
            )
    return result


def _open_houses(rng: random.Random, now: datetime) -> list[dict[str, str]]:
    if rng.random() > 0.15:
        return []
    day = now.date() + timedelta(days=(5 - now.weekday()) % 7 or 7)  # the coming Saturday
    start = rng.choice((10, 11, 12, 13))
    return [
        {
            "Id": f"oh{day:%Y%m%d}",
            "Date": day.strftime("%m/%d/%Y"),
            "StartTime": f"{start % 12 or 12}:00 {'am' if start < 12 else 'pm'}",
            "EndTime": f"{(start + 3) % 12 or 12}:00 {'am' if start + 3 < 12 else 'pm'}",
        }
    ]
