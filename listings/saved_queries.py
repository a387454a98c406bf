"""A saved search's query: validated and kept as the API takes it (name -> raw strings), shown
as a sentence, and turned back into the search page's query string (pages, alert emails)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from listings import selectors
from listings.readmodel.loader import get_read_model
from listings.validation import SEARCH_PARAMS, parse_params

# Parameters a saved search keeps (the rest are presentation: page, size, sort).
SAVED_PARAMS = tuple(p for p in SEARCH_PARAMS if p.name not in ("page", "pageSize", "sort"))


def saved_query_from(request: HttpRequest | None, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Validated saved-search parameters (raw strings as the API takes them), city slugs
    resolved to names so alerts can match documents without the read model."""
    values = parse_params(raw, SAVED_PARAMS)
    out: dict[str, list[str]] = {}
    for name, vs in raw.items():
        if name not in values:
            continue
        out[name] = [v for v in vs if v != ""]
    if "city" in values:
        out["city"] = list(selectors.resolve_cities(model=get_read_model(), values=values["city"]))
    return out


def saved_query_string(query: dict[str, Any]) -> str:
    return urlencode([(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])])


def describe(query: dict[str, Any]) -> str:
    labels = {
        "q": "“{}”",
        "city": "{}",
        "minPrice": "from ${}",
        "maxPrice": "up to ${}",
        "minBeds": "{}+ bd",
        "minBaths": "{}+ ba",
        "propertyType": "{}",
        "pool": "pool: {}",
        "landLease": "land lease: {}",
        "maxHoa": "HOA ≤ ${}",
        "newerThanDays": "listed ≤ {} days",
        "maxPricePerSqft": "≤ ${}/sq ft",
        "minYearBuilt": "built since {}",
        "minLotSqft": "lot ≥ {} sq ft",
        "bbox": "map area",
        "polygon": "drawn area",
    }
    parts = []
    for k, vs in query.items():
        vals = vs if isinstance(vs, list) else [vs]
        if k in ("bbox", "polygon"):
            parts.append(labels[k])
        elif k in labels:
            parts.append(labels[k].format(", ".join(vals)))
        else:
            parts.append(f"{k}: {', '.join(vals)}")
    return " · ".join(parts) or "All listings"
