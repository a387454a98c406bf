"""The anonymous page cache (listings/pagecache.py) through the real stack: a signed-out
visitor's second view of a community page is the first one's, never another site's; a new
read-model version, the TTL and a publish render it again, in other processes too (the pages
version in Redis); signed-in visitors and pages holding a CSRF token are never served from it;
the middleware around it still runs on a hit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from listings.pagecache import _storable, page_cache
from listings.readmodel import loader
from listings.tests.pages_support import pages_urls, signed_in, store, user_in

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")
CITY = "/communities/palm-springs/"


@pytest.fixture(autouse=True)
def cache_on() -> Iterator[None]:
    page_cache.clear()
    ttl, page_cache.ttl = page_cache.ttl, 30.0  # off in the test settings
    yield
    page_cache.ttl = ttl
    page_cache.clear()


def test_second_view_comes_from_the_cache_and_is_the_same_page(sarah_site: Any, site_client: Any) -> None:
    first, second = site_client(sarah_site).get(CITY), site_client(sarah_site).get(CITY)  # two visitors
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The middleware around the view still runs: a new visitor gets their own anonymous id.
    assert second.cookies["anonymous_id"].value != first.cookies["anonymous_id"].value


def test_each_site_gets_its_own_page(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    sarah = site_client(sarah_site).get(CITY)
    mike = site_client(mike_site).get(CITY)
    assert mike["X-Page-Cache"] == "miss"
    assert b"sarah.localhost" in sarah.content and b"sarah.localhost" not in mike.content
    assert site_client(sarah_site).get(CITY).content == sarah.content
    assert site_client(mike_site).get(CITY).content == mike.content


def test_a_new_read_model_version_renders_again(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    client.get(CITY)
    assert client.get(CITY)["X-Page-Cache"] == "hit"
    loader.holder(loader.LISTINGS).reload()  # what a sync's change event does
    assert client.get(CITY)["X-Page-Cache"] == "miss"


def test_entries_expire_and_a_publish_clears_them(sarah_site: Any, site_client: Any) -> None:
    from wagtail.signals import page_published

    client = site_client(sarah_site)
    client.get(CITY)
    page_published.send(sender=None, instance=None)
    assert client.get(CITY)["X-Page-Cache"] == "miss"
    page_cache.ttl = 2.0  # a request takes well under that, even on a loaded machine
    page_cache.clear()
    assert client.get(CITY)["X-Page-Cache"] == "miss"
    assert client.get(CITY)["X-Page-Cache"] == "hit"
    time.sleep(2.1)
    assert client.get(CITY)["X-Page-Cache"] == "miss"


def test_signed_in_visitors_and_query_strings_bypass_it(sarah_site: Any, site_client: Any) -> None:
    member = signed_in(sarah_site, user_in(sarah_site, "member@example.com"))
    for _ in range(2):
        response = member.get(CITY)
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert b"member@example.com" in response.content
    anonymous = site_client(sarah_site).get(CITY)
    assert anonymous["X-Page-Cache"] == "miss" and b"member@example.com" not in anonymous.content
    assert "X-Page-Cache" not in site_client(sarah_site).get(CITY + "?utm=1")


def test_answers_with_a_token_or_a_cookie_or_private_are_not_kept() -> None:
    factory = RequestFactory()
    plain = factory.get("/")
    assert _storable(plain, HttpResponse("ok"))
    with_token = factory.get("/")
    get_token(with_token)  # the page holds this visitor's CSRF token
    assert not _storable(with_token, HttpResponse("ok"))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("x", "1")
    assert not _storable(plain, with_cookie)
    private = HttpResponse("ok", headers={"Cache-Control": "private"})
    assert not _storable(plain, private)
    assert not _storable(plain, HttpResponse("gone", status=404))


def test_a_publish_in_another_process_reaches_this_one_within_the_check(
    sarah_site: Any, site_client: Any, settings: Any
) -> None:
    from core import netversion

    settings.PAGE_CACHE_VERSION_CHECK_SECONDS = 0.3
    client = site_client(sarah_site)
    client.get(CITY)
    assert client.get(CITY)["X-Page-Cache"] == "hit"
    # What another process's publish does: only Redis's number moves, this process's cache stays.
    netversion._client().incr(netversion.PAGES._key())
    time.sleep(0.35)
    assert client.get(CITY)["X-Page-Cache"] == "miss"
    assert client.get(CITY)["X-Page-Cache"] == "hit"


def test_publishing_or_saving_a_branding_bumps_the_version_once_committed(
    sarah_site: Any, site_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tenants.utils import schema_context
    from wagtail.models import Page
    from wagtail.signals import page_published

    from core.netversion import PAGES
    from themes.models import SiteBranding

    client = site_client(sarah_site)
    before = PAGES.read()
    assert before is not None
    with django_capture_on_commit_callbacks() as callbacks:
        page_published.send(sender=Page, instance=None)
    assert PAGES.read() == before  # not before the commit: another process could cache the old page
    for callback in callbacks:
        callback()
    assert PAGES.read() == before + 1
    client.get(CITY)
    assert client.get(CITY)["X-Page-Cache"] == "hit"
    with schema_context(sarah_site.schema_name), django_capture_on_commit_callbacks(execute=True):
        setting = SiteBranding.objects.get()
        setting.site_name = "Sarah Chen Homes"
        setting.save()
    assert PAGES.read() == before + 2
    page = client.get(CITY)
    assert page["X-Page-Cache"] == "miss" and b"Sarah Chen Homes" in page.content


def test_the_cache_keeps_serving_while_redis_is_away(sarah_site: Any, site_client: Any, monkeypatch: Any) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from core import netversion

    client = site_client(sarah_site)
    client.get(CITY)
    assert client.get(CITY)["X-Page-Cache"] == "hit"
    # nothing listens there; one attempt, as core.netversion's client (from_url) makes
    away = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setattr(netversion, "_client", lambda: away)
    monkeypatch.setattr(netversion.PAGES, "_seen", (None, float("-inf")))  # read again now
    assert netversion.PAGES.read() is None
    assert client.get(CITY)["X-Page-Cache"] == "hit"
