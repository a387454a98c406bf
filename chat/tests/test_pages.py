"""The chat panel on the home pages, the listing page and /chat/; the script only there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.tests.support import Visitor

pytestmark = pytest.mark.django_db


def host(tenant: Any) -> str:
    return tenant.get_primary_domain().domain


def test_home_and_chat_page_have_the_panel_and_search_does_not(store: Any, public_tenant: Any, settings: Any) -> None:
    settings.LLM_BACKEND = "offline"
    client = Client(HTTP_HOST=host(public_tenant))
    home = client.get("/").content.decode()
    assert "data-chat-panel" in home and "chat/chat.js" in home and 'aria-live="polite"' in home
    assert "chat/chat.js" not in client.get("/search/").content.decode()
    page = client.get("/chat/")
    assert page.status_code == 200 and "data-chat-panel" in page.content.decode()


def test_listing_page_asks_about_this_home(store: Any, public_tenant: Any) -> None:
    from listings.tests.pages_support import RICH_KEY, RICH_SLUG

    html = Client(HTTP_HOST=host(public_tenant)).get(f"/listings/{RICH_SLUG}/").content.decode()
    assert f'data-listing-key="{RICH_KEY}"' in html and "Ask about this home" in html


def test_chat_page_lists_only_this_visitors_conversations(store: Any, sarah_site: Any, settings: Any) -> None:
    settings.LLM_BACKEND = "offline"
    settings.LISTINGS_READMODEL_REFRESH = False
    mine, other = Visitor(host(sarah_site)), Visitor(host(sarah_site))
    mine.chat({"message": "condos in palm springs"})
    other.chat({"message": "homes in indio"})
    status, listing = mine.request("GET", "/api/chat/conversations")
    assert [c["title"] for c in listing["results"]] == ["condos in palm springs"]
    cid = listing["results"][0]["id"]
    assert other.request("GET", f"/api/chat/conversations/{cid}")[0] == 404
    assert other.request("DELETE", f"/api/chat/conversations/{cid}")[0] == 404
    status, renamed = mine.request("PATCH", f"/api/chat/conversations/{cid}", {"title": "Condos"})
    assert status == 200 and renamed["title"] == "Condos"
    status, detail = mine.request("GET", f"/api/chat/conversations/{cid}")
    assert [m["role"] for m in detail["messages"]][:2] == ["user", "tool"]
    assert mine.request("DELETE", f"/api/chat/conversations/{cid}")[0] == 200
    assert mine.request("GET", "/api/chat/conversations")[1]["results"] == []
