"""Celery tasks of the network: provisioning sites, expiring trials (``core.tenancy.tenant_task``
is how a task acting on one site gets its schema)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_tenants.utils import schema_context

from core.tenancy import current_schema, tenant_task


@tenant_task(name="tenants.current_schema")
def schema_report(*, schema_name: str) -> str:
    """Reports the schema a task ran in (used by health checks of the worker and tests)."""
    return current_schema()


@shared_task(name="tenants.site_provision", acks_late=True)
def site_provision(*, application_id: int) -> str:
    """Runs in the public schema: it creates a schema rather than working inside one."""
    from tenants.onboarding import application_provision

    return application_provision(application_id=application_id).status


@shared_task(name="tenants.site_grace_periods_expire", acks_late=True)
def site_grace_periods_expire() -> int:
    """Suspend agent sites whose payment has been failing for longer than the grace period.
    Idempotent: a site already in the right state is not touched."""
    from tenants.site_plans import agent_grace_periods_expire

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return agent_grace_periods_expire()


@shared_task(name="tenants.site_trials_expire")
def site_trials_expire() -> int:
    from tenants.services import site_trials_expire as expire

    return expire()
