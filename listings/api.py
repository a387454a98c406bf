"""The public search API (django-ninja router, mounted at ``/api/`` by ``config/api.py``):
search, one listing, city and subdivision stats, map clusters.

Operations stay thin: the query model (``api.params``, from ``listings.validation``'s table)
validates, the site's scope comes from ``request.tenant``, a selector answers. The search
answer is cached encoded (``listings.answer_cache``) and sent as a prebuilt response: a cache hit
costs a dict lookup, not a serialisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from api.auth import PUBLIC, PUBLIC_OPENAPI
from api.errors import COMMON, ApiError, errors
from api.params import QueryParams, all_params
from listings import selectors
from listings.answer_cache import AnswerCache
from listings.api_schemas import ClusterDetail, FeatureCollection, ListingDocument, SearchPage, StatsList
from listings.filter_gate import plan_marked, request_filters_check
from listings.readmodel.loader import get_read_model
from listings.readmodel.model import ReadModel
from listings.readmodel.query import SearchQuery
from listings.validation import CLUSTER_PARAMS, MAP_PARAMS, SEARCH_PARAMS, SLUG, api_params, search_query

router = Router(tags=["listings"], auth=PUBLIC)


search_cache: AnswerCache[bytes] = AnswerCache(
    size=int(getattr(settings, "LISTINGS_SEARCH_CACHE_SIZE", 1024)),
    ttl=float(getattr(settings, "LISTINGS_SEARCH_CACHE_SECONDS", 60)),
)


def json_response(data: Any = None, *, content: bytes | None = None, status: int = 200) -> HttpResponse:
    """JSON encoded by orjson (compact, ~10x faster than ``json`` for a page of cards), or an
    already encoded body."""
    body = content if content is not None else orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    return HttpResponse(body, content_type="application/json", status=status)


_SEARCH_PARAMS = plan_marked(SEARCH_PARAMS)  # advanced filters say which plan they need
_MAP_FILTERS = tuple(p for p in _SEARCH_PARAMS if p.name not in ("sort", "page", "pageSize"))
if TYPE_CHECKING:  # models made at run time from the tables; mypy sees their base
    SearchParams = QueryParams
    ClusterParams = QueryParams
    ClusterDetailParams = QueryParams
    NoParams = QueryParams
else:
    SearchParams = api_params("SearchParams", _SEARCH_PARAMS)
    ClusterParams = api_params("ClusterParams", _MAP_FILTERS + MAP_PARAMS, required=("bbox", "zoom"))
    ClusterDetailParams = api_params("ClusterDetailParams", _MAP_FILTERS + CLUSTER_PARAMS)
    NoParams = api_params("NoParams", ())


def _query(
    request: HttpRequest, values: dict[str, Any], *, use_bbox: bool = True, model: ReadModel | None = None
) -> SearchQuery:
    request_filters_check(request, values)  # advanced filters without the plan: 403, never fewer results
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    cities = selectors.resolve_cities(model=model or get_read_model(), values=values.get("city", ()))
    return search_query(
        values, cities=cities, mls_sources=scope.mls_sources, featured=scope.featured_subdivisions, use_bbox=use_bbox
    )


@router.get(
    "/listings",
    response={200: SearchPage, **errors(*COMMON)},
    operation_id="searchListings",
    summary="Search listings",
    description="Listings of the site's MLS sources (agent sites: the sources their agent chose, featured "
    "subdivisions first). Unknown parameters are refused; empty values mean 'not given'. Parameters "
    "marked `x-required-plan` (advanced filters) answer 403 `upgrade_required` without that plan.",
    openapi_extra=PUBLIC_OPENAPI,
)
def listings_search(request: HttpRequest, params: SearchParams = all_params()) -> HttpResponse:
    model = get_read_model()
    query = _query(request, params.values, model=model)
    # The query holds everything the answer depends on besides the snapshot: the site's
    # sources and featured subdivisions, every filter, the page and the day (open houses).
    body = search_cache.get(model.version, query)
    if body is not None:
        response = json_response(content=body)
        response["X-Cache"] = "hit"
        return response
    result = selectors.listing_search(query=query, model=model)
    body = orjson.dumps(
        {"total": result.total, "page": query.page, "pageSize": query.page_size, "results": result.cards}
    )
    search_cache.put(model.version, query, body)
    response = json_response(content=body)
    response["X-Cache"] = "miss"
    return response


@router.get(
    "/listings/{slug}",
    response={200: ListingDocument, **errors(*COMMON, 404)},
    operation_id="getListing",
    summary="One listing (the store's document, docs/listing-document.md)",
    openapi_extra=PUBLIC_OPENAPI,
)
def listing_detail(request: HttpRequest, slug: str, params: NoParams = all_params()) -> HttpResponse:
    if len(slug) > 200 or not SLUG.fullmatch(slug):
        raise ApiError(404, "not_found", "No such listing.")
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    doc = selectors.listing_detail(slug=slug, scope=scope)
    if doc is None:
        raise ApiError(404, "not_found", "No such listing.")
    return json_response(content=orjson.dumps(doc, default=str))


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


@router.get(
    "/cities",
    response={200: StatsList, **errors(*COMMON)},
    operation_id="listCities",
    summary="Cities with live stats",
    openapi_extra=PUBLIC_OPENAPI,
)
def cities(request: HttpRequest, params: NoParams = all_params()) -> HttpResponse:
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    return json_response({"results": _stats(selectors.city_stats(scope=scope))})


@router.get(
    "/cities/{slug}/subdivisions",
    response={200: StatsList, **errors(*COMMON, 404)},
    operation_id="listSubdivisions",
    summary="Subdivisions of a city with live stats",
    openapi_extra=PUBLIC_OPENAPI,
)
def city_subdivisions(request: HttpRequest, slug: str, params: NoParams = all_params()) -> HttpResponse:
    scope = selectors.site_scope(tenant=getattr(request, "tenant", None))
    rows = selectors.subdivision_stats(city_slug=slug, scope=scope) if SLUG.fullmatch(slug) else None
    if rows is None:
        raise ApiError(404, "not_found", "No such city.")
    return json_response({"city": slug, "results": _stats(rows)})


@router.get(
    "/map/clusters",
    response={200: FeatureCollection, **errors(*COMMON)},
    operation_id="mapClusters",
    summary="Clusters and price pins of a viewport (Supercluster semantics)",
    openapi_extra=PUBLIC_OPENAPI,
)
def map_clusters(request: HttpRequest, params: ClusterParams = all_params()) -> HttpResponse:
    values = params.values
    query = _query(request, values)
    return json_response(selectors.map_clusters(query=query, zoom=values["zoom"]))


@router.get(
    "/map/clusters/{int:clusterId}",
    response={200: ClusterDetail, **errors(*COMMON, 404)},
    operation_id="mapCluster",
    summary="Expansion zoom and leaves of a cluster (send the map's filters)",
    openapi_extra=PUBLIC_OPENAPI,
)
def map_cluster_detail(
    request: HttpRequest, clusterId: int = Path(..., ge=0), params: ClusterDetailParams = all_params()
) -> HttpResponse:
    values = params.values
    query = _query(request, values, use_bbox=False)
    detail = selectors.cluster_detail(
        query=query, cluster_id=clusterId, limit=values.get("limit", 20), offset=values.get("offset", 0)
    )
    if detail is None:
        raise ApiError(404, "not_found", "No such cluster for these filters (the data may have changed).")
    return json_response(detail)
