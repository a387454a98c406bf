"""Community and search pages carry a canonical link, Open Graph tags and schema.org JSON-LD
(home pages: themes/tests/test_seo_home.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from listings.tests.pages_support import pages_urls, store

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")


def page_head(html: str) -> dict[str, Any]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1, scripts
    assert "</" not in scripts[0]
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    description = re.search(r'<meta name="description" content="([^"]*)">', html)
    og = dict(re.findall(r'<meta property="og:(\w+)" content="([^"]*)">', html))
    assert canonical and description
    return {
        "ld": json.loads(scripts[0]),
        "canonical": canonical.group(1),
        "description": description.group(1),
        "og": og,
    }


def test_community_pages_are_collections_about_the_place(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    head = page_head(client.get("/communities/palm-springs/").content.decode())
    assert head["canonical"] == "http://sarah.localhost/communities/palm-springs/" == head["og"]["url"]
    ld = head["ld"]
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "CollectionPage"
    assert ld["about"]["address"]["addressLocality"] == "Palm Springs"
    assert ld["mainEntity"]["numberOfItems"] >= len(ld["mainEntity"]["itemListElement"]) > 0
    assert all(i["url"].startswith("http://sarah.localhost/listings/") for i in ld["mainEntity"]["itemListElement"])
    assert head["og"]["title"].startswith("Palm Springs homes for sale")
    sub = page_head(client.get("/communities/palm-springs/movie-colony/").content.decode())
    assert sub["ld"]["about"]["name"] == "Movie Colony, Palm Springs"
    assert sub["ld"]["about"]["containedInPlace"]["name"] == "Palm Springs, CA"


def test_search_pages_are_canonical_on_city_and_page(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    html = client.get("/search/", {"city": "Palm Springs", "minBeds": "2", "sort": "price"}).content.decode()
    head = page_head(html)
    assert head["canonical"] == "http://sarah.localhost/search/?city=Palm+Springs"
    assert head["ld"]["@type"] == "SearchResultsPage" and head["ld"]["about"]["name"] == "Palm Springs, CA"
    assert head["og"]["title"] == "Homes for sale in Palm Springs"
    assert head["description"] == head["og"]["description"]
    assert page_head(client.get("/search/").content.decode())["canonical"] == "http://sarah.localhost/search/"
