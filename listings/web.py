"""What the listings pages and their JSON endpoints share: the site's search scope, a search
query from request parameters, request bodies, and the basemap style (also used by the rentals
and CMA maps). Reads go through ``listings.selectors``."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict

from listings import selectors
from listings.readmodel.loader import get_read_model
from listings.readmodel.query import SearchQuery
from listings.validation import search_query

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PAGE_SIZE = 24


def scope_of(request: HttpRequest) -> selectors.Scope:
    """The search scope of the site serving the request (its MLS sources)."""
    return selectors.site_scope(tenant=getattr(request, "tenant", None))


def is_public(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or getattr(tenant, "is_public", False) or tenant.schema_name == "public"


def query_from(request: HttpRequest, values: dict[str, Any], *, page_size: int | None = None) -> SearchQuery:
    scope = scope_of(request)
    cities = selectors.resolve_cities(model=get_read_model(), values=values.get("city", ()))
    if page_size is not None:
        values = {**values, "pageSize": page_size}
    return search_query(
        values, cities=cities, mls_sources=scope.mls_sources, featured=scope.featured_subdivisions, use_bbox=True
    )


def raw_params(source: QueryDict | dict[str, Any]) -> dict[str, list[str]]:
    if isinstance(source, QueryDict):
        return {k: source.getlist(k) for k in source}
    out: dict[str, list[str]] = {}
    for k, v in source.items():
        vals = v if isinstance(v, list) else [v]
        out[str(k)] = [str(x) for x in vals if not isinstance(x, (dict, list))]
        if any(isinstance(x, (dict, list)) for x in vals):
            out[str(k)] = ["\x00"]  # objects are never values: rejected by validation
    return out


def json_body(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None
    return {k: request.POST.get(k) for k in request.POST}


def listing_visible(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """The store's ``{listingKey, mlsSource, slug}`` of a listing this site shows, or None."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return None
    return selectors.listing_visible(key=key, scope=scope_of(request))


def cards_for_keys(request: HttpRequest, keys: list[str]) -> list[dict[str, Any]]:
    """Cards of listings by key, in the given order, only those this site shows."""
    return selectors.listing_cards_for_keys(keys=keys, scope=scope_of(request))


def swiped_keys(request: HttpRequest) -> set[str]:
    """Listing keys this visitor (account, or anonymous cookie) has swiped."""
    anon = getattr(request, "anonymous_id", None) or ""
    return selectors.swiped_keys(user=request.user, anonymous_id=anon)


def map_style(request: HttpRequest) -> str:
    """The basemap style: MAP_STYLE_URL, else MapTiler with a key, else '' (offline style)."""
    url = getattr(settings, "MAP_STYLE_URL", "")
    key = getattr(settings, "MAPTILER_API_KEY", "")
    if url:
        return str(url)
    if key:
        return f"https://api.maptiler.com/maps/streets-v2/style.json?key={key}"
    return ""
