"""The flagship (public schema) is a Wagtail site like the agent sites: its own pages, /cms/,
branding, contact form and showing requests as leads mailed to the brokerage; and its editors
and an agent site's can never edit each other's pages (docs/tenancy.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from listings.tests.pages_support import PASSWORD, RICH_KEY, RICH_SLUG, store

__all__ = ["store"]

FLAGSHIP = "localhost"


def _user(schema: str, email: str, *, group: str | None = None, **extra: Any) -> Any:
    from django.contrib.auth.models import Group

    from accounts.models import User

    with schema_context(schema):
        user = User.objects.create_user(email=email, password=PASSWORD, **extra)
        if group:
            user.groups.add(Group.objects.get(name=group))
    return user


def _signed_in(host: str, schema: str, user: Any) -> Client:
    client = Client(HTTP_HOST=host)
    with schema_context(schema):
        client.force_login(user)
    return client


def test_flagship_home_and_pages_are_wagtail_pages(client: Client, public_tenant: Any) -> None:
    from wagtail.models import Site

    from cms.models import HomePage

    site = Site.objects.get(is_default_site=True)
    assert site.hostname == settings.FLAGSHIP_DOMAIN
    assert isinstance(site.root_page.specific, HomePage)
    home = client.get("/", HTTP_HOST=FLAGSHIP)
    html = home.content.decode()
    assert home.status_code == 200
    assert "Find your place in the desert" in html and "Are you an agent?" in html and "JPS Realtor" in html
    for path in ("/about/", "/blog/", "/blog/welcome/", "/contact/", "/communities/"):
        assert client.get(path, HTTP_HOST=FLAGSHIP).status_code == 200, path
    # Everything the public schema served before still answers at its address.
    for path, status in (("/network/", 200), ("/search/", 200), ("/map/", 200), ("/sitemap.xml", 200)):
        assert client.get(path, HTTP_HOST=FLAGSHIP).status_code == status, path
    assert client.get("/admin/", HTTP_HOST=FLAGSHIP)["Location"].startswith("/admin/login/")
    assert client.get("/platform/", HTTP_HOST=FLAGSHIP).status_code in (302, 403)
    assert client.get("/no-such-page/", HTTP_HOST=FLAGSHIP).status_code == 404


def test_flagship_editor_edits_the_flagship_in_its_cms(public_tenant: Any) -> None:
    """The flagship's editors see its /cms/ and its branding, and their heading change is on the
    home page; they get neither Django's /admin/ nor the platform admin."""
    from cms.models import HomePage
    from tenants.flagship import FLAGSHIP_EDITORS

    editor = _user("public", "flag-editor@example.com", group=FLAGSHIP_EDITORS)
    client = _signed_in(FLAGSHIP, "public", editor)
    assert client.get("/cms/").status_code == 200
    assert client.get("/cms/settings/themes/sitebranding/").status_code in (200, 302)
    assert client.get("/cms/snippets/leads/lead/").status_code == 200
    home = HomePage.objects.get()
    assert client.get(f"/cms/pages/{home.pk}/edit/").status_code == 200
    home.hero_heading = "Desert homes, edited in the CMS"
    home.save_revision(user=editor).publish()
    assert "Desert homes, edited in the CMS" in client.get("/").content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/platform/").status_code in (302, 403)


def test_editors_sessions_do_not_cross_between_flagship_and_agent_site(sarah_site: Any) -> None:
    from tenants.flagship import FLAGSHIP_EDITORS

    sarah_host = sarah_site.get_primary_domain().domain
    flagship_editor = _user("public", "flag-ed2@example.com", group=FLAGSHIP_EDITORS)
    sarah_editor = _user(sarah_site.schema_name, "sarah-ed@example.com", group="Editors")
    flag_client = _signed_in(FLAGSHIP, "public", flagship_editor)
    sarah_client = _signed_in(sarah_host, sarah_site.schema_name, sarah_editor)
    assert flag_client.get("/cms/").status_code == 200 and sarah_client.get("/cms/").status_code == 200
    # The same session cookie carried to the other host finds nobody signed in there.
    for client, other_host in ((flag_client, sarah_host), (sarah_client, FLAGSHIP)):
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        stranger = Client(HTTP_HOST=other_host)
        stranger.cookies[settings.SESSION_COOKIE_NAME] = cookie
        response = stranger.get("/cms/")
        assert response.status_code == 302 and "/cms/login/" in response["Location"]


