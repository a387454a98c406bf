"""Every site renders its own branding and page tree, the flagship's included."""

import pytest


@pytest.mark.parametrize(
    "slug, name, colour", [("sarah", "Sarah Chen Real Estate", "#9f1239"), ("mike", "Mike Alvarez Homes", "#1e40af")]
)
def test_site_home_page_shows_its_branding(slug, name, colour, site_client, django_db_blocker, db):
    from tenants.models import Tenant

    client = site_client(Tenant.objects.get(slug=slug))
    html = client.get("/").content.decode()
    assert name in html
    assert f"--brand:{colour}" in html
    other = "Mike Alvarez Homes" if slug == "sarah" else "Sarah Chen Real Estate"
    assert other not in html


@pytest.mark.parametrize("path", ["/", "/about/", "/blog/", "/blog/welcome/", "/contact/"])
def test_seeded_pages_render(path, sarah_site, site_client):
    assert site_client(sarah_site).get(path).status_code == 200


def test_flagship_home_renders_on_public_schema(client, db):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"JPS Realtor" in response.content


def test_wagtail_admin_is_at_cms_on_sites_and_the_flagship(sarah_site, site_client, client, db):
    assert site_client(sarah_site).get("/cms/").status_code == 302  # to the login page
    assert client.get("/cms/", HTTP_HOST="localhost")["Location"].startswith("/cms/login/")


def test_unknown_page_is_a_friendly_404_on_both(sarah_site, site_client, client, db):
    assert site_client(sarah_site).get("/no-such-page/").status_code == 404
    response = client.get("/no-such-page/", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert b"Page not found" in response.content
