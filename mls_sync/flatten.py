"""Raw feed record (Spark ``StandardFields`` shape) -> listing document (docs/listing-document.md).

Feeds are sloppy: numbers arrive as strings, confidential values as ``"********"``, dates in
several formats, statuses and property types in several spellings (``mls_sync.lookups``).
Optional fields that cannot be read become ``None``; a record missing what a listing cannot live
without (key, status, price, a place on the map, a timestamp), or carrying a number no store
should hold (``NaN``, ``Infinity``, ``1e400``), raises ``MalformedRecord`` so the pipeline
quarantines it instead of storing garbage.

A record in an off-market status (Expired, Withdrawn, Canceled, Hold, Delete, Incomplete)
becomes a *tombstone*: key, status and timestamp only. The store never keeps such a listing, so
nothing else about it needs to be readable for it to leave the sites.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import bson
import bson.errors

from mls_sync.lookups import OFF_MARKET, property_type, standard_status

MASK = "********"
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


class NonFiniteNumber(ValueError):
    """A numeric field holds NaN or an infinity (``"NaN"``, ``"Infinity"``, ``1e400``)."""


def _clean(value: Any) -> Any:
    return None if value == MASK or value == "" else value


def to_float(value: Any) -> float | None:
    """A finite float, ``None`` for missing/masked/unreadable, ``NonFiniteNumber`` for NaN/inf."""
    value = _clean(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float) else float(_NUMBER_JUNK.sub("", str(value)))
    except ValueError:
        return None
    except OverflowError as exc:  # an integer beyond any float
        raise NonFiniteNumber(value) from exc
    if not math.isfinite(number):
        raise NonFiniteNumber(value)
    return number


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


def open_houses(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
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


_ZIP = r"\d{5}(?:-\d{4})?"
_PHOTO_SIZES = ("uri640", "uri800", "uri1024", "uri1280", "uriLarge", "uri300", "uriThumb", "uri1600", "uri2048")


def _words(value: str) -> str:
    return r"\s+".join(re.escape(w) for w in value.split())


@lru_cache(maxsize=4096)
def _locality_pattern(city: str | None, state: str | None, postal: str | None) -> re.Pattern[str]:
    groups = []
    for value in (city, state):
        if value:
            groups.append(rf"(?:[,\s]+{_words(value)})?")
    zips = f"{_ZIP}|{_words(postal)}" if postal else _ZIP
    groups.append(rf"(?:[,\s]+(?:{zips}))?")
    groups.append(r"(?:[,\s]+(?:USA|US|United\s+States))?")
    return re.compile(rf"(?P<line>.*?){''.join(groups)}[,\s]*", flags=re.IGNORECASE | re.DOTALL)


def street_line(full: str, *, city: str | None, state: str | None, postal: str | None) -> str:
    """``UnparsedAddress`` without the ``, City, ST 12345`` that Spark and RESO servers append.

    Only this record's own city, state and ZIP are stripped, in that order from the end, so a
    street that shares a word with them ("1 Oak Ct, Hartford, CT") keeps it."""
    match = _locality_pattern(city, state, postal).fullmatch(full)
    line = match.group("line").strip(" ,") if match else full
    # A line with no word left ("100" of "100 Palm Springs") was all street: keep the original.
    return line if re.search(r"[A-Za-z]", line) and " " in line else full


def _address(f: dict[str, Any], *, city: str | None) -> str | None:
    state, postal = _text(f.get("StateOrProvince")), _text(f.get("PostalCode"))
    address = _text(f.get("UnparsedFirstLineAddress"))
    if address is None and (full := _text(f.get("UnparsedAddress"))):
        address = street_line(full, city=city, state=state, postal=postal)
    if address is None:
        parts = (
            _text(f.get(name))
            for name in ("StreetNumber", "StreetDirPrefix", "StreetName", "StreetSuffix", "StreetDirSuffix")
        )
        address = " ".join(p for p in parts if p) or None
    unit = _text(f.get("UnitNumber"))
    if address and unit and unit not in address:
        address = f"{address} #{unit}"
    return address


def _property_type(f: dict[str, Any]) -> str | None:
    """The RESO property type: Spark sends the MLS's code (``"A"``) in PropertyType and the RESO
    name in PropertyClass; RESO servers send the name (display or enum form) in PropertyType."""
    for name in ("PropertyType", "PropertyClass"):
        if known := property_type(_text(f.get(name))):
            return known
    return _text(f.get("PropertyClass")) or _text(f.get("PropertyType"))


def _http_url(value: Any) -> str | None:
    text = _text(value)
    return text if text and text.lower().startswith(("https://", "http://")) else None


def _tour(f: dict[str, Any]) -> str | None:
    """Spark's VirtualTours expansion, else the RESO fields (IDX shows the unbranded tour first)."""
    for tour in f.get("VirtualTours") or ():
        if isinstance(tour, dict) and (url := _http_url(tour.get("Uri"))):
            return url
    return _http_url(f.get("VirtualTourURLUnbranded")) or _http_url(f.get("VirtualTourURLBranded"))


