"""Same-second subscription events in either order, duplicates, and the paid invoice that
repairs whatever they left, with Stripe's documented event objects (``fixtures/stripe/``)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import pytest

from billing.models import Invoice, Subscription, WebhookEvent
from billing.selectors import billing_context_get
from billing.tests.fake_helpers import control, pay_checkout
from billing.tests.flows import checkout_url
from billing.tests.stripe_events import delivery, stripe_event, subscription_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout(make_user: Any, stripe_settings: Any) -> dict[str, Any]:
    """The three events Checkout sends for one paying user, all stamped with one second."""
    user = make_user()
    created, suffix = int(time.time()) - 5, secrets.token_hex(4)
    events = {
        name: stripe_event(name, schema="public", user_id=user.pk, created=created, suffix=suffix)
        for name in ("checkout_subscription_created", "checkout_subscription_updated", "invoice_paid")
    }
    return {"user": user, **events}


def _sub(checkout: dict[str, Any]) -> Subscription:
    return Subscription.objects.get(
        stripe_subscription_id=checkout["invoice_paid"]["data"]["object"]["parent"]["subscription_details"][
            "subscription"
        ]
    )


def test_incomplete_then_active_in_stripes_order(webhooks: Any, checkout: dict[str, Any]) -> None:
    first = webhooks.post(delivery(checkout["checkout_subscription_created"]))
    assert first["outcome"] == "applied" and _sub(checkout).status == "incomplete"
    assert billing_context_get(user=checkout["user"]).plan.key == "free"  # not paid yet
    assert webhooks.post(delivery(checkout["checkout_subscription_updated"]))["outcome"] == "applied"
    assert _sub(checkout).status == "active"
    assert billing_context_get(user=checkout["user"]).plan.key == "pro"


def test_active_then_incomplete_of_the_same_second_keeps_active(webhooks: Any, checkout: dict[str, Any]) -> None:
    assert webhooks.post(delivery(checkout["checkout_subscription_updated"]))["outcome"] == "applied"
    late = webhooks.post(delivery(checkout["checkout_subscription_created"]))
    assert late["outcome"] == "stale"
    sub = _sub(checkout)
    assert (sub.status, sub.user_id, sub.plan_key) == ("active", checkout["user"].pk, "pro")
    assert billing_context_get(user=checkout["user"]).plan.key == "pro"


def test_incomplete_arriving_a_second_later_still_does_not_overwrite_active(
    webhooks: Any, checkout: dict[str, Any]
) -> None:
    # Stripe never moves a subscription back to incomplete, whatever the stamps say.
    webhooks.post(delivery(checkout["checkout_subscription_updated"]))
    created = checkout["checkout_subscription_created"]
    created["created"] += 1
    assert webhooks.post(delivery(created))["outcome"] == "stale"
    assert _sub(checkout).status == "active"


@pytest.mark.parametrize("order", ["stripe", "reversed"])
def test_every_event_twice_in_either_order(webhooks: Any, checkout: dict[str, Any], order: str) -> None:
    names = ["checkout_subscription_created", "checkout_subscription_updated"]
    if order == "reversed":
        names.reverse()
    results = [webhooks.post(delivery(checkout[n])) for n in names for _ in range(2)]
    assert [r["duplicate"] for r in results] == [False, True, False, True]
    assert Subscription.objects.filter(user=checkout["user"]).count() == 1
    assert _sub(checkout).status == "active"
    assert WebhookEvent.objects.filter(event_id__in=[checkout[n]["id"] for n in names]).count() == 2


def test_paid_invoice_repairs_a_subscription_left_incomplete(
    webhooks: Any, checkout: dict[str, Any], fake_stripe: Any
) -> None:
    # Only the incomplete snapshot arrived (the active one is late or lost); Stripe holds the
    # subscription as active, and the paid invoice makes us read it from there.
    fake_stripe.store.put(subscription_of(checkout["checkout_subscription_updated"]))
    webhooks.post(delivery(checkout["checkout_subscription_created"]))
    assert _sub(checkout).status == "incomplete"
    assert webhooks.post(delivery(checkout["invoice_paid"]))["outcome"] == "applied"
    sub = _sub(checkout)
    assert sub.status == "active" and billing_context_get(user=checkout["user"]).plan.key == "pro"
    assert Invoice.objects.get(subscription=sub).amount_paid == 1000
    # ... and the late active event is older than what Stripe told us: ignored.
    assert webhooks.post(delivery(checkout["checkout_subscription_updated"]))["outcome"] == "stale"
    assert _sub(checkout).status == "active"


def test_paid_invoice_first_creates_the_subscription_from_stripe(
    webhooks: Any, checkout: dict[str, Any], fake_stripe: Any
) -> None:
    fake_stripe.store.put(subscription_of(checkout["checkout_subscription_updated"]))
    assert webhooks.post(delivery(checkout["invoice_paid"]))["outcome"] == "applied"
    sub = _sub(checkout)
    assert (sub.status, sub.user_id) == ("active", checkout["user"].pk)
    assert Invoice.objects.get(subscription=sub).status == "paid"
    for name in ("checkout_subscription_created", "checkout_subscription_updated"):
        webhooks.post(delivery(checkout[name]))
    assert _sub(checkout).status == "active"


def test_paid_invoice_while_stripe_is_down_asks_for_a_retry_and_keeps_nothing(
    webhooks: Any, checkout: dict[str, Any], fake_stripe: Any, network_client: Any
) -> None:
    fake_stripe.store.put(subscription_of(checkout["checkout_subscription_updated"]))
    webhooks.post(delivery(checkout["checkout_subscription_created"]))
    # Every attempt of the client (1 + 2 network retries) fails.
    control(fake_stripe, "faults", kind="error", status=500, count=3, path="/v1/subscriptions")
    paid = delivery(checkout["invoice_paid"])
    response = network_client.post(
        "/billing/webhook/",
        data=paid["payload"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=paid["signature"],
    )
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"] == "unavailable"
    assert not WebhookEvent.objects.filter(event_id=paid["event_id"]).exists()
    assert not Invoice.objects.exists() and _sub(checkout).status == "incomplete"
    # Stripe's retry finds it up again.
    assert webhooks.post(paid)["outcome"] == "applied"
    assert _sub(checkout).status == "active"


@pytest.mark.parametrize(
    "order",
    [
        # the pair reversed, the paid invoice never arriving
        ["customer.subscription.updated", "customer.subscription.created", "checkout.session.completed"],
        # the paid invoice first, then the pair reversed
        [
            "invoice.paid",
            "customer.subscription.updated",
            "checkout.session.completed",
            "customer.subscription.created",
        ],
    ],
)
def test_fake_checkout_delivered_in_any_order_and_twice(
    catalog: None, make_user: Any, webhooks: Any, order: list[str]
) -> None:
    user = make_user()
    pay_checkout(checkout_url(user=user, plan_key="pro"))
    sent = {d["type"]: d for d in webhooks.pending()}
    for kind in order + order:
        webhooks.post(sent[kind])
    sub = Subscription.objects.get(user=user)
    assert sub.status == "active" and billing_context_get(user=user).plan.key == "pro"
    assert WebhookEvent.objects.filter(event_id__in=[sent[k]["event_id"] for k in order]).count() == len(order)
