"""The assistant's tools over the listings: search, a listing, market stats, comparison, the
map link. Writes (saved searches, showings) are in ``chat.tools_write``.

``search_listings`` speaks the vocabulary of ``manage.py chat_intent`` (RESO enumerations,
``price_asc`` sorts); its arguments are turned into the search API's parameters and checked
by the search API's own validation (``listings.validation``), then run on the same read model
with the site's scope — the assistant and ``/api/listings`` accept and return the same things.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chat.registry import Tool, ToolContext, ToolError, register
from listings import selectors
from listings.filter_gate import UPGRADE_URL, advanced_filters_check
from listings.readmodel.loader import get_read_model
from listings.readmodel.normalize import slugify_name
from listings.validation import SEARCH_PARAMS, InvalidParameters, parse_params, search_query

PROPERTY_TYPES = {"Residential": "Residential", "ResidentialLease": "Residential Lease", "Land": "Land"}
FOR_SALE_TYPES = ("Residential", "Land", "Manufactured In Park", "Residential Income")
SUB_TYPES = {
    "SingleFamilyResidence": "Single Family Residence",
    "Condominium": "Condominium",
    "Townhouse": "Townhouse",
    "ManufacturedHome": "Manufactured Home",
}
SORTS = {
    "price_asc": "price",
    "price_desc": "-price",
    "newest": "newest",
    "sqft_desc": "-sqft",
    "price_per_sqft_asc": "ppsf",
}
BUYER_STATUSES = ("Active", "Coming Soon")
MAX_RESULTS = 12


def _names(description: str, max_length: int) -> dict[str, Any]:
    one = {"type": "string", "minLength": 1, "maxLength": max_length}
    return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": 10}], "description": description}


def _int(description: str, maximum: int, minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, "description": description}


FILTERS: dict[str, Any] = {
    "city": _names("City name(s) as the MLS spells them, e.g. 'Palm Springs'.", 80),
    "subdivision": _names("Subdivision / community name(s), e.g. 'PGA West'.", 120),
    "minPrice": _int("Minimum price in USD (monthly rent for leases).", 1_000_000_000),
    "maxPrice": _int("Maximum price in USD (monthly rent for leases).", 1_000_000_000),
    "minBeds": _int("Minimum bedrooms.", 50),
    "maxBeds": _int("Maximum bedrooms.", 50),
    "minBaths": _int("Minimum bathrooms.", 50),
    "minSqft": _int("Minimum living area, sq ft.", 10_000_000),
    "maxSqft": _int("Maximum living area, sq ft.", 10_000_000),
    "propertyType": {
        "type": "string",
        "enum": list(PROPERTY_TYPES),
        "description": "Omit for homes for sale; ResidentialLease for rentals; Land for lots.",
    },
    "propertySubType": {
        "anyOf": [
            {"type": "string", "enum": list(SUB_TYPES)},
            {"type": "array", "items": {"type": "string", "enum": list(SUB_TYPES)}, "minItems": 1, "maxItems": 4},
        ],
        "description": "'house' means SingleFamilyResidence; omit for any kind of home.",
    },
    "pool": {"type": "boolean", "description": "true: private pool; false: no pool."},
    "landLease": {
        "type": "boolean",
        "description": "true: only land lease; false: exclude land leases. Pro plan and up.",
    },
    "maxHoa": _int("Maximum monthly HOA fee (no HOA passes). Pro plan and up.", 1_000_000),
    "newerThanDays": _int("Listed within this many days (days on market). Pro plan and up.", 3650),
    "maxPricePerSqft": _int("Maximum list price per sq ft, USD. Pro plan and up.", 1_000_000, 1),
    "minYearBuilt": _int("Built in this year or later. Pro plan and up.", 2100, 1700),
    "minLotSqft": _int("Minimum lot size, sq ft. Pro plan and up.", 100_000_000),
    "openHouse": {"type": "boolean", "description": "Only listings with an upcoming open house."},
    "q": {"type": "string", "maxLength": 200, "description": "Words in the address or description."},
}
SEARCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **FILTERS,
        "sort": {"type": "string", "enum": list(SORTS), "description": "Default: newest."},
        "limit": _int(f"How many listings to return (1-{MAX_RESULTS}, default 6).", MAX_RESULTS, 1),
    },
    "additionalProperties": False,
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def api_params(args: dict[str, Any]) -> dict[str, list[str]]:
    """Tool arguments -> the search API's raw parameters (name -> values)."""
    raw: dict[str, list[str]] = {}
    for key in ("city", "subdivision", "q"):
        if key in args:
            raw[key] = [str(v) for v in _as_list(args[key])]
    for key in (
        *("minPrice", "maxPrice", "minBeds", "maxBeds", "minBaths", "minSqft", "maxSqft", "maxHoa"),
        *("newerThanDays", "maxPricePerSqft", "minYearBuilt", "minLotSqft"),
    ):
        if key in args:
            raw[key] = [str(args[key])]
    for key in ("pool", "landLease", "openHouse"):
        if key in args:
            raw[key] = ["true" if args[key] else "false"]
    if "propertyType" in args:
        raw["propertyType"] = [PROPERTY_TYPES[args["propertyType"]]]
    if "propertySubType" in args:
        raw["propertySubType"] = [SUB_TYPES[v] for v in _as_list(args["propertySubType"])]
    if "sort" in args:
        raw["sort"] = [SORTS[args["sort"]]]
    return raw


