"""Settings → Branding in /cms/ warns when the agent's colours fall below WCAG AA (the ratio is
computed on the server), and the rendered site draws text on readable shades meanwhile."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from themes.contrast import (
    AA_NON_TEXT,
    AA_TEXT,
    WHITE,
    branding_contrast_notes,
    contrast_ratio,
    readable_shade,
)

PASSWORD = "contrast-owner-pass-2026"
FIELDS = (
    *("site_name", "tagline", "logo_text", "preset", "primary_color", "accent_color", "font"),
    *("contact_email", "contact_phone", "office_address", "agent_name", "license_number", "brokerage"),
)


def test_notes_name_the_ratio_and_the_shade_the_site_uses() -> None:
    assert branding_contrast_notes(primary="#0f766e", accent="#b45309") == []  # 5.5:1 and 5.0:1
    primary, accent = branding_contrast_notes(primary="#fbbf24", accent="#fde68a")
    assert "1.7:1" in primary and "4.5:1" in primary and readable_shade("#fbbf24") in primary
    assert "3:1" in accent and readable_shade("#fde68a", ratio=AA_NON_TEXT) in accent
    assert [n.startswith("Your accent") for n in branding_contrast_notes(primary="#1d4ed8", accent="#ffff00")] == [True]


@pytest.fixture
def owner_client(sarah_site: Any) -> tuple[Client, str]:
    """Sarah's site owner (a superuser of that schema only) signed in to /cms/, and the URL of
    her site's branding settings."""
    from wagtail.models import Site

    from accounts.models import User

    with schema_context(sarah_site.schema_name):
        owner = User.objects.create_user(email="owner-contrast@example.com", password=PASSWORD, is_staff=True)
        owner.is_superuser = True
        owner.save()
        site = Site.objects.get(is_default_site=True)
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    with schema_context(sarah_site.schema_name):
        client.force_login(owner)
    return client, f"/cms/settings/themes/sitebranding/{site.pk}/"


def _save(client: Client, url: str, tenant: Any, **colours: str) -> str:
    from themes.models import SiteBranding

    with schema_context(tenant.schema_name):
        branding = SiteBranding.objects.get()
    data = {name: getattr(branding, name) for name in FIELDS} | colours
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    with schema_context(tenant.schema_name):
        saved = SiteBranding.objects.get()
    assert (saved.primary_color, saved.accent_color) == (data["primary_color"], data["accent_color"])  # saved
    return response.content.decode()


def _warnings(html: str) -> list[str]:
    return re.findall(r"(White text on your primary colour[^<]*|Your accent colour has[^<]*)", html)


def test_cms_branding_warns_below_aa_and_the_site_stays_readable(
    sarah_site: Any, owner_client: tuple[Client, str], site_client: Any
) -> None:
    client, url = owner_client
    html = _save(client, url, sarah_site, primary_color="#fbbf24", accent_color="#fde68a")
    found = _warnings(html)
    assert len(found) == 2, found
    assert "1.7:1" in found[0] and readable_shade("#fbbf24") in found[0]
    # Opening the settings again says it again; a save of AA colours says nothing.
    assert len(_warnings(client.get(url).content.decode())) == 2
    page = site_client(sarah_site).get("/accounts/login/").content.decode()
    styles = dict(re.findall(r"--([a-z-]+):(#[0-9a-f]{6})", page))
    assert styles["brand"] == "#fbbf24"
    assert contrast_ratio(styles["brand-ink"], WHITE) >= AA_TEXT  # white text, links
    assert contrast_ratio(styles["accent"], WHITE) >= AA_NON_TEXT  # focus rings
    assert contrast_ratio(styles["accent-ink"], WHITE) >= AA_TEXT  # white labels on the accent
    html = _save(client, url, sarah_site, primary_color="#0f766e", accent_color="#b45309")
    assert _warnings(html) == [] and "Branding" in html
    assert _warnings(client.get(url).content.decode()) == []
    page = site_client(sarah_site).get("/accounts/login/").content.decode()
    assert "--brand:#0f766e;--brand-ink:#0f766e;--accent:#b45309;--accent-ink:#b45309;" in page
