"""Rental fixtures: a host on the network, a listed Palm Springs home, the fake Stripe."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from billing.tests.conftest import fake_stripe, network_client, stripe_settings, webhooks  # noqa: F401
from rentals.models import CancellationPolicy, Property

# A Monday well ahead, so stays never start in the past whatever day the suite runs.
NEXT_MONDAY = dt.date.today() + dt.timedelta(days=(7 - dt.date.today().weekday()) % 7 or 7) + dt.timedelta(days=28)


def make_host(email: str | None = None) -> Any:
    from accounts.models import Role, User

    return User.objects.create_user(
        email=email or f"host-{uuid.uuid4().hex[:8]}@example.com",
        password="host-pass-2026",
        role=Role.VACATION_RENTAL_HOST,
    )


def make_property(host: Any, **extra: Any) -> Property:
    fields: dict[str, Any] = {
        "title": "Mid-century pool house",
        "slug": f"pool-house-{uuid.uuid4().hex[:8]}",
        "description": "Walls of glass, a pool and the San Jacinto mountains.",
        "house_rules": "No parties. Quiet hours 10pm–8am.",
        "address": "1000 E Palm Canyon Dr",
        "city": "Palm Springs",
        "city_slug": "palm-springs",
        "latitude": 33.80,
        "longitude": -116.54,
        "sleeps": 6,
        "bedrooms": 3,
        "amenities": ["pool", "wifi", "air_conditioning"],
        "nightly_rate_cents": 250_00,
        "weekend_rate_cents": 325_00,
        "cleaning_fee_cents": 150_00,
        "min_nights": 2,
        "cancellation_policy": CancellationPolicy.MODERATE,
        "permit_number": "VR-12345",
        "status": Property.Status.LISTED,
    }
    fields.update(extra)
    return Property.objects.create(host=host, **fields)


@pytest.fixture
def host(db: None) -> Any:
    return make_host()


@pytest.fixture
def home(host: Any) -> Property:
    return make_property(host)
