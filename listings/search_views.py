"""The search, map and swipe pages (their data comes from the JSON API and
``listings.views``' swipe endpoints)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from listings import selectors
from listings.filter_gate import ADVANCED_PARAMS, locked_filters, lowest_plan_name
from listings.map_start import MAP_OWN, bounds_param, hidden_filters, map_start
from listings.places import map_places
from listings.readmodel.query import SearchQuery, SearchResult
from listings.validation import SEARCH_PARAMS, InvalidParameters, parse_params
from listings.web import PAGE_SIZE, map_style, query_from, raw_params, scope_of


def _page_links(page: int, pages: int) -> list[int | None]:
    wanted = {1, pages, page - 2, page - 1, page, page + 1, page + 2}
    out: list[int | None] = []
    last = 0
    for p in sorted(x for x in wanted if 1 <= x <= pages):
        if p - last > 1:
            out.append(None)
        out.append(p)
        last = p
    return out


PROPERTY_TYPES = ("Residential", "Residential Lease", "Land", "Manufactured In Park", "Residential Income")


FILTER_FIELDS = (
    "listingType",
    "q",
    "city",
    "minPrice",
    "maxPrice",
    "minBeds",
    "minBaths",
    "minSqft",
    "maxSqft",
    "propertyType",
    "maxHoa",
    "pool",
    "landLease",
    "openHouse",
    "newerThanDays",
    "maxPricePerSqft",
    "minYearBuilt",
    "minLotSqft",
    "status",
    "sort",
)


def _filter_values(request: HttpRequest) -> dict[str, str]:
    """The filter form's values; For sale unless the visitor switched to For rent."""
    f = {k: request.GET.get(k, "") for k in FILTER_FIELDS}
    f["listingType"] = f["listingType"] if f["listingType"] in ("sale", "rent") else "sale"
    return f


def filter_locks(request: HttpRequest) -> dict[str, object]:
    """The filter form's advanced controls this visitor may not use (shown locked, with the
    plan that has them), for ``listings/_filters.html``."""
    locked = locked_filters(user=request.user, visitor_id=getattr(request, "anonymous_id", None))
    return {"locked": locked, "locked_plan": lowest_plan_name() if locked else ""}


Gated = tuple[SearchQuery | None, SearchResult | None, dict[str, str], tuple[str, ...]]


def _gated_search(request: HttpRequest, raw: dict[str, list[str]], locked: frozenset[str]) -> Gated:
    """(query, result, field errors, advanced filters refused): a search with an advanced
    filter the plan lacks is not run, so the page never shows a silently wrong result."""
    try:
        values = parse_params(raw, SEARCH_PARAMS)
        refused = tuple(p for p in ADVANCED_PARAMS if p in values and p in locked)
        if refused:
            return None, None, {}, refused
        query = query_from(request, values, page_size=values.get("pageSize", PAGE_SIZE))
        return query, selectors.listing_search(query=query), {}, ()
    except InvalidParameters as e:
        return None, None, e.fields, ()
    except ValueError as e:
        return None, None, {"query": str(e)}, ()


def search_page(request: HttpRequest) -> HttpResponse:
    raw = raw_params(request.GET)
    if not raw.get("listingType"):
        raw["listingType"] = ["sale"]  # sale and rent are never mixed without a word
    locks = filter_locks(request)
    locked: frozenset[str] = locks["locked"]  # type: ignore[assignment]
    query, result, errors, refused = _gated_search(request, raw, locked)
    pages = 0
    if result is not None and query is not None:
        pages = max(1, -(-result.total // query.page_size))
    keep = [(k, v) for k, vs in raw.items() if k != "page" for v in vs if v != ""]
    base_qs = urlencode(keep)
    saved_qs = urlencode([(k, v) for k, v in keep if k not in ("pageSize", "sort")])
    context = {
        **locks,
        "refused": [ADVANCED_PARAMS[p] for p in refused],
        "without_refused_qs": urlencode([(k, v) for k, v in keep if k not in refused]),
        "errors": errors,
        "result": result,
        "page": query.page if query else 1,
        "pages": pages,
        "page_links": _page_links(query.page, pages) if query and pages else [],
        "base_qs": base_qs,
        "saved_qs": saved_qs,
        "f": _filter_values(request),
        "hidden_filters": hidden_filters(request.GET, drop=frozenset({"page"}), sort_shown=True),
        "city_name": ", ".join(query.cities) if query and query.cities else "",
        "property_types": PROPERTY_TYPES,
        "sorts": (
            ("newest", "Newest"),
            ("price", "Price: low to high"),
            ("-price", "Price: high to low"),
            ("ppsf", "$/sq ft: low to high"),
            ("-beds", "Most bedrooms"),
        ),
    }
    return render(request, "listings/search.html", context, status=400 if errors else 403 if refused else 200)


def map_page(request: HttpRequest) -> HttpResponse:
    style = map_style(request)
    # City names for the offline basemap; a tile service's style has its own.
    places = [] if style else map_places(mls_sources=scope_of(request).mls_sources)
    start = map_start(request, places=places)
    return render(
        request,
        "listings/map.html",
        {
            "map_style": style,
            "places": places,
            "f": _filter_values(request),
            "hidden_filters": hidden_filters(request.GET, drop=MAP_OWN),
            "property_types": PROPERTY_TYPES,
            "start": start,
            "start_bounds": bounds_param(start.bounds),
            **filter_locks(request),
        },
    )


def swipe_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "listings/swipe.html",
        {
            "f": {k: request.GET.get(k, "") for k in FILTER_FIELDS},
            "property_types": PROPERTY_TYPES,
            **filter_locks(request),
        },
    )
