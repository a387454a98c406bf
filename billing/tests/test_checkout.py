"""Pricing, Checkout, success/cancel, portal and billing pages, including Stripe failures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from billing.models import Subscription
from billing.tests.fake_helpers import control, http, pay_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(make_user: Any) -> Any:
    return make_user("buyer@example.com")


@pytest.fixture
def browser(network_client: Client, buyer: Any) -> Client:
    network_client.force_login(buyer)
    return network_client


def _choose(browser: Client, plan: str, attempt_id: str | None = None) -> Any:
    page = browser.get("/billing/pricing/")
    attempt = attempt_id or re.search(r'name="attempt_id" value="([0-9a-f]+)"', page.content.decode())[1]
    return browser.post("/billing/checkout/", {"plan": plan, "attempt_id": attempt})


def test_pricing_lists_every_consumer_plan(network_client: Client) -> None:
    page = network_client.get("/billing/pricing/").content.decode()
    for name in ("Free", "Pro", "Ultimate", "Investor 1", "Investor 2", "Investor 3"):
        assert f"<h2>{name}</h2>" in page
    agents = network_client.get("/billing/pricing/?for=agents").content.decode()
    assert "<h2>Agent</h2>" in agents and "$99" in agents


def test_free_user_upgrades_to_pro_end_to_end(
    browser: Client, buyer: Any, catalog: None, webhooks: Any, fake_stripe: Any
) -> None:
    response = _choose(browser, "pro")
    assert response.status_code == 302 and response["Location"].startswith(fake_stripe.url)
    status, success_url = pay_checkout(response["Location"])
    assert status == 303 and "/billing/success/?session_id=cs_test_" in success_url
    # The success page reads the session back: the plan shows even before any webhook.
    success = browser.get(success_url.removeprefix("http://localhost"))
    assert 'data-testid="current-plan">Pro<' in success.content.decode()
    webhooks.pump()
    overview = browser.get("/billing/").content.decode()
    assert 'data-testid="current-plan">Pro<' in overview
    assert "0 of 100" in overview and "renews on" in overview and "$10.00" in overview
    assert Subscription.objects.filter(user=buyer).count() == 1


def test_double_submit_reuses_one_checkout_session(browser: Client, catalog: None, fake_stripe: Any) -> None:
    first = _choose(browser, "pro", attempt_id="a" * 32)
    second = _choose(browser, "pro", attempt_id="a" * 32)
    assert first["Location"] == second["Location"]
    assert len(fake_stripe.store.all("checkout.session")) == 1


def test_stripe_500_during_checkout_shows_a_clear_message(
    browser: Client, buyer: Any, catalog: None, fake_stripe: Any, webhooks: Any
) -> None:
    # Three 500s outlast the client's two retries.
    control(fake_stripe, "faults", kind="error", status=500, count=3, path="/v1/checkout/sessions")
    response = _choose(browser, "pro")
    assert response.status_code == 503
    assert "nothing was charged" in response.content.decode()
    assert fake_stripe.store.all("checkout.session") == []
    # Trying again works, and a third attempt after paying cannot open a second subscription.
    retry = _choose(browser, "pro")
    pay_checkout(retry["Location"])
    webhooks.pump()
    again = _choose(browser, "ultimate")
    assert again.status_code == 302 and again["Location"].endswith("/billing/portal/")
    assert len(fake_stripe.store.all("subscription")) == 1
    assert Subscription.objects.filter(user=buyer).count() == 1


def test_lost_response_is_retried_with_the_same_idempotency_key(
    browser: Client, catalog: None, fake_stripe: Any
) -> None:
    # Stripe created the session but the answer was lost: the retry must not create another.
    control(fake_stripe, "faults", kind="error", after="true", path="/v1/checkout/sessions")
    response = _choose(browser, "pro")
    assert response.status_code == 302
    assert len(fake_stripe.store.all("checkout.session")) == 1


def test_timeout_is_retried_without_duplicating(browser: Client, catalog: None, fake_stripe: Any) -> None:
    control(fake_stripe, "faults", kind="hang", seconds=1.5, path="/v1/checkout/sessions")
    response = _choose(browser, "pro")
    assert response.status_code == 302
    fake_stripe.flush()
    assert len(fake_stripe.store.all("checkout.session")) == 1


def test_cancel_page_and_unknown_plan(browser: Client, catalog: None) -> None:
    assert "No charge was made" in browser.get("/billing/cancel/").content.decode()
    assert _choose(browser, "platinum").status_code == 400
    assert _choose(browser, "free").status_code == 400
    assert _choose(browser, "agent").status_code == 302  # the network sells the agent plan


def test_portal_plan_change_and_cancel(
    browser: Client, buyer: Any, catalog: None, webhooks: Any, fake_stripe: Any
) -> None:
    pay_checkout(_choose(browser, "pro")["Location"])
    webhooks.pump()
    portal = browser.get("/billing/portal/")
    assert portal.status_code == 302 and "/portal/bps_" in portal["Location"]
    sub = Subscription.objects.get(user=buyer)
    ultimate = fake_stripe.store.all("price")
    price_id = next(p["id"] for p in ultimate if p["lookup_key"] == "chatrealty_ultimate_monthly")
    http(portal["Location"] + "/update", data={"subscription": sub.stripe_subscription_id, "price": price_id})
    webhooks.pump()
    sub.refresh_from_db()
    assert sub.plan_key == "ultimate"
    assert "unlimited" in browser.get("/billing/").content.decode()
    http(portal["Location"] + "/cancel", data={"subscription": sub.stripe_subscription_id})
    webhooks.pump()
    sub.refresh_from_db()
    assert sub.cancel_at_period_end is True
    assert "ends on" in browser.get("/billing/").content.decode()


def test_portal_without_a_plan_sends_to_pricing(browser: Client, catalog: None) -> None:
    response = browser.get("/billing/portal/")
    assert response.status_code == 302 and response["Location"].endswith("/billing/pricing/")


def test_billing_pages_need_sign_in(network_client: Client) -> None:
    assert network_client.get("/billing/").status_code == 302
    assert network_client.post("/billing/checkout/", {"plan": "pro"}).status_code == 302
