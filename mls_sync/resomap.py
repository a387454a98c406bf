"""RESO Web API entities -> the Spark-shaped records the flattener reads, lookups mapped.

Local lookup values become RESO standard values here: first the source's override table
(``MLS_<ID>_LOOKUPS``, for what a server's metadata lacks), then the server's metadata (enum
members and their ``StandardName``, or the ``Lookup`` resource). A StandardStatus or PropertyType
that neither explains is not guessed: the record is marked ``_rejected`` with the reason and the
sync quarantines it. Other lookups (sub type, media category, fee frequency) are mapped where
possible and kept as sent otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mls_sync.lookups import fold, property_type, standard_status
from mls_sync.metadata import Metadata

# RESO Data Dictionary names back to the Spark names the flattener reads.
SPARK_NAMES = {
    "BedroomsTotal": "BedsTotal",
    "BathroomsTotalDecimal": "BathsTotal",
    "BathroomsFull": "BathsFull",
    "BathroomsHalf": "BathsHalf",
    "ListAgentFullName": "ListAgentName",
}
# What replication asks for (``$select``, where the server's metadata has the field).
PROPERTY_FIELDS = (
    "ListingKey",
    "ListingId",
    "OriginatingSystemName",
    "StandardStatus",
    "MlsStatus",
    "PropertyType",
    "PropertySubType",
    "ListPrice",
    "OriginalListPrice",
    "ClosePrice",
    "CloseDate",
    "BedroomsTotal",
    "BathroomsTotalInteger",
    "BathroomsTotalDecimal",
    "BathroomsFull",
    "BathroomsHalf",
    "LivingArea",
    "BuildingAreaTotal",
    "LotSizeSquareFeet",
    "LotSizeAcres",
    "YearBuilt",
    "GarageSpaces",
    "PoolPrivateYN",
    "AssociationFee",
    "AssociationFeeFrequency",
    "LandLeaseYN",
    "LandLeaseAmount",
    "LandLeaseAmountFrequency",
    "LandLeaseExpirationDate",
    "UnparsedAddress",
    "StreetNumber",
    "StreetDirPrefix",
    "StreetName",
    "StreetSuffix",
    "StreetDirSuffix",
    "UnitNumber",
    "City",
    "StateOrProvince",
    "PostalCode",
    "CountyOrParish",
    "SubdivisionName",
    "Latitude",
    "Longitude",
    "PublicRemarks",
    "ListingContractDate",
    "OnMarketDate",
    "ModificationTimestamp",
    "PriceChangeTimestamp",
    "DaysOnMarket",
    "ListAgentFullName",
    "ListOfficeName",
    "PropertyCondition",
    "SeniorCommunityYN",
    "VirtualTourURLUnbranded",
    "VirtualTourURLBranded",
)
# Lookups that decide where a listing goes: unexplained values quarantine the record.
REQUIRED_LOOKUPS = {"StandardStatus": standard_status, "PropertyType": property_type}
SOFT_LOOKUPS = ("PropertySubType", "AssociationFeeFrequency", "LandLeaseAmountFrequency")

PHOTO_SIZES = ("UriThumb", "Uri300", "Uri640", "Uri800", "Uri1024", "Uri1280", "Uri1600", "Uri2048", "UriLarge")
# MediaCategory spellings that mean a listing photo ("Photo" in the Data Dictionary; servers also
# send "Photograph", "Photos", "Image"). Agent and office photos, floor plans, documents are not.
PHOTO_CATEGORIES = frozenset({"photo", "photos", "photograph", "photographs", "image", "images", "picture", "pictures"})
TOUR_FIELDS = {"unbrandedvirtualtour": "VirtualTourURLUnbranded", "brandedvirtualtour": "VirtualTourURLBranded"}


class Lookups:
    """Local value -> standard value for one source: overrides first, then the metadata."""

    def __init__(self, metadata: Metadata | None, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.metadata = metadata
        self.raw_overrides = {name: dict(table) for name, table in (overrides or {}).items()}
        self._memo: dict[tuple[str, str, Any], tuple[Any, str | None]] = {}
        self.overrides = {name: {fold(k): v for k, v in table.items()} for name, table in (overrides or {}).items()}

    def literal(self, entity: str, name: str, standard: str) -> str:
        """``name eq <standard>`` as this server must read it: its own value for the standard
        one (from the override table, else the metadata), in the literal form it declares."""
        canonical = REQUIRED_LOOKUPS.get(name, lambda v: v)

        def means(std: object) -> bool:
            return fold(canonical(str(std)) or std) == fold(standard)

        local = next((k for k, v in self.raw_overrides.get(name, {}).items() if means(v)), None)
        if local is None and self.metadata is not None:
            local = next((k for k, v in self.metadata.local_values(entity, name).items() if means(v)), None)
        value = local or standard
        return self.metadata.literal(entity, name, value) if self.metadata else "'" + value.replace("'", "''") + "'"

    def map(self, entity: str, name: str, value: Any) -> tuple[Any, str | None]:
        """(standard value or the value as sent, a problem when a required lookup is unexplained)."""
        if value is None or value == "":
            return value, None
        try:
            return self._memo[(entity, name, value)]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (a list): mapped as text, not remembered
            return self._map(entity, name, value)
        result = self._memo[(entity, name, value)] = self._map(entity, name, value)
        return result

    def _map(self, entity: str, name: str, value: Any) -> tuple[Any, str | None]:
        text = str(value)
        override = self.overrides.get(name, {}).get(fold(text))
        if override is not None:
            return override, None
        declared, standard = self.metadata.standard_value(entity, name, text) if self.metadata else (False, None)
        if standard is not None:
            return standard, None
        check = REQUIRED_LOOKUPS.get(name)
        if check is None or check(text) is not None:
            return value, None  # a soft lookup, or a standard value already
        where = "is not a value the server's metadata declares" if declared else "has no standard meaning"
        return value, f"{name} {text!r} {where} and has no entry in the source's lookup overrides"


def _media_order(indexed: tuple[int, Any]) -> tuple[float, int]:
    """Numeric ``Order`` ("10" after "2"); a missing or unreadable order sorts last, in feed order."""
    n, item = indexed
    try:
        order = float(item.get("Order"))
    except (TypeError, ValueError):
        order = math.inf
    return (order if math.isfinite(order) else math.inf, n)


def _is_photo(category: Any, item: dict[str, Any]) -> bool:
    if category in (None, ""):
        kind = str(item.get("MediaType") or item.get("MimeType") or "image").lower()
        return kind.startswith("image") or kind in ("jpeg", "jpg", "png", "gif", "webp")
    return fold(category) in PHOTO_CATEGORIES


def reso_media(fields: dict[str, Any], media: Any, lookups: Lookups | None = None) -> None:
    """RESO ``Media`` -> Spark ``Photos`` (numeric order, preferred photo primary) and the
    listing's tour URLs when only the Media resource carries them; in place."""
    items = sorted(((n, m) for n, m in enumerate(media or ()) if isinstance(m, dict)), key=_media_order)
    photos = []
    for _, m in items:
        if not m.get("MediaURL"):
            continue
        category = m.get("MediaCategory")
        if lookups is not None and category:
            category = lookups.map("Media", "MediaCategory", category)[0]
        if _is_photo(category, m):
            photos.append(m)
        elif (name := TOUR_FIELDS.get(fold(category or ""))) and not fields.get(name):
            fields[name] = m["MediaURL"]
    preferred = next((n for n, m in enumerate(photos) if m.get("PreferredPhotoYN") is True), 0)
    fields["Photos"] = [
        {
            "Id": m.get("MediaKey"),
            "Caption": m.get("ShortDescription"),
            "Primary": n == preferred,
            **dict.fromkeys(PHOTO_SIZES, m["MediaURL"]),
        }
        for n, m in enumerate(photos)
    ]


