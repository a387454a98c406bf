"""Pages (listing, search, map, swipe, favourites, saved searches) and the visitor APIs
(swipes, swipe queue, favourites, saved searches).

Reads go through ``listings.selectors`` and the read model, with the site's scope
(``request.tenant``): an agent site never shows another MLS source. Search parameters are
validated by the same table as the public API (``listings.validation``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import login_required
from core.errors import json_error
from listings import selectors, services
from listings.models import Favorite, SavedSearch, Swipe
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.query import SearchQuery
from listings.saved_queries import describe as _describe
from listings.saved_queries import saved_query_from, saved_query_string
from listings.store import CLOSED, LISTINGS, get_db
from listings.validation import (
    SEARCH_PARAMS,
    SLUG,
    InvalidParameters,
    parse_params,
    search_query,
)
from security.redirects import safe_next

PHOTO_SIZES = (
    ("uri300", 300),
    ("uri640", 640),
    ("uri800", 800),
    ("uri1024", 1024),
    ("uri1280", 1280),
    ("uri1600", 1600),
    ("uri2048", 2048),
)
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PAGE_SIZE = 24
SWIPE_QUEUE_PARAMS = tuple(p for p in SEARCH_PARAMS if p.name not in ("page", "pageSize"))


# ---- helpers ---------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> selectors.Scope:
    return selectors.site_scope(tenant=getattr(request, "tenant", None))


def _query_from(request: HttpRequest, values: dict[str, Any], *, page_size: int | None = None) -> SearchQuery:
    scope = _scope(request)
    cities = selectors.resolve_cities(model=get_read_model(), values=values.get("city", ()))
    if page_size is not None:
        values = {**values, "pageSize": page_size}
    return search_query(
        values, cities=cities, mls_sources=scope.mls_sources, featured=scope.featured_subdivisions, use_bbox=True
    )


def _raw_params(source: QueryDict | dict[str, Any]) -> dict[str, list[str]]:
    if isinstance(source, QueryDict):
        return {k: source.getlist(k) for k in source}
    out: dict[str, list[str]] = {}
    for k, v in source.items():
        vals = v if isinstance(v, list) else [v]
        out[str(k)] = [str(x) for x in vals if not isinstance(x, (dict, list))]
        if any(isinstance(x, (dict, list)) for x in vals):
            out[str(k)] = ["\x00"]  # objects are never values: rejected by validation
    return out


def _me(request: HttpRequest) -> Any:
    """The signed-in user (views using it are behind ``login_required``)."""
    return request.user


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None
    return {k: request.POST.get(k) for k in request.POST}


def listing_visible(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """The store's ``{listingKey, mlsSource, slug}`` of a listing this site shows, or None."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return None
    doc = get_db()[LISTINGS].find_one({"listingKey": key}, {"_id": 0, "listingKey": 1, "mlsSource": 1, "slug": 1})
    scope = _scope(request)
    if doc is None or (scope.mls_sources is not None and doc.get("mlsSource") not in scope.mls_sources):
        return None
    return doc


def cards_for_keys(request: HttpRequest, keys: list[str]) -> list[dict[str, Any]]:
    """Cards of listings by key, in the given order, only those this site shows."""
    model = get_read_model()
    scope = _scope(request)
    import numpy as np

    rows = [r for r in (model.row_of_key(k) for k in keys) if r is not None]
    if not rows:
        return []
    cards = model.cards(np.asarray(rows, dtype=np.int64))
    if scope.mls_sources is not None:
        allowed = {
            d["listingKey"]
            for d in get_db()[LISTINGS].find(
                {"listingKey": {"$in": [str(c["key"]) for c in cards]}, "mlsSource": {"$in": list(scope.mls_sources)}},
                {"_id": 0, "listingKey": 1},
            )
        }
        cards = [c for c in cards if c["key"] in allowed]
    return cards


