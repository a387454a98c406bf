"""The Agent plan keeps an agent's site online: past due → banner, grace over → suspended,
paid again → restored at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.context_processors import billing as billing_context
from billing.tests.fake_helpers import control
from billing.tests.flows import subscribe
from tenants.site_plans import agent_grace_periods_expire

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(make_user: Any, sarah_site: Any) -> Any:
    user = make_user("agent-sarah@example.com", role="agent", license_number="DRE 1", brokerage="Desert Modern Realty")
    sarah_site.owner = user
    sarah_site.save(update_fields=["owner"])
    return user


def _site(sarah_site: Any) -> Any:
    sarah_site.refresh_from_db()
    return sarah_site


def test_site_suspended_after_grace_and_restored_on_payment(
    agent: Any, sarah_site: Any, catalog: None, webhooks: Any, fake_stripe: Any, site_client: Any
) -> None:
    sub = subscribe(user=agent, plan_key="agent", webhooks=webhooks)
    assert (_site(sarah_site).is_active, sarah_site.plan_status) == (True, "active")

    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/fail_payment")
    webhooks.pump()
    assert (_site(sarah_site).is_active, sarah_site.plan_status) == (True, "past_due")
    staff = type("Staff", (), {"is_staff": True, "is_authenticated": True})()
    request = RequestFactory().get("/")
    request.tenant, request.user = sarah_site, staff
    assert "payment failed" in billing_context(request)["billing_banner"]

    # Still inside the grace period: the sweep changes nothing.
    assert agent_grace_periods_expire() == 0
    assert agent_grace_periods_expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    assert (_site(sarah_site).is_active, sarah_site.plan_status) == (False, "suspended")
    page = site_client(sarah_site).get("/")
    assert page.status_code == 503 and b"temporarily unavailable" in page.content

    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/pay")
    webhooks.pump()
    assert (_site(sarah_site).is_active, sarah_site.plan_status) == (True, "active")


def test_agent_portal_offers_cancel_but_no_consumer_plans(
    agent: Any, catalog: None, webhooks: Any, network_client: Any
) -> None:
    from billing.tests.fake_helpers import http

    subscribe(user=agent, plan_key="agent", webhooks=webhooks)
    network_client.force_login(agent)
    portal = network_client.get("/billing/portal/?for=agents")
    status, _, page = http(portal["Location"])
    assert status == 200 and "ChatRealty Agent" in page
    assert "Switch to" not in page and "Cancel plan" in page


def test_canceled_agent_plan_takes_the_site_offline(
    agent: Any, sarah_site: Any, catalog: None, webhooks: Any, fake_stripe: Any
) -> None:
    sub = subscribe(user=agent, plan_key="agent", webhooks=webhooks)
    control(fake_stripe, f"subscriptions/{sub.stripe_subscription_id}/cancel")
    webhooks.pump()
    assert (_site(sarah_site).is_active, sarah_site.plan_status) == (False, "canceled")


def test_agent_plan_is_not_sold_on_agent_sites(sarah_site: Any, catalog: None) -> None:
    from accounts.models import User
    from billing.services import PlanNotAvailable
    from billing.tests.flows import checkout_url

    with schema_context(sarah_site.schema_name):
        visitor = User.objects.create_user(email="v@example.com", password="x-pass-12345")
        with pytest.raises(PlanNotAvailable):
            checkout_url(user=visitor, plan_key="agent")
