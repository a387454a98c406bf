"""Factories for billing state (as a verified webhook would have stored it)."""

from __future__ import annotations

import datetime as dt
import uuid

import factory
from django.utils import timezone

from billing.models import Subscription


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    stripe_subscription_id = factory.LazyFunction(lambda: f"sub_{uuid.uuid4().hex[:24]}")
    stripe_customer_id = factory.LazyFunction(lambda: f"cus_{uuid.uuid4().hex[:24]}")
    plan_key = "pro"
    status = Subscription.Status.ACTIVE
    current_period_start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    current_period_end = factory.LazyAttribute(lambda o: o.current_period_start + dt.timedelta(days=30))
    state_as_of = factory.LazyFunction(timezone.now)
