"""Request parameters -> validated ``SearchQuery`` values, or field errors.

One declarative table (``SEARCH_PARAMS``) drives parsing, error messages and the OpenAPI
schema. Every value is parsed into a plain Python value of a known type and range; nothing a
client sends is ever used as a query operator, pattern or key (``{"$ne": 1}`` is just a string
that matches no city, and is not a number). Empty values mean "not given", as a search form
submits them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.errors import InvalidParameters
from api.params import QueryParams, query_model
from listings.readmodel.normalize import words
from listings.readmodel.query import MAX_PAGE_SIZE, MAX_POLYGON_POINTS, MAX_TEXT_WORDS, BBox, Near, SearchQuery, Sort

STATUSES = ("Active", "Active Under Contract", "Pending", "Coming Soon")
PROPERTY_TYPES = ("Residential", "Residential Lease", "Land", "Manufactured In Park", "Residential Income")
LEASE = "Residential Lease"
# The For sale / For rent switch of the search and map pages: rentals are the RESO lease type.
LISTING_TYPES = {"sale": tuple(t for t in PROPERTY_TYPES if t != LEASE), "rent": (LEASE,)}
MLS_SOURCES = ("gps", "crmls")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_INT = re.compile(r"[0-9]{1,10}")
_NUMBER = re.compile(r"[+-]?([0-9]{1,3}(\.[0-9]{1,12})?|\.[0-9]{1,12})")
_POSTAL = re.compile(r"[0-9]{5}")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

__all__ = ["InvalidParameters", "Param", "api_params", "parse_params", "search_query"]


class Bad(ValueError):
    """A reason, addressed to the client, why one value was rejected."""


def integer(lo: int, hi: int) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not _INT.fullmatch(v):
            raise Bad(f"must be a whole number between {lo} and {hi}")
        n = int(v)
        if not lo <= n <= hi:
            raise Bad(f"must be between {lo} and {hi}")
        return n

    parse.__doc__ = f"integer [{lo}, {hi}]"
    return parse


def _float(v: str, lo: float, hi: float, what: str) -> float:
    if not _NUMBER.fullmatch(v):
        raise Bad(f"{what} must be a decimal number")
    f = float(v)
    if not (math.isfinite(f) and lo <= f <= hi):
        raise Bad(f"{what} must be between {lo} and {hi}")
    return f


def boolean(v: str) -> bool:
    low = v.lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    raise Bad("must be true or false")


def text(max_len: int) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if len(v) > max_len:
            raise Bad(f"must be at most {max_len} characters")
        if _CONTROL.search(v):
            raise Bad("must not contain control characters")
        return v.strip()

    return parse


def choice(options: Sequence[str]) -> Callable[[str], str]:
    folded = {o.casefold(): o for o in options}

    def parse(v: str) -> str:
        o = folded.get(v.casefold())
        if o is None:
            raise Bad("must be one of: " + ", ".join(options))
        return o

    return parse


def postal(v: str) -> str:
    if not _POSTAL.fullmatch(v):
        raise Bad("must be a 5-digit ZIP code")
    return v


def bbox(v: str) -> BBox:
    parts = v.split(",")
    if len(parts) != 4:
        raise Bad("must be west,south,east,north")
    w, s, e, n = (
        _float(p.strip(), -180 if i % 2 == 0 else -90, 180 if i % 2 == 0 else 90, "each coordinate")
        for i, p in enumerate(parts)
    )
    if w > e or s > n:
        raise Bad("must have west <= east and south <= north")
    return BBox(west=w, south=s, east=e, north=n)


def polygon(v: str) -> tuple[tuple[float, float], ...]:
    pts = [p for p in v.split(";") if p.strip()]
    if not 3 <= len(pts) <= MAX_POLYGON_POINTS:
        raise Bad(f"must be 3 to {MAX_POLYGON_POINTS} points lon,lat separated by ';'")
    out = []
    for p in pts:
        xy = p.split(",")
        if len(xy) != 2:
            raise Bad("each point must be lon,lat")
        out.append((_float(xy[0].strip(), -180, 180, "lon"), _float(xy[1].strip(), -90, 90, "lat")))
    return tuple(out)


def near(v: str) -> tuple[float, float]:
    xy = v.split(",")
    if len(xy) != 2:
        raise Bad("must be lat,lon")
    return _float(xy[0].strip(), -90, 90, "lat"), _float(xy[1].strip(), -180, 180, "lon")


def free_text(v: str) -> str:
    v = text(200)(v)
    found = words(v)
    if not found:
        raise Bad("must contain letters or digits")
    if len(found) > MAX_TEXT_WORDS:
        raise Bad(f"must have at most {MAX_TEXT_WORDS} words")
    return v


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    parse: Callable[[str], Any]
    description: str
    schema: Mapping[str, Any]
    many: bool = False  # repeatable and/or comma-separated


def _s(t: str, **kw: Any) -> dict[str, Any]:
    return {"type": t, **kw}


SEARCH_PARAMS: tuple[Param, ...] = (
    Param("city", text(80), "City name or slug (repeatable).", _s("string"), many=True),
    Param("subdivision", text(120), "Subdivision name (repeatable).", _s("string"), many=True),
    Param("postalCode", postal, "5-digit ZIP code (repeatable).", _s("string", pattern="^[0-9]{5}$"), many=True),
    Param(
        "propertyType",
        choice(PROPERTY_TYPES),
        "RESO property type (repeatable).",
        _s("string", enum=list(PROPERTY_TYPES)),
        many=True,
    ),
    Param(
        "listingType",
        choice(tuple(LISTING_TYPES)),
        "For sale (every property type but Residential Lease) or for rent (Residential Lease).",
        _s("string", enum=list(LISTING_TYPES)),
    ),
    Param("propertySubType", text(80), "RESO property sub-type (repeatable).", _s("string"), many=True),
    Param(
        "status",
        choice(STATUSES),
        "Standard status (repeatable); default: all.",
        _s("string", enum=list(STATUSES)),
        many=True,
    ),
    Param("minPrice", integer(0, 1_000_000_000), "Minimum list price, USD.", _s("integer", minimum=0)),
    Param("maxPrice", integer(0, 1_000_000_000), "Maximum list price, USD.", _s("integer", minimum=0)),
    Param("minBeds", integer(0, 50), "Minimum bedrooms.", _s("integer", minimum=0, maximum=50)),
    Param("maxBeds", integer(0, 50), "Maximum bedrooms.", _s("integer", minimum=0, maximum=50)),
    Param("minBaths", integer(0, 50), "Minimum bathrooms.", _s("integer", minimum=0, maximum=50)),
    Param("minSqft", integer(0, 10_000_000), "Minimum living area, sq ft.", _s("integer", minimum=0)),
    Param("maxSqft", integer(0, 10_000_000), "Maximum living area, sq ft.", _s("integer", minimum=0)),
    Param("maxHoa", integer(0, 1_000_000), "Maximum monthly HOA fee (no HOA passes).", _s("integer", minimum=0)),
    Param(
        "maxPricePerSqft",
        integer(1, 1_000_000),
        "Maximum list price per sq ft of living area, USD (homes without an area are left out).",
        _s("integer", minimum=1),
    ),
    Param(
        "minYearBuilt", integer(1700, 2100), "Built in this year or later.", _s("integer", minimum=1700, maximum=2100)
    ),
    Param("minLotSqft", integer(0, 100_000_000), "Minimum lot size, sq ft.", _s("integer", minimum=0)),
    Param("pool", boolean, "Private pool.", _s("boolean")),
    Param("landLease", boolean, "Land lease (true: only; false: excluded).", _s("boolean")),
    Param("openHouse", boolean, "Only listings with an upcoming open house.", _s("boolean")),
    Param("newerThanDays", integer(0, 3650), "Listed within this many days.", _s("integer", minimum=0)),
    Param("bbox", bbox, "west,south,east,north in degrees.", _s("string", example="-116.6,33.7,-116.4,33.9")),
    Param("polygon", polygon, "Drawn area: lon,lat;lon,lat;... (3-200 points).", _s("string")),
    Param("near", near, "lat,lon center of a radius search.", _s("string", example="33.83,-116.54")),
    Param(
        "radius",
        lambda v: _float(v, 0, 100, "radius"),
        "Radius in miles around near (default 5).",
        _s("number", minimum=0, maximum=100),
    ),
    Param(
        "q", free_text, "Free text on address and remarks (word prefixes, all must match).", _s("string", maxLength=200)
    ),
    Param(
        "sort",
        choice([s.value for s in Sort]),
        "Sort order; distance needs near.",
        _s("string", enum=[s.value for s in Sort]),
    ),
    Param("page", integer(1, 10_000), "Page number, from 1.", _s("integer", minimum=1)),
    Param(
        "pageSize",
        integer(1, MAX_PAGE_SIZE),
        f"Results per page (max {MAX_PAGE_SIZE}).",
        _s("integer", minimum=1, maximum=MAX_PAGE_SIZE),
    ),
)
MAP_PARAMS: tuple[Param, ...] = (
    Param("zoom", lambda v: _float(v, 0, 24, "zoom"), "Map zoom level.", _s("number", minimum=0, maximum=24)),
)
CLUSTER_PARAMS: tuple[Param, ...] = (
    Param("limit", integer(1, 500), "Leaves per page (default 20).", _s("integer", minimum=1, maximum=500)),
    Param("offset", integer(0, 10_000_000), "Leaves to skip.", _s("integer", minimum=0)),
)


def parse_params(params: Mapping[str, Sequence[str]], allowed: Sequence[Param]) -> dict[str, Any]:
    """Parse a QueryDict-like mapping (name -> list of raw values); raises InvalidParameters."""
    table = {p.name: p for p in allowed}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, raw_values in params.items():
        p = table.get(name)
        if p is None:
            errors[name[:60]] = "unknown parameter"
            continue
        raws = [r for r in raw_values if r != ""]
        if not raws:
            continue
        if not p.many and len(raws) > 1:
            errors[name] = "given more than once"
            continue
        try:
            if p.many:
                items = [s.strip() for r in raws for s in r.split(",") if s.strip()]
                if len(items) > 20:
                    raise Bad("at most 20 values")
                values[name] = tuple(dict.fromkeys(p.parse(i) for i in items))
            else:
                values[name] = p.parse(raws[0])
        except Bad as e:
            errors[name] = str(e)
    for lo, hi in (("minPrice", "maxPrice"), ("minBeds", "maxBeds"), ("minSqft", "maxSqft")):
        if lo in values and hi in values and values[lo] > values[hi]:
            errors[lo] = f"must not exceed {hi}"
    _listing_type_apply(values, errors)
    if "radius" in values and "near" not in values:
        errors["radius"] = "needs near"
    if values.get("sort", "").endswith("distance") and "near" not in values:
        errors["sort"] = "distance sort needs near"
    if errors:
        raise InvalidParameters(errors)
    return values


def _listing_type_apply(values: dict[str, Any], errors: dict[str, str]) -> None:
    """``listingType`` narrows ``propertyType`` to its types; a type of the other kind is an error."""
    kind = values.pop("listingType", None)
    if kind is None:
        return
    allowed = LISTING_TYPES[kind]
    given = values.get("propertyType", ())
    other = [t for t in given if t not in allowed]
    if other:
        errors["propertyType"] = f"{', '.join(other)} is not {'for rent' if kind == 'rent' else 'for sale'}"
    values["propertyType"] = tuple(given) or allowed


def search_query(
    values: Mapping[str, Any],
    *,
    cities: tuple[str, ...],
    mls_sources: tuple[str, ...] | None,
    featured: tuple[str, ...],
    use_bbox: bool = True,
) -> SearchQuery:
    """A SearchQuery from parsed values; ``cities`` already resolved from slugs to names."""
    n = values.get("near")
    return SearchQuery(
        cities=cities,
        subdivisions=values.get("subdivision", ()),
        postal_codes=values.get("postalCode", ()),
        property_types=values.get("propertyType", ()),
        property_sub_types=values.get("propertySubType", ()),
        statuses=values.get("status", ()),
        min_price=values.get("minPrice"),
        max_price=values.get("maxPrice"),
        min_beds=values.get("minBeds"),
        max_beds=values.get("maxBeds"),
        min_baths=values.get("minBaths"),
        min_sqft=values.get("minSqft"),
        max_sqft=values.get("maxSqft"),
        max_hoa=values.get("maxHoa"),
        max_ppsf=values.get("maxPricePerSqft"),
        min_year_built=values.get("minYearBuilt"),
        min_lot_sqft=values.get("minLotSqft"),
        pool=values.get("pool"),
        land_lease=values.get("landLease"),
        open_house=values.get("openHouse", False),
        newer_than_days=values.get("newerThanDays"),
        bbox=values.get("bbox") if use_bbox else None,
        polygon=values.get("polygon"),
        near=Near(lat=n[0], lon=n[1], radius_mi=values.get("radius", 5.0)) if n else None,
        text=values.get("q", ""),
        mls_sources=mls_sources,
        featured_subdivisions=featured,
        sort=Sort(values.get("sort", Sort.NEWEST.value)),
        page=values.get("page", 1),
        page_size=values.get("pageSize", 24),
    )


def api_params(name: str, params: Sequence[Param], *, required: Sequence[str] = ()) -> type[QueryParams]:
    """The API's query model (OpenAPI declaration and validator) of these table rows."""
    return query_model(name, params, parse=parse_params, required=required)  # type: ignore[arg-type]
