"""The public search API: plain Django JSON views over ``listings.selectors``.

Views stay thin: parse and validate (``listings.validation``), scope to the site
(``request.tenant``), call a selector, shape JSON. Errors are ``{"error", "message",
"fields"}`` with the right status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from listings import selectors
from listings.api_keys import api_key_authenticate
from listings.openapi import openapi_document
from listings.readmodel.loader import get_read_model
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


def _query(request: HttpRequest, values: dict[str, Any], *, use_bbox: bool = True) -> SearchQuery:
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    cities = selectors.resolve_cities(model=get_read_model(), values=values.get("city", ()))
    return search_query(
        values, cities=cities, mls_sources=scope.mls_sources, featured=scope.featured_subdivisions, use_bbox=use_bbox
    )


@api_view
def listings_search(request: HttpRequest) -> JsonResponse:
    values = _params(request, SEARCH_PARAMS)
    query = _query(request, values)
    result = selectors.listing_search(query=query)
    return JsonResponse(
        {"total": result.total, "page": query.page, "pageSize": query.page_size, "results": result.cards}
    )


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
    return JsonResponse(selectors.map_clusters(query=query, zoom=values["zoom"]))


@api_view
def map_cluster_detail(request: HttpRequest, cluster_id: int) -> JsonResponse:
    values = _params(request, _MAP_FILTERS + CLUSTER_PARAMS)
    query = _query(request, values, use_bbox=False)
    detail = selectors.cluster_detail(
        query=query, cluster_id=cluster_id, limit=values.get("limit", 20), offset=values.get("offset", 0)
    )
    if detail is None:
        return error(404, "not_found", "No such cluster for these filters (the data may have changed).")
    return JsonResponse(detail)


@api_view
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(server=request.build_absolute_uri("/")[:-1]))
