"""Scalar normalisation of listing-document fields, shared by the columns and the reference.

These functions define *what a value means* (whole dollars, day numbers, words); the two
evaluators then filter independently, one vectorised and one in plain Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

_WORD = re.compile(r"[^\W_]+")
EPOCH = date(1970, 1, 1)
WHOLE_MAX = 2_000_000_000  # money/areas at or above this are treated as garbage, not data
SMALL_MAX = 30_000  # counts (beds, baths, years, days) above this are garbage
TEXT_FIELDS = ("unparsedAddress", "city", "postalCode", "subdivisionName", "listingId", "publicRemarks")


# ASCII fast path: for ASCII text, [^\W_]+ after casefold is exactly [0-9a-z]+, and
# bytes.translate + split is ~1.5x faster than the regex (it dominates the build time).
_ASCII_SPLIT = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))


def words(text: str | None) -> list[str]:
    """Casefolded runs of letters and digits: the unit of free-text matching."""
    if not text:
        return []
    if text.isascii():
        return text.lower().encode().translate(_ASCII_SPLIT).decode().split()
    return _WORD.findall(text.casefold())


def doc_words(doc: Mapping[str, Any]) -> set[str]:
    # One regex pass over the joined fields: far cheaper than one per field.
    return set(words(" ".join(v for f in TEXT_FIELDS if isinstance(v := doc.get(f), str))))


def whole(value: Any) -> int | None:
    """Money/area in whole units (half-to-even); None for missing, negative or absurd values."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value >= WHOLE_MAX:
        return None
    return round(value)


def small_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value > SMALL_MAX:
        return None
    return int(value)


def day_number(value: Any) -> int | None:
    """ISO date or datetime string -> days since 1970-01-01 (None when absent or malformed)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        days = (date.fromisoformat(value[:10]) - EPOCH).days
    except ValueError:
        return None
    return days if days >= 0 else None  # before 1970 is garbage, and -1 marks "missing"


def epoch_seconds(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def fold(value: Any) -> str | None:
    return value.casefold() if isinstance(value, str) and value else None


def coordinate(value: Any, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) and -bound <= v <= bound else None


def last_open_house_day(doc: Mapping[str, Any]) -> int | None:
    days = [day_number(o.get("date")) for o in doc.get("openHouses") or () if isinstance(o, dict)]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def listed_day(doc: Mapping[str, Any]) -> int | None:
    """The day a listing came on the market: onMarketDate, else the contract date."""
    d = day_number(doc.get("onMarketDate"))
    return d if d is not None else day_number(doc.get("listingContractDate"))


def days_on_market(doc: Mapping[str, Any], today: int) -> int | None:
    """Feed value when sent, else derived from the listed day (never negative)."""
    dom = small_int(doc.get("daysOnMarket"))
    if dom is not None:
        return dom
    d = listed_day(doc)
    return max(0, today - d) if d is not None else None


def slugify_name(name: str) -> str:
    return "-".join(words(name))