def _validated(args: dict[str, Any]) -> dict[str, Any]:
    try:
        return parse_params(api_params(args), SEARCH_PARAMS)
    except InvalidParameters as e:
        raise ToolError("invalid_arguments", e.payload()["message"], e.fields) from None


def gate(ctx: ToolContext, values: dict[str, Any]) -> None:
    """Advanced filters (Pro and up) the visitor's plan lacks: a tool result saying so, never a
    search quietly run without them."""
    denied = advanced_filters_check(user=ctx.user, params=values, visitor_id=ctx.anonymous_id or None)
    if denied is not None:
        raise ToolError(
            "upgrade_required",
            denied.message + " Tell the visitor, and offer the same search without these filters.",
            {**denied.as_fields(), "upgrade": UPGRADE_URL, "plan": str(denied.as_extra()["required_plan"])},
        )


def site_query(ctx: ToolContext, args: dict[str, Any], *, page_size: int) -> Any:
    values = _validated(args)
    gate(ctx, values)
    if "propertyType" not in values:
        values["propertyType"] = FOR_SALE_TYPES  # "homes" are for sale unless renting is asked
    values.setdefault("status", BUYER_STATUSES)
    values["pageSize"] = page_size
    model = get_read_model()
    cities = selectors.resolve_cities(model=model, values=values.get("city", ()))
    return search_query(
        values, cities=cities, mls_sources=ctx.scope.mls_sources, featured=ctx.scope.featured_subdivisions
    )


def card(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": c["key"],
        "address": c["address"],
        "city": c["city"],
        "price": c["price"],
        "beds": c["beds"],
        "baths": c["baths"],
        "sqft": c["sqft"],
        "status": c["status"],
        "url": f"/listings/{c['slug']}/",
        "photo": c.get("photo") or "",
    }


def map_url(args: dict[str, Any]) -> str:
    raw = {k: v for k, v in api_params(args).items() if k not in ("sort",)}
    return "/map/" + ("?" + urlencode(raw, doseq=True) if raw else "")