def _shared_page_id(schema_a: str, schema_b: str) -> int:
    """A page id that names a (non-root, non-home) page in both schemas."""
    from wagtail.models import Page

    ids = []
    for schema in (schema_a, schema_b):
        with schema_context(schema):
            ids.append(set(Page.objects.filter(depth__gt=2).values_list("pk", flat=True)))
    common = sorted(ids[0] & ids[1])
    assert common, "the seeded page trees should share page ids"
    return common[0]


def _live(schema: str, page_id: int) -> bool:
    from wagtail.models import Page

    with schema_context(schema):
        return Page.objects.get(pk=page_id).live


@pytest.mark.parametrize("editing", ["flagship", "agent"])
def test_a_page_id_names_a_page_of_the_editors_own_site_only(editing: str, sarah_site: Any) -> None:
    """The same page id exists in both page trees: unpublishing it in one site's /cms/ touches
    that site's page, never the other's."""
    from tenants.flagship import FLAGSHIP_EDITORS

    sarah_host = sarah_site.get_primary_domain().domain
    page_id = _shared_page_id("public", sarah_site.schema_name)
    if editing == "flagship":
        mine, theirs, host = "public", sarah_site.schema_name, FLAGSHIP
        editor = _user(mine, "flag-ed3@example.com", group=FLAGSHIP_EDITORS)
    else:
        mine, theirs, host = sarah_site.schema_name, "public", sarah_host
        editor = _user(mine, "sarah-ed3@example.com", group="Moderators")  # Wagtail's publishers
    client = _signed_in(host, mine, editor)
    assert _live(mine, page_id) and _live(theirs, page_id)
    response = client.post(f"/cms/pages/{page_id}/unpublish/", {"include_descendants": ""})
    assert response.status_code == 302
    assert not _live(mine, page_id)
    assert _live(theirs, page_id)


def test_flagship_contact_form_becomes_a_lead_mailed_to_the_brokerage(
    client: Client, public_tenant: Any, sarah_site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from leads.models import Lead

    assert 'name="email"' in client.get("/contact/", HTTP_HOST=FLAGSHIP).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/contact/",
            {"name": "Flo Seller", "email": "flo@example.com", "phone": "", "message": "Value my condo?"},
            HTTP_HOST=FLAGSHIP,
        )
    assert response.status_code == 200 and b"Thanks for getting in touch" in response.content
    lead = Lead.objects.get(email="flo@example.com")
    assert lead.source == Lead.Source.CONTACT_FORM and lead.message == "Value my condo?"
    with schema_context(sarah_site.schema_name):
        assert not Lead.objects.filter(email="flo@example.com").exists()
    (message,) = mail.outbox
    assert message.to == [settings.FLAGSHIP_LEADS_EMAIL] and message.reply_to == ["flo@example.com"]
    assert "JPS Realtor" in message.from_email and "contact form from Flo Seller" in message.subject


@pytest.mark.usefixtures("store")
def test_flagship_showing_request_becomes_a_lead(
    client: Client, public_tenant: Any, sarah_site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The flagship's listing pages offer a showing request; it becomes a lead in the public
    schema (the flagship's /cms/ lists it) and is mailed to the brokerage's address."""
    from leads.models import Lead
    from themes.models import SiteBranding

    SiteBranding.objects.update(contact_email="desk@brokerage.example.com")  # the editors' choice
    page = client.get(f"/listings/{RICH_SLUG}/", HTTP_HOST=FLAGSHIP).content.decode()
    assert 'id="showing"' in page and "Request a showing" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/{RICH_SLUG}/showing/",
            {"name": "Jo Buyer", "email": "jo-flag@example.com", "phone": "760-555-0100", "when": "Sunday"},
            HTTP_HOST=FLAGSHIP,
        )
    assert response.status_code == 302
    lead = Lead.objects.get(email="jo-flag@example.com")
    assert lead.source == Lead.Source.SHOWING_REQUEST and lead.listing_key == RICH_KEY and "Sunday" in lead.message
    with schema_context(sarah_site.schema_name):
        assert not Lead.objects.filter(email="jo-flag@example.com").exists()
    (message,) = mail.outbox
    assert message.to == ["desk@brokerage.example.com"] and message.reply_to == ["jo-flag@example.com"]
    assert "showing request from Jo Buyer" in message.subject and "123 Palm Canyon Dr" in message.body
    # Bad input makes no lead and loses nothing else.
    client.post(f"/listings/{RICH_SLUG}/showing/", {"name": "", "email": "nope"}, HTTP_HOST=FLAGSHIP)
    assert Lead.objects.filter(source=Lead.Source.SHOWING_REQUEST).count() == 1
