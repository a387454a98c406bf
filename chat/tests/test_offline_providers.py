"""The offline assistant sends "get pre-approved", "book an inspection", "open escrow"... to
``request_provider`` (issue 17), as the Groq path does: the request set in
data/provider_requests.txt through the offline planner, and whole conversations through
``POST /api/chat/stream`` down to the directory's requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chat import offline
from chat.places import Places
from chat.tests import intent_support
from chat.tests.support import Visitor, results_of, text_of
from chat.tests.test_provider_tool import _verified
from listings.tests.pages_support import RICH_KEY
from providers.models import ServiceRequest

DATA = Path(__file__).parent / "data" / "provider_requests.txt"
LISTING = "[listing] "


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    out = []
    for line in DATA.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        request, _, expected = line.rpartition(" => ")
        context = {"listingKey": RICH_KEY} if request.startswith(LISTING) else {}
        out.append((request.removeprefix(LISTING), context, None if expected == "none" else json.loads(expected)))
    return out


@pytest.fixture
def places(monkeypatch: pytest.MonkeyPatch) -> None:
    """The places of the request sets' store, without a store."""
    known = Places.of(cities=intent_support.PLACES, subdivisions=[s for v in intent_support.PLACES.values() for s in v])
    monkeypatch.setattr(offline, "get_read_model", lambda: None)
    monkeypatch.setattr(offline, "places_of", lambda _model: known)


def test_every_request_of_the_set_is_routed_as_written(places: None) -> None:
    cases = _cases()
    assert len(cases) >= 30
    wrong = []
    for request, context, expected in cases:
        plan = offline.plan_message(request, previous=None, context=context, shown=[])
        calls = [(name, {k: v for k, v in args.items() if k != "message"}) for name, args in plan.calls]
        got = next((args for name, args in calls if name == "request_provider"), None)
        if got != expected:
            wrong.append((request, expected, got))
        if got is not None:
            assert plan.calls[0][1]["message"] == request.strip()
    assert not wrong, wrong


def test_no_home_search_of_the_intent_sets_becomes_a_provider_request(places: None) -> None:
    for path in sorted(intent_support.DATA.glob("intent_*.txt")):
        for case in intent_support.cases(path):
            plan = offline.plan_message(case.request, previous=None, context={}, shown=[])
            assert all(name != "request_provider" for name, _ in plan.calls), case.request


@pytest.mark.django_db
class TestThroughTheStream:
    @pytest.fixture(autouse=True)
    def _offline(self, settings: Any) -> None:
        settings.LLM_BACKEND = "offline"
        settings.LISTINGS_READMODEL_REFRESH = False

    def test_get_pre_approved_on_a_listing_page_sends_the_listing_to_a_lender(
        self, store: Any, sarah_site: Any
    ) -> None:
        lender = _verified(company="Canyon Home Loans")
        _verified(category="inspector", company="Not a lender")
        visitor = Visitor(sarah_site.get_primary_domain().domain)
        status, events = visitor.chat(
            {"message": "Get pre-approved. I'm Ann Buyer, ann@example.com", "context": {"listingKey": RICH_KEY}}
        )
        assert status == 200
        call = next(d for e, d in events if e == "tool_call")
        assert call["name"] == "request_provider"
        assert call["arguments"] == {
            "category": "lender",
            "listingKey": RICH_KEY,
            "name": "Ann Buyer",
            "email": "ann@example.com",
            "message": "Get pre-approved. I'm Ann Buyer, ann@example.com",
        }
        result = results_of(events)[0]
        assert result["ok"] and result["kind"] == "provider_request" and result["sentTo"] == ["Canyon Home Loans"]
        assert "Canyon Home Loans" in text_of(events) and "email" in text_of(events)
        sent = ServiceRequest.objects.get()
        assert (sent.source, sent.site_schema, sent.listing_key, sent.city_slug) == (
            "chat",
            "sarah",
            RICH_KEY,
            "palm-springs",
        )
        assert (sent.name, sent.email) == ("Ann Buyer", "ann@example.com")
        assert [a.provider for a in sent.assignments.all()] == [lender]
        assert events[-1][0] == "done" and events[-1][1]["usage"]["used"] == 1

    def test_asked_for_an_email_the_visitors_answer_sends_the_request(self, store: Any, sarah_site: Any) -> None:
        inspector = _verified(category="inspector", company="Desert Inspections")
        visitor = Visitor(sarah_site.get_primary_domain().domain)
        status, first = visitor.chat({"message": "book an inspection in palm springs"})
        assert status == 200
        refused = results_of(first)[0]
        assert refused["name"] == "request_provider" and not refused["ok"]
        assert refused["error"] == "contact_required"
        assert "email" in text_of(first) and "ask the visitor" not in text_of(first)
        assert ServiceRequest.objects.count() == 0
        conversation = first[-1][1]["conversationId"]
        status, second = visitor.chat({"message": "Jo Lee, jo@example.com", "conversationId": conversation})
        assert status == 200
        call = next(d for e, d in second if e == "tool_call")
        assert call["name"] == "request_provider"
        assert call["arguments"]["category"] == "inspector" and call["arguments"]["city"] == "Palm Springs"
        assert results_of(second)[0]["ok"]
        sent = ServiceRequest.objects.get()
        assert (sent.email, sent.name, sent.city_slug) == ("jo@example.com", "Jo Lee", "palm-springs")
        assert [a.provider for a in sent.assignments.all()] == [inspector]
        # answered: a third message with an address is a new question, not the same request again
        status, third = visitor.chat(
            {"message": "homes in palm springs, jo@example.com", "conversationId": conversation}
        )
        assert next(d for e, d in third if e == "tool_call")["name"] == "search_listings"
        assert ServiceRequest.objects.count() == 1

    def test_no_provider_in_the_city_is_said_and_not_counted_as_a_request(self, store: Any, sarah_site: Any) -> None:
        _verified(category="lender", cities=("indio",))
        visitor = Visitor(sarah_site.get_primary_domain().domain)
        status, events = visitor.chat({"message": "open escrow in palm springs, al@example.com"})
        assert status == 200
        result = results_of(events)[0]
        assert not result["ok"] and result["error"] == "no_provider"
        assert "escrow" in text_of(events).lower()
        assert ServiceRequest.objects.count() == 0
