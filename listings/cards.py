"""Listing cards for pages (featured blocks, home pages): small projections of the store."""

from __future__ import annotations

from typing import Any

from listings.store import LISTINGS, get_db

CARD_FIELDS = {
    "_id": 0,
    "listingKey": 1,
    "slug": 1,
    "listPrice": 1,
    "bedroomsTotal": 1,
    "bathroomsTotalInteger": 1,
    "livingArea": 1,
    "unparsedAddress": 1,
    "city": 1,
    "primaryPhotoUrl": 1,
}


def card_from_document(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": doc.get("listingKey"),
        "slug": doc.get("slug"),
        "price": doc.get("listPrice"),
        "beds": doc.get("bedroomsTotal"),
        "baths": doc.get("bathroomsTotalInteger"),
        "sqft": doc.get("livingArea"),
        "address": doc.get("unparsedAddress"),
        "city": doc.get("city"),
        "photo": doc.get("primaryPhotoUrl"),
    }


def listing_cards_featured(
    *,
    city: str | None = None,
    subdivision: str | None = None,
    max_price: int | None = None,
    mls_sources: list[str] | None = None,
    limit: int = 6,
) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"standardStatus": "Active"}
    if city:
        query["city"] = str(city)
    if subdivision:
        query["subdivisionName"] = str(subdivision)
    if max_price:
        query["listPrice"] = {"$lte": float(max_price)}
    if mls_sources:
        query["mlsSource"] = {"$in": [str(s) for s in mls_sources]}
    cursor = get_db()[LISTINGS].find(query, CARD_FIELDS).limit(limit)
    return [card_from_document(doc) for doc in cursor]
