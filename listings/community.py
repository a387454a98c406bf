"""Reads for the community pages: cities and subdivisions with live stats and their newest
listings, from the read model, limited to the site's scope.

Both kinds of community page use them: the generated pages (``listings.community_views``)
and the editors' Wagtail pages (``cms.models.CityPage`` and friends), so a city shows the same
numbers whichever one serves it. Stats are live: count, median price, median $/sq ft and median
days on market over the listings the site shows, recomputed from the current snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django_tenants.utils import get_tenant_model

from listings import selectors
from listings.readmodel.loader import get_read_model
from listings.readmodel.query import SearchQuery, SearchResult
from listings.readmodel.stats import facets
from listings.validation import SLUG

LISTINGS_SHOWN = 12
MAX_SLUG = 120


@dataclass(frozen=True)
class Community:
    """What a city or subdivision page shows besides the editor's content."""

    city: dict[str, Any]  # the city's stats row: name, slug, count, median_price, median_ppsf, median_dom
    stats: dict[str, Any]  # the stats of the page's own area (the city's, or the subdivision's)
    result: SearchResult  # its newest active listings
    search_qs: str  # the search / map query string for "see all"
    subdivision: dict[str, Any] | None = None
    subdivisions: list[dict[str, Any]] = field(default_factory=list)  # a city's, with their stats


# Wagtail page types an editor publishes at a community address instead of the generated page
# (the pages, their sitemap entries). cms registers its own (``cms.apps``): listings never
# imports cms, whose pages read the figures here.
_editor_page_types: list[type] = []


def community_editor_page_types_register(*types: type) -> None:
    _editor_page_types.extend(t for t in types if t not in _editor_page_types)


def community_editor_page_types() -> tuple[type, ...]:
    return tuple(_editor_page_types)


def is_community_slug(value: str) -> bool:
    return len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None


def community_site_scope() -> selectors.Scope:
    """The scope of the site whose schema the connection is on, for code without a request
    (page validation, admin forms). Inside ``schema_context`` django-tenants only knows the
    schema name, so the site's row is read from the public table."""
    from django.db import connection

    tenant_model = get_tenant_model()
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, tenant_model):
        tenant = tenant_model.objects.filter(schema_name=getattr(connection, "schema_name", "public")).first()
    return selectors.site_scope(tenant=tenant)


def community_cities(*, scope: selectors.Scope) -> list[dict[str, Any]]:
    """Every city with listings on the site, most listings first, with live stats."""
    return [c for c in selectors.city_stats(scope=scope) if c["name"]]


def community_city_stats(*, scope: selectors.Scope, city_slug: str) -> dict[str, Any] | None:
    """One city's stats row, or None when the site shows no listing there."""
    if not is_community_slug(city_slug):
        return None
    model = get_read_model()
    name = model.city_by_slug.get(city_slug)
    if name is None:
        return None
    rows = facets(model, SearchQuery(mls_sources=scope.mls_sources, cities=(name,)), by="city", today=model.today())
    return next((r for r in rows if r["slug"] == city_slug and r["name"]), None)


def community_subdivisions(*, scope: selectors.Scope, city_slug: str) -> list[dict[str, Any]]:
    """A city's named subdivisions with listings on the site, with live stats."""
    if not is_community_slug(city_slug):
        return []
    rows = selectors.subdivision_stats(city_slug=city_slug, scope=scope) or []
    return [s for s in rows if s["name"] and s["slug"]]


def _newest(scope: selectors.Scope, **filters: Any) -> SearchResult:
    return selectors.listing_search(
        query=SearchQuery(
            mls_sources=scope.mls_sources,
            featured_subdivisions=scope.featured_subdivisions,
            statuses=("Active", "Coming Soon"),
            page_size=LISTINGS_SHOWN,
            **filters,
        )
    )


def community_city(*, scope: selectors.Scope, city_slug: str) -> Community | None:
    """A city page's live part, or None when the site shows no listing in that city."""
    city = community_city_stats(scope=scope, city_slug=city_slug)
    if city is None:
        return None
    return Community(
        city=city,
        stats=city,
        result=_newest(scope, cities=(city["name"],)),
        search_qs=urlencode({"city": city["name"]}),
        subdivisions=community_subdivisions(scope=scope, city_slug=city_slug),
    )


def community_subdivision(*, scope: selectors.Scope, city_slug: str, subdivision_slug: str) -> Community | None:
    """A subdivision page's live part, or None when the site shows no listing there."""
    if not is_community_slug(subdivision_slug):
        return None
    city = community_city_stats(scope=scope, city_slug=city_slug)
    if city is None:
        return None
    rows = community_subdivisions(scope=scope, city_slug=city_slug)
    sub = next((s for s in rows if s["slug"] == subdivision_slug), None)
    if sub is None:
        return None
    return Community(
        city=city,
        stats=sub,
        subdivision=sub,
        result=_newest(scope, cities=(city["name"],), subdivisions=(sub["name"],)),
        search_qs=urlencode({"city": city["name"], "subdivision": sub["name"]}),
    )
