"""What the fake Spark server puts on the wire: Spark envelopes, selected fields, corrupt records."""

from __future__ import annotations

import base64
from typing import Any

# An 8x6 sand-coloured baseline JPEG: every photo URI in the feed serves these bytes.
PLACEHOLDER_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeX"
    "BkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAGAAg"
    "DASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDK"
    "BkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZ"
    "mqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQF"
    "BgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX"
    "2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDVoooriOk//9k="
)
EXPANSIONS = frozenset({"Photos", "OpenHouses", "VirtualTours", "Rooms", "Units"})
SPARK_MESSAGES = {
    1000: "Invalid API Key and/or Request signed improperly",
    1020: "Session token has expired",
    1021: "Request for a resource that is not available via this host",
    1040: "Invalid filter or parameter",
    1550: "Over rate limit",
}
HEADER_FIELDS = frozenset({"ListingKey", "ModificationTimestamp", "StandardStatus", "MlsStatus"})


def spark_ok(results: list[dict[str, Any]], *, skiptoken: str | None, total: int | None, limit: int) -> dict[str, Any]:
    body: dict[str, Any] = {"Success": True, "Results": results}
    if skiptoken:
        body["SkipToken"] = skiptoken
    if total is not None:
        body["Pagination"] = {
            "TotalRows": total,
            "PageSize": limit,
            "TotalPages": -(-total // max(limit, 1)),
            "CurrentPage": None,
        }
    return {"D": body}


def spark_error(code: int, message: str | None = None) -> dict[str, Any]:
    return {"D": {"Success": False, "Code": code, "Message": message or SPARK_MESSAGES.get(code, "Error")}}


def select_fields(fields: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    if not select:
        return fields
    keep = set(select) | (EXPANSIONS & fields.keys())
    return {k: v for k, v in fields.items() if k in keep}


def corrupt(results: list[dict[str, Any]]) -> list[str]:
    """Break a few records in place the ways real feeds do; returns the keys broken."""
    broken = []
    for n, rec in enumerate(results[1::2][:4]):
        fields = rec.get("StandardFields", {})
        broken.append(rec.get("Id", "?"))
        match n:
            case 0:
                fields["ListPrice"] = "Call agent"
            case 1:
                fields["Latitude"], fields["Longitude"] = 1234.5, None
            case 2:
                fields["StandardStatus"] = "Sold-ish"
            case _:
                rec.pop("StandardFields", None)
    return broken
