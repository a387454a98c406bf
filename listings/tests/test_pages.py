"""Listing pages: detail (gallery, facts, SEO, land lease, sold), tenant scoping, search and
map pages, showing requests becoming leads in that site only, and the sitemap."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django_tenants.utils import schema_context

from listings.tests.pages_support import (
    CRMLS_SLUG,
    RICH_KEY,
    RICH_SLUG,
    SOLD_SLUG,
    pages_urls,
    signed_in,
    store,
    user_in,
)

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")


def json_ld(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD"
    return json.loads(m.group(1))


def test_listing_page_renders_everything(public_tenant: Any, site_client: Any) -> None:
    response = site_client(public_tenant).get(f"/listings/{RICH_SLUG}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>123 Palm Canyon Dr, Palm Springs, CA 92262 – $1,250,000" in html
    assert 'property="og:title"' in html and 'property="og:image"' in html
    assert '<meta name="description" content="For sale: 123 Palm Canyon Dr' in html
    # srcset over every cached size
    assert all(f"/{w}.jpg {w}w" in html for w in (300, 640, 800, 1024, 1280, 1600, 2048))
    assert "Land lease" in html and "$450/mo" in html and "2064-12-31" in html
    assert "Open houses" in html and "11:00" in html
    assert "https://tours.example.invalid/123" in html
    assert "Price history" in html and "$1,300,000" in html
    assert "12 days on market" in html
    assert "Similar homes" in html
    # The small map's library is named for loading on demand, never loaded with the page.
    assert 'id="listing-map"' in html and 'data-maplibre-js="/static/vendor/maplibre-gl/maplibre-gl.js"' in html
    assert not re.search(r"<(script|link)[^>]+maplibre-gl", html)
    assert "&lt;b&gt;pool&lt;/b&gt;" in html  # remarks are escaped
    data = json_ld(html)
    assert data["@type"] == "RealEstateListing"
    assert data["about"]["@type"] == "SingleFamilyResidence"
    assert data["offers"]["price"] == 1_250_000.0 and data["offers"]["priceCurrency"] == "USD"
    assert "</" not in re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1)  # type: ignore[union-attr]
    # Anonymous: save prompts sign-up; CMA is gated on the free plan; the flagship takes showings.
    assert "/accounts/signup/?next=/listings/" in html
    assert "disabled" in html and "Generate CMA" in html
    assert 'id="showing"' in html


def test_agent_site_only_shows_its_sources(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    sarah, mike = site_client(sarah_site), site_client(mike_site)  # sarah: GPS only; mike: CRMLS + GPS
    assert sarah.get(f"/listings/{CRMLS_SLUG}/").status_code == 404
    assert mike.get(f"/listings/{CRMLS_SLUG}/").status_code == 200
    assert sarah.get(f"/listings/{RICH_SLUG}/").status_code == 200
    missing = sarah.get("/listings/no-such-home-1/")
    assert missing.status_code == 404 and b"Page not found" in missing.content
    assert sarah.get("/listings/Bad%20Slug/").status_code == 404
    assert sarah.get("/api/favorites/x").status_code in (401, 405)


def test_closed_listing_shows_sold(public_tenant: Any, site_client: Any) -> None:
    html = site_client(public_tenant).get(f"/listings/{SOLD_SLUG}/").content.decode()
    assert 'data-testid="sold-badge">Sold<' in html and "$990,000" in html
    assert json_ld(html)["offers"]["availability"] == "https://schema.org/SoldOut"


def test_search_page_results_filters_and_pagination(sarah_site: Any, site_client: Any, store: Any) -> None:
    client = site_client(sarah_site)
    response = client.get("/search/", {"city": "palm-springs", "pageSize": "12", "sort": "price"})
    assert response.status_code == 200
    html = response.content.decode()
    # For sale by default: rentals (Residential Lease) are a search of their own.
    palm_springs = [d for d in store if d["city"] == "Palm Springs" and d["mlsSource"] == "gps"]
    expected = sum(1 for d in palm_springs if d["propertyType"] != "Residential Lease")
    assert f"<strong>{expected}</strong> homes" in html
    assert html.count('class="card listing-card"') == min(12, expected)
    assert 'rel="next"' in html and "page=2" in html
    crmls_keys = {d["listingKey"] for d in store if d["mlsSource"] == "crmls"}
    assert not any(k in html for k in crmls_keys)


def test_search_page_switches_between_sale_and_rent(sarah_site: Any, site_client: Any, store: Any) -> None:
    client = site_client(sarah_site)
    gps = [d for d in store if d["mlsSource"] == "gps"]
    rentals = [d for d in gps if d["propertyType"] == "Residential Lease"]
    assert rentals and len(rentals) < len(gps)
    html = client.get("/search/", {"listingType": "rent", "pageSize": "48"}).content.decode()
    assert f"<strong>{len(rentals)}</strong> home" in html and "Homes for rent" in html
    assert html.count('<span class="per-month">/mo</span>') == min(48, len(rentals))
    assert 'value="rent" checked' in html and "Max rent / mo" in html
    sale = client.get("/search/", {"pageSize": "48"}).content.decode()
    assert f"<strong>{len(gps) - len(rentals)}</strong> homes" in sale and "/mo</span>" not in sale
    assert 'value="sale" checked' in sale
    # A rental type asked for under For sale is a clear error, not a silent mix.
    mixed = client.get("/search/", {"listingType": "sale", "propertyType": "Residential Lease"})
    assert mixed.status_code == 400 and "is not for sale" in mixed.content.decode()
    api = client.get("/api/listings", {"listingType": "rent", "pageSize": "5"}).json()
    assert api["total"] == len(rentals) and {c["propertyType"] for c in api["results"]} == {"Residential Lease"}


def test_search_page_reports_bad_filters(sarah_site: Any, site_client: Any) -> None:
    response = site_client(sarah_site).get("/search/", {"minPrice": '{"$ne": 1}', "minBeds": "NaN"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "minPrice" in html and "minBeds" in html and "Please check these filters" in html


def test_map_page_uses_offline_style_without_a_key(public_tenant: Any, site_client: Any, settings: Any) -> None:
    settings.MAP_STYLE_URL = ""
    settings.MAPTILER_API_KEY = ""
    html = site_client(public_tenant).get("/map/").content.decode()
    assert 'data-style=""' in html and "/static/vendor/maplibre-gl/maplibre-gl.js" in html
    assert "cdn" not in html.lower()
    # The offline basemap: packaged coastline/state/county data and the store's city names.
    assert "/static/vendor/us-atlas/counties-10m" in html and "/static/vendor/world-atlas/land-50m" in html
    assert "/static/vendor/topojson-client/" in html and '<script id="map-places" type="application/json">' in html
    settings.MAPTILER_API_KEY = "k123"
    assert "api.maptiler.com" in site_client(public_tenant).get("/map/").content.decode()


def test_showing_request_becomes_a_lead_in_that_site_only(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    from leads.models import Lead

    client = site_client(sarah_site)
    page = client.get(f"/listings/{RICH_SLUG}/").content.decode()
    assert 'id="showing"' in page
    response = client.post(
        f"/listings/{RICH_SLUG}/showing/",
        {"name": "Jo Buyer", "email": "jo@example.com", "phone": "760-555-0100", "when": "Saturday"},
    )
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        lead = Lead.objects.get(email="jo@example.com")
        assert lead.source == Lead.Source.SHOWING_REQUEST and lead.listing_key == RICH_KEY
        assert "Saturday" in lead.message
    with schema_context(mike_site.schema_name):
        assert not Lead.objects.filter(email="jo@example.com").exists()
    # Invalid input does not create a lead; another source's listing is a 404 here.
    client.post(f"/listings/{RICH_SLUG}/showing/", {"name": "", "email": "nope"})
    assert client.post(f"/listings/{CRMLS_SLUG}/showing/", {"name": "x", "email": "x@example.com"}).status_code == 404
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.filter(source=Lead.Source.SHOWING_REQUEST).count() == 1


def test_signed_in_user_sees_save_state(sarah_site: Any) -> None:
    from listings.models import Favorite

    user = user_in(sarah_site, "saver@example.com")
    with schema_context(sarah_site.schema_name):
        Favorite.objects.create(user=user, listing_key=RICH_KEY)
    html = signed_in(sarah_site, user).get(f"/listings/{RICH_SLUG}/").content.decode()
    assert 'aria-pressed="true"' in html and "Saved" in html


def test_sitemap_lists_the_sites_listings(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    sarah = site_client(sarah_site).get("/sitemap-listings.xml").content.decode()
    assert f"/listings/{RICH_SLUG}/" in sarah and CRMLS_SLUG not in sarah
    assert CRMLS_SLUG in site_client(mike_site).get("/sitemap-listings.xml").content.decode()


def test_community_pages_show_live_stats(sarah_site: Any, mike_site: Any, site_client: Any, store: Any) -> None:
    client = site_client(sarah_site)
    index = client.get("/communities/").content.decode()
    assert 'href="/communities/palm-springs/"' in index and "Long Beach" not in index  # GPS only
    city = client.get("/communities/palm-springs/")
    assert city.status_code == 200
    html = city.content.decode()
    count = sum(1 for d in store if d["city"] == "Palm Springs" and d["mlsSource"] == "gps")
    assert f"<dd>{count}</dd>" in html and "Median price" in html
    assert 'href="/communities/palm-springs/movie-colony/"' in html
    sub = client.get("/communities/palm-springs/movie-colony/")
    assert sub.status_code == 200 and b"Movie Colony" in sub.content
    assert client.get("/communities/long-beach/").status_code == 404
    assert site_client(mike_site).get("/communities/long-beach/").status_code == 200
    assert client.get("/communities/palm-springs/nowhere/").status_code == 404
    sitemap = client.get("/sitemap-listings.xml").content.decode()
    assert "/communities/palm-springs/movie-colony/" in sitemap


def test_showing_requests_are_rate_limited(sarah_site: Any, site_client: Any) -> None:
    from leads.models import Lead

    client = site_client(sarah_site)
    client.get("/")
    for i in range(7):
        client.post(f"/listings/{RICH_SLUG}/showing/", {"name": "Spam", "email": f"spam{i}@example.com"})
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.filter(name="Spam").count() == 5
