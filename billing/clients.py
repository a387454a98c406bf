"""The Stripe client, configured from settings when first used (never at import).

``STRIPE_API_BASE`` points the real ``stripe`` library at the local fake in dev, demo and
tests; with real keys and the default base the same code talks to Stripe.
"""

from __future__ import annotations

import functools
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_API_BASE = "https://api.stripe.com"


def _setting(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, default)
    if value in (None, ""):
        raise ImproperlyConfigured(f"{name} is not set: billing cannot talk to Stripe without it.")
    return value


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str, timeout: float, retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base},
        # Stripe's own advice: retry network failures and 5xx; the library sends an
        # Idempotency-Key on every POST so a retried create never creates twice.
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def stripe_client() -> stripe.StripeClient:
    # Keyed on the settings' values so tests that override settings get a matching client.
    return _client(
        _setting("STRIPE_SECRET_KEY"),
        getattr(settings, "STRIPE_API_BASE", "") or DEFAULT_API_BASE,
        float(getattr(settings, "STRIPE_TIMEOUT_SECONDS", 10)),
        int(getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2)),
    )


def stripe_webhook_secret() -> str:
    return str(_setting("STRIPE_WEBHOOK_SECRET"))


def stripe_event_verify(*, payload: bytes, signature: str) -> stripe.Event:
    """Raises ``ValueError`` for a malformed body and ``stripe.SignatureVerificationError``
    for a wrong or stale signature (default tolerance: 5 minutes, as Stripe recommends)."""
    return stripe.Webhook.construct_event(payload, signature, stripe_webhook_secret())
