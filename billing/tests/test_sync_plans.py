"""``manage.py billing_sync_plans`` against the fake: creates once, then changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from billing.clients import stripe_client
from billing.plans import Audience, plan_list, plans_on_sale

pytestmark = pytest.mark.django_db


def _sync() -> str:
    out = StringIO()
    call_command("billing_sync_plans", stdout=out)
    return out.getvalue()


def test_sync_is_idempotent_by_lookup_key(stripe_settings: Any, fake_stripe: Any) -> None:
    assert "7 plans in Stripe, 7 changed." in _sync()
    assert "7 plans in Stripe, 0 changed." in _sync()
    prices = fake_stripe.store.all("price")
    assert len(prices) == 7 == len(fake_stripe.store.all("product"))
    assert {p["lookup_key"] for p in prices} == {p.lookup_key for p in plan_list(paid_only=True)}
    pro = stripe_client().v1.prices.list(params={"lookup_keys": ["chatrealty_pro_monthly"]}).data[0]
    assert (pro.unit_amount, pro.recurring.interval) == (1000, "month")


def test_sync_replaces_a_price_that_differs_from_the_code(stripe_settings: Any, fake_stripe: Any) -> None:
    _sync()
    client = stripe_client()
    stale = client.v1.prices.create(
        params={
            "product": "chatrealty_pro",
            "unit_amount": 900,
            "currency": "usd",
            "recurring": {"interval": "month"},
            "lookup_key": "chatrealty_pro_monthly",
            "transfer_lookup_key": True,
        }
    )
    output = _sync()
    assert "pro          product unchanged price replaced" in output
    current = client.v1.prices.list(params={"lookup_keys": ["chatrealty_pro_monthly"]}).data
    assert [p.unit_amount for p in current] == [1000]
    assert client.v1.prices.retrieve(stale.id).active is False


def test_portal_configurations_per_audience(stripe_settings: Any, fake_stripe: Any) -> None:
    _sync()
    output = _sync()
    configs = fake_stripe.store.all("billing_portal.configuration")
    assert len(configs) == 3 and "portal configuration for agent: bpc_" in output
    by_audience = {c["metadata"]["chatrealty_audience"]: c for c in configs}
    consumer, agent, provider = by_audience["consumer"], by_audience["agent"], by_audience["provider"]
    assert consumer["is_default"] and not agent["is_default"] and not provider["is_default"]
    offered = {p["product"] for p in consumer["features"]["subscription_update"]["products"]}
    assert offered == {p.product_id for p in plans_on_sale(audience=Audience.CONSUMER, paid_only=True)}
    for network_plan in (agent, provider):  # cancel only: no switching to a consumer plan
        assert network_plan["features"]["subscription_update"]["enabled"] is False
        assert network_plan["features"]["subscription_cancel"]["enabled"] is True


def test_missing_key_is_improperly_configured(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        stripe_client()
