"""Sitemap of the listing pages a site shows (its MLS sources only), from the read model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db import connection


class ListingSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.7
    limit = 10_000

    def items(self) -> list[str]:
        from listings.readmodel.loader import get_read_model
        from listings.readmodel.query import SearchQuery
        from listings.selectors import site_scope

        scope = site_scope(tenant=getattr(connection, "tenant", None))
        model = get_read_model()
        rows = model.select(SearchQuery(mls_sources=scope.mls_sources))
        return sorted(s for s in model.cols["slug"][rows].tolist() if s)

    def location(self, item: Any) -> str:
        return f"/listings/{item}/"


class CommunitySitemap(Sitemap):
    """Community pages of this site, once each: the generated page of every city and
    subdivision with listings here, and the editors' live Wagtail community pages (which serve
    the same addresses, plus guides to areas that have no listing today), with their last
    publication date. Pages behind a view restriction are left out."""

    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[tuple[str, datetime | None]]:
        from listings.community import community_cities, community_site_scope, community_subdivisions

        scope = community_site_scope()
        urls: dict[str, datetime | None] = {"/communities/": None}
        for city in community_cities(scope=scope):
            urls[f"/communities/{city['slug']}/"] = None
            for sub in community_subdivisions(scope=scope, city_slug=city["slug"]):
                urls[f"/communities/{city['slug']}/{sub['slug']}/"] = None
        public, restricted = _editor_pages()
        urls.update(public)
        for url in restricted:
            urls.pop(url, None)
        return sorted(urls.items())

    def location(self, item: tuple[str, datetime | None]) -> str:
        return item[0]

    def lastmod(self, item: tuple[str, datetime | None]) -> datetime | None:
        return item[1]


def _editor_pages() -> tuple[dict[str, datetime | None], set[str]]:
    """The current site's live community pages: public ones by address with their last
    publication, and the addresses of those behind a view restriction."""
    from wagtail.models import Page

    from listings.community import community_editor_page_types

    editor_types = community_editor_page_types()
    if not editor_types:
        return {}, set()
    live = Page.objects.live().type(*editor_types)
    public = {p.get_url(): p.last_published_at for p in live.public()}
    restricted = {p.get_url() for p in live.not_public()}
    return {url: when for url, when in public.items() if url}, {url for url in restricted if url}


SITEMAPS: dict[str, type[Sitemap]] = {"listings": ListingSitemap, "communities": CommunitySitemap}
