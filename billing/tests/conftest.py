"""Billing fixtures: the fake Stripe on a free port, and a real ``stripe`` client aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from devtools.stripe import FakeStripe

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


# -- Django side -----------------------------------------------------------------------------
import json  # noqa: E402
from typing import Any  # noqa: E402

from django.test import Client, TestCase  # noqa: E402

from billing.tests.fake_helpers import deliveries  # noqa: E402


@pytest.fixture
def stripe_settings(settings: Any, fake_stripe: FakeStripe) -> Any:
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.STRIPE_TIMEOUT_SECONDS = 1
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.BILLING_GRACE_PERIOD_DAYS = 7
    return settings


@pytest.fixture
def catalog(stripe_settings: Any, db: None) -> None:
    from billing.catalog import plans_sync, portal_configurations_sync
    from billing.clients import stripe_client

    portal_configurations_sync(client=stripe_client(), results=plans_sync())


@pytest.fixture
def network_client(public_tenant: Any, stripe_settings: Any) -> Client:
    """A client on the network's host: where Stripe delivers webhooks."""
    return Client(HTTP_HOST=public_tenant.get_primary_domain().domain)


class WebhookPump:
    """Posts the fake's signed deliveries to our webhook endpoint, as Stripe would."""

    def __init__(self, fake: FakeStripe, client: Client) -> None:
        self.fake, self.client, self.seen = fake, client, 0

    def post(self, delivery: dict[str, Any]) -> dict[str, Any]:
        # Tests run inside a transaction that never commits: run on_commit work (emails)
        # as a committed webhook would.
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self._post(delivery)
        assert response.status_code == 200, response.content
        return {"type": delivery["type"], **json.loads(response.content)}

    def _post(self, delivery: dict[str, Any]) -> Any:
        return self.client.post(
            "/billing/webhook/",
            data=delivery["payload"],
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=delivery["signature"],
        )

    def pending(self) -> list[dict[str, Any]]:
        fresh = deliveries(self.fake, self.seen)
        self.seen += len(fresh)
        return fresh

    def pump(self) -> list[dict[str, Any]]:
        return [self.post(d) for d in self.pending()]


@pytest.fixture
def webhooks(fake_stripe: FakeStripe, network_client: Client) -> WebhookPump:
    return WebhookPump(fake_stripe, network_client)


@pytest.fixture
def make_user(db: None) -> Any:
    from accounts.models import User

    counter = iter(range(10_000))

    def make(email: str | None = None, **extra: Any) -> User:
        return User.objects.create_user(
            email=email or f"buyer{next(counter)}@example.com", password="test-pass-123", **extra
        )

    return make
