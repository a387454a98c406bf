"""Every site answers /robots.txt (naming its own sitemap) and /favicon.ico; a light brand
colour gets a darker shade for white labels, derived when the branding is saved."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django_tenants.utils import schema_context

from themes.contrast import AA_TEXT, WHITE, contrast_ratio, readable_shade


@pytest.mark.parametrize("site", ["public_tenant", "sarah_site", "mike_site"])
def test_robots_txt_names_the_sites_own_sitemap(site: str, request: pytest.FixtureRequest, site_client: Any) -> None:
    from conftest import host_of

    tenant = request.getfixturevalue(site)
    response = site_client(tenant).get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body and "Disallow: /accounts/" in body and "Disallow: /api/" in body
    sitemaps = [line for line in body.splitlines() if line.startswith("Sitemap:")]
    assert sitemaps == [f"Sitemap: http://{host_of(tenant)}/sitemap.xml"]
    assert "Disallow: /\n" not in body  # public pages stay crawlable
    assert body.index("Allow: /billing/pricing/") < body.index("Disallow: /billing/")  # pricing is public


def test_favicon_is_the_sites_own_or_the_platform_mark(public_tenant: Any, sarah_site: Any, site_client: Any) -> None:
    response = site_client(public_tenant).get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".ico")
    assert "max-age=86400" in response["Cache-Control"]
    icon = site_client(public_tenant).get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO header
    html = site_client(sarah_site).get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html


def test_readable_shade_reaches_aa_and_keeps_dark_colours() -> None:
    assert readable_shade("#0f766e") == "#0f766e"  # already 5.5:1 with white
    assert readable_shade("#ffffff") != "#ffffff"
    rng = random.Random(19)
    for _ in range(500):
        colour = "#" + "".join(f"{rng.randrange(256):02x}" for _ in range(3))
        shade = readable_shade(colour)
        assert contrast_ratio(shade, WHITE) >= AA_TEXT
        # Same hue: each channel scaled by one factor (up to rounding).
        if contrast_ratio(colour, WHITE) >= AA_TEXT:
            assert shade == colour


def test_a_light_brand_colour_is_given_a_readable_shade_when_saved(sarah_site: Any, site_client: Any) -> None:
    from themes.models import SiteBranding

    with schema_context(sarah_site.schema_name):
        branding = SiteBranding.objects.get()
        branding.primary_color = "#fbbf24"  # amber: white on it is 1.7:1
        branding.save()
    html = site_client(sarah_site).get("/accounts/login/").content.decode()
    shade = readable_shade("#fbbf24")
    assert "--brand:#fbbf24" in html and f"--brand-ink:{shade}" in html
    assert contrast_ratio(shade, WHITE) >= AA_TEXT and shade != "#fbbf24"
