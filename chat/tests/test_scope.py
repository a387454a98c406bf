"""Tenant scoping: an agent site's assistant only sees its MLS sources, and its saved chats
stay in its schema; an anonymous visitor's conversations move to the account they create."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from chat.models import Conversation
from chat.registry import ToolContext, tool_run
from chat.selectors import conversation_list
from listings.selectors import site_scope
from listings.tests.pages_support import CRMLS_KEY, RICH_KEY

pytestmark = pytest.mark.django_db


def ctx_for(tenant: Any) -> ToolContext:
    return ToolContext(
        schema=tenant.schema_name, scope=site_scope(tenant=tenant), site_name=tenant.name, is_flagship=tenant.is_public
    )


def test_tool_results_never_show_another_sites_listings(store: Any, sarah_site: Any, public_tenant: Any) -> None:
    sarah = ctx_for(sarah_site)  # GPS only
    found = tool_run("search_listings", {"city": "Long Beach"}, sarah)  # a CRMLS city
    assert found.ok and found.content["total"] == 0
    everything = tool_run("search_listings", {"limit": 12}, sarah)
    assert everything.content["total"] > 0
    flagship = tool_run("search_listings", {"city": "Long Beach"}, ctx_for(public_tenant))
    assert flagship.content["total"] > 0  # the flagship shows every source
    for name, args in (
        ("get_listing", {"listingKey": CRMLS_KEY}),
        ("compare_listings", {"listingKeys": [RICH_KEY, CRMLS_KEY]}),
    ):
        result = tool_run(name, args, sarah)
        assert not result.ok and result.content["error"] == "not_found", name
    assert tool_run("get_listing", {"listingKey": RICH_KEY}, sarah).ok
    stats = tool_run("market_stats", {"city": "Long Beach"}, sarah)
    assert not stats.ok


def test_saved_chats_stay_in_their_site(sarah_site: Any, mike_site: Any) -> None:
    with schema_context(sarah_site.schema_name):
        Conversation.objects.create(anonymous_id="v" * 32, title="On Sarah's site")
        assert [c["title"] for c in conversation_list(user=None, anonymous_id="v" * 32)] == ["On Sarah's site"]
    with schema_context(mike_site.schema_name):
        assert conversation_list(user=None, anonymous_id="v" * 32) == []


def test_anonymous_conversations_move_to_the_new_account(sarah_site: Any) -> None:
    from accounts.models import User
    from accounts.services import visitor_merge_anonymous_activity

    with schema_context(sarah_site.schema_name):
        Conversation.objects.create(anonymous_id="a" * 32, title="Before sign-up")
        Conversation.objects.create(anonymous_id="b" * 32, title="Someone else")
        user = User.objects.create_user(email="new-buyer@example.com", password="a-long-pass-2026")
        moved = visitor_merge_anonymous_activity(user=user, anonymous_id="a" * 32)
        assert moved["conversations"] == 1
        assert [c["title"] for c in conversation_list(user=user, anonymous_id="")] == ["Before sign-up"]
        assert conversation_list(user=None, anonymous_id="a" * 32) == []


def test_tools_refuse_what_they_cannot_do(store: Any, sarah_site: Any, public_tenant: Any) -> None:
    anonymous = ctx_for(sarah_site)
    saved = tool_run("save_search", {"filters": {"city": "Palm Springs"}}, anonymous)
    assert not saved.ok and saved.content["error"] == "sign_in_required"
    with schema_context(sarah_site.schema_name):
        showing = tool_run("request_showing", {"listingKey": RICH_KEY}, anonymous)
    assert not showing.ok and showing.content["error"] == "contact_required"
    with schema_context(sarah_site.schema_name):
        from leads.models import Lead

        booked = tool_run(
            "request_showing", {"listingKey": RICH_KEY, "name": "Ann", "email": "ann@example.com"}, anonymous
        )
        assert booked.ok
        lead = Lead.objects.get(email="ann@example.com")
        assert lead.listing_key == RICH_KEY and lead.data["via"] == "chat"
    unknown = tool_run("drop_database", {}, anonymous)
    assert not unknown.ok and unknown.content["error"] == "unknown_tool"