def _photos(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in doc.get("photos") or []:
        if not isinstance(p, dict):
            continue
        srcset = ", ".join(f"{p[k]} {w}w" for k, w in PHOTO_SIZES if p.get(k))
        src = p.get("uri1024") or p.get("uri800") or p.get("uri640") or p.get("uriLarge") or p.get("uriThumb")
        if src:
            out.append(
                {"src": src, "srcset": srcset, "caption": p.get("caption") or "", "thumb": p.get("uri300") or src}
            )
    if not out and doc.get("primaryPhotoUrl"):
        out.append({"src": doc["primaryPhotoUrl"], "srcset": "", "caption": "", "thumb": doc["primaryPhotoUrl"]})
    return out


def _gallery_thumbs(photos: list[dict[str, Any]], *, alt: str) -> SafeString:
    """The gallery's thumbnail buttons. Built here rather than in a template loop: a listing
    has up to 40 photos and the loop cost ~0.1 ms a photo in Django templates. Every value is
    escaped (``html.escape``, as the template's autoescape does)."""
    parts = []
    for i, p in enumerate(photos):
        caption = str(p["caption"])
        label = f"Show photo {i + 1}: {caption}" if caption else f"Show photo {i + 1}"
        current = ' aria-current="true"' if i == 0 else ""
        parts.append(
            f'<li><button type="button" data-gallery-thumb="{i}" data-src="{escape(str(p["src"]))}"'
            f' data-srcset="{escape(str(p["srcset"]))}" data-alt="{escape(caption or alt)}"'
            f' aria-label="{escape(label)}"{current}>'
            f'<img src="{escape(str(p["thumb"]))}" alt="" loading="lazy" width="120" height="90"></button></li>'
        )
    return mark_safe("".join(parts))  # every interpolated value is escaped above


def _days_on_market(doc: dict[str, Any]) -> int | None:
    if isinstance(doc.get("daysOnMarket"), int):
        return doc["daysOnMarket"]
    listed = doc.get("onMarketDate") or doc.get("listingContractDate")
    try:
        return max(0, (date.today() - date.fromisoformat(str(listed)[:10])).days) if listed else None
    except ValueError:
        return None


# Similar listings: the candidates of a (city, property type, site scope) in result order,
# computed once per snapshot; a page then only narrows them to its price band.
_SIMILAR_POOLS = SnapshotMemo(4096)


def _similar_pool(model: Any, query: SearchQuery) -> Any:
    """Rows of ``query`` (no price bounds) in its result order, cached per snapshot."""
    from listings.readmodel.filters import order

    key = (query.cities, query.property_types, query.mls_sources, query.sort)
    rows = _SIMILAR_POOLS.get(model.version, key)
    if rows is None:
        rows = _SIMILAR_POOLS.put(model.version, key, order(model, query, model.select(query)))
    return rows


def _similar(request: HttpRequest, doc: dict[str, Any], *, model: Any, limit: int = 6) -> list[dict[str, Any]]:
    """Up to ``limit`` listings of the same city and property type priced within ±25 %, newest
    first, from the read model ``model`` (what ``listing_search`` gives for that query, without
    filtering every row of the snapshot on each page view)."""
    price = doc.get("listPrice")
    scope = _scope(request)
    try:
        query = SearchQuery(
            cities=(doc["city"],) if doc.get("city") else (),
            property_types=(doc["propertyType"],) if doc.get("propertyType") else (),
            mls_sources=scope.mls_sources,
            page_size=limit + 1,
        )
    except ValueError:
        return []
    rows = _similar_pool(model, query)
    if isinstance(price, (int, float)) and not isinstance(price, bool):
        prices = model.cols["price"][rows]
        # the search filters' semantics: min is inclusive; max is inclusive and drops unknown (< 0)
        rows = rows[(prices >= int(price * 0.75)) & (prices <= int(price * 1.25)) & (prices >= 0)]
    return [c for c in model.cards(rows[: limit + 1]) if c["key"] != doc.get("listingKey")][:limit]


# Rendered result cards of the current read-model snapshot, per process. A card's HTML depends
# only on its read-model columns (no site, visitor or request data), and similar-homes lists
# repeat the same few cards across many pages; a new snapshot drops them all.
_CARD_HTML = SnapshotMemo(20_000)


def _cards_html(model: Any, cards: list[dict[str, Any]]) -> SafeString:
    """``includes/listing_card.html`` for each card, joined."""
    lang = get_language() or ""
    out = []
    for card in cards:
        key = (lang, str(card["key"]))
        html = _CARD_HTML.get(model.version, key)
        if html is None:
            html = _CARD_HTML.put(model.version, key, render_to_string("includes/listing_card.html", {"listing": card}))
        out.append(html)
    return mark_safe("".join(out))  # rendered by the template engine (autoescaped)


def _json_ld(request: HttpRequest, doc: dict[str, Any], photos: list[dict[str, Any]], sold: bool) -> str:
    sub = (doc.get("propertySubType") or "").lower()
    kind = {
        "single family residence": "SingleFamilyResidence",
        "condominium": "Apartment",
        "townhouse": "House",
    }.get(sub, "Residence")
    address = {
        "@type": "PostalAddress",
        "streetAddress": doc.get("unparsedAddress"),
        "addressLocality": doc.get("city"),
        "addressRegion": doc.get("stateOrProvince"),
        "postalCode": doc.get("postalCode"),
        "addressCountry": "US",
    }
    item: dict[str, Any] = {"@type": kind, "address": address}
    if doc.get("bedroomsTotal") is not None:
        item["numberOfRooms"] = doc["bedroomsTotal"]
    if doc.get("livingArea"):
        item["floorSize"] = {"@type": "QuantitativeValue", "value": doc["livingArea"], "unitCode": "FTK"}
    if doc.get("latitude") is not None and doc.get("longitude") is not None:
        item["geo"] = {"@type": "GeoCoordinates", "latitude": doc["latitude"], "longitude": doc["longitude"]}
    price = doc.get("closePrice") if sold else doc.get("listPrice")
    data = {
        "@context": "https://schema.org",
        "@type": "RealEstateListing",
        "name": f"{doc.get('unparsedAddress')}, {doc.get('city')}",
        "url": request.build_absolute_uri(),
        "datePosted": doc.get("onMarketDate") or doc.get("listingContractDate"),
        "description": (doc.get("publicRemarks") or "")[:500],
        "image": [p["src"] for p in photos[:5]],
        "about": item,
        "offers": {
            "@type": "Offer",
            "price": price,
            "priceCurrency": "USD",
            "availability": "https://schema.org/SoldOut" if sold else "https://schema.org/InStock",
        },
    }
    # Safe inside <script>: no "</" sequence can close the tag.
    return json.dumps(data, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_style(request: HttpRequest) -> str:
    """The basemap style: MAP_STYLE_URL, else MapTiler with a key, else '' (offline style)."""
    url = getattr(settings, "MAP_STYLE_URL", "")
    key = getattr(settings, "MAPTILER_API_KEY", "")
    if url:
        return str(url)
    if key:
        return f"https://api.maptiler.com/maps/streets-v2/style.json?key={key}"
    return ""


def _closed_since_snapshot(slug: str, scope: selectors.Scope) -> bool:
    """Is ``slug`` an active listing of the current snapshot, of a source this site shows?
    (Then it may have closed since, and only the store knows.)"""
    model = get_read_model()
    row = model.row_of_slug(slug)
    if row is None:
        return False
    if scope.mls_sources is None:
        return True
    return int(model.cols["source"][row]) in model.dicts["source"].lookup(scope.mls_sources).tolist()


def _find_document(request: HttpRequest, slug: str) -> tuple[dict[str, Any] | None, bool]:
    """(document, sold) of a listing this site shows: the active store first, then closed sales.

    Closed sales are found by key through the closed read model's slug index: the store has no
    slug index on closed sales, so a slug query there scans every sale (any mistyped or
    crawled address would). Only a slug the active snapshot still knows (a listing that closed
    since) is asked of the store by slug."""
    scope = _scope(request)
    doc = selectors.listing_detail(slug=slug, scope=scope)
    if doc is not None:
        return doc, doc.get("standardStatus") == "Closed"
    closed_model = get_closed_model()
    row = closed_model.row_of_slug(slug)
    if row is not None:
        filt = {"listingKey": str(closed_model.cols["key"][row])}
    elif _closed_since_snapshot(slug, scope):
        filt = {"slug": slug}
    else:
        return None, False
    closed = get_db()[CLOSED].find_one(filt, selectors.DETAIL_PROJECTION)
    if closed is None or (scope.mls_sources is not None and closed.get("mlsSource") not in scope.mls_sources):
        return None, False
    return closed, True


# ---- listing page ----------------------------------------------------------------------------


def listing_page(request: HttpRequest, slug: str) -> HttpResponse:
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        raise Http404("No such listing")
    doc, sold = _find_document(request, slug)
    if doc is None:
        raise Http404("No such listing")
    model = get_read_model()
    photos = _photos(doc)
    key = doc.get("listingKey", "")
    favorite = request.user.is_authenticated and Favorite.objects.filter(user=request.user, listing_key=key).exists()
    from billing.plans import FREE, Feature
    from billing.selectors import entitlement_check

    # An anonymous visitor is on the free plan: their usage only matters if it includes CMAs.
    visitor = getattr(request, "anonymous_id", None) if FREE.limit(Feature.CMA_REPORTS) != 0 else None
    cma = entitlement_check(user=request.user, feature=Feature.CMA_REPORTS, visitor_id=visitor)
    title = f"{doc.get('unparsedAddress')}, {doc.get('city')}, {doc.get('stateOrProvince') or 'CA'} {doc.get('postalCode') or ''}".strip()
    facts = [
        ("Bedrooms", doc.get("bedroomsTotal")),
        ("Bathrooms", doc.get("bathroomsTotalInteger")),
        ("Living area", f"{doc['livingArea']:,.0f} sq ft" if doc.get("livingArea") else None),
        ("Lot size", f"{doc['lotSizeSquareFeet']:,.0f} sq ft" if doc.get("lotSizeSquareFeet") else None),
        ("Year built", doc.get("yearBuilt")),
        ("Property type", doc.get("propertySubType") or doc.get("propertyType")),
        ("Garage spaces", int(doc["garageSpaces"]) if isinstance(doc.get("garageSpaces"), (int, float)) else None),
        (
            "Private pool",
            "Yes" if doc.get("poolPrivateYN") is True else "No" if doc.get("poolPrivateYN") is False else None,
        ),
        ("HOA", f"${doc['associationFee']:,.0f}/mo" if doc.get("associationFee") else None),
        ("Subdivision", doc.get("subdivisionName")),
        ("County", doc.get("countyOrParish")),
        ("55+ community", "Yes" if doc.get("seniorCommunityYN") else None),
        ("MLS #", doc.get("listingId")),
    ]
    price = doc.get("closePrice") if sold and doc.get("closePrice") else doc.get("listPrice")
    ppsf = price / doc["livingArea"] if price and doc.get("livingArea") else None
    beds = doc.get("bedroomsTotal")
    description = (
        (
            f"{'Sold' if sold else 'For sale'}: {title}. "
            f"{beds if beds is not None else '–'} bd, {doc.get('bathroomsTotalInteger') or '–'} ba"
            f"{', ' + format(int(doc['livingArea']), ',') + ' sq ft' if doc.get('livingArea') else ''}, "
            f"${price:,.0f}. " + (doc.get("publicRemarks") or "")
        )[:300]
        if price
        else title
    )
    context = {
        "doc": doc,
        "key": key,
        "sold": sold,
        "price": price,
        "ppsf": ppsf,
        "title": title,
        "description": description,
        "photos": photos,
        "gallery_thumbs": _gallery_thumbs(photos, alt=str(doc.get("unparsedAddress") or "")),
        "facts": [(k, v) for k, v in facts if v not in (None, "")],
        "days_on_market": _days_on_market(doc),
        "price_history": list(reversed(doc.get("priceHistory") or [])),
        "open_houses": [o for o in doc.get("openHouses") or [] if isinstance(o, dict)],
        "similar": _cards_html(model, _similar(request, doc, model=model)),
        "favorite": favorite,
        "cma": cma,
        "json_ld": _json_ld(request, doc, photos, sold),
        "map_style": map_style(request),
        "canonical": request.build_absolute_uri(reverse("listings:listing", args=[doc.get("slug") or slug])),
    }
    return render(request, "listings/listing_detail.html", context)


@require_POST
def showing_request(request: HttpRequest, slug: str) -> HttpResponse:
    """A showing request from the listing page becomes a Lead for this site's agent, or on the
    flagship for the brokerage (rate limited per client address and account: security/policy.py)."""
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        raise Http404("No such listing")
    doc, sold = _find_document(request, slug)
    if doc is None:
        raise Http404("No such listing")
    name = (request.POST.get("name") or "").strip()[:150]
    email = (request.POST.get("email") or "").strip()[:254]
    phone = (request.POST.get("phone") or "").strip()[:32]
    when = (request.POST.get("when") or "").strip()[:120]
    message = (request.POST.get("message") or "").strip()[:2000]
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    errors = []
    if not name:
        errors.append("Please tell us your name.")
    try:
        validate_email(email)
    except ValidationError:
        errors.append("Please enter a valid email address.")
    if errors:
        for e in errors:
            messages.error(request, e)
        return redirect(reverse("listings:listing", args=[slug]) + "#showing")
    from leads.models import Lead
    from leads.services import lead_create

    lead_create(
        source=Lead.Source.SHOWING_REQUEST,
        name=name,
        email=email,
        phone=phone,
        message=(f"Preferred time: {when}\n\n" if when else "") + message,
        listing_key=str(doc.get("listingKey", "")),
        user=request.user,
        data={"slug": slug, "address": doc.get("unparsedAddress"), "when": when},
    )
    messages.success(request, "Thanks! Your showing request was sent; the agent will be in touch shortly.")
    return redirect(reverse("listings:listing", args=[slug]))


# ---- search and map ---------------------------------------------------------------------------


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
    "status",
    "sort",
)


def _filter_values(request: HttpRequest) -> dict[str, str]:
    """The filter form's values; For sale unless the visitor switched to For rent."""
    f = {k: request.GET.get(k, "") for k in FILTER_FIELDS}
    f["listingType"] = f["listingType"] if f["listingType"] in ("sale", "rent") else "sale"
    return f


def search_page(request: HttpRequest) -> HttpResponse:
    raw = _raw_params(request.GET)
    if not raw.get("listingType"):
        raw["listingType"] = ["sale"]  # sale and rent are never mixed without a word
    errors: dict[str, str] = {}
    result = None
    query = None
    try:
        values = parse_params(raw, SEARCH_PARAMS)
        query = _query_from(request, values, page_size=values.get("pageSize", PAGE_SIZE))
        result = selectors.listing_search(query=query)
    except InvalidParameters as e:
        errors = e.fields
    except ValueError as e:
        errors = {"query": str(e)}
    pages = 0
    if result is not None and query is not None:
        pages = max(1, -(-result.total // query.page_size))
    keep = [(k, v) for k, vs in raw.items() if k != "page" for v in vs if v != ""]
    base_qs = urlencode(keep)
    saved_qs = urlencode([(k, v) for k, v in keep if k not in ("pageSize", "sort")])
    context = {
        "errors": errors,
        "result": result,
        "page": query.page if query else 1,
        "pages": pages,
        "page_links": _page_links(query.page, pages) if query and pages else [],
        "base_qs": base_qs,
        "saved_qs": saved_qs,
        "f": _filter_values(request),
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
    return render(request, "listings/search.html", context, status=400 if errors else 200)


def map_page(request: HttpRequest) -> HttpResponse:
    from listings.places import map_places

    style = map_style(request)
    return render(
        request,
        "listings/map.html",
        {
            "map_style": style,
            # City names for the offline basemap; a tile service's style has its own.
            "places": [] if style else map_places(mls_sources=_scope(request).mls_sources),
            "f": _filter_values(request),
            "property_types": PROPERTY_TYPES,
        },
    )


# ---- swipe -----------------------------------------------------------------------------------


def swipe_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "listings/swipe.html",
        {
            "f": {k: request.GET.get(k, "") for k in FILTER_FIELDS},
            "property_types": PROPERTY_TYPES,
        },
    )


def _swiped_keys(request: HttpRequest) -> set[str]:
    if request.user.is_authenticated:
        qs = Swipe.objects.filter(user=request.user)
    else:
        anon = getattr(request, "anonymous_id", None)
        if not anon:
            return set()
        qs = Swipe.objects.filter(user__isnull=True, anonymous_id=anon)
    return set(qs.values_list("listing_key", flat=True))


@require_http_methods(["GET"])
def swipe_queue(request: HttpRequest) -> JsonResponse:
    """The next cards for this visitor: the filters' results minus what they already swiped."""
    raw = _raw_params(request.GET)
    limit_raw = raw.pop("limit", ["10"])
    try:
        limit = int(limit_raw[0]) if limit_raw and limit_raw[0].isdigit() else -1
        if not 1 <= limit <= 50:
            raise InvalidParameters({"limit": "must be between 1 and 50"})
        values = parse_params(raw, SWIPE_QUEUE_PARAMS)
        values.setdefault("status", ("Active", "Coming Soon"))
        seen = _swiped_keys(request)
        out: list[dict[str, Any]] = []
        page, total = 1, 0
        while len(out) < limit and page <= 50:
            query = _query_from(request, {**values, "page": page}, page_size=100)
            result = selectors.listing_search(query=query)
            total = result.total
            out.extend(c for c in result.cards if c["key"] not in seen)
            if page * 100 >= result.total:
                break
            page += 1
    except InvalidParameters as e:
        return JsonResponse(e.payload(), status=400)
    return JsonResponse({"results": out[:limit], "total": total, "swiped": len(seen)})


@require_POST
def swipes_api(request: HttpRequest) -> JsonResponse:
    body = _json_body(request)
    if body is None:
        return json_error(400, "invalid_json", "Send a JSON object.")
    key = body.get("listingKey")
    direction = body.get("direction")
    fields = {}
    if direction not in Swipe.Direction.values:
        fields["direction"] = "must be like or dislike"
    if not isinstance(key, str) or not KEY.fullmatch(key):
        fields["listingKey"] = "must be a listing key"
    if fields:
        return json_error(400, "invalid_parameters", "Some fields are invalid.", fields=fields)
    key, direction = str(key), str(direction)
    if listing_visible(request, key) is None:
        return json_error(404, "not_found", "No such listing on this site.", fields={"listingKey": "unknown"})
    anon = getattr(request, "anonymous_id", None) or ""
    if not request.user.is_authenticated and not anon:
        return json_error(400, "no_visitor", "Cookies are needed to record swipes.")
    swipe = services.swipe_upsert(listing_key=key, direction=direction, user=request.user, anonymous_id=anon)
    return JsonResponse(
        {
            "listingKey": key,
            "direction": swipe.direction,
            "favorite": bool(request.user.is_authenticated and direction == Swipe.Direction.LIKE),
        },
        status=201,
    )


# ---- favourites ------------------------------------------------------------------------------


@require_http_methods(["POST", "DELETE"])
def favorite_api(request: HttpRequest, key: str) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(
            401, "authentication_required", "Sign up or sign in to save homes.", signup=reverse("account_signup")
        )
    if request.method == "DELETE":
        services.favorite_remove(user=request.user, listing_key=key)
        return JsonResponse({"listingKey": key, "favorite": False})
    if listing_visible(request, key) is None:
        return json_error(404, "not_found", "No such listing on this site.")
    _, created = services.favorite_add(user=request.user, listing_key=key)
    return JsonResponse({"listingKey": key, "favorite": True}, status=201 if created else 200)


@require_POST
def favorite_toggle(request: HttpRequest, key: str) -> HttpResponse:
    """No-JS fallback of the save button: toggles, then back to the page."""
    nxt = safe_next(request, request.POST.get("next"), default="/favorites/")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_signup')}?{urlencode({'next': nxt})}")
    if Favorite.objects.filter(user=request.user, listing_key=key).exists():
        services.favorite_remove(user=request.user, listing_key=key)
        messages.success(request, "Removed from your favourites.")
    elif listing_visible(request, key) is not None:
        services.favorite_add(user=request.user, listing_key=key)
        messages.success(request, "Saved to your favourites.")
    return HttpResponseRedirect(nxt)


@login_required
def favorites_page(request: HttpRequest) -> HttpResponse:
    keys = list(Favorite.objects.filter(user=_me(request)).values_list("listing_key", flat=True))
    cards = cards_for_keys(request, keys)
    missing = len(keys) - len(cards)
    return render(request, "listings/favorites.html", {"cards": cards, "missing": missing})


# ---- saved searches --------------------------------------------------------------------------


def _parse_saved_body(request: HttpRequest, body: dict[str, Any]) -> tuple[dict[str, list[str]], str, str, bool]:
    q = body.get("query", "")
    if isinstance(q, str):
        raw = dict(QueryDict(q[:4000]).lists())
    elif isinstance(q, dict):
        raw = _raw_params(q)
    else:
        raise InvalidParameters({"query": "must be a query string or an object"})
    query = saved_query_from(request, raw)
    name = body.get("name") or ""
    if not isinstance(name, str) or len(name) > 120:
        raise InvalidParameters({"name": "must be text of at most 120 characters"})
    frequency = body.get("frequency") or SavedSearch.Frequency.DAILY
    if frequency not in SavedSearch.Frequency.values:
        raise InvalidParameters({"frequency": "must be instant, daily or never"})
    sms = body.get("sms") in (True, "true", "1", "on")
    return query, (name.strip() or _describe(query))[:120], frequency, sms


@require_http_methods(["GET", "POST"])
def saved_searches_api(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(
            401, "authentication_required", "Sign up or sign in to save searches.", signup=reverse("account_signup")
        )
    if request.method == "GET":
        return JsonResponse(
            {
                "results": [
                    {"id": s.pk, "name": s.name, "query": s.query, "frequency": s.frequency, "sms": s.sms_enabled}
                    for s in SavedSearch.objects.filter(user=request.user)
                ]
            }
        )
    body = _json_body(request)
    if body is None:
        return json_error(400, "invalid_json", "Send a JSON object.")
    try:
        query, name, frequency, sms = _parse_saved_body(request, body)
        saved = services.saved_search_create(
            user=request.user, name=name, query=query, frequency=frequency, sms_enabled=sms
        )
    except InvalidParameters as e:
        return JsonResponse(e.payload(), status=400)
    except services.SavedSearchDenied as e:
        ent = e.entitlement
        return json_error(
            403, e.code, e.message, upgrade=True, limit=ent.limit, used=ent.used, plan=ent.plan, upgrade_url="/billing/"
        )
    return JsonResponse(
        {"id": saved.pk, "name": saved.name, "query": saved.query, "frequency": saved.frequency, "sms": sms},
        status=201,
    )


@require_http_methods(["DELETE"])
def saved_search_api(request: HttpRequest, pk: int) -> JsonResponse:
    if not request.user.is_authenticated:
        return json_error(401, "authentication_required", "Sign in first.")
    if not services.saved_search_delete(user=request.user, pk=pk):
        return json_error(404, "not_found", "No such saved search.")
    return JsonResponse({"id": pk, "deleted": True})


@login_required
def saved_searches_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        body = {k: request.POST.get(k) for k in ("query", "name", "frequency", "sms")}
        try:
            query, name, frequency, sms = _parse_saved_body(request, body)
            services.saved_search_create(
                user=request.user, name=name, query=query, frequency=frequency, sms_enabled=sms
            )
            messages.success(request, f"Saved “{name}”. We'll email you new matches and price drops.")
        except InvalidParameters as e:
            messages.error(request, "That search could not be saved: " + ", ".join(sorted(e.fields)) + ".")
        except services.SavedSearchDenied as e:
            messages.error(request, e.message)
        return redirect("listings:saved_searches")
    from billing.plans import Feature
    from billing.selectors import entitlement_check

    searches = list(SavedSearch.objects.filter(user=_me(request)))
    ent = entitlement_check(user=request.user, feature=Feature.SAVED_SEARCHES, in_use=len(searches))
    rows = [{"s": s, "qs": saved_query_string(s.query), "describe": _describe(s.query)} for s in searches]
    return render(
        request,
        "listings/saved_searches.html",
        {"rows": rows, "ent": ent, "frequencies": SavedSearch.Frequency.choices},
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if services.saved_search_delete(user=request.user, pk=pk):
        messages.success(request, "Saved search deleted.")
    return redirect("listings:saved_searches")


@login_required
@require_POST
def saved_search_update(request: HttpRequest, pk: int) -> HttpResponse:
    saved = SavedSearch.objects.filter(user=_me(request), pk=pk).first()
    if saved is None:
        raise Http404("No such saved search")
    frequency = request.POST.get("frequency")
    if frequency in SavedSearch.Frequency.values:
        saved.frequency = frequency
    sms = request.POST.get("sms") in ("true", "1", "on")
    if sms and not saved.sms_enabled:
        from billing.plans import Feature
        from billing.selectors import entitlement_check

        if not entitlement_check(user=request.user, feature=Feature.SMS_ALERTS).allowed:
            messages.error(request, "SMS alerts come with the Ultimate plan and above.")
            sms = False
    saved.sms_enabled = sms
    saved.save(update_fields=["frequency", "sms_enabled"])
    messages.success(request, "Alert settings updated.")
    return redirect("listings:saved_searches")
