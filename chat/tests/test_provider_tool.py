"""``request_provider``: the assistant sends a visitor's request to the directory's providers
through the one request service (source "chat"), with checked arguments, scoped to the site,
and counted against the request form's rate limit. Driven by the fake Groq's scripted
conversation through the real ``groq`` SDK, as the other tool tests are."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django_tenants.utils import schema_context

from chat.registry import ToolContext, tool_run
from chat.tests import test_groq
from chat.tests.support import Visitor, chat, results_of, text_of
from chat.tests.test_groq import call, host
from listings.selectors import site_scope
from listings.tests.pages_support import CRMLS_KEY, RICH_KEY
from providers import services
from providers.models import Category, Provider, ServiceRequest

pytestmark = pytest.mark.django_db
fake_groq, groq = test_groq.fake_groq, test_groq.groq  # the scripted fake Groq's fixtures


def _verified(category: str = "lender", cities: tuple[str, ...] = ("palm-springs",), **extra: Any) -> Provider:
    from accounts.models import User

    owner = User.objects.create_user(email=f"pro-{uuid.uuid4().hex[:8]}@example.com", password="pro-pass-2026")
    data = {
        "company": extra.pop("company", f"Desert Loans {uuid.uuid4().hex[:4]}"),
        "category": Category.objects.get(slug=category),
        "licence_number": "NMLS 1234567" if category == "lender" else "",
        "cities": list(cities),
        "description": "Loans in the valley.",
        "phone": "760-555-0100",
    }
    provider = services.provider_signup(owner=owner, data=data, cities={c: c.title() for c in cities})
    return services.provider_verify(provider=provider, admin=None)


def ctx(tenant: Any, **extra: Any) -> ToolContext:
    return ToolContext(
        schema=tenant.schema_name,
        scope=site_scope(tenant=tenant),
        site_name=tenant.name,
        is_flagship=tenant.is_public,
        **extra,
    )


def test_a_scripted_chat_sends_a_request_to_the_listings_city(store: Any, groq: Any, sarah_site: Any) -> None:
    lender = _verified(company="Canyon Home Loans")
    _verified(category="inspector", company="Not a lender")
    groq.push(
        {
            "tool_calls": [
                call(
                    "request_provider",
                    {
                        "category": "lender",
                        "listingKey": RICH_KEY,
                        "name": "Ann Buyer",
                        "email": "ann@example.com",
                        "message": "Pre-approval for about $1.2M",
                    },
                )
            ]
        },
        {"text": "I sent your request to a local lender; they will email you."},
    )
    status, events = chat(host(sarah_site), {"message": "Can a lender pre-approve me for this home?"})
    assert status == 200
    result = results_of(events)[0]
    assert result["ok"] and result["kind"] == "provider_request", result
    assert result["sentTo"] == ["Canyon Home Loans"] and result["city"] == "palm-springs"
    assert text_of(events).startswith("I sent your request")
    sent = ServiceRequest.objects.get(email="ann@example.com")
    assert (sent.source, sent.site_schema, sent.listing_key) == ("chat", "sarah", RICH_KEY)
    assert sent.listing_address and sent.listing_url.startswith("http") and sent.listing_url.endswith("/")
    assert [a.provider for a in sent.assignments.all()] == [lender]
    assert result["url"] == f"/providers/requests/{sent.access_token}/"
    # the model read back who got it
    tool_message = groq.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and "Canyon Home Loans" in tool_message["content"]


@pytest.mark.parametrize(
    ("arguments", "error", "field"),
    [
        ({}, "invalid_arguments", "category"),
        ({"category": "lender", "city": "Palm Springs", "email": {"$ne": ""}}, "invalid_arguments", "email"),
        ({"category": "lender", "city": "Palm Springs", "bcc": "x@example.com"}, "invalid_arguments", "bcc"),
        ({"category": "astrologer", "city": "Palm Springs", "email": "a@example.com"}, "invalid_arguments", None),
        ({"category": "lender", "city": "Atlantis", "email": "a@example.com"}, "invalid_arguments", "city"),
        ({"category": "lender", "email": "a@example.com"}, "city_required", "city"),
        ({"category": "lender", "city": "Palm Springs"}, "contact_required", "email"),
        ({"category": "lender", "city": "Palm Springs", "email": "not-an-address"}, "contact_required", "email"),
        ({"category": "escrow", "city": "Palm Springs", "email": "a@example.com"}, "no_provider", None),
    ],
)
def test_bad_arguments_come_back_to_the_model_and_nothing_is_sent(
    store: Any, sarah_site: Any, arguments: dict[str, Any], error: str, field: str | None
) -> None:
    _verified()
    with schema_context(sarah_site.schema_name):
        result = tool_run("request_provider", arguments, ctx(sarah_site))
    assert not result.ok and result.content["error"] == error, result.content
    if field:
        assert field in result.content["fields"]
    assert ServiceRequest.objects.count() == 0


def test_another_sites_listing_is_not_found_and_the_site_is_recorded(
    store: Any, sarah_site: Any, mike_site: Any
) -> None:
    _verified(cities=("palm-springs", "long-beach"))
    args = {"category": "lender", "listingKey": CRMLS_KEY, "email": "b@example.com"}
    with schema_context(sarah_site.schema_name):
        hidden = tool_run("request_provider", args, ctx(sarah_site))  # Sarah's site is GPS only
    assert not hidden.ok and hidden.content["error"] == "not_found"
    with schema_context(mike_site.schema_name):
        shown = tool_run("request_provider", args, ctx(mike_site))  # Mike's has CRMLS
    assert shown.ok, shown.content
    assert list(ServiceRequest.objects.values_list("site_schema", "source", "city_slug")) == [
        ("mike", "chat", "long-beach")
    ]


def test_chat_requests_share_the_forms_rate_limit(
    store: Any, sarah_site: Any, settings: Any, one_rate_window: None
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    _verified()
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client, RequestFactory

    form = Client(HTTP_HOST=host(sarah_site), REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.40")
    for n in range(4):
        data = {"category": "lender", "city": "palm-springs", "name": "V", "email": f"v{n}@example.com"}
        assert form.post("/providers/request/", data).status_code == 302
    # the chat turn's own request, from the same address
    request = RequestFactory().post("/api/chat/stream", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.40")
    request.user = AnonymousUser()
    args = {"category": "lender", "city": "Palm Springs", "email": "chat@example.com"}
    with schema_context(sarah_site.schema_name):
        fifth = tool_run("request_provider", args, ctx(sarah_site, request=request))
        sixth = tool_run("request_provider", args, ctx(sarah_site, request=request))
    assert fifth.ok and not sixth.ok and sixth.content["error"] == "rate_limited"
    assert ServiceRequest.objects.count() == 5
    assert form.post("/providers/request/", {"category": "lender", "city": "palm-springs"}).status_code == 429


def test_the_tool_is_offered_to_the_model(store: Any, groq: Any, sarah_site: Any) -> None:
    groq.push({"text": "Hello."})
    status, _events = Visitor(host(sarah_site)).chat({"message": "hi"})
    assert status == 200
    tools = {t["function"]["name"]: t["function"] for t in groq.requests[0]["tools"]}
    assert tools["request_provider"]["parameters"]["required"] == ["category"]
