"""Generated feed records (Spark shape, ``devtools.spark.feed``) as this server's RESO entities.

Numbers are JSON numbers (the generator sends some as strings, Spark-style), masked values are
null, lookups carry the server's local names (``vocabulary``), photos become ``Media`` rows with
numeric ``Order`` (about one listing in twelve has a photo without one, as real feeds do), and
open houses become rows of the ``OpenHouse`` resource with UTC timestamps.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from devtools.reso.vocabulary import PROPERTY, local

SPARK_NAMES = {
    "BedroomsTotal": "BedsTotal",
    "BathroomsTotalDecimal": "BathsTotal",
    "BathroomsFull": "BathsFull",
    "BathroomsHalf": "BathsHalf",
    "ListAgentFullName": "ListAgentName",
}
MASK = "********"
ZONE = ZoneInfo("America/Los_Angeles")


def _number(value: Any, integral: bool) -> Any:
    if value is None or value == MASK or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    return int(round(number)) if integral else number


def _value(name: str, declared: str, value: Any, mode: str) -> Any:
    if value == MASK:
        return None
    if declared == "lookup":
        return local(name, value, mode)
    if declared in ("Edm.Decimal", "Edm.Double"):
        return _number(value, integral=False)
    if declared == "Edm.Int32":
        return _number(value, integral=True)
    return value


def _unordered(key: str) -> bool:
    """About one listing in twelve sends its last photo without an Order (stable per key)."""
    return zlib.crc32(key.encode()) % 12 == 0


def media_rows(key: str, fields: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    """The listing's Media rows. Listings with a photo lacking ``Order`` send that one first and
    the rest in reverse: only a client that sorts by numeric Order shows them right."""
    photos = fields.get("Photos") or []
    rows = []
    for n, photo in enumerate(photos):
        rows.append(
            {
                "MediaKey": f"{key}-{photo['Id']}",
                "ResourceRecordKey": key,
                "ResourceName": local("ResourceName", "Property", mode),
                "MediaURL": photo.get("Uri1024") or photo.get("UriLarge"),
                "MediaCategory": local("MediaCategory", "Photo", mode),
                "MediaType": "image/jpeg",
                "Order": None if _unordered(key) and n == len(photos) - 1 else n + 1,
                "ShortDescription": photo.get("Caption"),
                "PreferredPhotoYN": bool(photo.get("Primary")),
                "ModificationTimestamp": fields.get("ModificationTimestamp"),
            }
        )
    if rows and rows[-1]["Order"] is None:
        rows = [rows[-1], *reversed(rows[:-1])]
    return rows


def property_entity(
    fields: dict[str, Any], *, source: str, mode: str, select: list[str] | None, media: bool
) -> dict[str, Any]:
    key = fields["ListingKey"]
    out: dict[str, Any] = {}
    for name, declared in PROPERTY.items():
        if select is not None and name not in select:
            continue
        if name == "OriginatingSystemName":
            out[name] = source
        elif name == "VirtualTourURLUnbranded":
            tours = fields.get("VirtualTours") or []
            out[name] = tours[0].get("Uri") if tours else None
        else:
            out[name] = _value(name, declared, fields.get(SPARK_NAMES.get(name, name)), mode)
    if media:
        out["Media"] = media_rows(key, fields, mode)
    return out


def _utc(day: str, clock: str) -> str | None:
    """``"11/28/2026"``, ``"10:00 am"`` (the listing's local time) -> an ISO UTC timestamp."""
    try:
        when = datetime.strptime(f"{day} {clock}", "%m/%d/%Y %I:%M %p").replace(tzinfo=ZONE)
    except ValueError:
        return None
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_house_rows(fields: dict[str, Any], *, source: str, today: date | None = None) -> list[dict[str, Any]]:
    """The listing's open houses, on the coming Saturday of the real calendar (the generated
    feed's clock stands still; open houses are only worth showing ahead of time)."""
    today = today or datetime.now(ZONE).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    rows = []
    for show in fields.get("OpenHouses") or []:
        day = saturday.strftime("%m/%d/%Y")
        rows.append(
            {
                "OpenHouseKey": f"{fields['ListingKey']}-{show['Id']}",
                "ListingKey": fields["ListingKey"],
                "ListingId": fields.get("ListingId"),
                "OriginatingSystemName": source,
                "OpenHouseDate": saturday.isoformat(),
                "OpenHouseStartTime": _utc(day, show["StartTime"]),
                "OpenHouseEndTime": _utc(day, show["EndTime"]),
                "OpenHouseStatus": "Active",
                "ModificationTimestamp": fields.get("ModificationTimestamp"),
            }
        )
    return rows
