"""Who is being valued: a listing (key or slug, active or closed) or an address with facts.

A listing's facts come from its document in the store (one read by key); facts the user typed
override them ("the user can correct"). An address is first looked up among the addresses the
store already has (read models, per snapshot, no geocoding); only an unknown address goes to
the geocoder. A position the geocoder calls water, or outside any sale's reach, is refused.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.model import ReadModel
from listings.selectors import Scope

from .clients import GeocodingClient, GeocodingError
from .engine import CmaError, Subject

log = logging.getLogger(__name__)
FACTS = ("sqft", "beds", "baths", "year", "lot", "garage", "pool", "psub", "condition", "ptype")
_address_memo = SnapshotMemo(max_entries=4)


@dataclass
class Resolved:
    subject: Subject
    listing: dict[str, Any] | None = None  # the store document, when the subject is a listing
    sold: bool = False
    geocoded: bool = False
    notes: list[str] = field(default_factory=list)


def norm_address(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", text.casefold()))


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def subject_from_document(doc: dict[str, Any]) -> Subject:
    full, half = _number(doc.get("bathroomsFull")), _number(doc.get("bathroomsHalf"))
    baths = full + 0.5 * (half or 0.0) if full is not None else _number(doc.get("bathroomsTotalInteger"))
    cond = doc.get("propertyCondition")
    lat, lon = _number(doc.get("latitude")), _number(doc.get("longitude"))
    return Subject(
        lat=lat if lat is not None else math.nan,
        lon=lon if lon is not None else math.nan,
        sqft=_number(doc.get("livingArea")) or math.nan,
        beds=_number(doc.get("bedroomsTotal")),
        baths=baths,
        year=_number(doc.get("yearBuilt")),
        lot=_number(doc.get("lotSizeSquareFeet")),
        garage=_number(doc.get("garageSpaces")),
        pool=doc.get("poolPrivateYN") if isinstance(doc.get("poolPrivateYN"), bool) else None,
        ptype=doc.get("propertyType") or None,
        psub=doc.get("propertySubType") or None,
        subdivision=doc.get("subdivisionName") or None,
        condition=str(cond) if isinstance(cond, int) and not isinstance(cond, bool) else None,
        key=doc.get("listingKey") or None,
        address=", ".join(str(x) for x in (doc.get("unparsedAddress"), doc.get("city")) if x),
    )


def find_listing(*, ref: str, scope: Scope, active: ReadModel, closed: ReadModel) -> tuple[dict[str, Any], bool] | None:
    """(document, sold) of a listing by key or slug visible on this site, or None."""
    from listings.selectors import DETAIL_PROJECTION
    from listings.store import CLOSED, LISTINGS, get_db

    ref = ref.strip()
    if not ref or len(ref) > 200:
        return None
    for model, collection, sold in ((active, LISTINGS, False), (closed, CLOSED, True)):
        row = model.row_of_key(ref)
        if row is None:
            row = model.row_of_slug(ref)
        if row is None:
            continue
        doc = get_db()[collection].find_one({"listingKey": str(model.cols["key"][row])}, DETAIL_PROJECTION)
        if doc is None:
            continue
        if scope.mls_sources is not None and doc.get("mlsSource") not in scope.mls_sources:
            return None
        return doc, sold
    return None


def _address_index(model: ReadModel) -> dict[str, int]:
    """'123 main st palm springs' -> row, built once per snapshot."""
    hit = _address_memo.get(model.version, ("addr", id(model)))
    if hit is not None:
        return hit
    cities = model.dicts["city"].values
    index: dict[str, int] = {}
    for row, (addr, city) in enumerate(zip(model.cols["address"].tolist(), model.cols["city"].tolist(), strict=True)):
        if addr:
            index.setdefault(norm_address(f"{addr} {cities[city] or ''}"), row)
    return _address_memo.put(model.version, ("addr", id(model)), index)


def find_address(*, address: str, active: ReadModel, closed: ReadModel) -> tuple[ReadModel, int] | None:
    key = norm_address(address)
    key = re.sub(r"\b(ca|california|usa|united states of america|\d{5})\b", "", key)
    key = " ".join(key.split())
    for model in (active, closed):
        row = _address_index(model).get(key)
        if row is not None:
            return model, row
    return None


def apply_facts(subject: Subject, facts: dict[str, Any]) -> Subject:
    """The subject with the user's corrections (None / "" leave a fact as it was)."""
    changes = {k: v for k, v in facts.items() if k in FACTS and v not in (None, "")}
    return replace(subject, **changes)


def resolve(
    *,
    scope: Scope,
    active: ReadModel,
    closed: ReadModel,
    listing: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    facts: dict[str, Any] | None = None,
    geocoder: GeocodingClient | None = None,
) -> Resolved:
    facts = facts or {}
    if listing:
        found = find_listing(ref=listing, scope=scope, active=active, closed=closed)
        if found is None:
            raise CmaError("No listing with that key or address on this site.", field="listing", code="unknown_listing")
        doc, sold = found
        return Resolved(apply_facts(subject_from_document(doc), facts), listing=doc, sold=sold)
    if lat is not None and lon is not None:
        base = Subject(lat=lat, lon=lon, sqft=math.nan, address=address.strip())
        resolved = Resolved(apply_facts(base, facts))
        _refuse_water(resolved.subject, geocoder)
        return resolved
    if not address.strip():
        raise CmaError("Give a listing, an address or a position.", field="address", code="no_location")
    hit = find_address(address=address, active=active, closed=closed)
    if hit is not None:
        model, row = hit
        lat_, lon_ = float(model.cols["lat"][row]), float(model.cols["lon"][row])
        if math.isfinite(lat_) and math.isfinite(lon_):
            base = Subject(lat=lat_, lon=lon_, sqft=math.nan, address=address.strip())
            return Resolved(apply_facts(base, facts), notes=["Position from the listing at this address."])
    client = geocoder or GeocodingClient()
    try:
        place = client.forward(address)
    except ImproperlyConfigured as e:
        log.error("CMA address lookup: %s", e)
        raise CmaError(
            "Address lookup is not set up on this site: choose a listing instead.",
            field="address",
            code="geocoder_unavailable",
        ) from e
    except GeocodingError as e:
        raise CmaError(
            "The address could not be looked up right now; try again shortly.",
            field="address",
            code="geocoder_unavailable",
        ) from e
    if place is None:
        raise CmaError("That address could not be found.", field="address", code="no_location")
    if place.in_water:
        raise CmaError("That address is in the water, not on land.", field="address", code="in_water")
    base = Subject(lat=place.lat, lon=place.lon, sqft=math.nan, address=place.formatted or address.strip())
    return Resolved(apply_facts(base, facts), geocoded=True)


def _refuse_water(subject: Subject, geocoder: GeocodingClient | None) -> None:
    if not (math.isfinite(subject.lat) and math.isfinite(subject.lon)):
        raise CmaError("The home's location is not a valid position.", field="address", code="no_location")
    if abs(subject.lat) > 90 or abs(subject.lon) > 180:
        raise CmaError("The home's location is not a valid position.", field="address", code="no_location")
    try:
        place = (geocoder or GeocodingClient()).reverse(subject.lat, subject.lon)
    except (GeocodingError, ImproperlyConfigured):
        return  # the engine still refuses a point with no sales around it
    if place is not None and place.in_water:
        raise CmaError("That position is in the water, not on land.", field="lat", code="in_water")
