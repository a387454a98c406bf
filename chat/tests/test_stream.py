"""POST /api/chat/stream with the offline assistant, through Django's ASGI handler."""

from __future__ import annotations

from typing import Any

import pytest

from chat.tests.support import Visitor, chat, results_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(settings: Any) -> None:
    settings.LLM_BACKEND = "offline"
    settings.LISTINGS_READMODEL_REFRESH = False


def host(tenant: Any) -> str:
    return tenant.get_primary_domain().domain


def test_a_search_streams_tokens_cards_and_done(store: Any, public_tenant: Any) -> None:
    status, events = chat(host(public_tenant), {"message": "3 bed homes in Palm Springs under $2M"})
    assert status == 200
    names = [e for e, _ in events]
    assert names[0] == "token" and names[-1] == "done"
    assert "tool_call" in names and "tool_result" in names
    call = next(d for e, d in events if e == "tool_call")
    assert call["name"] == "search_listings"
    assert call["arguments"] == {"city": "Palm Springs", "maxPrice": 2_000_000, "minBeds": 3}
    result = results_of(events)[0]
    assert result["ok"] and result["cards"]
    for card in result["cards"]:
        assert card["city"] == "Palm Springs" and card["price"] <= 2_000_000 and card["beds"] >= 3
        assert card["url"].startswith("/listings/")
    assert result["mapUrl"].startswith("/map/?")
    assert "Palm Springs" in text_of(events)
    done = events[-1][1]
    assert done["conversationId"] and done["usage"]["used"] == 1 and done["usage"]["limit"] == 3


def test_bad_requests_get_field_errors(public_tenant: Any) -> None:
    for body, field in (
        ({}, "message"),
        ({"message": "x" * 5000}, "message"),
        ({"message": "hi", "conversationId": "1"}, "conversationId"),
        ({"message": "hi", "context": {"listingKey": {"$ne": 1}}}, "context.listingKey"),
        ({"message": "hi", "evil": 1}, "evil"),
        ({"message": "hi", "userLocation": {"lat": 500, "lon": 0}}, "userLocation"),
    ):
        status, payload = chat(host(public_tenant), body)
        assert status == 400, body
        # the field, or a part of it (userLocation.lat)
        named = [k for k in payload["fields"] if k == field or k.startswith(field + ".")]
        assert payload["error"] == "invalid_parameters" and named, payload


def test_follow_up_refines_the_previous_search(store: Any, sarah_site: Any) -> None:
    visitor = Visitor(host(sarah_site))
    status, first = visitor.chat({"message": "homes in palm springs"})
    conversation = first[-1][1]["conversationId"]
    status, second = visitor.chat({"message": "only the ones with a pool", "conversationId": conversation})
    assert status == 200
    call = next(d for e, d in second if e == "tool_call")
    assert call["arguments"] == {"city": "Palm Springs", "pool": True}


def test_a_new_conversation_is_saved_once_with_the_answer_and_a_showing_records_it(store: Any, sarah_site: Any) -> None:
    """The conversation and the visitor's message are written with the answer (off the path to
    the first token), except when a tool needs the conversation first: the showing's lead."""
    from django_tenants.utils import schema_context

    from chat.models import Conversation, Message
    from leads.models import Lead
    from listings.tests.pages_support import RICH_KEY

    body = {"message": "Can I see this home in person? ann@example.com", "context": {"listingKey": RICH_KEY}}
    status, events = chat(host(sarah_site), body)
    assert status == 200
    result = results_of(events)[0]
    assert result["name"] == "request_showing" and result["ok"], result
    conversation = events[-1][1]["conversationId"]
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.get(email="ann@example.com").data["conversation"] == conversation
        visitor = Conversation.objects.get(pk=conversation).anonymous_id
        # one conversation for the visitor (rows of other tests' turns stay: saved through the
        # pool's own connection, committed)
        assert list(Conversation.objects.filter(anonymous_id=visitor).values_list("pk", flat=True)) == [conversation]
        saved = list(Message.objects.filter(conversation_id=conversation).values_list("role", "content"))
    assert [role for role, _ in saved] == ["user", "tool", "assistant"]
    assert saved[0][1] == body["message"] and saved[2][1] == text_of(events)
