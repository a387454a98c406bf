"""The public search API: plain Django JSON views over ``listings.selectors``.

Views stay thin: parse and validate (``listings.validation``), scope to the site
(``request.tenant``), call a selector, shape JSON. Errors are ``{"error", "message",
"fields"}`` with the right status.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from listings import selectors
from listings.api_keys import api_key_authenticate
from listings.openapi import openapi_document
from listings.readmodel.loader import get_read_model
from listings.readmodel.model import ReadModel
from listings.readmodel.query import SearchQuery
from listings.validation import (
    CLUSTER_PARAMS,
    MAP_PARAMS,
    SEARCH_PARAMS,
    SLUG,
    InvalidParameters,
    Param,
    parse_params,
    search_query,
)

View = Callable[..., JsonResponse]


class FastJsonResponse(JsonResponse):
    """A ``JsonResponse`` encoded by orjson (compact, ~10x faster than ``json`` for a page of
    cards), or carrying an already encoded body (``content``)."""

    def __init__(self, data: Any = None, *, content: bytes | None = None, status: int = 200) -> None:
        body = content if content is not None else orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        HttpResponse.__init__(self, content=body, content_type="application/json", status=status)


class ResponseCache:
    """Encoded answers of this process, keyed by the full validated query (site scope and the
    day included) for one read-model version: a new snapshot empties it, so an answer never
    outlives the data it was computed from. Bounded (LRU) and short-lived (TTL)."""

    def __init__(self, *, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._version: object = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: object, key: Hashable) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            hit = self._entries.get(key)
            if hit is None or hit[0] <= now:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[1]

    def put(self, version: object, key: Hashable, body: bytes) -> None:
        if self.size <= 0 or self.ttl <= 0:
            return
        with self._lock:
            if version != self._version:
                return  # computed from a snapshot that has been replaced meanwhile
            self._entries[key] = (time.monotonic() + self.ttl, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


search_cache = ResponseCache(
    size=int(getattr(settings, "LISTINGS_SEARCH_CACHE_SIZE", 1024)),
    ttl=float(getattr(settings, "LISTINGS_SEARCH_CACHE_SECONDS", 60)),
)


def error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, "fields": fields or {}}, status=status)


def api_view(view: View) -> View:
    """GET only; validation errors become 400 JSON instead of exceptions; a request with an
    API key is authenticated and rate limited per key."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        denied = api_key_authenticate(request)
        if denied is not None:
            return denied
        try:
            return view(request, *args, **kwargs)
        except InvalidParameters as e:
            return JsonResponse(e.payload(), status=400)

    return wrapper


def _params(request: HttpRequest, allowed: Sequence[Param]) -> dict[str, Any]:
    return parse_params({k: request.GET.getlist(k) for k in request.GET}, allowed)


def _query(
    request: HttpRequest, values: dict[str, Any], *, use_bbox: bool = True, model: ReadModel | None = None
) -> SearchQuery:
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    cities = selectors.resolve_cities(model=model or get_read_model(), values=values.get("city", ()))
    return search_query(
        values, cities=cities, mls_sources=scope.mls_sources, featured=scope.featured_subdivisions, use_bbox=use_bbox
    )


@api_view
def listings_search(request: HttpRequest) -> JsonResponse:
    values = _params(request, SEARCH_PARAMS)
    model = get_read_model()
    query = _query(request, values, model=model)
    # The query holds everything the answer depends on besides the snapshot: the site's
    # sources and featured subdivisions, every filter, the page and the day (open houses).
    body = search_cache.get(model.version, query)
    if body is not None:
        response = FastJsonResponse(content=body)
        response["X-Cache"] = "hit"
        return response
    result = selectors.listing_search(query=query, model=model)
    body = orjson.dumps(
        {"total": result.total, "page": query.page, "pageSize": query.page_size, "results": result.cards}
    )
    search_cache.put(model.version, query, body)
    response = FastJsonResponse(content=body)
    response["X-Cache"] = "miss"
    return response


@api_view
def listing_detail(request: HttpRequest, slug: str) -> JsonResponse:
    _params(request, ())
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        return error(404, "not_found", "No such listing.")
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    doc = selectors.listing_detail(slug=slug, scope=scope)
    if doc is None:
        return error(404, "not_found", "No such listing.")
    return JsonResponse(doc, json_dumps_params={"default": str})


def _stats(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": r["name"],
            "slug": r["slug"],
            "count": r["count"],
            "medianPrice": r["median_price"],
            "medianPricePerSqft": r["median_ppsf"],
            "medianDaysOnMarket": r["median_dom"],
        }
        for r in rows
    ]


@api_view
def cities(request: HttpRequest) -> JsonResponse:
    _params(request, ())
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    return JsonResponse({"results": _stats(selectors.city_stats(scope=scope))})


@api_view
def city_subdivisions(request: HttpRequest, slug: str) -> JsonResponse:
    _params(request, ())
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    rows = selectors.subdivision_stats(city_slug=slug, scope=scope) if SLUG.fullmatch(slug) else None
    if rows is None:
        return error(404, "not_found", "No such city.")
    return JsonResponse({"city": slug, "results": _stats(rows)})


_MAP_FILTERS = tuple(p for p in SEARCH_PARAMS if p.name not in ("sort", "page", "pageSize"))


@api_view
def map_clusters(request: HttpRequest) -> JsonResponse:
    values = _params(request, _MAP_FILTERS + MAP_PARAMS)
    missing = {n: "required" for n in ("bbox", "zoom") if n not in values}
    if missing:
        raise InvalidParameters(missing)
    query = _query(request, values)
    return FastJsonResponse(selectors.map_clusters(query=query, zoom=values["zoom"]))


@api_view
def map_cluster_detail(request: HttpRequest, cluster_id: int) -> JsonResponse:
    values = _params(request, _MAP_FILTERS + CLUSTER_PARAMS)
    query = _query(request, values, use_bbox=False)
    detail = selectors.cluster_detail(
        query=query, cluster_id=cluster_id, limit=values.get("limit", 20), offset=values.get("offset", 0)
    )
    if detail is None:
        return error(404, "not_found", "No such cluster for these filters (the data may have changed).")
    return FastJsonResponse(detail)


@api_view
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(server=request.build_absolute_uri("/")[:-1]))
