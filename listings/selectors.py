"""Reads for search, listing details, city stats and map clusters.

Everything goes through the in-process read model (one filter implementation); only the
listing detail reads its document from the store, by key. Callers pass a ``Scope`` (the
site's MLS sources and featured subdivisions) so an agent site never shows other sources.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from listings.clusters.cache import get_cluster_cache
from listings.readmodel.loader import get_read_model
from listings.readmodel.model import ReadModel
from listings.readmodel.query import SearchQuery, SearchResult
from listings.readmodel.stats import facets

DETAIL_PROJECTION = {"_id": 0, "contentHash": 0, "syncedAt": 0}


@dataclass(frozen=True, slots=True)
class Scope:
    mls_sources: tuple[str, ...] | None = None  # None: every source (the flagship)
    featured_subdivisions: tuple[str, ...] = ()


def site_scope(*, tenant: Any) -> Scope:
    """The search scope of the site serving the request (``request.tenant``)."""
    if tenant is None or getattr(tenant, "is_public", True):
        return Scope()
    return Scope(
        mls_sources=tuple(tenant.mls_sources or ()), featured_subdivisions=tuple(tenant.featured_subdivisions or ())
    )


def resolve_cities(*, model: ReadModel, values: tuple[str, ...]) -> tuple[str, ...]:
    """City names from names or slugs (``palm-springs``); unknown values stay as given."""
    return tuple(model.city_by_slug.get(v, v) for v in values)


def listing_search(*, query: SearchQuery, model: ReadModel | None = None) -> SearchResult:
    """One page of results; ``model`` pins the snapshot the caller already resolved against."""
    return (model or get_read_model()).search(query)


def listing_detail(*, slug: str, scope: Scope) -> dict[str, Any] | None:
    """The full document of a listing visible on this site, or None."""
    from listings.store import LISTINGS, get_db

    model = get_read_model()
    row = model.row_of_slug(slug)
    filt: dict[str, Any] = (
        {"listingKey": str(model.cols["key"][row])} if row is not None else {"slug": slug}
    )  # not in the snapshot yet: ask the store
    doc = get_db()[LISTINGS].find_one(filt, DETAIL_PROJECTION)
    if doc is None or (scope.mls_sources is not None and doc.get("mlsSource") not in scope.mls_sources):
        return None
    return doc


def _scoped(scope: Scope, **filters: Any) -> SearchQuery:
    return SearchQuery(mls_sources=scope.mls_sources, **filters)


def city_stats(*, scope: Scope, as_of: date | None = None) -> list[dict[str, Any]]:
    model = get_read_model()
    return facets(model, _scoped(scope), by="city", today=model.today(as_of))


def subdivision_stats(*, city_slug: str, scope: Scope, as_of: date | None = None) -> list[dict[str, Any]] | None:
    """Subdivisions of a city with live stats; None when the city is unknown."""
    model = get_read_model()
    name = model.city_by_slug.get(city_slug)
    if name is None:
        return None
    return facets(model, _scoped(scope, cities=(name,)), by="subdivision", today=model.today(as_of))


def map_clusters(*, query: SearchQuery, zoom: float) -> dict[str, Any]:
    """GeoJSON clusters and price pins of the viewport ``query.bbox`` at ``zoom``."""
    model = get_read_model()
    entry = get_cluster_cache().get(model=model, query=query)
    b = query.bbox
    bbox = (b.west, b.south, b.east, b.north) if b else (-180.0, -90.0, 180.0, 90.0)
    view = entry.index.view(bbox, zoom)
    features = view.features(entry.point_properties(model))
    return {
        "type": "FeatureCollection",
        "features": features,
        "zoom": entry.index.limit_zoom(zoom),
        "total": entry.index.n,
    }


def cluster_detail(*, query: SearchQuery, cluster_id: int, limit: int, offset: int) -> dict[str, Any] | None:
    """Expansion zoom and a page of leaves of one cluster (same filters as the map)."""
    model = get_read_model()
    entry = get_cluster_cache().get(model=model, query=replace(query, bbox=None))
    try:
        zoom = entry.index.get_cluster_expansion_zoom(cluster_id)
        leaves = entry.index.leaf_indices(cluster_id, limit=limit, offset=offset)
    except KeyError:
        return None
    rows = entry.rows[leaves]
    return {"clusterId": cluster_id, "expansionZoom": zoom, "leaves": model.cards(rows)}
