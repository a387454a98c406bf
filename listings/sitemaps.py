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


SITEMAPS: dict[str, type[Sitemap]] = {"listings": ListingSitemap}
