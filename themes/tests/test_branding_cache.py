"""The branding cache (themes.branding): one entry per tenant schema, so a site's name, colours
and contact details never show on another site; dropped when the branding, a Wagtail Site or
an image (the logo) is saved, so an edit shows on the next page."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from themes.branding import CACHE_KEY, Branding

PAGE = "/accounts/login/"  # a plain page on base.html: no Wagtail routing of its own


def branding_queries(client: Any) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return [
        q["sql"] for q in ctx.captured_queries if "themes_sitebranding" in q["sql"] or "wagtailcore_site" in q["sql"]
    ]


def test_each_site_keeps_its_own_cached_branding(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    sarah, mike = site_client(sarah_site), site_client(mike_site)
    for _ in range(2):  # the second round is served from the cache
        s, m = sarah.get(PAGE).content.decode(), mike.get(PAGE).content.decode()
        assert "Sarah Chen Real Estate" in s and "--brand:#9f1239" in s and "(760) 555-0142" in s
        assert "Mike Alvarez" not in s and "#1e40af" not in s and "(951) 555-0177" not in s
        assert "Mike Alvarez Homes" in m and "--brand:#1e40af" in m and "(951) 555-0177" in m
        assert "Sarah Chen" not in m and "#9f1239" not in m and "(760) 555-0142" not in m
    for tenant, name in ((sarah_site, "Sarah Chen Real Estate"), (mike_site, "Mike Alvarez Homes")):
        with schema_context(tenant.schema_name):
            entry = cache.get(CACHE_KEY.format(schema=tenant.schema_name))
        assert isinstance(entry, dict) and {b.site_name for b in entry.values()} == {name}
        assert all(isinstance(b, Branding) for b in entry.values())


def test_a_cached_branding_runs_no_site_or_branding_query(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    assert branding_queries(client)  # first view: the Site and its branding row
    assert branding_queries(client) == []


def test_saved_branding_shows_on_the_next_page_of_that_site_only(
    sarah_site: Any, mike_site: Any, site_client: Any
) -> None:
    from themes.models import SiteBranding

    sarah, mike = site_client(sarah_site), site_client(mike_site)
    assert "Sarah Chen Real Estate" in sarah.get(PAGE).content.decode()
    assert "Mike Alvarez Homes" in mike.get(PAGE).content.decode()
    with schema_context(sarah_site.schema_name):
        setting = SiteBranding.objects.get()
        setting.site_name, setting.primary_color, setting.contact_phone = (
            "Sarah Chen Homes",
            "#123456",
            "(760) 555-0199",
        )
        setting.save()
    html = sarah.get(PAGE).content.decode()
    assert "Sarah Chen Homes" in html and "--brand:#123456" in html and "(760) 555-0199" in html
    assert "Sarah Chen Real Estate" not in html
    other = mike.get(PAGE).content.decode()
    assert "Mike Alvarez Homes" in other and "Sarah Chen" not in other and "#123456" not in other


def test_saving_a_site_or_an_image_drops_that_schemas_entry(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Site

    site_client(sarah_site).get(PAGE)
    site_client(mike_site).get(PAGE)
    sarah_key, mike_key = (CACHE_KEY.format(schema=t.schema_name) for t in (sarah_site, mike_site))
    with schema_context(sarah_site.schema_name):
        assert cache.get(sarah_key)
        Site.objects.get(is_default_site=True).save()
        assert cache.get(sarah_key) is None
    with schema_context(mike_site.schema_name):
        assert cache.get(mike_key), "another site's entry stays"
        get_image_model().objects.create(title="Logo", file=get_test_image_file())
        assert cache.get(mike_key) is None
