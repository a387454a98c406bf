"""Marketplace rate limits, through the one rate-limit layer (security/policy.py rows
``provider-request`` and ``rental-booking``) and the real URL routing of a site: past the rate
the answer is 429 with Retry-After and nothing is written; another address is not affected;
the counters are per site."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from providers.models import Category, ServiceRequest
from rentals.models import Booking, CalendarBlock, Property
from rentals.tests.conftest import NEXT_MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _behind_nginx(settings: Any, one_rate_window: None) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def visitor(tenant: Any, ip: str) -> Client:
    return Client(HTTP_HOST=tenant.get_primary_domain().domain, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=ip)


def _provider_request(client: Client, n: int) -> Any:
    data = {"category": "lender", "city": "palm-springs", "name": f"Visitor {n}", "email": f"v{n}@example.com"}
    return client.post("/providers/request/", data)


def test_provider_requests_are_limited_per_address_and_site(sarah_site: Any, mike_site: Any) -> None:
    assert Category.objects.filter(slug="lender").exists()
    statuses = [_provider_request(visitor(sarah_site, "203.0.113.7"), n).status_code for n in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    refused = _provider_request(visitor(sarah_site, "203.0.113.7"), 99)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Please slow down" in refused.content.decode()
    assert ServiceRequest.objects.count() == 5
    # another visitor, and the same address on another site, still get through
    assert _provider_request(visitor(sarah_site, "198.51.100.2"), 100).status_code == 302
    assert _provider_request(visitor(mike_site, "203.0.113.7"), 101).status_code == 302
    assert ServiceRequest.objects.count() == 7


def _book(client: Client, home: Property, n: int) -> Any:
    start = NEXT_MONDAY + dt.timedelta(days=7 * n)
    return client.post(
        f"/rentals/{home.slug}/book/",
        {
            "check_in": start.isoformat(),
            "check_out": (start + dt.timedelta(days=3)).isoformat(),
            "guests": 2,
            "name": f"Guest {n}",
            "email": f"guest{n}@example.com",
        },
    )


def test_bookings_are_limited_per_address(home: Property, sarah_site: Any, stripe_settings: Any) -> None:
    statuses = [_book(visitor(sarah_site, "203.0.113.9"), home, n).status_code for n in range(12)]
    # each of the first ten holds other nights and is sent to Stripe Checkout
    assert statuses == [302] * 10 + [429] * 2
    assert Booking.objects.filter(property=home).count() == 10
    assert CalendarBlock.objects.filter(property=home).count() == 10
    assert _book(visitor(sarah_site, "198.51.100.3"), home, 20).status_code == 302


def test_search_api_is_limited_per_address(sarah_site: Any) -> None:
    client = visitor(sarah_site, "203.0.113.11")
    statuses = [client.get("/api/rentals/search?guests=2").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    # the map asks for JSON and gets the one error shape
    refused = client.get("/api/rentals/search?guests=2", HTTP_ACCEPT="application/json")
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
