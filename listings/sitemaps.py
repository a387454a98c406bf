"""Sitemap of the listing pages a site shows (its MLS sources only), from the read model."""

from __future__ import annotations

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
    """City and subdivision pages with listings on this site."""

    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        from listings.selectors import city_stats, site_scope, subdivision_stats

        scope = site_scope(tenant=getattr(connection, "tenant", None))
        out = ["/communities/"]
        for city in city_stats(scope=scope):
            if not city["slug"]:
                continue
            out.append(f"/communities/{city['slug']}/")
            for sub in subdivision_stats(city_slug=city["slug"], scope=scope) or []:
                if sub["slug"] and sub["name"]:
                    out.append(f"/communities/{city['slug']}/{sub['slug']}/")
        return out

    def location(self, item: Any) -> str:
        return str(item)


SITEMAPS: dict[str, type[Sitemap]] = {"listings": ListingSitemap, "communities": CommunitySitemap}
