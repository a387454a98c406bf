"""Raw feed record (Spark ``StandardFields`` shape) -> listing document (docs/listing-document.md).

Feeds are sloppy: numbers arrive as strings, confidential values as ``"********"``, dates in
several formats. Optional fields that cannot be read become ``None``; a record missing what a
listing cannot live without (key, status, price, a place on the map, a timestamp) raises
``MalformedRecord`` so the pipeline quarantines it instead of storing garbage.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any

import bson
import bson.errors

MASK = "********"
STATUSES = frozenset(
    {"Active", "Active Under Contract", "Pending", "Coming Soon", "Closed", "Expired", "Withdrawn", "Canceled"}
)
PER_MONTH = {
    "monthly": 1.0,
    "annually": 1 / 12,
    "yearly": 1 / 12,
    "quarterly": 1 / 3,
    "semi-annually": 1 / 6,
    "weekly": 52 / 12,
}
# Fields outside the content hash: written by sync itself, not sent by the feed.
SYNC_FIELDS = ("priceHistory", "contentHash", "syncedAt")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_NUMBER_JUNK = re.compile(r"[$,\s]")


class MalformedRecord(ValueError):
    """The record cannot become a listing document; ``reason`` says why."""

    def __init__(self, reason: str, *, listing_key: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.listing_key = reason, listing_key


def _clean(value: Any) -> Any:
    return None if value == MASK or value == "" else value


def to_float(value: Any) -> float | None:
    value = _clean(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(_NUMBER_JUNK.sub("", str(value)))
    except ValueError:
        return None


def to_int(value: Any) -> int | None:
    number = to_float(value)
    return int(round(number)) if number is not None else None


def to_bool(value: Any) -> bool | None:
    value = _clean(value)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in ("y", "yes", "true", "1") else False if text in ("n", "no", "false", "0") else None


def to_date(value: Any) -> str | None:
    """ISO date from ISO dates/datetimes or Spark's ``MM/DD/YYYY``; unreadable -> None."""
    value = _clean(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if "/" in text:
            return datetime.strptime(text, "%m/%d/%Y").date().isoformat()
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def to_timestamp(value: Any) -> str | None:
    """Normalise to ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) so string order is time order."""
    value = _clean(value)
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    value = _clean(value)
    return str(value).strip() or None if value is not None else None


def slugify(*parts: str | None) -> str:
    return _NON_SLUG.sub("-", " ".join(p for p in parts if p).lower()).strip("-")


def _photos(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    # Every size the feed sends (UriThumb, Uri300 ... Uri2048, UriLarge). A dict display per photo,
    # not a loop over the sizes: listings carry ~12 photos of 12 fields, the flattener's hottest loop.
    primary: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    for p in raw or ():
        if not isinstance(p, dict):
            continue
        get = p.get
        is_primary = bool(get("Primary"))
        (primary if is_primary else rest).append(
            {
                "id": get("Id"),
                "caption": _text(get("Caption")),
                "primary": is_primary,
                "uriThumb": get("UriThumb"),
                "uri300": get("Uri300"),
                "uri640": get("Uri640"),
                "uri800": get("Uri800"),
                "uri1024": get("Uri1024"),
                "uri1280": get("Uri1280"),
                "uri1600": get("Uri1600"),
                "uri2048": get("Uri2048"),
                "uriLarge": get("UriLarge"),
            }
        )
    # Primary first, the rest in feed order.
    return primary + rest


def _open_houses(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [
        {"date": to_date(o.get("Date")), "startTime": _text(o.get("StartTime")), "endTime": _text(o.get("EndTime"))}
        for o in raw or []
        if isinstance(o, dict)
    ]


def _monthly(amount: float | None, frequency: Any) -> float | None:
    if amount is None:
        return None
    return round(amount * PER_MONTH.get(str(_clean(frequency) or "monthly").lower(), 1.0), 2)


def content_hash(doc: dict[str, Any]) -> str:
    """Hash of the feed-derived fields; dict order is fixed by ``flatten`` so no sort is needed.

    Hashes the BSON encoding (pymongo's C encoder, about twice as fast as ``json.dumps`` on a
    listing with its photos, and deterministic: same fields, values and order, same bytes)."""
    return hashlib.blake2b(
        bson.encode({k: v for k, v in doc.items() if k not in SYNC_FIELDS}), digest_size=16
    ).hexdigest()


def flatten(raw: dict[str, Any], *, source: str) -> dict[str, Any]:
    """One raw result -> one listing document (without ``priceHistory``/``syncedAt``)."""
    f = raw.get("StandardFields") if isinstance(raw, dict) else None
    key = _text((f or {}).get("ListingKey")) or (_text(raw.get("Id")) if isinstance(raw, dict) else None)
    if not isinstance(f, dict):
        raise MalformedRecord("record has no StandardFields", listing_key=key)
    if not key:
        raise MalformedRecord("missing ListingKey")
    status = _text(f.get("StandardStatus")) or _text(f.get("MlsStatus"))
    if status not in STATUSES:
        raise MalformedRecord(f"unknown StandardStatus {status!r}", listing_key=key)
    list_price = to_float(f.get("ListPrice"))
    if list_price is None or list_price <= 0:
        raise MalformedRecord(f"unreadable ListPrice {f.get('ListPrice')!r}", listing_key=key)
    lat, lon = to_float(f.get("Latitude")), to_float(f.get("Longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        raise MalformedRecord(f"bad coordinates {f.get('Latitude')!r}, {f.get('Longitude')!r}", listing_key=key)
    modified = to_timestamp(f.get("ModificationTimestamp"))
    if modified is None:
        raise MalformedRecord(f"bad ModificationTimestamp {f.get('ModificationTimestamp')!r}", listing_key=key)

    address = (
        _text(f.get("UnparsedAddress"))
        or " ".join(
            str(p)
            for p in (_text(f.get("StreetNumber")), _text(f.get("StreetName")), _text(f.get("StreetSuffix")))
            if p
        )
        or None
    )
    unit = _text(f.get("UnitNumber"))
    if address and unit and unit not in address:
        address = f"{address} #{unit}"
    city = _text(f.get("City"))
    lot = to_float(f.get("LotSizeSquareFeet"))
    if lot is None and (acres := to_float(f.get("LotSizeAcres"))) is not None:
        lot = round(acres * 43560)
    baths_total = to_float(f.get("BathsTotal"))
    baths_int = to_int(f.get("BathroomsTotalInteger"))
    lease_amount = _monthly(to_float(f.get("LandLeaseAmount")), f.get("LandLeaseAmountFrequency"))
    lease_yn = to_bool(f.get("LandLeaseYN"))
    photos = _photos(f.get("Photos"))
    tours = [t for t in f.get("VirtualTours") or [] if isinstance(t, dict) and t.get("Uri")]

    doc: dict[str, Any] = {
        "listingKey": key,
        "listingId": _text(f.get("ListingId")),
        "mlsSource": source,
        "slug": f"{slugify(address, city)}-{key.lower()}".lstrip("-"),
        "standardStatus": status,
        "propertyType": _text(f.get("PropertyType")),
        "propertySubType": _text(f.get("PropertySubType")),
        "listPrice": list_price,
        "originalListPrice": to_float(f.get("OriginalListPrice")),
        "closePrice": to_float(f.get("ClosePrice")),
        "closeDate": to_date(f.get("CloseDate")),
        "bedroomsTotal": to_int(f.get("BedsTotal", f.get("BedroomsTotal"))),
        "bathroomsTotalInteger": baths_int
        if baths_int is not None
        else (int(baths_total) if baths_total is not None else None),
        "bathroomsFull": to_int(f.get("BathsFull")),
        "bathroomsHalf": to_int(f.get("BathsHalf")),
        "livingArea": to_float(f.get("LivingArea")) or to_float(f.get("BuildingAreaTotal")),
        "lotSizeSquareFeet": lot,
        "yearBuilt": to_int(f.get("YearBuilt")),
        "garageSpaces": to_float(f.get("GarageSpaces")),
        "poolPrivateYN": to_bool(f.get("PoolPrivateYN")),
        "associationFee": _monthly(to_float(f.get("AssociationFee")), f.get("AssociationFeeFrequency")),
        # A lease amount or expiry implies a land lease even when the YN flag is missing.
        "landLease": bool(lease_yn) or bool(lease_amount) or bool(to_date(f.get("LandLeaseExpirationDate"))),
        "landLeaseAmount": lease_amount,
        "landLeaseExpirationDate": to_date(f.get("LandLeaseExpirationDate")),
        "unparsedAddress": address,
        "city": city,
        "stateOrProvince": _text(f.get("StateOrProvince")),
        "postalCode": _text(f.get("PostalCode")),
        "countyOrParish": _text(f.get("CountyOrParish")),
        "subdivisionName": _text(f.get("SubdivisionName")),
        "latitude": lat,
        "longitude": lon,
        "location": {"type": "Point", "coordinates": [lon, lat]},
        "publicRemarks": _text(f.get("PublicRemarks")),
        "listingContractDate": to_date(f.get("ListingContractDate")),
        "onMarketDate": to_date(f.get("OnMarketDate")),
        "modificationTimestamp": modified,
        "priceChangeTimestamp": to_timestamp(f.get("PriceChangeTimestamp")),
        "daysOnMarket": to_int(f.get("DaysOnMarket")),
        "listAgentFullName": _text(f.get("ListAgentName", f.get("ListAgentFullName"))),
        "listOfficeName": _text(f.get("ListOfficeName")),
        "propertyCondition": to_int(f.get("PropertyCondition")),
        "seniorCommunityYN": to_bool(f.get("SeniorCommunityYN")),
        "photos": photos,
        "primaryPhotoUrl": photos[0]["uri640"] if photos else None,
        "openHouses": _open_houses(f.get("OpenHouses")),
        "virtualTourUrl": tours[0]["Uri"] if tours else None,
    }
    try:
        doc["contentHash"] = content_hash(doc)
    except (OverflowError, bson.errors.InvalidDocument) as exc:  # e.g. a number beyond 64 bits
        raise MalformedRecord(f"value the store cannot hold: {exc}", listing_key=key) from exc
    return doc
