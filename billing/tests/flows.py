"""Test flows through the real services, the real stripe library and the fake's hosted pages."""

from __future__ import annotations

import uuid
from typing import Any

from billing.models import Subscription
from billing.services import checkout_session_create
from billing.tests.fake_helpers import pay_checkout


def checkout_url(*, user: Any, plan_key: str) -> str:
    return checkout_session_create(
        user=user,
        plan_key=plan_key,
        attempt_id=uuid.uuid4().hex,
        success_url="http://localhost/billing/success/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="http://localhost/billing/cancel/",
    )


def subscribe(*, user: Any, plan_key: str, webhooks: Any) -> Subscription:
    """Checkout → pay on the hosted page → deliver the webhooks → the stored subscription."""
    status, location = pay_checkout(checkout_url(user=user, plan_key=plan_key))
    assert status == 303, location
    webhooks.pump()
    return Subscription.objects.get(user=user, status="active")
