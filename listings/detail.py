"""What the listing page shows besides the document: photos and the gallery, days on market,
similar homes (cached per read-model snapshot), the facts table and the JSON-LD for search
engines."""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.query import SearchQuery
from listings.web import scope_of

PHOTO_SIZES = (
    ("uri300", 300),
    ("uri640", 640),
    ("uri800", 800),
    ("uri1024", 1024),
    ("uri1280", 1280),
    ("uri1600", 1600),
    ("uri2048", 2048),
)


def photos_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
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


def gallery_thumbs(photos: list[dict[str, Any]], *, alt: str) -> SafeString:
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


def days_on_market(doc: dict[str, Any]) -> int | None:
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


def similar_cards(request: HttpRequest, doc: dict[str, Any], *, model: Any, limit: int = 6) -> list[dict[str, Any]]:
    """Up to ``limit`` listings of the same city and property type priced within ±25 %, newest
    first, from the read model ``model`` (what ``listing_search`` gives for that query, without
    filtering every row of the snapshot on each page view)."""
    price = doc.get("listPrice")
    scope = scope_of(request)
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


def cards_html(model: Any, cards: list[dict[str, Any]]) -> SafeString:
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


def json_ld(request: HttpRequest, doc: dict[str, Any], photos: list[dict[str, Any]], sold: bool) -> str:
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


def listing_facts(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """The facts table: (label, value) of every fact the document has."""
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
    return [(k, v) for k, v in facts if v not in (None, "")]


def listing_summary(doc: dict[str, Any], *, sold: bool) -> tuple[str, str, Any]:
    """(title, meta description, price shown): a sale shows its closing price."""
    title = f"{doc.get('unparsedAddress')}, {doc.get('city')}, {doc.get('stateOrProvince') or 'CA'} {doc.get('postalCode') or ''}".strip()
    price = doc.get("closePrice") if sold and doc.get("closePrice") else doc.get("listPrice")
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
    return title, description, price