def search_listings(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    query = site_query(ctx, args, page_size=args.get("limit", 6))
    result = selectors.listing_search(query=query)
    cards = [card(c) for c in result.cards]
    ctx.shown_keys.extend(c["key"] for c in cards)
    content = {"total": result.total, "results": [{k: v for k, v in c.items() if k != "photo"} for c in cards]}
    return content, {"kind": "listings", "total": result.total, "cards": cards, "mapUrl": map_url(args)}


def _row_card(key: str, ctx: ToolContext) -> dict[str, Any]:
    model = get_read_model()
    row = model.row_of_key(key) if len(key) <= 64 else None
    if row is not None and ctx.scope.mls_sources is not None:
        source = model.dicts["source"].values[int(model.cols["source"][row])]
        if (source or "").casefold() not in {s.casefold() for s in ctx.scope.mls_sources}:
            row = None  # another site's MLS: as if it did not exist
    if row is None:
        raise ToolError("not_found", f"No active listing {key[:64]!r} on this site.")
    import numpy as np

    return card(model.cards(np.array([row]))[0])


DETAIL_FIELDS = (
    "unparsedAddress",
    "city",
    "subdivisionName",
    "listPrice",
    "bedroomsTotal",
    "bathroomsTotalInteger",
    "livingArea",
    "lotSizeSquareFeet",
    "yearBuilt",
    "propertyType",
    "propertySubType",
    "poolPrivateYN",
    "associationFee",
    "landLease",
    "landLeaseAmount",
    "daysOnMarket",
    "standardStatus",
    "publicRemarks",
    "openHouses",
)


def get_listing(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    c = _row_card(args["listingKey"], ctx)
    doc = selectors.listing_detail(slug=c["url"].split("/")[2], scope=ctx.scope) or {}
    details = {k: doc[k] for k in DETAIL_FIELDS if doc.get(k) not in (None, "", [])}
    if isinstance(details.get("publicRemarks"), str):
        details["publicRemarks"] = details["publicRemarks"][:600]
    ctx.shown_keys.append(c["key"])
    return {"listing": {**{k: v for k, v in c.items() if k != "photo"}, **details}}, {"kind": "listings", "cards": [c]}


def market_stats(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    city = get_read_model().city_by_slug.get(slugify_name(args["city"]))
    if city is None:
        raise ToolError("not_found", f"No listings in a city called {args['city'][:80]!r}.")
    rows = selectors.city_stats(scope=ctx.scope)
    if "subdivision" in args:
        rows = selectors.subdivision_stats(city_slug=slugify_name(city), scope=ctx.scope) or []
        wanted = args["subdivision"].casefold()
        rows = [r for r in rows if r["name"].casefold() == wanted]
        label = f"{args['subdivision']}, {city}"
    else:
        rows = [r for r in rows if r["name"] == city]
        label = city
    if not rows:
        raise ToolError("not_found", f"No active listings in {label} on this site.")
    r = rows[0]
    stats = {
        "area": label,
        "activeListings": r["count"],
        "medianPrice": r["median_price"],
        "medianPricePerSqft": r["median_ppsf"],
        "medianDaysOnMarket": r["median_dom"],
    }
    url = f"/communities/{slugify_name(city)}/" + (
        f"{slugify_name(args['subdivision'])}/" if "subdivision" in args else ""
    )
    return stats, {"kind": "stats", "stats": stats, "url": url}


def compare_listings(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = list(dict.fromkeys(args["listingKeys"]))
    if len(keys) < 2:
        raise ToolError("invalid_arguments", "Give 2 to 4 different listing keys.", {"listingKeys": "2-4 keys"})
    cards = [_row_card(k, ctx) for k in keys]
    for c in cards:
        c["pricePerSqft"] = round(c["price"] / c["sqft"]) if c["price"] and c["sqft"] else None
    return {"listings": [{k: v for k, v in c.items() if k != "photo"} for c in cards]}, {
        "kind": "compare",
        "cards": cards,
    }


def show_on_map(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    gate(ctx, _validated(args))
    url = map_url(args)
    return {"url": url}, {"kind": "link", "url": url, "label": "Show these on the map"}


FILTERS_ONLY = {"type": "object", "properties": FILTERS, "additionalProperties": False}
KEY = {"type": "string", "minLength": 1, "maxLength": 64}

register(
    Tool(
        "search_listings",
        "Search this site's active listings. Returns the total and the first results as cards.",
        SEARCH_SCHEMA,
        search_listings,
    )
)
register(
    Tool(
        "get_listing",
        "Details of one listing by its listingKey (from search results or the page the visitor is on).",
        {
            "type": "object",
            "properties": {"listingKey": KEY},
            "required": ["listingKey"],
            "additionalProperties": False,
        },
        get_listing,
    )
)
register(
    Tool(
        "market_stats",
        "Live market numbers for a city or a subdivision: active listings, median price, $/sqft, days on market.",
        {
            "type": "object",
            "properties": {
                "city": {"type": "string", "minLength": 1, "maxLength": 80},
                "subdivision": {"type": "string", "minLength": 1, "maxLength": 120},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
        market_stats,
    )
)
register(
    Tool(
        "compare_listings",
        "Compare 2 to 4 listings side by side (price, beds, baths, size, $/sqft).",
        {
            "type": "object",
            "properties": {"listingKeys": {"type": "array", "items": KEY, "minItems": 2, "maxItems": 4}},
            "required": ["listingKeys"],
            "additionalProperties": False,
        },
        compare_listings,
    )
)
register(
    Tool(
        "show_on_map",
        "A link to the map page showing the listings that match these filters.",
        FILTERS_ONLY,
        show_on_map,
    )
)
