"""The map page's first view, worked out on the server: where the map opens and the first result
cards, so the page shows homes before MapLibre (1 MB of script) is fetched after first paint.

Also which search parameters travel in the filter form's hidden inputs: a link from the chat or
the search page may carry any filter the search API accepts, and the form the visitor then
submits (or the map script reads) must keep every one of them, not only those it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, QueryDict

from listings import selectors
from listings.filter_gate import advanced_filters_check
from listings.map_preview import PREVIEW_PX, MapPreview, fit_view, map_preview
from listings.readmodel.query import BBox
from listings.validation import SEARCH_PARAMS, InvalidParameters, parse_params
from listings.web import query_from

DEFAULT_CENTER = (-116.45, 33.78)  # lng, lat: the Coachella Valley
DEFAULT_ZOOM = 9.0
FIRST_CARDS = 24
# The map box the first cards are picked for, before the browser tells its real size (the map
# script then lists the homes of the actual view): a laptop's map column.
NOMINAL_PX = (900, 600)
TILE_PX = 512  # MapLibre's world is 512 px wide at zoom 0

# Parameters the filter form (listings/_filters.html) has an input for: keep this in step with
# the template. The last value of each is shown there (``QueryDict.get``'s); any other value, and every
# other search parameter, is kept in a hidden input.
FORM_INPUTS = frozenset(
    {
        "listingType", "q", "city", "minPrice", "maxPrice", "minBeds", "minBaths", "propertyType",
        "minSqft", "maxHoa", "pool", "landLease", "openHouse",
        "newerThanDays", "maxPricePerSqft", "minYearBuilt", "minLotSqft",
    }
)  # fmt: skip
SEARCH_NAMES = frozenset(p.name for p in SEARCH_PARAMS)
# The map script sets these itself from what the map shows (a second value would be rejected).
MAP_OWN = frozenset({"bbox", "polygon", "page", "pageSize", "sort"})


def hidden_filters(
    params: QueryDict, *, drop: frozenset[str] = frozenset(), sort_shown: bool = False
) -> list[tuple[str, str]]:
    """(name, value) pairs of the search parameters in ``params`` the filter form does not show."""
    shown = set(FORM_INPUTS) | ({"sort"} if sort_shown else set())
    if params.get("listingType") == "rent":
        shown.discard("propertyType")  # the form has no property type for rentals
    out: list[tuple[str, str]] = []
    for name in params:
        if name not in SEARCH_NAMES or name in drop:
            continue
        values = params.getlist(name)
        if name in shown and values:
            values = values[:-1]  # the form shows the last value (QueryDict.get's)
        out += [(name, v) for v in values if v != ""]
    return out


@dataclass(frozen=True)
class MapStart:
    """Where the map opens (``bounds`` to fit, else the URL's or the default centre and zoom),
    and the homes listed before the map script runs (``total`` None: filters it cannot use);
    ``preview``: the map's first view drawn on the server (None with such filters)."""

    bounds: tuple[float, float, float, float] | None = None
    total: int | None = None
    cards: list[dict[str, Any]] = field(default_factory=list)
    preview: MapPreview | None = None


def _number(params: QueryDict, name: str) -> float | None:
    try:
        v = float(params.get(name, ""))
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def view_box(lng: float, lat: float, zoom: float, px: tuple[int, int] = NOMINAL_PX) -> BBox:
    """The box a ``px``-sized Web Mercator map centred on (lng, lat) at ``zoom`` shows."""
    world = TILE_PX * 2**zoom
    half_w = px[0] / 2 * 360 / world
    y = math.log(math.tan(math.pi / 4 + math.radians(max(-85.0, min(85.0, lat))) / 2))
    half_h = px[1] / 2 * 2 * math.pi / world

    def lat_of(v: float) -> float:
        return max(-90.0, min(90.0, math.degrees(2 * math.atan(math.exp(v)) - math.pi / 2)))

    return BBox(
        west=max(-180.0, lng - half_w),
        south=lat_of(y - half_h),
        east=min(180.0, lng + half_w),
        north=lat_of(y + half_h),
    )


def _view(
    params: QueryDict, values: dict[str, Any], query: Any
) -> tuple[BBox | None, tuple[float, float, float, float] | None]:
    """(the box whose homes are listed first, the bounds the map fits) for this URL."""
    lng, lat, zoom = _number(params, "lng"), _number(params, "lat"), _number(params, "z")
    if lng is not None and lat is not None and -180 <= lng <= 180 and -90 <= lat <= 90:
        return view_box(lng, lat, zoom if zoom is not None and 0 <= zoom <= 24 else DEFAULT_ZOOM), None
    if "bbox" in values:
        b = values["bbox"]
        return b, (b.west, b.south, b.east, b.north)
    if set(values) - {"listingType"}:
        # A search without a view (a link from the chat, the search page, a saved search):
        # open on all its homes, so the map counts what the search counted.
        bounds = selectors.listing_bounds(query=query)
        return None, bounds
    return view_box(*DEFAULT_CENTER, DEFAULT_ZOOM), None


def bounds_param(bounds: tuple[float, ...] | None) -> str:
    """west,south,east,north rounded outwards to 6 decimals (rounding to nearest would leave the
    homes on the edge out of the box)."""
    if not bounds:
        return ""
    w, s, e, n = bounds
    out = (math.floor(w * 1e6), math.floor(s * 1e6), math.ceil(e * 1e6), math.ceil(n * 1e6))
    return ",".join(f"{v / 1e6:.6f}" for v in out)


def _opening(params: QueryDict, bounds: tuple[float, float, float, float] | None) -> tuple[float, float, float]:
    """(lng, lat, zoom) the map opens on: the URL's view, the bounds it fits (in the nominal
    box; the live map fits the real one) or the default (map.js's rules)."""
    lng, lat, zoom = _number(params, "lng"), _number(params, "lat"), _number(params, "z")
    if params.get("lat") is None and bounds:
        return fit_view(bounds, NOMINAL_PX)
    lng = lng if lng is not None and -180 <= lng <= 180 else DEFAULT_CENTER[0]
    lat = lat if lat is not None and -90 <= lat <= 90 else DEFAULT_CENTER[1]
    return lng, lat, zoom if zoom is not None and 0 <= zoom <= 24 else DEFAULT_ZOOM


def map_start(request: HttpRequest, *, places: list[dict[str, Any]] | None = None) -> MapStart:
    """The map page's first view; no cards when the filters are invalid or need a plan (the
    map script then shows the API's message for them). ``places``: the basemap's city names."""
    params = request.GET
    raw = {k: params.getlist(k) for k in params if k in SEARCH_NAMES and k not in ("page", "pageSize", "sort")}
    if not raw.get("listingType"):
        raw["listingType"] = ["sale"]
    try:
        values = parse_params(raw, SEARCH_PARAMS)
        query = query_from(request, values, page_size=FIRST_CARDS)
    except (InvalidParameters, ValueError):
        return MapStart()
    if advanced_filters_check(user=request.user, params=values, visitor_id=getattr(request, "anonymous_id", None)):
        return MapStart()
    box, bounds = _view(params, values, query)
    if box is not None:
        query = query_from(request, {**values, "bbox": box}, page_size=FIRST_CARDS)
    result = selectors.listing_search(query=query)
    lng, lat, zoom = _opening(params, bounds)
    preview = map_preview(
        query=query_from(request, {**values, "bbox": view_box(lng, lat, zoom, PREVIEW_PX)}),
        lng=lng,
        lat=lat,
        zoom=zoom,
        places=places or [],
        rentals=values.get("listingType") == "rent",
    )
    return MapStart(bounds=bounds, total=result.total, cards=result.cards, preview=preview)