def _numbers(f: dict[str, Any], key: str) -> Callable[..., float | None]:
    """A reader of ``f``'s numeric fields that names the field when its value is NaN or infinite;
    with several names, the first present one is read."""

    def read(*names: str) -> float | None:
        name = next((n for n in names if f.get(n) is not None), names[0])
        try:
            return to_float(f.get(name))
        except NonFiniteNumber:
            raise MalformedRecord(f"{name} is not a finite number: {f.get(name)!r}", listing_key=key) from None

    return read


def _rounded(number: float | None) -> int | None:
    return int(round(number)) if number is not None else None


def _status(f: dict[str, Any], key: str) -> str:
    # MlsStatus (the MLS's local name) only stands in when StandardStatus is missing: a
    # StandardStatus that is present but unknown is not guessed from it.
    raw = _text(f.get("StandardStatus")) or _text(f.get("MlsStatus"))
    if status := standard_status(raw):
        return status
    raise MalformedRecord(f"unknown StandardStatus {raw!r}", listing_key=key)


def flatten(raw: dict[str, Any], *, source: str) -> dict[str, Any]:
    """One raw result -> one listing document (without ``priceHistory``/``syncedAt``)."""
    f = raw.get("StandardFields") if isinstance(raw, dict) else None
    key = _text((f or {}).get("ListingKey")) or (_text(raw.get("Id")) if isinstance(raw, dict) else None)
    if not isinstance(f, dict):
        raise MalformedRecord("record has no StandardFields", listing_key=key)
    if not key:
        raise MalformedRecord("missing ListingKey")
    if isinstance(rejected := raw.get("_rejected"), str):  # a lookup the source could not explain
        raise MalformedRecord(rejected, listing_key=key)
    status = _status(f, key)
    modified = to_timestamp(f.get("ModificationTimestamp"))
    if status in OFF_MARKET:
        return {"listingKey": key, "mlsSource": source, "standardStatus": status, "modificationTimestamp": modified}
    num = _numbers(f, key)
    list_price = num("ListPrice")
    if list_price is None or list_price <= 0:
        raise MalformedRecord(f"unreadable ListPrice {f.get('ListPrice')!r}", listing_key=key)
    lat, lon = num("Latitude"), num("Longitude")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        raise MalformedRecord(f"bad coordinates {f.get('Latitude')!r}, {f.get('Longitude')!r}", listing_key=key)
    if modified is None:
        raise MalformedRecord(f"bad ModificationTimestamp {f.get('ModificationTimestamp')!r}", listing_key=key)
    doc = _document(
        f, num, key=key, source=source, status=status, list_price=list_price, lat=lat, lon=lon, modified=modified
    )
    try:
        doc["contentHash"] = content_hash(doc)
    except (OverflowError, bson.errors.InvalidDocument) as exc:  # e.g. a number beyond 64 bits
        raise MalformedRecord(f"value the store cannot hold: {exc}", listing_key=key) from exc
    return doc


