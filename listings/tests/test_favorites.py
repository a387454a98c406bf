"""Favourites and saved searches: sign-in required, site scoping, plan limits from billing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_tenants.utils import schema_context

from listings.models import Favorite, SavedSearch
from listings.tests.pages_support import (
    CRMLS_KEY,
    RICH_KEY,
    RICH_SLUG,
    pages_urls,
    signed_in,
    store,
    subscribe,
    user_in,
)

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")


def post_json(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_favourites_need_an_account(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    response = client.post(f"/api/favorites/{RICH_KEY}")
    assert response.status_code == 401 and response.json()["signup"] == "/accounts/signup/"
    assert client.get("/favorites/").status_code == 302
    toggle = client.post(f"/favorites/{RICH_KEY}/toggle/", {"next": f"/listings/{RICH_SLUG}/"})
    assert toggle.status_code == 302 and toggle["Location"].startswith("/accounts/signup/?next=")


def test_add_list_and_remove_favourites(sarah_site: Any) -> None:
    user = user_in(sarah_site, "fav@example.com")
    client = signed_in(sarah_site, user)
    assert client.post(f"/api/favorites/{RICH_KEY}").status_code == 201
    assert client.post(f"/api/favorites/{RICH_KEY}").status_code == 200  # idempotent
    assert client.post(f"/api/favorites/{CRMLS_KEY}").status_code == 404  # not on this site
    page = client.get("/favorites/").content.decode()
    assert "123 Palm Canyon Dr" in page and page.count('class="card listing-card"') == 1
    assert client.delete(f"/api/favorites/{RICH_KEY}").json() == {"listingKey": RICH_KEY, "favorite": False}
    with schema_context(sarah_site.schema_name):
        assert not Favorite.objects.filter(user=user).exists()
    # The no-JS toggle form works both ways.
    client.post(f"/favorites/{RICH_KEY}/toggle/", {"next": "/favorites/"})
    with schema_context(sarah_site.schema_name):
        assert Favorite.objects.filter(user=user).count() == 1
    client.post(f"/favorites/{RICH_KEY}/toggle/", {"next": "https://evil.example/"})
    with schema_context(sarah_site.schema_name):
        assert Favorite.objects.filter(user=user).count() == 0


def test_saved_search_limits_follow_the_plan(sarah_site: Any) -> None:
    user = user_in(sarah_site, "saver-free@example.com")
    client = signed_in(sarah_site, user)
    for i in range(3):  # Free: 3
        response = post_json(client, "/api/saved-searches", {"query": f"city=palm-springs&minBeds={i + 1}"})
        assert response.status_code == 201, response.content
    assert response.json()["query"] == {"city": ["Palm Springs"], "minBeds": ["3"]}
    over = post_json(client, "/api/saved-searches", {"query": "city=indio"})
    assert over.status_code == 403
    body = over.json()
    assert body["upgrade"] is True and body["limit"] == 3 and body["error"] == "limit_reached"
    # Pro: 10.
    subscribe(sarah_site, user, "pro")
    assert post_json(client, "/api/saved-searches", {"query": "city=indio"}).status_code == 201
    with schema_context(sarah_site.schema_name):
        assert SavedSearch.objects.filter(user=user).count() == 4


def test_saved_search_validation_and_sms_gate(sarah_site: Any, site_client: Any) -> None:
    assert post_json(site_client(sarah_site), "/api/saved-searches", {"query": "city=indio"}).status_code == 401
    user = user_in(sarah_site, "saver-sms@example.com")
    client = signed_in(sarah_site, user)
    bad = post_json(client, "/api/saved-searches", {"query": {"minPrice": {"$ne": 1}, "bogus": "1"}})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"minPrice", "bogus"}
    assert post_json(client, "/api/saved-searches", {"query": "city=indio", "frequency": "hourly"}).status_code == 400
    sms = post_json(client, "/api/saved-searches", {"query": "city=indio", "sms": True})
    assert sms.status_code == 403 and sms.json()["upgrade"] is True
    subscribe(sarah_site, user, "ultimate")
    assert post_json(client, "/api/saved-searches", {"query": "city=indio", "sms": True}).status_code == 201


def test_saved_searches_page_create_list_delete(sarah_site: Any) -> None:
    user = user_in(sarah_site, "saver-page@example.com")
    client = signed_in(sarah_site, user)
    response = client.post("/saved-searches/", {"query": "city=Palm+Springs&pool=true", "frequency": "instant"})
    assert response.status_code == 302
    page = client.get("/saved-searches/").content.decode()
    assert "Palm Springs" in page and "1 of 3 saved searches" in page
    with schema_context(sarah_site.schema_name):
        saved = SavedSearch.objects.get(user=user)
        assert saved.frequency == "instant" and saved.query == {"city": ["Palm Springs"], "pool": ["true"]}
    client.post(f"/saved-searches/{saved.pk}/update/", {"frequency": "daily", "sms": "on"})
    with schema_context(sarah_site.schema_name):
        saved.refresh_from_db()
        assert saved.frequency == "daily" and saved.sms_enabled is False  # SMS is not on the free plan
    other = signed_in(sarah_site, user_in(sarah_site, "someone@example.com"))
    assert other.delete(f"/api/saved-searches/{saved.pk}").status_code == 404
    client.post(f"/saved-searches/{saved.pk}/delete/")
    with schema_context(sarah_site.schema_name):
        assert not SavedSearch.objects.filter(user=user).exists()
