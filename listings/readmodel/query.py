"""The one search query shape shared by the read model, its brute-force reference and the API.

A ``SearchQuery`` holds validated *values* only: the API layer turns request parameters into
one (rejecting bad input with field errors), and both evaluators take it as data. Nothing in
here is ever interpreted as an operator or a pattern, which is what keeps injection out.

Semantics (the reference in ``reference.py`` is the executable form of this list):

* money (price, HOA) and areas (living area, lot) compare in whole units, rounded half-to-even;
* a numeric bound excludes listings whose value is missing, except ``max_hoa`` where a missing
  HOA fee means "no association" and passes; ``max_ppsf`` compares list price / living area
  (both whole, area > 0), ``min_year_built`` the year built, ``min_lot_sqft`` the lot size;
* categorical filters (city, subdivision, postal code, type, sub-type, status, MLS source)
  match case-insensitively against the document value; an empty tuple is "no filter";
* free text: every query word must be a prefix of some word of the listing's address, city,
  postal code, subdivision, MLS number or remarks (words = casefolded runs of letters/digits);
* ``polygon`` uses the even-odd rule on (lon, lat) pairs; ``near`` uses the haversine distance
  in miles on a sphere of radius 3958.7613 mi;
* ordering: featured subdivisions first (when given), then the sort field, missing values
  last in either direction, then ``listingKey`` ascending so pages are stable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from .normalize import words

MAX_PAGE_SIZE = 100
MAX_TEXT_WORDS = 8
MAX_POLYGON_POINTS = 200
EARTH_RADIUS_MI = 3958.7613


class Sort(StrEnum):
    PRICE_ASC = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"
    OLDEST = "oldest"
    PPSF_ASC = "ppsf"
    PPSF_DESC = "-ppsf"
    BEDS_ASC = "beds"
    BEDS_DESC = "-beds"
    SQFT_ASC = "sqft"
    SQFT_DESC = "-sqft"
    DISTANCE_ASC = "distance"
    DISTANCE_DESC = "-distance"


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        for v in (self.west, self.south, self.east, self.north):
            if not math.isfinite(v):
                raise ValueError("bbox values must be finite")
        if not (-180 <= self.west <= self.east <= 180 and -90 <= self.south <= self.north <= 90):
            raise ValueError("bbox must be west<=east within [-180,180], south<=north within [-90,90]")


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    radius_mi: float

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError("near must be a valid lat,lon")
        if not (math.isfinite(self.radius_mi) and 0 <= self.radius_mi <= 500):
            raise ValueError("radius must be within [0, 500] miles")


def _casefolded(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.casefold() for v in values)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    cities: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    postal_codes: tuple[str, ...] = ()
    property_types: tuple[str, ...] = ()
    property_sub_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    min_beds: int | None = None
    max_beds: int | None = None
    min_baths: int | None = None
    min_sqft: int | None = None
    max_sqft: int | None = None
    max_hoa: int | None = None
    max_ppsf: int | None = None  # list price / living area, whole USD
    min_year_built: int | None = None
    min_lot_sqft: int | None = None
    pool: bool | None = None
    land_lease: bool | None = None
    open_house: bool = False
    newer_than_days: int | None = None
    bbox: BBox | None = None
    polygon: tuple[tuple[float, float], ...] | None = None  # (lon, lat) ring
    near: Near | None = None
    text: str = ""
    mls_sources: tuple[str, ...] | None = None  # tenant scoping: None = every source
    featured_subdivisions: tuple[str, ...] = ()  # tenant boost: these come first
    sort: Sort = Sort.NEWEST
    page: int = 1
    page_size: int = 24
    as_of: date = field(default_factory=date.today)  # "today" for open houses and newer-than

    def __post_init__(self) -> None:
        # Invariants, not user-facing validation (the API reports field errors before this).
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within [1, {MAX_PAGE_SIZE}]")
        if not 1 <= self.page <= 100_000:
            raise ValueError("page must be within [1, 100000]")
        if self.sort in (Sort.DISTANCE_ASC, Sort.DISTANCE_DESC) and self.near is None:
            raise ValueError("distance sort needs near")
        if self.polygon is not None and not 3 <= len(self.polygon) <= MAX_POLYGON_POINTS:
            raise ValueError(f"polygon needs 3..{MAX_POLYGON_POINTS} points")
        for name in (
            "min_price",
            "max_price",
            "min_beds",
            "max_beds",
            "min_baths",
            "min_sqft",
            "max_sqft",
            "max_hoa",
            "max_ppsf",
            "min_year_built",
            "min_lot_sqft",
            "newer_than_days",
        ):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 2**31):
                raise ValueError(f"{name} must be an int within [0, 2^31)")
        if len(self.text) > 200 or len(words(self.text)) > MAX_TEXT_WORDS:
            raise ValueError(f"text is limited to 200 characters and {MAX_TEXT_WORDS} words")

    # Normalised views the evaluators share, so both read the same thing.
    def folded(self, name: str) -> tuple[str, ...]:
        return _casefolded(getattr(self, name))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    keys: list[str]
    cards: list[dict[str, object]]
