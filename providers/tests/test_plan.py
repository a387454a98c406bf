"""The Provider plan through billing's own Stripe flows (the fake Stripe, real client): a Stripe
product from the plan table, Checkout on the network, the webhook making the provider
featured with more request slots, the portal, and cancellation taking both away."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django_tenants.utils import schema_context

from billing.plans import PROVIDER, Audience, Feature
from billing.selectors import billing_context_get
from billing.tests.fake_helpers import control, http
from billing.tests.flows import checkout_url, subscribe
from providers import selectors, services
from providers.models import Category, Provider

pytestmark = pytest.mark.django_db


def _verified(company: str) -> Provider:
    from accounts.models import User

    owner = User.objects.create_user(email=f"pro-{uuid.uuid4().hex[:8]}@example.com", password="pro-pass-2026")
    data = {
        "company": company,
        "category": Category.objects.get(slug="inspector"),
        "licence_number": "",
        "cities": ["palm-springs"],
        "description": "Home inspections.",
        "phone": "760-555-0100",
    }
    provider = services.provider_signup(owner=owner, data=data, cities={"palm-springs": "Palm Springs"})
    return services.provider_verify(provider=provider, admin=None)


def _request(n: int) -> Any:
    data = {
        "category": Category.objects.get(slug="inspector"),
        "city_slug": "palm-springs",
        "source": "directory",
        "name": f"Visitor {n}",
        "email": f"visitor{n}@example.com",
    }
    return services.request_create(data=data, site_schema="sarah")


def test_the_plan_is_a_stripe_product_sold_on_the_network(catalog: None) -> None:
    from billing.clients import stripe_client

    product = stripe_client().v1.products.retrieve(PROVIDER.product_id)
    assert product.metadata["audience"] == "provider"
    prices = stripe_client().v1.prices.list(params={"lookup_keys": [PROVIDER.lookup_key]}).data
    assert [p.unit_amount for p in prices] == [PROVIDER.price_cents]
    assert PROVIDER.limit(Feature.PROVIDER_REQUESTS) == 100 and PROVIDER.allows(Feature.FEATURED_PLACEMENT)
    assert PROVIDER.selling_points == ["100 client requests a month", "Featured placement at the top of the directory"]


def test_subscribing_features_the_provider_and_adds_request_slots(
    catalog: None, webhooks: Any, fake_stripe: Any, settings: Any, network_client: Any
) -> None:
    settings.PROVIDERS_FREE_MONTHLY_REQUESTS = 2
    settings.PROVIDERS_PER_REQUEST = 3
    free, paid = _verified("Aardvark Inspections"), _verified("Zephyr Inspections")
    assert [p.company for p in selectors.directory(category="inspector")] == [free.company, paid.company]

    sub = subscribe(user=paid.owner, plan_key="provider", webhooks=webhooks)
    paid.refresh_from_db()
    assert paid.plan_key == "provider" and sub.plan_key == "provider"
    listed = list(selectors.directory(category="inspector"))
    assert [p.company for p in listed] == [paid.company, free.company] and listed[0].featured
    # The provider plan is not the owner's consumer plan.
    assert billing_context_get(user=paid.owner).plan.key == "free"
    assert billing_context_get(user=paid.owner, audience=Audience.PROVIDER).plan.key == "provider"

    for n in range(5):
        _request(n)
    used = {p.company: selectors.requests_this_month(provider=p) for p in (free, paid)}
    assert used == {free.company: 2, paid.company: 5}  # the free listing stops at its allowance
    assert services.monthly_allowance(provider=paid) == 100

    network_client.force_login(paid.owner)
    page = network_client.get("/provider/")
    assert b"Manage the Provider plan" in page.content and b"5</strong> of 100" in page.content
    portal = network_client.get("/billing/portal/?for=providers")
    status, _, body = http(portal["Location"])
    assert status == 200 and "Cancel plan" in body and "Switch to" not in body

    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/cancel")
    webhooks.pump()
    paid.refresh_from_db()
    assert paid.plan_key == "" and services.monthly_allowance(provider=paid) == 2
    assert [p.company for p in selectors.directory(category="inspector")][0] == free.company


def test_the_dashboard_offers_the_plan_through_checkout(catalog: None, network_client: Any) -> None:
    provider = _verified("Mesa Inspections")
    network_client.force_login(provider.owner)
    page = network_client.get("/provider/").content.decode()
    assert 'data-testid="choose-provider"' in page and "0</strong> of" in page
    started = network_client.post("/billing/checkout/", {"plan": "provider", "attempt_id": "a1"})
    assert started.status_code == 302 and "/checkout/cs_" in started["Location"]
    pricing = network_client.get("/billing/pricing/?for=providers").content.decode()
    assert 'data-plan="provider"' in pricing and "Your plan" not in pricing


def test_the_plan_is_not_sold_on_agent_sites(sarah_site: Any, catalog: None) -> None:
    from accounts.models import User
    from billing.services import PlanNotAvailable

    with schema_context(sarah_site.schema_name):
        visitor = User.objects.create_user(email="v@example.com", password="x-pass-12345")
        with pytest.raises(PlanNotAvailable):
            checkout_url(user=visitor, plan_key="provider")
