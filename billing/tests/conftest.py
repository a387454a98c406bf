"""Billing fixtures: the fake Stripe on a free port, and a real ``stripe`` client aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from billing.fake_stripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_billing"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    # Webhooks are only recorded (no URL): tests read the signed payloads back and post them
    # through Django's test client, which keeps them synchronous and tenant-aware.
    fake = FakeStripe(port=0, webhook_secret=WEBHOOK_SECRET).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def stripe_client(fake_stripe: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_fake",
        base_addresses={"api": fake_stripe.url},
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=5),
    )
