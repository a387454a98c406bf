"""Reads for search, listing details, city stats and map clusters.

Everything goes through the in-process read model (one filter implementation); only the
listing detail reads its document from the store, by key. Callers pass a ``Scope`` (the
site's MLS sources and featured subdivisions) so an agent site never shows other sources.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from listings.clusters.cache import get_cluster_cache
from listings.models import Favorite, SavedSearch, Swipe
from listings.readmodel.loader import get_closed_model, get_read_model
from listings.readmodel.model import ReadModel
from listings.readmodel.query import SearchQuery, SearchResult
from listings.readmodel.stats import facets
from listings.store import CLOSED, LISTINGS, get_db

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


def listing_bounds(*, query: SearchQuery) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around every listing matching ``query`` that has coordinates;
    None when none has."""
    model = get_read_model()
    rows = model.select(query)
    lat, lon = model.cols["lat"][rows], model.cols["lon"][rows]
    placed = ~(np.isnan(lat) | np.isnan(lon))
    if not placed.any():
        return None
    lat, lon = lat[placed], lon[placed]
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


def listing_detail(*, slug: str, scope: Scope) -> dict[str, Any] | None:
    """The full document of a listing visible on this site, or None."""
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
    features = view.features(entry.point_properties())
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
    return {"clusterId": cluster_id, "expansionZoom": zoom, "leaves": entry.model.cards(rows)}


# ---- a listing's page, the visitor's own things ---------------------------------------------------


def _shown(doc: dict[str, Any] | None, scope: Scope) -> bool:
    return doc is not None and (scope.mls_sources is None or doc.get("mlsSource") in scope.mls_sources)


def _closed_since_snapshot(slug: str, scope: Scope) -> bool:
    """Is ``slug`` an active listing of the current snapshot, of a source this site shows?
    (Then it may have closed since, and only the store knows.)"""
    model = get_read_model()
    row = model.row_of_slug(slug)
    if row is None:
        return False
    if scope.mls_sources is None:
        return True
    return int(model.cols["source"][row]) in model.dicts["source"].lookup(scope.mls_sources).tolist()


def listing_document(*, slug: str, scope: Scope) -> tuple[dict[str, Any] | None, bool]:
    """(document, sold) of a listing this site shows: the active store first, then closed sales.

    Closed sales are found by key through the closed read model's slug index: the store has no
    slug index on closed sales, so a slug query there scans every sale (any mistyped or
    crawled address would). Only a slug the active snapshot still knows (a listing that closed
    since) is asked of the store by slug."""
    doc = listing_detail(slug=slug, scope=scope)
    if doc is not None:
        return doc, doc.get("standardStatus") == "Closed"
    closed_model = get_closed_model()
    row = closed_model.row_of_slug(slug)
    if row is not None:
        filt = {"listingKey": str(closed_model.cols["key"][row])}
    elif _closed_since_snapshot(slug, scope):
        filt = {"slug": slug}
    else:
        return None, False
    closed = get_db()[CLOSED].find_one(filt, DETAIL_PROJECTION)
    return (closed, True) if _shown(closed, scope) else (None, False)


def listing_visible(*, key: str, scope: Scope) -> dict[str, Any] | None:
    """The store's ``{listingKey, mlsSource, slug}`` of a listing this site shows, or None."""
    doc = get_db()[LISTINGS].find_one({"listingKey": key}, {"_id": 0, "listingKey": 1, "mlsSource": 1, "slug": 1})
    return doc if _shown(doc, scope) else None


def listing_cards_for_keys(*, keys: list[str], scope: Scope) -> list[dict[str, Any]]:
    """Cards of listings by key, in the given order, only those this site shows."""
    model = get_read_model()
    rows = [r for r in (model.row_of_key(k) for k in keys) if r is not None]
    if not rows:
        return []
    cards = model.cards(np.asarray(rows, dtype=np.int64))
    if scope.mls_sources is not None:
        allowed = {
            d["listingKey"]
            for d in get_db()[LISTINGS].find(
                {"listingKey": {"$in": [str(c["key"]) for c in cards]}, "mlsSource": {"$in": list(scope.mls_sources)}},
                {"_id": 0, "listingKey": 1},
            )
        }
        cards = [c for c in cards if c["key"] in allowed]
    return cards


def favorite_exists(*, user: Any, listing_key: str) -> bool:
    return Favorite.objects.filter(user=user, listing_key=listing_key).exists()


def favorite_keys(*, user: Any) -> list[str]:
    return list(Favorite.objects.filter(user=user).values_list("listing_key", flat=True))


def saved_searches(*, user: Any) -> list[SavedSearch]:
    return list(SavedSearch.objects.filter(user=user))


def swiped_keys(*, user: Any, anonymous_id: str) -> set[str]:
    """Listing keys swiped by the signed-in ``user``, else by the anonymous visitor's cookie id."""
    if getattr(user, "is_authenticated", False):
        qs = Swipe.objects.filter(user=user)
    elif anonymous_id:
        qs = Swipe.objects.filter(user__isnull=True, anonymous_id=anonymous_id)
    else:
        return set()
    return set(qs.values_list("listing_key", flat=True))


def saved_search_count(*, user: Any) -> int:
    """The user's saved searches on this site: what their plan's ceiling counts (the billing
    page's meter reads this too)."""
    return SavedSearch.objects.filter(user=user).count()