def open_house(row: dict[str, Any], zone: ZoneInfo) -> dict[str, Any] | None:
    """A RESO ``OpenHouse`` row as Spark's open-house shape (local date and clock times)."""
    if fold(row.get("OpenHouseStatus") or "active") in ("canceled", "cancelled", "ended"):
        return None

    def clock(value: Any) -> str | None:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        local = when.astimezone(zone) if when.tzinfo else when
        return local.strftime("%I:%M %p").lstrip("0").lower()

    start = row.get("OpenHouseStartTime")
    day = row.get("OpenHouseDate") or (str(start)[:10] if start else None)
    return {"Date": day, "StartTime": clock(start), "EndTime": clock(row.get("OpenHouseEndTime"))}


def from_reso(
    entity: dict[str, Any],
    lookups: Lookups | None = None,
    *,
    media: list[dict[str, Any]] | None = None,
    open_houses: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A RESO ``Property`` entity in the Spark shape the flattener reads (Media -> Photos)."""
    fields = {SPARK_NAMES.get(k, k): v for k, v in entity.items() if k != "Media" and not k.startswith("@")}
    record: dict[str, Any] = {"Id": entity.get("ListingKey"), "StandardFields": fields}
    if lookups is not None:
        problems = []
        for name in (*REQUIRED_LOOKUPS, *SOFT_LOOKUPS):
            if name in fields:
                fields[name], problem = lookups.map("Property", name, fields[name])
                if problem:
                    problems.append(problem)
        if problems:
            record["_rejected"] = "; ".join(problems)
    if "Media" in entity or media is not None:
        reso_media(fields, entity.get("Media") if media is None else media, lookups)
    if open_houses is not None:
        fields["OpenHouses"] = open_houses
    return record
