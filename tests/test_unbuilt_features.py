"""A feature whose issue has not landed is hidden, not sold (config/settings/features.py): no
link, button, page section, plan line, tagline or plan that needs it while its switch is off,
and turning the switch on brings each back. Every feature switched today is built (chat, CMA,
the portfolio, advanced filters, custom domains), and each switches off the same way."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from billing.plans import PLANS, plans_on_sale
from listings.tests.pages_support import RICH_SLUG, signed_in, store, subscribe, user_in

__all__ = ["store"]

pytestmark = pytest.mark.usefixtures("store")

NOT_BUILT: tuple[str, ...] = ()  # claims of features whose switch is off


def _html(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_nothing_unbuilt_is_sold(public_tenant: Any, sarah_site: Any, site_client: Any) -> None:
    investor = user_in(sarah_site, "investor@example.com")
    subscribe(sarah_site, investor, "investor_3")
    pages = [
        (site_client(public_tenant), "/"),
        (site_client(public_tenant), "/network/"),
        (site_client(public_tenant), "/billing/pricing/?for=agents"),
        (site_client(sarah_site), "/"),
        (site_client(sarah_site), "/billing/pricing/"),
        (signed_in(sarah_site, investor), f"/listings/{RICH_SLUG}/"),
        (signed_in(sarah_site, investor), "/billing/"),
    ]
    for client, path in pages:
        html = _html(client, path).lower()
        assert not [claim for claim in NOT_BUILT if claim in html], path
    assert "portfolio" in PLANS["investor_2"].tagline.lower()  # built (issue 16)


def test_switching_chat_and_cma_off_hides_them_everywhere(settings: Any, sarah_site: Any, site_client: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "chat": False, "cma": False}
    investor = user_in(sarah_site, "investor-off@example.com")
    subscribe(sarah_site, investor, "investor_3")  # entitled to CMAs
    listing = _html(signed_in(sarah_site, investor), f"/listings/{RICH_SLUG}/")
    assert "Ask about this home" not in listing and "Generate CMA" not in listing
    assert "/cma/" not in listing and 'id="ask"' not in listing
    assert 'aria-labelledby="chat-heading"' not in _html(site_client(sarah_site), "/")
    pricing = _html(site_client(sarah_site), "/billing/pricing/")
    assert 'data-plan="investor_1"' not in pricing and 'data-plan="investor_3"' in pricing
    assert "chat messages" not in pricing and "CMA reports" not in pricing
    assert {p.key for p in plans_on_sale()} == {"free", "pro", "ultimate", "investor_3", "agent", "provider"}
    buyer = user_in(sarah_site, "buyer-i1@example.com")
    refused = signed_in(sarah_site, buyer).post("/billing/checkout/", {"plan": "investor_1"})
    assert refused.status_code == 400 and "not offered yet" in refused.content.decode()


def test_switching_custom_domains_off_hides_them(settings: Any, public_tenant: Any) -> None:
    assert "own domain" in _html(Client(HTTP_HOST="localhost"), "/network/")
    settings.FEATURES = {**settings.FEATURES, "custom_domains": False}
    assert "own domain" not in _html(Client(HTTP_HOST="localhost"), "/network/")


def test_switching_a_feature_on_brings_its_claims_back(settings: Any, sarah_site: Any, site_client: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "portfolio": True, "advanced_filters": True, "custom_domains": True}
    pricing = _html(site_client(sarah_site), "/billing/pricing/")
    assert "Portfolio tracking" in pricing and "Advanced filters" in pricing
    assert "own domain" in _html(Client(HTTP_HOST="localhost"), "/network/")
