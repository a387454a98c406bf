"""Swipe discovery: the queue respects filters and never repeats a card for a visitor; swipes
are validated against the store and the site's sources; anonymous swipes merge on sign-up."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django_tenants.utils import schema_context

from listings.models import Favorite, Swipe
from listings.tests.pages_support import CRMLS_KEY, PASSWORD, RICH_KEY, pages_urls, signed_in, store, user_in

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store")


def swipe(client: Any, key: Any, direction: str = "like") -> Any:
    return client.post(
        "/api/swipes", json.dumps({"listingKey": key, "direction": direction}), content_type="application/json"
    )


def queue(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/api/swipes/queue", {"limit": 10, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_queue_never_repeats_a_card(sarah_site: Any, site_client: Any, store: list[dict[str, Any]]) -> None:
    client = site_client(sarah_site)
    filters = {"city": "Palm Desert", "minBeds": "3"}
    expected = {
        d["listingKey"]
        for d in store
        if d["city"] == "Palm Desert"
        and d["mlsSource"] == "gps"
        and (d["bedroomsTotal"] or 0) >= 3
        and d["standardStatus"] in ("Active", "Coming Soon")
    }
    assert expected
    seen: list[str] = []
    for _ in range(20):
        cards = queue(client, **filters)["results"]
        if not cards:
            break
        for i, card in enumerate(cards):
            assert card["key"] not in seen
            seen.append(card["key"])
            assert swipe(client, card["key"], "like" if i % 2 else "dislike").status_code == 201
    assert set(seen) == expected and len(seen) == len(expected)
    assert queue(client, **filters)["results"] == []
    # Another visitor starts from the beginning.
    assert queue(site_client(sarah_site), **filters)["results"]


def test_swipe_is_validated(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    with schema_context(sarah_site.schema_name):
        before = Swipe.objects.count()  # (browser tests commit theirs)
    assert swipe(client, RICH_KEY, "love").status_code == 400
    assert swipe(client, {"$ne": 1}).status_code == 400
    assert swipe(client, "9999999999").status_code == 404
    assert swipe(client, CRMLS_KEY).status_code == 404  # sarah's site only shows GPS
    assert client.post("/api/swipes", "not json", content_type="application/json").status_code == 400
    assert client.get("/api/swipes").status_code == 405
    assert client.get("/api/swipes/queue", {"minPrice": "-1"}).status_code == 400
    with schema_context(sarah_site.schema_name):
        assert Swipe.objects.count() == before


def test_second_swipe_on_a_card_replaces_the_first(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    swipe(client, RICH_KEY, "dislike")
    swipe(client, RICH_KEY, "like")
    with schema_context(sarah_site.schema_name):
        assert list(Swipe.objects.filter(listing_key=RICH_KEY).values_list("direction", flat=True)) == ["like"]


def test_signed_in_likes_become_favourites(sarah_site: Any) -> None:
    user = user_in(sarah_site, "swiper@example.com")
    client = signed_in(sarah_site, user)
    response = swipe(client, RICH_KEY, "like")
    assert response.status_code == 201 and response.json()["favorite"] is True
    assert RICH_KEY not in {c["key"] for c in queue(client, city="Palm Springs")["results"]}
    with schema_context(sarah_site.schema_name):
        assert Favorite.objects.filter(user=user, listing_key=RICH_KEY).exists()


def test_anonymous_swipes_merge_on_sign_up(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    client.get("/swipe/")
    cards = queue(client)["results"][:3]
    swipe(client, cards[0]["key"], "like")
    swipe(client, cards[1]["key"], "dislike")
    response = client.post(
        "/accounts/signup/",
        {"email": "merge-swipes@example.com", "password1": PASSWORD, "password2": PASSWORD, "role": "end_user"},
    )
    assert response.status_code == 302
    with schema_context(sarah_site.schema_name):
        from accounts.models import User

        user = User.objects.get(email="merge-swipes@example.com")
        assert Swipe.objects.filter(user=user).count() == 2
        assert list(Favorite.objects.filter(user=user).values_list("listing_key", flat=True)) == [cards[0]["key"]]
        client.force_login(user)  # (sign-up may wait for email verification)
    # Signed in: the merged swipes still never come back.
    keys = {c["key"] for c in queue(client, limit=50)["results"]}
    assert not keys & {cards[0]["key"], cards[1]["key"]}


def test_swipe_page_renders(sarah_site: Any, site_client: Any) -> None:
    html = site_client(sarah_site).get("/swipe/").content.decode()
    assert "data-swipe-stack" in html and "listings/swipe.js" in html
