"""Thin Celery tasks for billing (schedule ``billing_expire_grace_periods`` hourly)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_tenants.utils import schema_context

from billing.services import agent_grace_periods_expire


@shared_task(name="billing.expire_grace_periods", acks_late=True)
def billing_expire_grace_periods() -> int:
    """Suspend agent sites whose payment has been failing for longer than the grace period.
    Idempotent: a site already in the right state is not touched."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return agent_grace_periods_expire()
