"""Billing's fake-Stripe fixtures, for the Provider plan's tests."""

from billing.tests.conftest import catalog, fake_stripe, network_client, stripe_settings, webhooks  # noqa: F401