def _document(
    f: dict[str, Any],
    num: Callable[..., float | None],
    *,
    key: str,
    source: str,
    status: str,
    list_price: float,
    lat: float,
    lon: float,
    modified: str,
) -> dict[str, Any]:
    """The listing document; its key order is part of ``content_hash`` (never reorder)."""
    city = _text(f.get("City"))
    address = _address(f, city=city)
    return {
        "listingKey": key,
        "listingId": _text(f.get("ListingId")),
        "mlsSource": source,
        "slug": f"{slugify(address, city)}-{key.lower()}".lstrip("-"),
        "standardStatus": status,
        "propertyType": _property_type(f),
        "propertySubType": _text(f.get("PropertySubType")),
        "listPrice": list_price,
        **_facts(f, num),
        "unparsedAddress": address,
        "city": city,
        "stateOrProvince": _text(f.get("StateOrProvince")),
        "postalCode": _text(f.get("PostalCode")),
        "countyOrParish": _text(f.get("CountyOrParish")),
        "subdivisionName": _text(f.get("SubdivisionName")),
        "latitude": lat,
        "longitude": lon,
        "location": {"type": "Point", "coordinates": [lon, lat]},
        **_marketing(f, num, modified=modified),
    }


def _facts(f: dict[str, Any], num: Callable[..., float | None]) -> dict[str, Any]:
    """Prices, rooms, sizes, fees and the land lease, in the document's order."""
    lot = num("LotSizeSquareFeet")
    if lot is None and (acres := num("LotSizeAcres")) is not None:
        lot = round(acres * 43560)
    baths_total = num("BathsTotal")
    baths_int = _rounded(num("BathroomsTotalInteger"))
    lease_amount = _monthly(num("LandLeaseAmount"), f.get("LandLeaseAmountFrequency"))
    lease_yn = to_bool(f.get("LandLeaseYN"))
    return {
        "originalListPrice": num("OriginalListPrice"),
        "closePrice": num("ClosePrice"),
        "closeDate": to_date(f.get("CloseDate")),
        "bedroomsTotal": _rounded(num("BedsTotal", "BedroomsTotal")),
        "bathroomsTotalInteger": baths_int
        if baths_int is not None
        else (int(baths_total) if baths_total is not None else None),
        "bathroomsFull": _rounded(num("BathsFull")),
        "bathroomsHalf": _rounded(num("BathsHalf")),
        "livingArea": num("LivingArea") or num("BuildingAreaTotal"),
        "lotSizeSquareFeet": lot,
        "yearBuilt": _rounded(num("YearBuilt")),
        "garageSpaces": num("GarageSpaces"),
        "poolPrivateYN": to_bool(f.get("PoolPrivateYN")),
        "associationFee": _monthly(num("AssociationFee"), f.get("AssociationFeeFrequency")),
        # A lease amount or expiry implies a land lease even when the YN flag is missing.
        "landLease": bool(lease_yn) or bool(lease_amount) or bool(to_date(f.get("LandLeaseExpirationDate"))),
        "landLeaseAmount": lease_amount,
        "landLeaseExpirationDate": to_date(f.get("LandLeaseExpirationDate")),
    }


def _marketing(f: dict[str, Any], num: Callable[..., float | None], *, modified: str) -> dict[str, Any]:
    """Remarks, dates, agent, photos, open houses and tour, in the document's order."""
    photos = _photos(f.get("Photos"))
    primary = next((photos[0][size] for size in _PHOTO_SIZES if photos[0].get(size)), None) if photos else None
    return {
        "publicRemarks": _text(f.get("PublicRemarks")),
        "listingContractDate": to_date(f.get("ListingContractDate")),
        "onMarketDate": to_date(f.get("OnMarketDate")),
        "modificationTimestamp": modified,
        "priceChangeTimestamp": to_timestamp(f.get("PriceChangeTimestamp")),
        "daysOnMarket": _rounded(num("DaysOnMarket")),
        "listAgentFullName": _text(f.get("ListAgentName", f.get("ListAgentFullName"))),
        "listOfficeName": _text(f.get("ListOfficeName")),
        "propertyCondition": _rounded(num("PropertyCondition")),
        "seniorCommunityYN": to_bool(f.get("SeniorCommunityYN")),
        "photos": photos,
        "primaryPhotoUrl": primary,
        "openHouses": open_houses(f.get("OpenHouses")),
        "virtualTourUrl": _tour(f),
    }
